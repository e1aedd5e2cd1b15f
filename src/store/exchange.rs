//! The SQL of the county exchange: the journal read for export and its cursors, trusted peers, the batches,
//! sequence numbers and forks seen per device, and writing an incoming record's row. An incoming record's events
//! are `timeline`'s, what an import held back is in `held`, what leaves for the county and its acknowledgements in
//! `outbound`. The rules (what to send, how
//! to merge) live in `crate::sync`.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value};

use super::Result;
use crate::domain::ids::{DeviceId, PublicKey, RegionCode};
use crate::domain::record::Family;

/// The journal of one family between two sequence numbers, one record at a time: (record key,
/// [(seq, version)]), records in key order. Changes that came from `skip_source` (the destination itself) are left out, and so are
/// those of a record no longer on file.
pub fn journal_by_record(
    conn: &Connection,
    family: Family,
    (lo, hi): (i64, i64),
    skip_source: Option<&str>,
    mut f: impl FnMut(i64, Vec<(i64, u64)>) -> Result<()>,
) -> Result<()> {
    // The family's records in key order (its primary key), each with its changes (a key names one record, so
    // these changes are the family's).
    let mut st = conn.prepare_cached(&format!(
        "SELECT r.key, j.seq, j.version
         FROM {} r CROSS JOIN journal j ON j.record = r.key
         WHERE j.seq BETWEEN ?1 AND ?2
           AND (j.source IS NULL OR j.source IS NOT (SELECT key FROM ids WHERE id = ?3))
         ORDER BY r.key, j.seq",
        family.table(),
    ))?;
    let mut rows = st.query(params![lo, hi, skip_source.map(super::keys::stored)])?;
    let mut current: Option<(i64, Vec<(i64, u64)>)> = None;
    while let Some(r) = rows.next()? {
        let key: i64 = r.get(0)?;
        let entry = (r.get::<_, i64>(1)?, r.get::<_, i64>(2)?.max(0) as u64);
        match &mut current {
            Some((cur, seqs)) if *cur == key => seqs.push(entry),
            _ => {
                if let Some((cur, seqs)) = current.take() {
                    f(cur, seqs)?;
                }
                current = Some((key, vec![entry]));
            }
        }
    }
    if let Some((cur, seqs)) = current {
        f(cur, seqs)?;
    }
    Ok(())
}

/// The last journal sequence number handed out (0 before the first) and the time of that change.
pub fn journal_head(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached("SELECT seq, at FROM journal_head")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0)))
}

/// A destination's cursor: (last sequence number sent, bundles sent).
pub fn cursor(conn: &Connection, destination: &str) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached("SELECT last_seq, batches FROM export_cursors WHERE destination = ?1")?
        .query_row([destination], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0)))
}

pub fn set_cursor(
    tx: &Transaction,
    destination: &str,
    last: i64,
    batches: i64,
    at: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO export_cursors (destination, last_seq, batches, exported_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(destination) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq),
             batches = excluded.batches, exported_at = excluded.exported_at",
    )?
    .execute(params![destination, last, batches, at])?;
    Ok(())
}

