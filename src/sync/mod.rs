//! The county exchange: signed bundles out (`export`), verified and merged in (`import`), the devices this
//! database trusts (`trust`), what it has seen of them (`status`), and the review of what an import held back
//! (`review`: conflicts and quarantine). The SQL lives in `store::exchange`.

pub mod ack;
pub mod bundle;
pub mod export;
pub mod import;
mod incoming;
mod lines;
mod merge;
mod payload;
mod piped;
pub mod records;
pub mod review;
pub mod seal;
pub mod status;
pub mod trust;
pub mod verify;
pub mod words;

/// Told how far a long step has come: (done, total) in the step's own units (journal entries for an export,
/// payload bytes read for an import).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// A progress that nobody watches.
pub fn quiet(_done: u64, _total: u64) {}

/// A new database at `path`, set up as device `device_id` of `region`, its clock fixed (for tests).
#[cfg(test)]
pub(crate) fn test_store(
    path: &std::path::Path,
    region: &str,
    device_id: &str,
) -> crate::store::Store {
    use crate::domain::clock::{FixedClock, parse_instant};
    let now = parse_instant("2026-11-20T09:00:00+08:00").unwrap();
    let mut store = crate::store::Store::open(
        path,
        crate::store::OpenMode::CreateIfMissing,
        std::sync::Arc::new(FixedClock(now)),
    )
    .unwrap();
    let region = crate::domain::ids::RegionCode::parse(region).unwrap();
    let ctx = crate::store::WriteCtx {
        device: crate::domain::ids::DeviceId::parse(device_id).unwrap(),
        actor: "网格员".into(),
        region: region.clone(),
        now,
    };
    store
        .write_raw(|tx| crate::store::device::init(tx, &ctx, &region, &[7; 32]))
        .unwrap();
    store
}
