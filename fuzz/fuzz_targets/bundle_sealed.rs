//! An encrypted payload (see `common::bundle_sealed`).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::bundle_sealed(data));
