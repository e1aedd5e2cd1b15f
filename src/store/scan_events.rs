//! A record's timeline events as read from their rows, before their words and origin are spelled and they are
//! ordered (`Events::spell`). An export's scan leaves that to the thread that serialises them (a fifth of the
//! reading thread's samples in a profile of a 100,000-record export); `timeline::events` does it at once.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::Row;
use rusqlite::types::ValueRef;

use super::keys::Spelled;
use super::timeline::EventRow;
use super::{Result, StoreError};
use crate::domain::ids::{DeviceId, EventId};

/// A word column (an event's actor or action): its key in `names`, or the text a column holds instead (which
/// no version writes; it reads as that text, as `Spelled::word` reads it).
enum Word {
    Key(i64),
    Text(String),
    Empty,
}

/// One event as its row holds it (the columns of `timeline::event_columns!`).
pub struct StoredEvent {
    id: uuid::Uuid,
    origin: i64,
    at: i64,
    /// Its day when not its time's own (`timeline::day`).
    on_date: Option<String>,
    actor: Word,
    action: Word,
    note: Option<String>,
}

/// What spells a scan's events away from its connection: the words and origins its events named so far (a few
/// hundred words and a handful of devices in a county), each looked up when first met, inside the scan's own
/// reading of the database.
#[derive(Default, Clone)]
pub struct Known {
    words: HashMap<i64, String>,
    devices: HashMap<i64, DeviceId>,
}

impl Known {
    fn word(&self, w: Word) -> String {
        match w {
            Word::Key(k) => self.words.get(&k).cloned().unwrap_or_default(),
            Word::Text(t) => t,
            Word::Empty => String::new(),
        }
    }
}

impl StoredEvent {
    /// An event from `event_columns!`, which start at column `first` of `r`. An origin or word not met before is
    /// looked up in `devices` or `words` and added to `known`; an origin that names no device fails the read, a
    /// word key that names nothing reads as empty (as `Spelled::word` reads it).
    pub fn read(
        r: &Row,
        first: usize,
        (devices, words): (&Spelled, &Spelled),
        known: &mut Arc<Known>,
    ) -> rusqlite::Result<StoredEvent> {
        let origin: i64 = r.get(first + 1)?;
        if !known.devices.contains_key(&origin) {
            let device = devices.device(origin, first + 1)?;
            Arc::make_mut(known).devices.insert(origin, device);
        }
        let mut word = |i: usize| -> rusqlite::Result<Word> {
            Ok(match r.get_ref(i)? {
                ValueRef::Integer(k) => {
                    if !known.words.contains_key(&k) {
                        let w = words.id(k)?.unwrap_or_default();
                        Arc::make_mut(known).words.insert(k, w);
                    }
                    Word::Key(k)
                }
                ValueRef::Text(t) => Word::Text(String::from_utf8_lossy(t).into_owned()),
                _ => Word::Empty,
            })
        };
        let at = r.get(first + 2)?;
        Ok(StoredEvent {
            id: super::timeline::read_id(r, first, at)?,
            origin,
            at,
            on_date: r.get(first + 3)?,
            actor: word(first + 4)?,
            action: word(first + 5)?,
            note: r.get(first + 6)?,
        })
    }
}

/// A record's events as stored, with what spells them.
pub struct Events {
    stored: Vec<StoredEvent>,
    known: Arc<Known>,
}

impl Events {
    pub fn new(stored: Vec<StoredEvent>, known: Arc<Known>) -> Events {
        Events { stored, known }
    }

    /// The time of the latest event (UTC ms), if any.
    pub fn latest(&self) -> Option<i64> {
        self.stored.iter().map(|e| e.at).max()
    }

    /// The events as they travel, ordered as `timeline::events` orders them: by time, then by id (its 16 bytes,
    /// which compare as its canonical text does).
    pub fn spell(self) -> Result<Vec<EventRow>> {
        let Events { mut stored, known } = self;
        stored.sort_by_key(|e| (e.at, e.id));
        stored
            .into_iter()
            .map(|e| {
                let origin = known.devices.get(&e.origin).cloned().ok_or_else(|| {
                    StoreError::Corrupt(format!("event origin key {} names no device", e.origin))
                })?;
                let on_date = super::timeline::day(e.on_date, e.at).ok_or_else(|| {
                    StoreError::Corrupt(format!("event time {} has no day", e.at))
                })?;
                Ok(EventRow {
                    id: EventId::from_uuid(e.id),
                    origin,
                    at: e.at,
                    on_date,
                    actor: known.word(e.actor),
                    action: known.word(e.action),
                    note: e.note,
                })
            })
            .collect()
    }
}
