//! The ids the bookkeeping names (a record, a device, a worker, a region), each stored once in `ids` and named
//! by its integer key there: the audit log, the journal and the timeline name one in every row.

use rusqlite::{Connection, OptionalExtension};

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
