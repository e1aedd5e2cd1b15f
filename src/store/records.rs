//! The generic write path of every record that travels: its JSON form is its row (keys are column names), and
//! `save` bumps the version vector, writes the row, and appends the audit and journal rows through the caller's
//! desk (its transaction, or the demo's in-memory `Book`). Also the timeline and the optimistic-version check.

use rusqlite::types::{ToSqlOutput, Value as Sql, ValueRef};
use rusqlite::{Connection, OptionalExtension, Transaction, params_from_iter};
use serde_json::{Map, Value};

use super::desk::Desk;
use super::fields::row_to_map;
use super::keys::{Spelled, column_of};
use super::{Result, StoreError, WriteCtx};
use crate::domain::ids::{EventId, RecordId};
use crate::domain::record::{DomainError, Family, Record, Step};

/// The JSON object form of a record.
pub fn to_map<R: Record>(rec: &R) -> Result<Map<String, Value>> {
    match serde_json::to_value(rec) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(StoreError::Sqlite(rusqlite::Error::InvalidQuery)),
        Err(e) => Err(StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(
            Box::new(e),
        ))),
    }
}

/// A value as its column holds it (a text borrowed, not copied).
fn to_sql(v: &Value) -> ToSqlOutput<'_> {
    match v {
        Value::Null => ToSqlOutput::Owned(Sql::Null),
        Value::Bool(b) => ToSqlOutput::Owned(Sql::Integer(i64::from(*b))),
        Value::Number(n) => ToSqlOutput::Owned(match n.as_i64() {
            Some(i) => Sql::Integer(i),
            None => Sql::Real(n.as_f64().unwrap_or(0.0)),
        }),
        Value::String(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        other => ToSqlOutput::Owned(Sql::Text(other.to_string())),
    }
}

/// A field's value as its column holds it (an inspection's results in their compact form, a petitioner's key as
/// its bytes, devices and records by key).
fn column_value<'v>(conn: &Connection, name: &str, v: &'v Value) -> Result<ToSqlOutput<'v>> {
    column_value_by(name, v, &mut |id| super::keys::key(conn, id))
}

/// `column_value`, each id's key given by `key`.
pub(crate) fn column_value_by<'v>(
    name: &str,
    v: &'v Value,
    key: &mut dyn FnMut(&str) -> Result<i64>,
) -> Result<ToSqlOutput<'v>> {
    if name == "results" {
        return Ok(ToSqlOutput::Owned(Sql::Text(
            super::inspections::results_column(v),
        )));
    }
    if let ("person_key", Some(key)) = (name, v.as_str()) {
        return Ok(ToSqlOutput::Owned(super::petitions::person_key_column(key)));
    }
    Ok(match super::keys::to_column_by(name, v, key)? {
        Some(column) => ToSqlOutput::Owned(column),
        None => to_sql(v),
    })
}

/// Inserts or replaces the row of a record (by id).
pub fn upsert_map(tx: &Transaction, table: &str, map: &Map<String, Value>) -> Result<()> {
    upsert_map_by(tx, table, map, &mut |id| super::keys::key(tx, id))
}

/// `upsert_map`, each id's key given by `key`.
pub(crate) fn upsert_map_by(
    tx: &Transaction,
    table: &str,
    map: &Map<String, Value>,
    key: &mut dyn FnMut(&str) -> Result<i64>,
) -> Result<()> {
    let mut values = Vec::with_capacity(map.len());
    for (name, v) in map {
        values.push(column_value_by(name, v, key)?);
    }
    UPSERT_SQL.with(|cache| {
        let mut cache = cache.borrow_mut();
        let fields = || map.keys().map(String::as_str);
        let at = match cache
            .iter()
            .position(|(t, f, _)| t == table && f.len() == map.len())
        {
            Some(at) => at,
            None => {
                cache.push((table.to_owned(), Vec::new(), String::new()));
                cache.len() - 1
            }
        };
        let entry = &mut cache[at];
        if !entry.1.iter().map(String::as_str).eq(fields()) {
            let cols: Vec<&str> = fields().map(column_of).collect();
            entry.1 = fields().map(str::to_owned).collect();
            entry.2 = upsert_sql(table, &cols);
        }
        tx.prepare_cached(&entry.2)?
            .execute(params_from_iter(values))?;
        Ok(())
    })
}

/// Writes the columns of a record's row whose values differ from `old`, the row as it was read in this
/// transaction. An index that holds none of them is left alone, where writing the whole row would rewrite every
/// index of the table. A row that is not there is written whole.
pub fn update_map(
    tx: &Transaction,
    table: &str,
    old: &Map<String, Value>,
    map: &Map<String, Value>,
) -> Result<()> {
    let fields: Vec<&str> = map
        .iter()
        .filter(|(k, v)| k.as_str() != "id" && old.get(k.as_str()) != Some(v))
        .map(|(k, _)| k.as_str())
        .collect();
    if fields.is_empty() {
        return Ok(());
    }
    let sets: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} = ?{}", column_of(c), i + 1))
        .collect();
    let sql = format!(
        "UPDATE {table} SET {} WHERE key = ?{}",
        sets.join(", "),
        fields.len() + 1
    );
    let key = match map.get("id") {
        Some(id) => column_value(tx, "id", id)?,
        None => ToSqlOutput::Owned(Sql::Null),
    };
    let mut values = fields
        .iter()
        .map(|c| column_value(tx, c, &map[*c]))
        .collect::<Result<Vec<_>>>()?;
    values.push(key);
    if tx.prepare_cached(&sql)?.execute(params_from_iter(values))? == 0 {
        upsert_map(tx, table, map)?;
    }
    Ok(())
}

