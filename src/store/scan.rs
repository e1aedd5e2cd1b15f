//! How an export reads a large range: a family's rows, their timelines and (for inspections) the checklist
//! results as ordered cursors, merged with the journal's record ids as it walks them, instead of three lookups by
//! id per record. It gives exactly what those lookups give: `exchange::row_map` (an inspection as
//! `inspections::get` reads it, results included) and `exchange::events`.

use std::collections::HashMap;

use rusqlite::{Connection, Row, Rows, Statement};
use serde_json::{Map, Value};

use super::Result;
use super::exchange::EventRow;
use super::records::{from_map, row_to_map, to_map};
use crate::domain::inspection::{Inspection, ItemOutcome, ItemResult};
use crate::domain::record::Family;

/// The statements of one family's scan; `start` runs them.
pub struct Statements<'c> {
    family: Family,
    rows: Statement<'c>,
    events: Statement<'c>,
    results: Option<Statement<'c>>,
    /// Each checklist item's place in its list.
    checklist: HashMap<String, i64>,
}

impl<'c> Statements<'c> {
    pub fn prepare(conn: &'c Connection, family: Family) -> Result<Statements<'c>> {
        let table = family.table();
        let rows = conn.prepare(&format!("SELECT * FROM {table} ORDER BY id"))?;
        // The events of this family's records (an id names one record in one family), ordered as
        // `exchange::events` orders one record's.
        let events = conn.prepare(&format!(
            "SELECT r.id, t.id, o.id, t.at, t.on_date, t.actor, t.action, t.note
             FROM {table} r JOIN ids k ON k.id = r.id JOIN timeline t ON t.record = k.key
             JOIN ids o ON o.key = t.origin ORDER BY r.id, t.at, t.id"
        ))?;
        // In key order; `record` puts each inspection's in checklist order, as `inspections::load_results` does.
        let results = (family == Family::Inspection)
            .then(|| {
                conn.prepare(
                    "SELECT inspection_id, item_code, result, note FROM inspection_results
                     ORDER BY inspection_id, item_code",
                )
            })
            .transpose()?;
        let checklist = conn
            .prepare("SELECT code, seq FROM checklist_items")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Statements {
            family,
            rows,
            events,
            results,
            checklist,
        })
    }

    pub fn start(&mut self) -> Result<Scan<'_>> {
        let names: Vec<String> = self.rows.column_names().map(|s| s.to_string()).collect();
        Ok(Scan {
            family: self.family,
            checklist: &self.checklist,
            rows: Ahead::new(self.rows.query([])?, move |r| {
                Ok((r.get(0)?, row_to_map(r, &names)?))
            }),
            events: Ahead::new(self.events.query([])?, |r| {
                Ok((
                    r.get(0)?,
                    EventRow {
                        id: r.get(1)?,
                        origin: r.get(2)?,
                        at: r.get(3)?,
                        on_date: r.get(4)?,
                        actor: r.get(5)?,
                        action: r.get(6)?,
                        note: r.get(7)?,
                    },
                ))
            }),
            results: match &mut self.results {
                Some(st) => Some(Ahead::new(st.query([])?, |r| {
                    Ok((r.get(0)?, (r.get(1)?, r.get::<_, String>(2)?, r.get(3)?)))
                })),
                None => None,
            },
        })
    }
}

/// A record's row as JSON (an inspection in its typed form, with its results), with its timeline.
pub type Found = (Map<String, Value>, Vec<EventRow>);

type ReadRow<T> = Box<dyn FnMut(&Row) -> rusqlite::Result<(String, T)>>;

/// One family's cursors. Ask for records in ascending id order (the journal's order).
pub struct Scan<'s> {
    family: Family,
    checklist: &'s HashMap<String, i64>,
    rows: Ahead<'s, Map<String, Value>>,
    events: Ahead<'s, EventRow>,
    results: Option<Ahead<'s, (String, String, Option<String>)>>,
}

impl Scan<'_> {
    /// The record `id` (as `Found` says) and its timeline, or None when it has no row.
    pub fn record(&mut self, id: &str) -> Result<Option<Found>> {
        let events = self.events.take(id)?;
        let results = match &mut self.results {
            Some(r) => r.take(id)?,
            None => Vec::new(),
        };
        let Some(map) = self.rows.take(id)?.pop() else {
            return Ok(None);
        };
        let map = if self.family == Family::Inspection {
            let mut insp: Inspection = from_map(map)?;
            let mut results: Vec<_> = results
                .into_iter()
                .filter_map(|r| self.checklist.get(&r.0).map(|seq| (*seq, r)))
                .collect();
            results.sort_by_key(|(seq, _)| *seq);
            insp.results = results
                .into_iter()
                .filter_map(|(_, (item_code, result, note))| {
                    ItemResult::from_code(&result).map(|result| ItemOutcome {
                        item_code,
                        result,
                        note,
                    })
                })
                .collect();
            to_map(&insp)?
        } else {
            map
        };
        Ok(Some((map, events)))
    }
}

/// A cursor over rows keyed by record id in ascending order, one row read ahead.
struct Ahead<'s, T> {
    rows: Rows<'s>,
    read: ReadRow<T>,
    next: Option<(String, T)>,
    done: bool,
}

impl<'s, T> Ahead<'s, T> {
    fn new(
        rows: Rows<'s>,
        read: impl FnMut(&Row) -> rusqlite::Result<(String, T)> + 'static,
    ) -> Self {
        Ahead {
            rows,
            read: Box::new(read),
            next: None,
            done: false,
        }
    }

    /// The rows keyed `id`, after passing over any keyed before it.
    fn take(&mut self, id: &str) -> Result<Vec<T>> {
        let mut out = Vec::new();
        loop {
            if self.next.is_none() && !self.done {
                match self.rows.next()? {
                    Some(r) => self.next = Some((self.read)(r)?),
                    None => self.done = true,
                }
            }
            match &self.next {
                Some((key, _)) if key.as_str() < id => self.next = None,
                Some((key, _)) if key == id => {
                    if let Some((_, v)) = self.next.take() {
                        out.push(v);
                    }
                }
                _ => return Ok(out),
            }
        }
    }
}