/// Every cursor: (destination, last seq, batches, exported at).
pub fn cursors(conn: &Connection) -> Result<Vec<(String, i64, i64, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT destination, last_seq, batches, exported_at FROM export_cursors ORDER BY destination",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A record's row as its JSON form (tombstones included), or None.
pub fn row_map(conn: &Connection, family: Family, id: &str) -> Result<Option<Map<String, Value>>> {
    let sql = format!(
        "SELECT * FROM {} WHERE key = {}",
        family.table(),
        super::keys::key_of_param("?1")
    );
    let mut st = conn.prepare_cached(&sql)?;
    let names: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let devices = super::keys::Spelled::ids(conn);
    Ok(st
        .query_row([super::keys::stored(id)], |row| {
            super::fields::row_to_map(row, &names, &devices)
        })
        .optional()?)
}

/// Whether this database holds a row of the record (live or a tombstone).
pub fn has_row(conn: &Connection, family: Family, id: &str) -> Result<bool> {
    let sql = format!(
        "SELECT 1 FROM {} WHERE key = {}",
        family.table(),
        super::keys::key_of_param("?1")
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([super::keys::stored(id)], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A region row as it travels.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RegionRow {
    pub code: RegionCode,
    pub name: String,
    pub level: String,
    pub parent: Option<RegionCode>,
}

pub fn region_row(conn: &Connection, code: &str) -> Result<Option<RegionRow>> {
    Ok(conn
        .prepare_cached("SELECT code, name, level, parent FROM regions WHERE code = ?1")?
        .query_row([code], |r| {
            Ok(RegionRow {
                code: r.get(0)?,
                name: r.get(1)?,
                level: r.get(2)?,
                parent: r.get(3)?,
            })
        })
        .optional()?)
}

/// What a bundle's region line did here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionChange {
    Added,
    Renamed,
    Unchanged,
}

/// Adds a region a bundle refers to. A region on file keeps its name, unless `rename` (the bundle comes up from
/// a device below this one, which names its villages and grids) and the region is not a built-in one.
pub fn add_region(tx: &Transaction, r: &RegionRow, rename: bool) -> Result<RegionChange> {
    let added = tx
        .prepare_cached(
            "INSERT INTO regions (code, name, level, parent, source) VALUES (?1, ?2, ?3, ?4, 'bundle')
             ON CONFLICT(code) DO NOTHING",
        )?
        .execute(params![r.code, r.name, r.level, r.parent])?;
    if added > 0 {
        return Ok(RegionChange::Added);
    }
    if rename
        && tx
            .prepare_cached(
                "UPDATE regions SET name = ?2 WHERE code = ?1 AND source <> 'builtin' AND name <> ?2",
            )?
            .execute(params![r.code, r.name])?
            > 0
    {
        return Ok(RegionChange::Renamed);
    }
    Ok(RegionChange::Unchanged)
}

/// Where a device stands with this database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerStatus {
    /// Pinned at its first accepted bundle; merged, awaiting an operator's look.
    Unconfirmed,
    Confirmed,
    /// Its bundles are refused; what it had in quarantine was dropped.
    Revoked,
    /// Its claim overlaps another device's region (or this database's own): its verified bundles wait,
    /// unmerged, for `trust confirm`.
    Held,
}

impl PeerStatus {
    pub fn code(self) -> &'static str {
        match self {
            PeerStatus::Unconfirmed => "unconfirmed",
            PeerStatus::Confirmed => "confirmed",
            PeerStatus::Revoked => "revoked",
            PeerStatus::Held => "held",
        }
    }

    fn from_code(s: &str) -> Option<PeerStatus> {
        [
            PeerStatus::Unconfirmed,
            PeerStatus::Confirmed,
            PeerStatus::Revoked,
            PeerStatus::Held,
        ]
        .into_iter()
        .find(|p| p.code() == s)
    }

    /// Whether the device's region counts as bound to it (a held or revoked device binds nothing).
    pub fn binds(self) -> bool {
        matches!(self, PeerStatus::Unconfirmed | PeerStatus::Confirmed)
    }
}

/// A device this database knows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Peer {
    pub device: DeviceId,
    pub public_key: PublicKey,
    pub region: RegionCode,
    pub status: PeerStatus,
    /// first_use | registered
    pub how: String,
    pub added_at: i64,
}

fn peer_of(r: &rusqlite::Row) -> rusqlite::Result<Peer> {
    let status: String = r.get(3)?;
    Ok(Peer {
        device: r.get(0)?,
        public_key: r.get(1)?,
        region: r.get(2)?,
        status: PeerStatus::from_code(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                format!("peer status {status}").into(),
            )
        })?,
        how: r.get(4)?,
        added_at: r.get(5)?,
    })
}

const PEER_COLUMNS: &str = "device, public_key, region_code, status, how, added_at";

pub fn peer(conn: &Connection, device: &str) -> Result<Option<Peer>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {PEER_COLUMNS} FROM peers WHERE device = ?1"
        ))?
        .query_row([device], peer_of)
        .optional()?)
}

