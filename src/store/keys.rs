//! The ids the bookkeeping names (a record, a device, a worker, a region), each stored once in `ids` and named
//! by its integer key there: the audit log, the journal and the timeline name one in every row, and a record's
//! row its devices (its origin, last writer and version vector). A row is translated at its edge: written from
//! its record's JSON form (`to_column`) and read back into it (`DeviceIds`).

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value};

use super::Result;

/// The key of `id`, given it one if it has none yet.
pub fn key(conn: &Connection, id: &str) -> Result<i64> {
    if let Some(key) = find(conn, id)? {
        return Ok(key);
    }
    conn.prepare_cached("INSERT INTO ids (id) VALUES (?1)")?
        .execute([id])?;
    Ok(conn.last_insert_rowid())
}

/// The key of `id`, if the bookkeeping names it anywhere.
fn find(conn: &Connection, id: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT key FROM ids WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// A record row's columns that name devices by key: what they hold is a device's key in `ids`, what the record's
/// JSON form holds is its id.
pub(crate) const DEVICE_COLUMNS: [&str; 2] = ["origin", "updated_by"];

/// A field of a record's JSON form as its row holds it: a device by its key, a version vector as `{"<key>":
/// count}`, anything else as it is (`None`).
pub fn to_column(conn: &Connection, name: &str, v: &Value) -> Result<Option<Sql>> {
    if DEVICE_COLUMNS.contains(&name) {
        return Ok(match v.as_str() {
            Some(device) => Some(Sql::Integer(key(conn, device)?)),
            None => None,
        });
    }
    if name != "vv" {
        return Ok(None);
    }
    let mut keyed = Map::new();
    for (device, count) in v.as_object().into_iter().flatten() {
        keyed.insert(key(conn, device)?.to_string(), count.clone());
    }
    Ok(Some(Sql::Text(Value::Object(keyed).to_string())))
}

/// The devices that rows name by key, each looked up in `ids` once while rows are read (a scan of a million rows
/// names a handful of devices).
pub struct DeviceIds<'c> {
    conn: &'c Connection,
    known: std::cell::RefCell<std::collections::HashMap<i64, Option<String>>>,
}

impl<'c> DeviceIds<'c> {
    pub fn new(conn: &'c Connection) -> DeviceIds<'c> {
        DeviceIds {
            conn,
            known: Default::default(),
        }
    }

    /// The id of the device `key` names (None: a key that names nothing; the record then fails to read, and
    /// `check` names the row).
    pub fn id(&self, key: i64) -> rusqlite::Result<Option<String>> {
        if let Some(id) = self.known.borrow().get(&key) {
            return Ok(id.clone());
        }
        let id: Option<String> = self
            .conn
            .prepare_cached("SELECT id FROM ids WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        self.known.borrow_mut().insert(key, id.clone());
        Ok(id)
    }

    /// A version vector as a row holds it (`{"<key>": count}`), in its JSON form: each device by its id. A
    /// vector that is not JSON reads as empty, a device whose key names nothing is left out (`check` names
    /// both).
    pub fn vector(&self, column: &[u8]) -> rusqlite::Result<Value> {
        let keyed: Map<String, Value> = serde_json::from_slice(column).unwrap_or_default();
        let mut out = Map::new();
        for (key, count) in keyed {
            if let Some(id) = key.parse().ok().map(|k| self.id(k)).transpose()?.flatten() {
                out.insert(id, count);
            }
        }
        Ok(Value::Object(out))
    }
}
