//! The fuzz targets' short run, on stable, in `cargo test`: each target's body (the very code `fuzz/` runs under
//! libFuzzer, from `fuzz/fuzz_targets/common.rs`) is fed every seed of its kind (the hostile corpus's files, a
//! real bundle's payload) and a fixed number of mutations of them: bytes flipped, ranges cut, repeated or
//! spliced from another seed, random bytes inserted, the end cut off. The same seed gives the same inputs, so a
//! failure here reproduces. A panic anywhere fails the test; what each input must lead to is `tests/hostile.rs`'s
//! business. The long runs are `cargo +nightly fuzz run TARGET` (see the README).

#[path = "../fuzz/fuzz_targets/common.rs"]
mod common;

use std::path::Path;

/// A small deterministic generator (xorshift).
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// One mutation of `seed`, perhaps with a piece of `other`.
fn mutate(seed: &[u8], other: &[u8], dice: &mut Dice) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + dice.below(4) {
        let at = dice.below(v.len() + 1);
        let len = 1 + dice.below(64);
        match dice.below(6) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] ^= 1 << dice.below(8);
            }
            1 => {
                let end = (at + len).min(v.len());
                v.drain(at..end);
            }
            2 => {
                let end = (at + len).min(v.len());
                let piece = v[at..end].to_vec();
                v.splice(at..at, piece);
            }
            3 => {
                let bytes: Vec<u8> = (0..len).map(|_| dice.below(256) as u8).collect();
                v.splice(at..at, bytes);
            }
            4 if !other.is_empty() => {
                let from = dice.below(other.len());
                let end = (from + len * 8).min(other.len());
                v.splice(at..at, other[from..end].iter().copied());
            }
            _ => v.truncate(at),
        }
    }
    v
}

/// The hostile corpus's files whose names end in one of `exts`.
fn seeds(exts: &[&str]) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| exts.iter().any(|e| x == *e)))
        .collect();
    names.sort();
    names.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// Every seed as it is, then `runs` mutations.
fn run(target: fn(&[u8]), seeds: &[Vec<u8>], runs: usize, seed: u64) {
    assert!(!seeds.is_empty());
    for s in seeds {
        target(s);
    }
    let mut dice = Dice(seed);
    for _ in 0..runs {
        let a = &seeds[dice.below(seeds.len())];
        let b = &seeds[dice.below(seeds.len())];
        target(&mutate(a, b, &mut dice));
    }
}

#[test]
fn bundle_files() {
    run(common::bundle_file, &seeds(&["wgb"]), 150, 0x5EED_0001);
}

#[test]
fn plain_payloads_under_a_good_signature() {
    let w = common::world();
    let mut s = vec![w.payload.clone()];
    // Each line on its own too, so a mutation works on one record.
    s.extend(w.payload.split(|b| *b == b'\n').map(<[u8]>::to_vec));
    run(common::bundle_payload, &s, 150, 0x5EED_0002);
}

#[test]
fn encrypted_payloads() {
    let w = common::world();
    let sealed = w.seal(&w.payload);
    // An even first byte: the payload is sealed by the target; odd: the bytes are the ciphertext.
    let s = vec![
        [vec![0], w.payload.clone()].concat(),
        [vec![1], sealed].concat(),
    ];
    run(common::bundle_sealed, &s, 100, 0x5EED_0003);
}

#[test]
fn header_and_record_rules() {
    // Seeds of every length: an empty input leaves the template whole, a longer one picks more fields.
    let s: Vec<Vec<u8>> = (0u8..16)
        .map(|n| {
            (0..u16::from(n) * 7)
                .map(|i| (i * 37 + u16::from(n)) as u8)
                .collect()
        })
        .collect();
    run(common::bundle_rules, &s, 400, 0x5EED_0006);
}

#[test]
fn acknowledgements() {
    run(common::ack, &seeds(&["wga"]), 400, 0x5EED_0004);
}

#[test]
fn csv_files() {
    run(common::csv, &seeds(&["csv", "txt"]), 3_000, 0x5EED_0005);
}

/// The payload targets are only worth their time if a good payload under the template header is taken: then the
/// fuzzed bytes reach the record reader, not a refusal at the header.
#[test]
fn a_good_payload_under_the_template_header_is_taken() {
    let w = common::world();
    for (bytes, encoding) in [(w.payload.clone(), "jsonl"), (w.seal(&w.payload), "age")] {
        let mut county = w.county.lock().unwrap();
        let path = w.file("seed.wgb", &w.wrap(&bytes, encoding));
        let r = wangge::sync::import::import(&mut county, &path, true);
        assert!(r.is_ok(), "{encoding}: {:?}", r.err());
    }
}
