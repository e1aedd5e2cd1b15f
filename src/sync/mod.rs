//! The county exchange: signed bundles out (`export`), verified and merged in (`import`), the devices this
//! database trusts (`trust`) and what it has seen of them (`status`). The SQL lives in `store::exchange`.

pub mod bundle;
pub mod export;
pub mod import;
mod merge;
pub mod records;
pub mod status;
pub mod trust;
pub mod verify;
