//! The ids the bookkeeping names (a record, a device, a worker, a region), each stored once in `ids` and named
//! by its integer key there: the audit log, the journal and the timeline name one in every row, and a record's
//! row its devices (its origin, last writer and version vector). A row is translated at its edge: written from
//! its record's JSON form (`to_column`) and read back into it (`row_columns`).

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
const DEVICE_COLUMNS: [&str; 2] = ["origin", "updated_by"];

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

/// The select list that reads a row of `table` in its record's JSON form: every column by its name, the devices
/// (and a version vector's) by their ids. A device's key that `ids` lacks reads as NULL (the record then fails to
/// read and `check` names it); a vector that is not JSON as empty (`check` names it).
pub fn row_columns(conn: &Connection, table: &str) -> Result<String> {
    ROW_COLUMNS.with(|cache| {
        if let Some(list) = cache.borrow().get(table) {
            return Ok(list.clone());
        }
        let st = conn.prepare(&format!("SELECT * FROM {table} LIMIT 0"))?;
        let list = st
            .column_names()
            .map(|c| match c {
                "origin" | "updated_by" => {
                    format!("(SELECT i.id FROM ids i WHERE i.key = {table}.{c}) AS {c}")
                }
                "vv" => format!(
                    "iif(json_valid({table}.vv), (SELECT json_group_object(i.id, j.value ORDER BY i.id) \
                     FROM json_each({table}.vv) j JOIN ids i ON i.key = CAST(j.key AS INTEGER)), '{{}}') AS vv"
                ),
                other => format!("{table}.{other}"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        cache.borrow_mut().insert(table.to_owned(), list.clone());
        Ok(list)
    })
}

thread_local! {
    /// Each family table's select list, built once (the columns of a table never change in a run).
    static ROW_COLUMNS: std::cell::RefCell<std::collections::HashMap<String, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}
