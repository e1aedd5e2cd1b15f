//! The demo's bulk desk: the store's functions write a batch of records into it as into a transaction, and it
//! keeps in memory what the batch made (each record's latest version, its audit, journal and timeline rows, the
//! keys it gave new ids and words), then hands the batch over as rows for a writing thread to insert: each
//! record's row once, at its last version, instead of once per step. Only a database with no record yet takes
//! it (what it has not made it does not know); the writing thread indexes what went in (`bulk::write`).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use chrono::NaiveDate;
use rusqlite::Connection;
use rusqlite::types::Value as Sql;
use serde_json::{Map, Value};

use super::batch::{Batch, Heads, Row, not_held};
use super::interner::Interner;
use crate::domain::ids::{RecordId, RegionCode};
use crate::domain::petition::PetitionCategory;
use crate::domain::record::{Family, Record, Step};
use crate::store::desk::Desk;
use crate::store::petitions::Repeat;
use crate::store::version::{self, Audit, Version};
use crate::store::{Result, WriteCtx, audit, device, keys, records, regions, timeline};

/// The batch being made, and what later batches still name.
pub struct Book {
    ids: RefCell<Interner>,
    names: RefCell<Interner>,
    audit_head: RefCell<(i64, String)>,
    /// The journal's last number and when it was handed out.
    journal: Cell<(i64, i64)>,
    /// The records this batch wrote, by id.
    open: RefCell<HashMap<String, Open>>,
    /// Their ids, in the order they were made.
    order: RefCell<Vec<String>>,
    /// The findings (not deleted) of the patrols this batch wrote, by patrol id.
    findings: RefCell<HashMap<String, HashSet<String>>>,
    /// The places the demo may visit again (until it forgets them): their latest version.
    places: RefCell<HashMap<String, Map<String, Value>>>,
    /// Every petition, by its petitioner's key: what the repeat check reads.
    persons: RefCell<HashMap<Box<str>, Vec<Case>>>,
    settings: RefCell<HashMap<String, String>>,
    changed_settings: RefCell<BTreeMap<String, String>>,
    regions: HashSet<String>,
    /// The heads when the batch being made was begun.
    start: Cell<Heads>,
    /// Places the demo forgot in this batch: their keys are let go once the batch's rows are made.
    forgotten: RefCell<Vec<String>>,
    /// The audit, journal and timeline rows of the batch.
    logs: RefCell<[Vec<Row>; 3]>,
    sql: Statements,
}

/// A record written in this batch.
struct Open {
    family: Family,
    map: Map<String, Value>,
    /// Where its next timeline event goes (None: made before this batch, so its events are not known here).
    next_event: Option<i64>,
}

/// A petition as the repeat check sees it (kept small: a demo of a million records holds 200,000).
struct Case {
    id: uuid::Uuid,
    category: PetitionCategory,
    received_on: NaiveDate,
    case_no: Box<str>,
    status: Box<str>,
}

/// The fixed statements, shared with the writing thread.
struct Statements {
    id: Arc<str>,
    name: Arc<str>,
    audit: Arc<str>,
    journal: Arc<str>,
    journal_head: Arc<str>,
    timeline: Arc<str>,
    setting: Arc<str>,
}