/// Devices whose region binds exactly `region` (not revoked, not held).
pub fn peers_of_region(conn: &Connection, region: &RegionCode) -> Result<Vec<Peer>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {PEER_COLUMNS} FROM peers WHERE region_code = ?1 AND status IN ('unconfirmed', 'confirmed')
         ORDER BY device"
    ))?;
    let rows = st.query_map([region], peer_of)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn peers(conn: &Connection) -> Result<Vec<Peer>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {PEER_COLUMNS} FROM peers ORDER BY region_code, device"
    ))?;
    let rows = st.query_map([], peer_of)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn put_peer(tx: &Transaction, p: &Peer) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO peers (device, public_key, region_code, status, how, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(device) DO UPDATE SET public_key = excluded.public_key, region_code = excluded.region_code,
             status = excluded.status, how = excluded.how",
    )?
    .execute(params![p.device, p.public_key, p.region, p.status.code(), p.how, p.added_at])?;
    Ok(())
}

pub fn set_peer_status(tx: &Transaction, device: &str, status: PeerStatus) -> Result<bool> {
    Ok(tx
        .prepare_cached("UPDATE peers SET status = ?2 WHERE device = ?1")?
        .execute([device, status.code()])?
        > 0)
}

/// A verified bundle kept unmerged until its sender is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HeldBundle {
    pub id: i64,
    pub device: DeviceId,
    pub lo: i64,
    pub hi: i64,
    pub sha256: String,
    pub file: String,
    /// Why, "中文 / English".
    pub reason: String,
    pub at: i64,
}

/// Keeps a bundle's bytes until its sender is confirmed (the same bundle twice is kept once).
#[allow(clippy::too_many_arguments)]
pub fn hold_bundle(
    tx: &Transaction,
    device: &DeviceId,
    (lo, hi): (i64, i64),
    sha256: &str,
    file: &str,
    reason: &str,
    bytes: &[u8],
    at: i64,
) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO held_bundles (device, lo, hi, sha256, file, reason, bytes, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
        )?
        .execute(params![device, lo, hi, sha256, file, reason, bytes, at])?
        > 0)
}

