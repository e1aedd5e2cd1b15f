//! The CSV imports: regions and the holiday table (see `common::csv`).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::csv(data));
