//! A plain payload under a correctly signed header (see `common::bundle_payload`).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::bundle_payload(data));
