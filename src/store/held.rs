//! What an import held back, for review: concurrent versions that lost (`conflicts`) and records that break a
//! rule or miss a reference (`quarantine`).

use rusqlite::{Connection, Transaction, params};

use super::Result;
use crate::domain::record::Family;

/// A losing version kept for review.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Conflict {
    pub id: i64,
    pub family: String,
    pub record_id: String,
    pub loser: String,
    pub winner_vv: String,
    pub source: String,
    pub at: i64,
    pub resolved_at: Option<i64>,
    pub resolution: Option<String>,
}

pub fn add_conflict(
    tx: &Transaction,
    family: Family,
    record_id: &str,
    loser: &str,
    winner_vv: &str,
    source: &str,
    at: i64,
) -> Result<()> {
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(loser.as_bytes()));
    tx.prepare_cached(
        "INSERT INTO conflicts (family, record_id, loser, loser_hash, winner_vv, source, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        family.code(),
        record_id,
        loser,
        hash,
        winner_vv,
        source,
        at
    ])?;
    Ok(())
}

/// Conflicts, open ones first.
pub fn conflicts(conn: &Connection, open_only: bool) -> Result<Vec<Conflict>> {
    let mut st = conn.prepare_cached(
        "SELECT id, family, record_id, loser, winner_vv, source, at, resolved_at, resolution FROM conflicts
         WHERE ?1 = 0 OR resolved_at IS NULL ORDER BY resolved_at IS NOT NULL, id",
    )?;
    let rows = st.query_map([open_only], |r| {
        Ok(Conflict {
            id: r.get(0)?,
            family: r.get(1)?,
            record_id: r.get(2)?,
            loser: r.get(3)?,
            winner_vv: r.get(4)?,
            source: r.get(5)?,
            at: r.get(6)?,
            resolved_at: r.get(7)?,
            resolution: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn conflict(conn: &Connection, id: i64) -> Result<Option<Conflict>> {
    Ok(conflicts(conn, false)?.into_iter().find(|c| c.id == id))
}

pub fn resolve_conflict(tx: &Transaction, id: i64, resolution: &str, at: i64) -> Result<()> {
    tx.prepare_cached("UPDATE conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1")?
        .execute(params![id, at, resolution])?;
    Ok(())
}

/// A record held back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Quarantined {
    pub id: i64,
    pub family: String,
    pub record_id: String,
    pub version: i64,
    pub reason: String,
    pub device: String,
    pub file: String,
    pub at: i64,
}

#[allow(clippy::too_many_arguments)]
pub fn quarantine(
    tx: &Transaction,
    family: Family,
    record_id: &str,
    version: u64,
    record: &str,
    reason: &str,
    device: &str,
    file: &str,
    at: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO quarantine (family, record_id, version, record, reason, device, file, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        family.code(),
        record_id,
        version as i64,
        record,
        reason,
        device,
        file,
        at
    ])?;
    Ok(())
}

pub fn quarantined(conn: &Connection) -> Result<Vec<Quarantined>> {
    let mut st = conn.prepare_cached(
        "SELECT id, family, record_id, version, reason, device, file, at FROM quarantine ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(Quarantined {
            id: r.get(0)?,
            family: r.get(1)?,
            record_id: r.get(2)?,
            version: r.get(3)?,
            reason: r.get(4)?,
            device: r.get(5)?,
            file: r.get(6)?,
            at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The held record's stored JSON.
pub fn quarantined_record(conn: &Connection, id: i64) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT record FROM quarantine WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

/// Takes a record out of quarantine (taken, superseded or discarded).
pub fn release(tx: &Transaction, id: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM quarantine WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}