thread_local! {
    /// The upsert statement of each table and number of fields, with the fields it was built for: built again
    /// only when a row's fields differ (the fields of a family's rows hardly ever do).
    static UPSERT_SQL: std::cell::RefCell<Vec<(String, Vec<String>, String)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

fn upsert_sql(table: &str, cols: &[&str]) -> String {
    let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> = cols
        .iter()
        .filter(|c| **c != "key")
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT(key) DO UPDATE SET {}",
        cols.join(", "),
        placeholders.join(", "),
        updates.join(", ")
    )
}

/// Turns a JSON form into the record, or says which record could not be read.
pub fn from_map<R: Record>(map: Map<String, Value>) -> Result<R> {
    serde_json::from_value(Value::Object(map)).map_err(|e| {
        StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(e),
        ))
    })
}

/// Records of one family matching `where_sql` (with `params`), in the given order.
pub fn select<R: Record>(
    conn: &Connection,
    where_sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<R>> {
    let sql = format!("SELECT * FROM {} WHERE {where_sql}", R::FAMILY.table());
    let mut st = conn.prepare_cached(&sql)?;
    let names: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let devices = Spelled::ids(conn);
    let maps = st
        .query_map(params, |row| row_to_map(row, &names, &devices))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    maps.into_iter().map(from_map).collect()
}

/// Calls `f` with every record of a family (tombstones included), streaming: memory stays flat.
pub fn for_each<R: Record>(conn: &Connection, mut f: impl FnMut(R) -> Result<()>) -> Result<()> {
    let sql = format!("SELECT * FROM {}", R::FAMILY.table());
    let mut st = conn.prepare(&sql)?;
    let names: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let devices = Spelled::ids(conn);
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        f(from_map(row_to_map(row, &names, &devices)?)?)?;
    }
    Ok(())
}

/// One record by id (tombstones included).
pub fn get<R: Record>(conn: &Connection, id: &str) -> Result<Option<R>> {
    let Some(key) = super::keys::find(conn, id)? else {
        return Ok(None);
    };
    Ok(select::<R>(conn, "key = ?1", &[&key])?.into_iter().next())
}

/// One record by id for an edit based on `read_version`: refused if missing, deleted, or changed meanwhile.
pub fn get_for_update<R: Record>(desk: &impl Desk, id: &str, read_version: u64) -> Result<R> {
    let rec: R = desk
        .record(id)?
        .filter(|r: &R| !r.meta().deleted)
        .ok_or_else(|| StoreError::NoRecord {
            family: R::FAMILY,
            id: id.to_owned(),
        })?;
    let now = rec.meta().version;
    if now != read_version {
        return Err(StoreError::Stale {
            family: R::FAMILY,
            read: read_version,
            now,
        });
    }
    Ok(rec)
}

/// Writes a new version of `rec` (whose previous state was `old`): bumps its vector for this device, then
/// writes it through the one write path (row, audit row `action`/`reason`, journal row, search document).
pub fn save<R: Record>(
    tx: &impl Desk,
    ctx: &WriteCtx,
    old: Option<&R>,
    rec: &mut R,
    action: &str,
    reason: Option<&str>,
) -> Result<()> {
    let meta = rec.meta_mut();
    meta.vv
        .bump(&ctx.device)
        .map_err(crate::domain::record::DomainError::from)?;
    meta.version = meta.vv.total();
    meta.updated_at = ctx.now_ms();
    meta.updated_by = ctx.device.clone();
    let map = to_map(rec)?;
    let old_map = match old {
        Some(o) => Some(tx.form_of(o)?),
        None => None,
    };
    tx.write(
        ctx,
        super::version::Version {
            family: R::FAMILY,
            map: std::borrow::Cow::Owned(map),
            old: old_map.as_ref(),
            personal: R::PERSONAL,
            action,
            reason,
            audit: super::version::Audit::Compute,
            source: None,
            index: super::version::Index::Now,
            whole_row: false,
        },
    )
}

/// Marks a record deleted (a tombstone that still travels).
pub fn delete<R: Record>(
    tx: &Transaction,
    ctx: &WriteCtx,
    id: &str,
    read_version: u64,
    reason: &str,
) -> Result<R> {
    let old: R = get_for_update(tx, id, read_version)?;
    let mut rec = old.clone();
    rec.meta_mut().deleted = true;
    save(tx, ctx, Some(&old), &mut rec, "delete", Some(reason))?;
    add_event(
        tx,
        ctx,
        id,
        &Step {
            action: "delete",
            on: ctx.today(),
            note: Some(reason.to_owned()),
        },
    )?;
    Ok(rec)
}

