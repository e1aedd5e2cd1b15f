//! wangge: the grid worker's tool for safety inspections, Qinling patrols and petition cases, one SQLite file
//! per device. Rooms (arrows point down only): `cli` → `report`, `demo` → `store` → `domain`.

pub mod cli;
pub mod demo;
pub mod domain;
pub mod error;
pub mod report;
pub mod store;
pub mod sync;
pub mod tui;
