//! How an export reads a large range: a family's rows (an inspection's results in its row) and their timelines
//! as ordered cursors, merged with the journal's record ids as it walks them, instead of two lookups by id per
//! record. It gives what those lookups give (`exchange::row_map`, `timeline::events`) as read from the rows,
//! the thread that serialises them writing the `Fields` and spelling the `Events` (`sync::lines`).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use rusqlite::{Connection, Row, Rows, Statement};

use super::Result;
use super::fields::{Columns, Fields};
use super::keys::Spelled;
use super::scan_events::{Events, Known, StoredEvent};
use crate::domain::record::Family;

/// The statements of one family's scan; `start` runs them.
pub struct Statements<'c> {
    conn: &'c Connection,
    columns: Columns,
    rows: Statement<'c>,
    events: Statement<'c>,
}

impl<'c> Statements<'c> {
    pub fn prepare(conn: &'c Connection, family: Family) -> Result<Statements<'c>> {
        let table = family.table();
        // A family's row starts with its record's key; the ids its keys name are read beside it.
        let table_columns: Vec<String> = conn
            .prepare(&format!("SELECT * FROM {table}"))?
            .column_names()
            .map(str::to_owned)
            .collect();
        let (columns, select, joins) = Columns::joined(&table_columns);
        let rows = conn.prepare(&format!(
            "SELECT t.*{select} FROM {table} t{joins} ORDER BY t.key"
        ))?;
        // The events of this family's records (a key names one record in one family), the records walked in key
        // order, each record's as they lie in the table (`Events::spell` orders them as `timeline::events` does:
        // sorting them here made SQLite set up a sort for every record).
        let events = conn.prepare(&format!(
            "SELECT r.key, {} FROM {table} r CROSS JOIN timeline t ON t.{} ORDER BY r.key, t.rowid",
            super::timeline::event_columns!(),
            super::timeline::of("r.key")
        ))?;
        Ok(Statements {
            conn,
            columns,
            rows,
            events,
        })
    }

    pub fn start(&mut self) -> Result<Scan<'_>> {
        let columns = &self.columns;
        // One cache of devices for the rows' and the events' origins.
        let devices = Rc::new(Spelled::ids(self.conn));
        let origins = devices.clone();
        let words = Spelled::names(self.conn);
        let known = Rc::new(RefCell::new(Arc::new(Known::default())));
        let reading = known.clone();
        Ok(Scan {
            rows: Ahead::new(self.rows.query([])?, move |r| {
                Ok((r.get(0)?, Fields::read(r, columns, &devices)?))
            }),
            events: Ahead::new(self.events.query([])?, move |r| {
                let event = StoredEvent::read(r, 1, (&origins, &words), &mut reading.borrow_mut())?;
                Ok((r.get(0)?, event))
            }),
            known,
        })
    }
}

/// A record's row as its JSON fields (an inspection's with its results), with its timeline.
pub type Found = (Fields, Events);

type ReadRow<'s, T> = Box<dyn FnMut(&Row) -> rusqlite::Result<(i64, T)> + 's>;

/// One family's cursors. Ask for records in ascending key order (the journal's order).
pub struct Scan<'s> {
    rows: Ahead<'s, Fields>,
    events: Ahead<'s, StoredEvent>,
    /// What spells the events, shared with the events' cursor, which adds the origins it meets.
    known: Rc<RefCell<Arc<Known>>>,
}

impl Scan<'_> {
    /// The record `key` names (as `Found` says) and its timeline, or None when it has no row.
    pub fn record(&mut self, key: i64) -> Result<Option<Found>> {
        let events = self.events.take(key)?;
        let Some(fields) = self.rows.take(key)?.pop() else {
            return Ok(None);
        };
        Ok(Some((
            fields,
            Events::new(events, self.known.borrow().clone()),
        )))
    }
}

/// A cursor over rows keyed by record key in ascending order, one row read ahead.
struct Ahead<'s, T> {
    rows: Rows<'s>,
    read: ReadRow<'s, T>,
    next: Option<(i64, T)>,
    done: bool,
}

impl<'s, T> Ahead<'s, T> {
    fn new(rows: Rows<'s>, read: impl FnMut(&Row) -> rusqlite::Result<(i64, T)> + 's) -> Self {
        Ahead {
            rows,
            read: Box::new(read),
            next: None,
            done: false,
        }
    }

    /// The rows keyed `key`, after passing over any keyed before it.
    fn take(&mut self, key: i64) -> Result<Vec<T>> {
        let mut out = Vec::new();
        loop {
            if self.next.is_none() && !self.done {
                match self.rows.next()? {
                    Some(r) => self.next = Some((self.read)(r)?),
                    None => self.done = true,
                }
            }
            match &self.next {
                Some((k, _)) if *k < key => self.next = None,
                Some((k, _)) if *k == key => {
                    if let Some((_, v)) = self.next.take() {
                        out.push(v);
                    }
                }
                _ => return Ok(out),
            }
        }
    }
}
