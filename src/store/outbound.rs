//! What leaves this device for the county, and what comes back: the age recipients bundles are encrypted to,
//! the batches sent, and the county's acknowledgements of them.

use rusqlite::{Connection, Transaction, params};

use super::Result;
use crate::domain::ids::{DeviceId, PublicKey, RegionCode};

/// An age recipient bundles are encrypted to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecipientRow {
    pub recipient: String,
    /// The county device whose card named it (None when typed in by hand).
    pub device: Option<DeviceId>,
    pub public_key: Option<PublicKey>,
    pub region: Option<RegionCode>,
    pub added_at: i64,
}

pub fn recipients(conn: &Connection) -> Result<Vec<RecipientRow>> {
    let mut st = conn.prepare_cached(
        "SELECT recipient, device, public_key, region, added_at FROM recipients ORDER BY added_at, recipient",
    )?;
    let rows = st.query_map([], |r| {
        Ok(RecipientRow {
            recipient: r.get(0)?,
            device: r.get(1)?,
            public_key: r.get(2)?,
            region: r.get(3)?,
            added_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn add_recipient(tx: &Transaction, r: &RecipientRow) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO recipients (recipient, device, public_key, region, added_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(recipient) DO UPDATE SET device = coalesce(excluded.device, device),
            public_key = coalesce(excluded.public_key, public_key), region = coalesce(excluded.region, region)",
    )?
    .execute(params![r.recipient, r.device, r.public_key, r.region, r.added_at])?;
    Ok(())
}

/// Removes a recipient; false when there was none such.
pub fn remove_recipient(tx: &Transaction, recipient: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("DELETE FROM recipients WHERE recipient = ?1")?
        .execute([recipient])?
        > 0)
}

/// A bundle this device sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sent {
    pub destination: RegionCode,
    pub batch: i64,
    pub lo: i64,
    pub hi: i64,
    pub file: String,
    pub sha256: String,
    pub at: i64,
}

pub fn add_sent(tx: &Transaction, s: &Sent) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sent_batches (destination, batch, lo, hi, file, sha256, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![s.destination, s.batch, s.lo, s.hi, s.file, s.sha256, s.at])?;
    Ok(())
}

/// Every bundle sent, oldest first.
pub fn sent(conn: &Connection) -> Result<Vec<Sent>> {
    let mut st = conn.prepare_cached(
        "SELECT destination, batch, lo, hi, file, sha256, at FROM sent_batches ORDER BY at, lo",
    )?;
    let rows = st.query_map([], |r| {
        Ok(Sent {
            destination: r.get(0)?,
            batch: r.get(1)?,
            lo: r.get(2)?,
            hi: r.get(3)?,
            file: r.get(4)?,
            sha256: r.get(5)?,
            at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Keeps a county device's latest acknowledgement (its ranges replace the earlier ones: they only grow).
pub fn put_ack(
    tx: &Transaction,
    device: &str,
    ranges: &str,
    created_at: &str,
    at: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO acks (device, ranges, created_at, received_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(device) DO UPDATE SET ranges = excluded.ranges, created_at = excluded.created_at,
             received_at = excluded.received_at",
    )?
    .execute(params![device, ranges, created_at, at])?;
    Ok(())
}

/// Every acknowledgement kept: (county device, ranges as JSON, created at, received at).
pub fn acks(conn: &Connection) -> Result<Vec<(DeviceId, String, String, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT device, ranges, created_at, received_at FROM acks ORDER BY device",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