/// The bundles held, oldest range first (of one device, or of all).
pub fn held_bundles(conn: &Connection, device: Option<&DeviceId>) -> Result<Vec<HeldBundle>> {
    let mut st = conn.prepare_cached(
        "SELECT id, device, lo, hi, sha256, file, reason, at FROM held_bundles
         WHERE ?1 IS NULL OR device = ?1 ORDER BY device, lo, hi, id",
    )?;
    let rows = st.query_map([device], |r| {
        Ok(HeldBundle {
            id: r.get(0)?,
            device: r.get(1)?,
            lo: r.get(2)?,
            hi: r.get(3)?,
            sha256: r.get(4)?,
            file: r.get(5)?,
            reason: r.get(6)?,
            at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A held bundle's bytes.
pub fn held_bytes(conn: &Connection, id: i64) -> Result<Vec<u8>> {
    Ok(conn
        .prepare_cached("SELECT bytes FROM held_bundles WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

/// Drops a held bundle (merged, or its sender revoked).
pub fn drop_held_bundle(tx: &Transaction, id: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM held_bundles WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// The family of the record this database holds under `id`, in any family's table (tombstones included): one
/// statement, one probe of each table's key.
pub fn family_of(conn: &Connection, id: &str) -> Result<Option<Family>> {
    let Some(key) = super::keys::find(conn, id)? else {
        return Ok(None);
    };
    let code: Option<String> = conn
        .prepare_cached(
            "SELECT 'place' FROM places WHERE key = ?1
             UNION ALL SELECT 'inspection' FROM inspections WHERE key = ?1
             UNION ALL SELECT 'hazard' FROM hazards WHERE key = ?1
             UNION ALL SELECT 'patrol' FROM patrols WHERE key = ?1
             UNION ALL SELECT 'finding' FROM findings WHERE key = ?1
             UNION ALL SELECT 'petition' FROM petitions WHERE key = ?1
             UNION ALL SELECT 'assignment' FROM assignments WHERE key = ?1
             LIMIT 1",
        )?
        .query_row([key], |r| r.get(0))
        .optional()?;
    Ok(code.as_deref().and_then(Family::from_code))
}

/// How many records (tombstones included) this database holds, every family together.
pub fn record_count(conn: &Connection) -> Result<u64> {
    let mut n = 0u64;
    for family in Family::ALL {
        let c: i64 = conn
            .prepare_cached(&format!("SELECT count(*) FROM {}", family.table()))?
            .query_row([], |r| r.get(0))?;
        n += c.max(0) as u64;
    }
    Ok(n)
}

/// Calls `f` with the id of every record of `family` (tombstones included), in key order.
pub fn each_id(conn: &Connection, family: Family, mut f: impl FnMut(&str)) -> Result<()> {
    let mut st = conn.prepare(&format!(
        "SELECT i.id FROM {} t JOIN ids i ON i.key = t.key ORDER BY t.key",
        family.table()
    ))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        if let Some(id) = super::keys::spelled(r.get_ref(0)?) {
            f(&id);
        }
    }
    Ok(())
}

/// A bundle imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Batch {
    pub device: DeviceId,
    pub lo: i64,
    pub hi: i64,
    pub batch: i64,
    pub sha256: String,
    pub imported_at: i64,
    pub file: String,
    pub summary: String,
}

pub fn batch_known(conn: &Connection, device: &str, sha256: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM sync_batches WHERE device = ?1 AND sha256 = ?2")?
        .query_row([device, sha256], |_| Ok(()))
        .optional()?
        .is_some())
}

pub fn add_batch(tx: &Transaction, b: &Batch) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_batches (device, lo, hi, batch, sha256, imported_at, file, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        b.device,
        b.lo,
        b.hi,
        b.batch,
        b.sha256,
        b.imported_at,
        b.file,
        b.summary
    ])?;
    Ok(())
}

/// A device's batches, by sequence range.
pub fn batches(conn: &Connection, device: &str) -> Result<Vec<Batch>> {
    let mut st = conn.prepare_cached(
        "SELECT device, lo, hi, batch, sha256, imported_at, file, summary FROM sync_batches
         WHERE device = ?1 ORDER BY lo, hi",
    )?;
    let rows = st.query_map([device], |r| {
        Ok(Batch {
            device: r.get(0)?,
            lo: r.get(1)?,
            hi: r.get(2)?,
            batch: r.get(3)?,
            sha256: r.get(4)?,
            imported_at: r.get(5)?,
            file: r.get(6)?,
            summary: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records that `device`'s change `seq` carried `digest`; returns the digest it carried before when that
/// differs (a fork).
pub fn see(tx: &Transaction, device: &str, seq: i64, digest: &[u8; 8]) -> Result<Option<Vec<u8>>> {
    let device = super::keys::key(tx, device)?;
    // A number not seen before is added in one statement; one seen before is then read.
    let added = tx
        .prepare_cached(
            "INSERT INTO sync_seen (device, seq, digest) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        )?
        .execute(params![device, seq, &digest[..]])?;
    if added == 1 {
        return Ok(None);
    }
    let had: Vec<u8> = tx
        .prepare_cached("SELECT digest FROM sync_seen WHERE device = ?1 AND seq = ?2")?
        .query_row(params![device, seq], |r| r.get(0))?;
    Ok((had != digest).then_some(had))
}

pub fn add_fork(
    tx: &Transaction,
    device: &str,
    seq: i64,
    had: &str,
    got: &str,
    file: &str,
    at: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_forks (device, seq, had, got, file, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![device, seq, had, got, file, at])?;
    Ok(())
}

/// A device's forks: (seq, file that brought the second content).
pub fn forks(conn: &Connection, device: &str) -> Result<Vec<(i64, String)>> {
    let mut st =
        conn.prepare_cached("SELECT seq, file FROM sync_forks WHERE device = ?1 ORDER BY seq")?;
    let rows = st.query_map([device], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
