//! The county exchange: signed bundles out (`export`), verified and merged in (`import`), the devices this
//! database trusts (`trust`), what it has seen of them (`status`), and the review of what an import held back
//! (`review`: conflicts and quarantine). The SQL lives in `store::exchange`.

pub mod bundle;
pub mod export;
pub mod import;
mod merge;
pub mod records;
pub mod review;
pub mod status;
pub mod trust;
pub mod verify;
