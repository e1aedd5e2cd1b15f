//! An encrypted payload: the input is encrypted to the county (so decryption succeeds and the fuzzed bytes reach
//! the payload reader), and, with its first byte odd, also taken as the ciphertext itself (the age reader).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let w = common::world();
    if data.first().is_some_and(|b| b % 2 == 1) {
        w.import(&w.wrap(&data[1..], "age"));
    } else {
        w.import(&w.wrap(&w.seal(data), "age"));
    }
});
