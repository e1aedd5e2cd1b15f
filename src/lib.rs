//! wangge: the grid worker's tool for safety inspections, Qinling patrols and petition cases, one SQLite file
//! per device. Rooms (arrows point down only): `cli` → `report`, `demo` → `store` → `domain`.

/// mimalloc instead of the system allocator: an export or import makes millions of short-lived maps, freed on
/// another thread than the one that made them, where glibc's allocator spends a quarter of the reading thread's
/// time (docs/performance.md, "Export"). Built with `no_thp`: its transparent huge pages took browsing from
/// 18 MB to 28 MB resident (target 30 MB) and made the exchange no faster.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod cli;
pub mod demo;
pub mod domain;
pub mod error;
pub mod report;
pub mod store;
pub mod sync;
pub mod tui;
