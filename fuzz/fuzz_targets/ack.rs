//! An acknowledgement file from the county, taken by the township (dry run).
#![no_main]

#[path = "common.rs"]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let w = common::world();
    let path = w.file("in.wga", data);
    let mut township = w.township.lock().unwrap();
    let _ = wangge::sync::ack::accept(&mut township, &path, true);
});
