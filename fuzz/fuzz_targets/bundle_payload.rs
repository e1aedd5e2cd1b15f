//! A plain payload (JSON Lines of records and regions) under a correctly signed header: the line reader, the
//! record checks and the merge (in a dry run).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let w = common::world();
    w.import(&w.wrap(data, "plain"));
});
