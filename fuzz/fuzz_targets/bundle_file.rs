//! A whole bundle file as found on a USB stick (see `common::bundle_file`).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::bundle_file(data));
