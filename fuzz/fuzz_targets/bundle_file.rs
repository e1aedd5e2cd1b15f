//! A whole bundle file as found on a USB stick: header, signature and payload all fuzzed.
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::world().import(data);
});
