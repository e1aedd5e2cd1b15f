//! An acknowledgement file from the county (see `common::ack`).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::ack(data));