/// One event on a record's timeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    pub id: crate::domain::ids::EventId,
    pub at: i64,
    pub on_date: String,
    pub actor: String,
    pub action: String,
    pub note: Option<String>,
}

/// Puts an edit on the record's timeline: which fields changed (their names, told as labels when read) and
/// the reason given, so both are read where the record is (the audit log holds the values).
pub fn note_edit<R: Record>(
    tx: &Transaction,
    ctx: &WriteCtx,
    old: &R,
    new: &R,
    reason: Option<&str>,
) -> Result<()> {
    use crate::domain::fields::META;
    let (before, after) = (to_map(old)?, to_map(new)?);
    let fields = after
        .iter()
        .filter(|(k, v)| !META.contains(&k.as_str()) && before.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    let step = Step {
        action: "update",
        on: ctx.today(),
        note: Some(
            crate::domain::timeline::Composed::Edited {
                fields,
                reason: reason.map(str::to_owned),
            }
            .encode(),
        ),
    };
    add_event(tx, ctx, &new.meta().id, &step)
}

/// Takes a lifecycle step on `old`, held as this transaction last wrote it (the callers say who may hold one):
/// `apply` moves a copy and names the step, the copy is saved as a change from `old`, and the step goes on the
/// record's timeline. Returns the record as saved.
pub(crate) fn step_on<R: Record>(
    tx: &impl Desk,
    ctx: &WriteCtx,
    old: &R,
    apply: impl FnOnce(&mut R) -> std::result::Result<Step, DomainError>,
) -> Result<R> {
    let mut next = old.clone();
    let step = apply(&mut next)?;
    save(
        tx,
        ctx,
        Some(old),
        &mut next,
        step.action,
        step.note.as_deref(),
    )?;
    add_event(tx, ctx, &old.meta().id, &step)?;
    Ok(next)
}

/// Appends a timeline event for a record (its id made at its time: the two are stored once).
pub fn add_event(tx: &impl Desk, ctx: &WriteCtx, record_id: &str, step: &Step) -> Result<()> {
    tx.event(ctx, record_id, step)
}

/// A record's timeline, oldest first.
pub fn timeline(conn: &Connection, record_id: &str) -> Result<Vec<Event>> {
    use super::timeline::{read_day, read_id};
    let mut st = conn.prepare_cached(concat!(
        "SELECT ",
        super::timeline::event_columns!(),
        " FROM timeline t WHERE rowid BETWEEN ?1 AND ?2 ORDER BY at, rowid",
    ))?;
    let (first, last) = super::timeline::of_record(conn, record_id)?;
    let names = Spelled::names(conn);
    let rows = st.query_map([first, last], |r| {
        let at = r.get(2)?;
        Ok(Event {
            id: EventId::from_uuid(read_id(r, 0, at)?),
            at,
            on_date: read_day(r, 3, at)?,
            actor: names.word(r.get_ref(4)?)?,
            action: names.word(r.get_ref(5)?)?,
            note: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A new UUIDv7 at the context's time (random low bits, see `uuid_at`).
pub fn new_uuid(ctx: &WriteCtx) -> uuid::Uuid {
    uuid_at(ctx.now_ms())
}

thread_local! {
    /// The random bits of new ids on this thread: a ChaCha stream keyed once from the OS, so an id costs no
    /// system call (a million-record demo makes tens of millions of ids and events).
    static ID_BITS: std::cell::RefCell<rand_chacha::ChaCha12Rng> = std::cell::RefCell::new({
        let mut seed = [0u8; 32];
        if getrandom::fill(&mut seed).is_err() {
            // The OS gave no randomness (it practically never fails): the time to the nanosecond, the process
            // and the stack's place in memory still keep two streams apart.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            seed[..16].copy_from_slice(&nanos.to_le_bytes());
            seed[16..20].copy_from_slice(&std::process::id().to_le_bytes());
            let place = std::ptr::addr_of!(seed) as u64;
            seed[24..32].copy_from_slice(&place.to_le_bytes());
        }
        rand_chacha::rand_core::SeedableRng::from_seed(seed)
    });
}

/// A new UUIDv7 at `ms`, its low 74 bits random.
pub(crate) fn uuid_at(ms: i64) -> uuid::Uuid {
    let mut rand = [0u8; 10];
    ID_BITS
        .with(|bits| rand_chacha::rand_core::Rng::fill_bytes(&mut *bits.borrow_mut(), &mut rand));
    uuid::Builder::from_unix_timestamp_millis(ms.max(0) as u64, &rand).into_uuid()
}

/// A new record's id.
pub fn new_id(ctx: &WriteCtx) -> RecordId {
    RecordId::from_uuid(new_uuid(ctx))
}

/// Whether the row exists (used for foreign references typed by people).
pub fn exists(conn: &Connection, family: Family, id: &str) -> Result<bool> {
    let sql = format!(
        "SELECT 1 FROM {} WHERE key = {} AND deleted = 0",
        family.table(),
        super::keys::key_of_param("?1")
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([super::keys::stored(id)], |_| Ok(()))
        .optional()?
        .is_some())
}