/// The ids a field of a record's JSON form names, in the order its column meets them (`keys::to_column_by`).
fn named<'v>(name: &str, v: &'v Value) -> Vec<&'v str> {
    match name {
        "vv" => v
            .as_object()
            .into_iter()
            .flatten()
            .map(|(d, _)| d.as_str())
            .collect(),
        _ if keys::names_one(name) => v.as_str().into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Where a family's rows go in a batch: after those of the families they refer to.
fn rank(family: Family) -> usize {
    const ORDER: [Family; 6] = [
        Family::Place,
        Family::Inspection,
        Family::Patrol,
        Family::Finding,
        Family::Hazard,
        Family::Petition,
    ];
    ORDER
        .iter()
        .position(|f| *f == family)
        .unwrap_or(ORDER.len())
}

impl Book {
    /// A book for the database `conn`, which must hold no record version yet.
    pub fn new(conn: &Connection) -> Result<Book> {
        let fixed = |s: &str| -> Arc<str> { Arc::from(s) };
        let sql = Statements {
            id: fixed("INSERT INTO ids (key, id) VALUES (?1, ?2)"),
            name: fixed("INSERT INTO names (key, name) VALUES (?1, ?2)"),
            audit: fixed(audit::INSERT),
            journal: fixed(version::JOURNAL),
            journal_head: fixed(version::JOURNAL_HEAD),
            timeline: fixed(timeline::INSERT),
            setting: fixed(device::SET_SETTING),
        };
        let journal = conn.query_row("SELECT seq, at FROM journal_head", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        let settings = conn
            .prepare("SELECT key, value FROM settings")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let regions = conn
            .prepare("SELECT code FROM regions")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Book {
            ids: RefCell::new(Interner::load(
                conn,
                "SELECT key, id FROM ids",
                &sql.id,
                true,
            )?),
            names: RefCell::new(Interner::load(
                conn,
                "SELECT key, name FROM names",
                &sql.name,
                false,
            )?),
            audit_head: RefCell::new(audit::head(conn)?),
            journal: Cell::new(journal),
            open: Default::default(),
            order: Default::default(),
            findings: Default::default(),
            places: Default::default(),
            persons: Default::default(),
            settings: RefCell::new(settings),
            changed_settings: Default::default(),
            regions,
            start: Cell::new(Heads::read(conn)?),
            forgotten: Default::default(),
            logs: Default::default(),
            sql,
        })
    }

    /// Whether a database can take a book: it holds no record version yet.
    pub fn fits(conn: &Connection) -> Result<bool> {
        Ok(conn.query_row("SELECT seq = 0 FROM journal_head", [], |r| r.get(0))?)
    }

    fn id_key(&self, text: &str) -> Result<i64> {
        self.ids.borrow_mut().key(text)
    }

    /// The batch as the writing thread inserts it; the book then holds only what later batches name.
    pub fn batch(&self) -> Batch {
        let mut first = std::mem::take(&mut self.ids.borrow_mut().new);
        first.append(&mut self.names.borrow_mut().new);
        let mut order = std::mem::take(&mut *self.order.borrow_mut());
        let mut open = std::mem::take(&mut *self.open.borrow_mut());
        self.findings.borrow_mut().clear();
        // Table by table, each in the order its records were made (rows that follow one another in a table
        // go in faster than rows of every table in turn).
        order.sort_by_key(|id| open.get(id).map(|o| rank(o.family)));
        let mut ids = self.ids.borrow_mut();
        let mut keys = HashMap::default();
        let mut records = Vec::with_capacity(order.len());
        for id in &order {
            let Some(o) = open.remove(id) else { continue };
            // The keys of the ids its row names, met when its versions were written.
            for (name, v) in &o.map {
                for t in named(name, v) {
                    if let Some(k) = ids.keys.get(t) {
                        keys.insert(t.to_owned(), *k);
                    }
                }
            }
            // Only places (until forgotten) and petitions (a later case may repeat one) are named again.
            if !matches!(o.family, Family::Place | Family::Petition) {
                ids.keys.remove(id);
            }
            records.push((o.family, o.map));
        }
        for id in self.forgotten.borrow_mut().drain(..) {
            ids.keys.remove(&id);
        }
        let mut then: Vec<Row> = Vec::new();
        for logs in self.logs.borrow_mut().iter_mut() {
            then.append(logs);
        }
        for (key, value) in std::mem::take(&mut *self.changed_settings.borrow_mut()) {
            then.push((
                self.sql.setting.clone(),
                vec![Sql::Text(key), Sql::Text(value)],
            ));
        }
        let (seq, at) = self.journal.get();
        then.push((
            self.sql.journal_head.clone(),
            vec![Sql::Integer(seq), Sql::Integer(at)],
        ));
        let heads = Heads([
            seq,
            ids.next - 1,
            self.names.borrow().next - 1,
            self.audit_head.borrow().0,
        ]);
        Batch {
            first,
            records,
            keys,
            then,
            expect: self.start.replace(heads),
        }
    }

    /// Meets the ids a field of a row names, as writing the row would (`keys::to_column_by`).
    fn meet(&self, name: &str, v: &Value) -> Result<()> {
        // A record it refers to was written before, by this run: its key is held (a new one would name a
        // record that is not there).
        let reference = name != "id" && keys::column_of(name) != name;
        for t in named(name, v) {
            match reference {
                true if !self.ids.borrow().keys.contains_key(t) => return Err(not_held(t)),
                _ => self.id_key(t).map(drop)?,
            }
        }
        Ok(())
    }

    /// Keeps which patrol a finding's version belongs to, as `findings_of` counts them.
    fn note_finding(&self, id: &str, old: Option<&Map<String, Value>>, map: &Map<String, Value>) {
        let patrol = |m: &Map<String, Value>| {
            m.get("patrol_id")
                .and_then(Value::as_str)
                .filter(|_| m.get("deleted") != Some(&Value::Bool(true)))
                .map(str::to_owned)
        };
        let mut findings = self.findings.borrow_mut();
        if let Some(before) = old.and_then(patrol)
            && let Some(set) = findings.get_mut(&before)
        {
            set.remove(id);
        }
        if let Some(after) = patrol(map) {
            findings.entry(after).or_default().insert(id.to_owned());
        }
    }

    /// Keeps what the repeat check reads of a petition's version.
    fn note_petition(
        &self,
        id: &str,
        old: Option<&Map<String, Value>>,
        map: &Map<String, Value>,
    ) -> Result<()> {
        let text = |k: &str| map.get(k).and_then(Value::as_str).unwrap_or_default();
        let Some(person) = map.get("person_key").and_then(Value::as_str) else {
            return Ok(());
        };
        let (Ok(uuid), Some(category), Ok(received_on)) = (
            uuid::Uuid::try_parse(id),
            PetitionCategory::from_code(text("category")),
            text("received_on").parse::<NaiveDate>(),
        ) else {
            return Err(not_held(id));
        };
        let mut persons = self.persons.borrow_mut();
        let before = old
            .and_then(|m| m.get("person_key"))
            .and_then(Value::as_str);
        if let Some(cases) = before.and_then(|b| persons.get_mut(b)) {
            cases.retain(|c| c.id != uuid);
        }
        let cases = persons.entry(person.into()).or_default();
        cases.retain(|c| c.id != uuid);
        if map.get("deleted") != Some(&Value::Bool(true)) {
            cases.push(Case {
                id: uuid,
                category,
                received_on,
                case_no: text("case_no").into(),
                status: text("status").into(),
            });
        }
        Ok(())
    }
}

impl Desk for Book {
    fn write(&self, ctx: &WriteCtx, v: Version) -> Result<()> {
        let (family, old) = (v.family, v.old);
        let map = v.map.as_ref();
        let id = map.get("id").and_then(Value::as_str).unwrap_or("");
        // What the reads answer from: first, as it may fail, before anything of the version is kept.
        match family {
            Family::Finding => self.note_finding(id, old, map),
            Family::Place => {
                self.places.borrow_mut().insert(id.to_owned(), map.clone());
            }
            Family::Petition => self.note_petition(id, old, map)?,
            _ => {}
        }
        let mut key = |t: &str| self.id_key(t);
        // The ids the row's write meets, in its order (`records::upsert_map`, `records::update_map`).
        match old {
            Some(old) if !v.whole_row => {
                let changed: Vec<(&String, &Value)> = map
                    .iter()
                    .filter(|(k, v)| k.as_str() != "id" && old.get(k.as_str()) != Some(v))
                    .collect();
                if !changed.is_empty() {
                    key(id)?;
                    for (name, v) in changed {
                        self.meet(name, v)?;
                    }
                }
            }
            _ => {
                for (name, v) in map {
                    self.meet(name, v)?;
                }
            }
        }
        // The audit row (`audit::append_text`).
        let (changes, state_hash) = match v.audit {
            Audit::Compute => (
                audit::diff(old, map, v.personal).to_string(),
                audit::state_hash(map),
            ),
            Audit::Given {
                changes,
                state_hash,
            } => (changes.to_owned(), state_hash.to_owned()),
        };
        let head = self.audit_head.borrow().clone();
        let linked = audit::link(
            &head,
            ctx,
            [family.code(), id, v.action],
            v.reason,
            &changes,
            Some(&state_hash),
        );
        let values = linked.values(&mut key, &mut |w| self.names.borrow_mut().key(w))?;
        *self.audit_head.borrow_mut() = linked.next_head();
        let mut logs = self.logs.borrow_mut();
        logs[0].push((self.sql.audit.clone(), values.into()));
        // The journal row (`version::write`).
        let version = map.get("version").and_then(Value::as_u64).unwrap_or(0);
        let record = key(id)?;
        let source = v.source.map(&mut key).transpose()?;
        let seq = self.journal.get().0 + 1;
        self.journal.set((seq, ctx.now_ms()));
        logs[1].push((
            self.sql.journal.clone(),
            vec![
                Sql::Integer(record),
                Sql::Integer(seq),
                Sql::Integer(version as i64),
                source.map_or(Sql::Null, Sql::Integer),
            ],
        ));
        drop(logs);
        // The record as this batch last wrote it.
        let id = id.to_owned();
        let map = v.map.into_owned();
        let mut open = self.open.borrow_mut();
        match open.get_mut(&id) {
            Some(o) => o.map = map,
            None => {
                self.order.borrow_mut().push(id.clone());
                let next_event = old.is_none().then_some(timeline::bounds(record).0);
                open.insert(
                    id,
                    Open {
                        family,
                        map,
                        next_event,
                    },
                );
            }
        }
        Ok(())
    }

    fn form_of<R: Record>(&self, old: &R) -> Result<Map<String, Value>> {
        // The form held is the record as this batch last wrote it, which `old` must be (`records::step_on`).
        let held = self
            .open
            .borrow_mut()
            .get_mut(old.meta().id.as_str())
            .map(|o| std::mem::take(&mut o.map));
        match held {
            Some(held) => {
                debug_assert_eq!(Some(&held), records::to_map(old).ok().as_ref());
                Ok(held)
            }
            None => records::to_map(old),
        }
    }

    fn event(&self, ctx: &WriteCtx, record_id: &str, step: &Step) -> Result<()> {
        // The record's key is met first, as `timeline::next` meets it.
        let key = self.id_key(record_id)?;
        let rowid = {
            let mut open = self.open.borrow_mut();
            let next = open
                .get_mut(record_id)
                .and_then(|o| o.next_event.as_mut())
                .ok_or_else(|| not_held(record_id))?;
            timeline::room(key, *next)?;
            *next += 1;
            *next - 1
        };
        let values = timeline::event_values(ctx, step, rowid, &mut |t| self.id_key(t), &mut |w| {
            self.names.borrow_mut().key(w)
        })?;
        self.logs.borrow_mut()[2].push((self.sql.timeline.clone(), values.into()));
        Ok(())
    }

    fn inside(&self, ctx: &WriteCtx, code: &RegionCode) -> Result<()> {
        regions::judge_inside(self.regions.contains(code.as_str()), ctx, code)
    }

    fn record<R: Record>(&self, id: &str) -> Result<Option<R>> {
        let map = match self.open.borrow().get(id) {
            Some(o) => (o.family == R::FAMILY).then(|| o.map.clone()),
            None if R::FAMILY == Family::Place => self.places.borrow().get(id).cloned(),
            None => None,
        };
        map.map(records::from_map).transpose()
    }

    fn exists(&self, family: Family, id: &str) -> Result<bool> {
        let alive = |m: &Map<String, Value>| m.get("deleted") != Some(&Value::Bool(true));
        Ok(match self.open.borrow().get(id) {
            Some(o) => o.family == family && alive(&o.map),
            None => family == Family::Place && self.places.borrow().get(id).is_some_and(alive),
        })
    }

    fn findings_of(&self, patrol_id: &str) -> Result<i64> {
        // A patrol this batch made has its findings in it: they are made after it, on it.
        if self
            .open
            .borrow()
            .get(patrol_id)
            .is_none_or(|o| o.next_event.is_none())
        {
            return Err(not_held(patrol_id));
        }
        Ok(self.findings.borrow().get(patrol_id).map_or(0, |s| s.len()) as i64)
    }

    fn repeats(
        &self,
        person_key: &str,
        category: PetitionCategory,
        since: NaiveDate,
    ) -> Result<Vec<Repeat>> {
        let persons = self.persons.borrow();
        let mut found: Vec<&Case> = persons
            .get(person_key)
            .into_iter()
            .flatten()
            .filter(|c| c.category == category && c.received_on >= since)
            .collect();
        // As `petitions::repeats` orders them: latest day first, then the greater id (a UUID's bytes sort as
        // its spelling does).
        found.sort_by_key(|c| std::cmp::Reverse((c.received_on, c.id)));
        Ok(found
            .into_iter()
            .take(20)
            .map(|c| Repeat {
                id: RecordId::from_uuid(c.id),
                case_no: c.case_no.to_string(),
                received_on: c.received_on.to_string(),
                status: c.status.to_string(),
            })
            .collect())
    }

    fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.settings.borrow().get(key).cloned())
    }

    fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.settings
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        self.changed_settings
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn forget(&self, id: &str) {
        self.places.borrow_mut().remove(id);
        self.forgotten.borrow_mut().push(id.to_owned());
    }
}
