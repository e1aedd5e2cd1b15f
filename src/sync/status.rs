//! What this database knows of the exchange: per device its region, trust, last batch and import, the missing
//! sequence ranges (gaps) and forks; the quarantine and open conflicts; and this device's own cursors.

use serde::Serialize;

use crate::domain::ids::{DeviceId, RegionCode};
use crate::store::exchange::{self, HeldBundle, PeerStatus};
use crate::store::held::{self, Conflict, Quarantined};
use crate::store::outbound;
use crate::store::{Store, StoreError, device};

/// One device this database has heard of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceStatus {
    pub device: DeviceId,
    pub region: RegionCode,
    pub region_name: Option<String>,
    pub status: PeerStatus,
    pub last_batch: Option<i64>,
    pub last_seq: i64,
    pub last_import: Option<i64>,
    /// Sequence ranges not yet received: [a, b] inclusive.
    pub gaps: Vec<[i64; 2]>,
    pub forks: Vec<i64>,
}

/// Everything `sync status` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub device: DeviceId,
    pub region: RegionCode,
    pub journal_seq: i64,
    /// (destination, last seq sent, bundles sent, when).
    pub cursors: Vec<(String, i64, i64, i64)>,
    pub devices: Vec<DeviceStatus>,
    /// Verified bundles waiting, unmerged, for `trust confirm` of their sender.
    pub held: Vec<HeldBundle>,
    pub quarantine: Vec<Quarantined>,
    pub conflicts: Vec<Conflict>,
    /// The ranges of this device's changes the county confirmed (its acknowledgements), merged.
    pub confirmed: Vec<[i64; 2]>,
    /// Batches sent whose changes the county has not confirmed yet, oldest first.
    pub unconfirmed: Vec<Unconfirmed>,
    /// How many batches sent were confirmed.
    pub confirmed_batches: usize,
    /// Whom this device's bundles are encrypted to (empty: they go out unencrypted).
    pub recipients: Vec<String>,
    /// At the county: its own recipient (`age1…`), when it has made its key.
    pub county_key: Option<String>,
}

/// A batch sent and not yet confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unconfirmed {
    pub destination: RegionCode,
    pub batch: i64,
    pub seq: [i64; 2],
    pub file: String,
    pub sent_at: i64,
    pub days: i64,
    /// Sent more than `ack::OVERDUE_DAYS` days ago.
    pub overdue: bool,
}

/// The ranges of 1..=max that `covered` (inclusive ranges) leave out.
pub fn gaps(covered: &[(i64, i64)]) -> Vec<[i64; 2]> {
    let mut ranges: Vec<(i64, i64)> = covered.to_vec();
    ranges.sort();
    let mut out = Vec::new();
    let mut next = 1;
    for (lo, hi) in ranges {
        if lo > next {
            out.push([next, lo - 1]);
        }
        next = next.max(hi + 1);
    }
    out
}

pub fn status(store: &Store) -> Result<Status, StoreError> {
    let conn = store.conn();
    let own = device::get(conn)?;
    let mut devices = Vec::new();
    for p in exchange::peers(conn)? {
        let batches = exchange::batches(conn, &p.device)?;
        let covered: Vec<(i64, i64)> = batches.iter().map(|b| (b.lo, b.hi)).collect();
        let last = batches.iter().max_by_key(|b| (b.imported_at, b.hi));
        devices.push(DeviceStatus {
            region_name: crate::store::regions::name(conn, &p.region)?,
            device: p.device.clone(),
            region: p.region.clone(),
            status: p.status,
            last_batch: last.map(|b| b.batch),
            last_seq: covered.iter().map(|c| c.1).max().unwrap_or(0),
            last_import: last.map(|b| b.imported_at),
            gaps: gaps(&covered),
            forks: exchange::forks(conn, &p.device)?
                .into_iter()
                .map(|f| f.0)
                .collect(),
        });
    }
    let confirmed = super::ack::confirmed(conn)?;
    let now = crate::domain::clock::to_ms(store.now());
    // Only batches sent up are acknowledged (a county's bundles down are not).
    let sent: Vec<outbound::Sent> = outbound::sent(conn)?
        .into_iter()
        .filter(|s| s.destination != own.region && s.destination.contains(&own.region))
        .collect();
    let unconfirmed: Vec<Unconfirmed> = sent
        .iter()
        .filter(|s| !super::ack::covers(&confirmed, s.lo, s.hi))
        .map(|s| {
            let days = (now - s.at).max(0) / 86_400_000;
            Unconfirmed {
                destination: s.destination.clone(),
                batch: s.batch,
                seq: [s.lo, s.hi],
                file: s.file.clone(),
                sent_at: s.at,
                days,
                overdue: days > super::ack::OVERDUE_DAYS,
            }
        })
        .collect();
    Ok(Status {
        device: own.id,
        region: own.region,
        journal_seq: exchange::journal_head(conn)?.0,
        cursors: exchange::cursors(conn)?,
        devices,
        held: exchange::held_bundles(conn, None)?,
        quarantine: held::quarantined(conn)?,
        conflicts: held::conflicts(conn, true)?,
        confirmed_batches: sent.len() - unconfirmed.len(),
        recipients: outbound::recipients(conn)?
            .into_iter()
            .map(|r| r.recipient)
            .collect(),
        county_key: super::seal::identity(conn)?.map(|id| id.to_public().to_string()),
        confirmed,
        unconfirmed,
    })
}

#[cfg(test)]
mod tests {
    use super::gaps;

    #[test]
    fn gaps_are_the_holes_between_covered_ranges() {
        assert_eq!(gaps(&[(1, 10), (21, 30)]), vec![[11, 20]]);
        assert_eq!(gaps(&[(5, 9)]), vec![[1, 4]]);
        assert_eq!(gaps(&[(1, 30), (1, 10)]), Vec::<[i64; 2]>::new());
        assert_eq!(gaps(&[(21, 30), (1, 10), (11, 12)]), vec![[13, 20]]);
    }
}
