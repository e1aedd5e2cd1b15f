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
