//! The header and record rules, each field picked by the input under a correct signature (see
//! `common::bundle_rules`).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::bundle_rules(data));
