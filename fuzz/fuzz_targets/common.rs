//! What the fuzz targets share, made once per process: a county database (with its encryption key), a township
//! (device 1) holding the county's card, and a real bundle of the township whose header is the template every
//! fuzzed payload is wrapped in and signed, so the input reaches the payload reader rather than stopping at the
//! signature. Each target's body is a function here, so `tests/fuzz_smoke.rs` runs the very same code on stable
//! in `cargo test`.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;
use sha2::Digest;
use wangge::domain::clock::{FixedClock, parse_instant};
use wangge::store::{OpenMode, Store, WriteCtx, device};

pub struct World {
    pub dir: tempfile::TempDir,
    pub county: Mutex<Store>,
    pub township: Mutex<Store>,
    header: Value,
    /// The real bundle's payload (plain JSON Lines): a seed for the payload targets.
    pub payload: Vec<u8>,
    key: SigningKey,
    recipient: age::x25519::Recipient,
}

const TOWNSHIP: &str = "610727101000";
const COUNTY: &str = "610727000000";

fn store(path: &Path, region: &str, n: u8) -> Store {
    let now = parse_instant("2026-11-28T09:41:00+08:00").unwrap();
    let mut store =
        Store::open(path, OpenMode::CreateIfMissing, Arc::new(FixedClock(now))).unwrap();
    let ctx = WriteCtx {
        device: wangge::domain::ids::DeviceId::parse(&format!(
            "0190a000-0000-7000-8000-0000000000{n:02x}"
        ))
        .unwrap(),
        actor: "测试".into(),
        region: wangge::domain::ids::RegionCode::parse(region).unwrap(),
        now,
    };
    store
        .write_raw(|tx| device::init(tx, &ctx, &ctx.region, &[n; 32]))
        .unwrap();
    store
}

pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut county = store(&dir.path().join("county.db"), COUNTY, 9);
        let recipient: age::x25519::Recipient = wangge::sync::seal::county_init(&mut county)
            .unwrap()
            .parse()
            .unwrap();
        let card = dir.path().join("card.txt");
        wangge::sync::seal::write_card(&county, &card).unwrap();
        let mut township = store(&dir.path().join("township.db"), TOWNSHIP, 1);
        wangge::demo::generate(&mut township, 5, 1, &mut |_| {}).unwrap();
        let out = dir.path().join("out");
        let req = wangge::sync::export::Request {
            out_dir: out.clone(),
            to: None,
            full: false,
        };
        let wangge::sync::export::Outcome::Written { path, .. } =
            wangge::sync::export::export(&mut township, &req).unwrap()
        else {
            panic!("the township exported nothing");
        };
        wangge::sync::seal::add_card(&mut township, &card).unwrap();
        let text = std::fs::read(&path).unwrap();
        let first = text.iter().position(|b| *b == b'\n').unwrap();
        let header: Value = serde_json::from_slice(&text[..first]).unwrap();
        let second = first + 1 + text[first + 1..].iter().position(|b| *b == b'\n').unwrap();
        World {
            dir,
            county: Mutex::new(county),
            township: Mutex::new(township),
            header,
            payload: text[second + 1..].to_vec(),
            key: SigningKey::from_bytes(&[1u8; 32]),
            recipient,
        }
    })
}

impl World {
    /// A bundle file: the template header, fixed up for `payload` (its length, SHA-256 and `encoding`) and
    /// signed by the township's key, then the payload.
    pub fn wrap(&self, payload: &[u8], encoding: &str) -> Vec<u8> {
        let mut h = self.header.clone();
        h["payload"]["bytes"] = Value::from(payload.len());
        h["payload"]["sha256"] = Value::from(hex::encode(sha2::Sha256::digest(payload)));
        h["payload"]["encoding"] = Value::from(encoding);
        let line1 = serde_json::to_string(&h).unwrap();
        let sig = hex::encode(self.key.sign(line1.as_bytes()).to_bytes());
        let mut out = format!("{line1}\n{sig}\n").into_bytes();
        out.extend_from_slice(payload);
        out
    }

    /// A bundle file of `payload` under `header` (fixed up for the payload as `wrap` does), signed by the
    /// township's key whatever the header says.
    pub fn wrap_with(&self, mut h: Value, payload: &[u8]) -> Vec<u8> {
        h["payload"]["bytes"] = Value::from(payload.len());
        h["payload"]["sha256"] = Value::from(hex::encode(sha2::Sha256::digest(payload)));
        h["payload"]["encoding"] = Value::from("jsonl");
        let line1 = serde_json::to_string(&h).unwrap();
        let sig = hex::encode(self.key.sign(line1.as_bytes()).to_bytes());
        let mut out = format!("{line1}\n{sig}\n").into_bytes();
        out.extend_from_slice(payload);
        out
    }

    /// `plain` encrypted to the county.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let enc = age::Encryptor::with_recipients(std::iter::once(
            &self.recipient as &dyn age::Recipient,
        ))
        .unwrap();
        let mut out = Vec::new();
        let mut w = enc.wrap_output(&mut out).unwrap();
        w.write_all(plain).unwrap();
        w.finish().unwrap();
        out
    }

    /// Writes `bytes` to a file of this process named `name`.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Imports a bundle into the county without writing (a dry run reads and checks everything).
    pub fn import(&self, bytes: &[u8]) {
        // Locked first: threads running targets side by side never swap each other's files.
        let mut county = self.county.lock().unwrap();
        let path = self.file("in.wgb", bytes);
        let _ = wangge::sync::import::import(&mut county, &path, true);
    }
}

/// A whole bundle file as found on a USB stick: header, signature and payload all fuzzed.
pub fn bundle_file(data: &[u8]) {
    world().import(data);
}

/// A plain payload (JSON Lines of records and regions) under a correctly signed header: the line reader, the
/// record checks and the merge (in a dry run).
pub fn bundle_payload(data: &[u8]) {
    let w = world();
    w.import(&w.wrap(data, "jsonl"));
}

/// An encrypted payload: the input is encrypted to the county (so decryption succeeds and the fuzzed bytes reach
/// the payload reader), and, with its first byte odd, also taken as the ciphertext itself (the age reader).
pub fn bundle_sealed(data: &[u8]) {
    let w = world();
    if data.first().is_some_and(|b| b % 2 == 1) {
        w.import(&w.wrap(&data[1..], "age"));
    } else {
        w.import(&w.wrap(&w.seal(data), "age"));
    }
}

/// The header and record rules: each input byte picks a value for one field the rules judge — the header's
/// range, batch, clock and identities, a record's id, family, region, version vector, times, tombstone, change
/// numbers and events — canonical or another spelling, in bounds or past them. The bundle is signed correctly
/// and its counts and digest fixed up, so every pick reaches the rule that judges it (in a dry run).
pub fn bundle_rules(data: &[u8]) {
    let w = world();
    let mut picks = data.iter().copied();
    let mut pick = |n: usize| picks.next().map_or(0, |b| usize::from(b) % n);
    let ints: [i64; 10] = [
        0,
        1,
        2,
        50,
        -1,
        1 << 53,
        (1 << 53) + 1,
        i64::MAX,
        i64::MIN,
        32_503_680_000_000,
    ];
    let codes = [
        "610727101000",
        "610727101000 ",
        "610727",
        "６１０７２７１０１０００",
        "6１0727101000",
        "610727101201",
        "610727001000",
        "610728101000",
        "610727000000",
        "",
    ];
    let times = [
        "2026-11-28T01:00:00.000Z",
        "3000-01-01T00:00:00Z",
        "2026-11-28",
        "1970-01-01T00:00:00Z",
    ];
    let mut h = w.header.clone();
    let seq = [ints[pick(10)], ints[pick(10)]];
    if pick(2) == 0 {
        h["seq"] = serde_json::json!(seq);
    }
    if pick(2) == 0 {
        h["batch"] = Value::from(ints[pick(10)]);
        h["full"] = Value::from(pick(2) == 0);
    }
    if pick(3) == 0 {
        h["created_at"] = Value::from(times[pick(times.len())]);
    }
    if pick(3) == 0 {
        h["region"] = Value::from(codes[pick(codes.len())]);
    }
    if pick(4) == 0 {
        h["to"] = Value::from(codes[pick(codes.len())]);
    }
    if pick(5) == 0 {
        let device = h["device"].as_str().unwrap_or("").to_owned();
        h["device"] = Value::from(match pick(3) {
            0 => device.to_uppercase(),
            1 => format!("{{{device}}}"),
            _ => device.replace('-', ""),
        });
    }
    let lines: Vec<&[u8]> = w
        .payload
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut out = Vec::new();
    let mut counts = serde_json::Map::new();
    for line in &lines {
        let Ok(mut v) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        if v["kind"] == "record" && pick(2) == 0 {
            let r = &mut v["record"];
            let id = r["id"].as_str().unwrap_or("").to_owned();
            match pick(6) {
                0 => r["id"] = Value::from(id.to_uppercase()),
                1 => r["id"] = Value::from(format!("{{{id}}}")),
                2 => r["region_code"] = Value::from(codes[pick(codes.len())]),
                3 => r["deleted"] = Value::from(true),
                4 => r["updated_at"] = Value::from(ints[pick(10)]),
                _ => r["created_at"] = Value::from(ints[pick(10)]),
            }
            if pick(3) == 0 {
                let device = w.header["device"].as_str().unwrap_or("").to_owned();
                let n = ints[pick(10)];
                r["vv"][device] = Value::from(n);
                if pick(2) == 0 {
                    r["version"] = Value::from(n);
                }
            }
            if pick(4) == 0 {
                v["family"] = Value::from(
                    [
                        "place",
                        "inspection",
                        "hazard",
                        "patrol",
                        "finding",
                        "petition",
                        "assignment",
                    ][pick(7)],
                );
            }
            if pick(4) == 0 {
                v["seqs"] = serde_json::json!([[ints[pick(10)], ints[pick(10)]]]);
            }
            if pick(5) == 0 {
                v["events"] = serde_json::json!([{"id": "0190a000-0000-7000-8000-0000000e0001",
                    "origin": w.header["device"], "at": ints[pick(10)], "on_date": "2026-11-27",
                    "actor": "x", "action": "close", "note": null}]);
            }
        }
        let kind = if v["kind"] == "region" {
            "region".to_owned()
        } else {
            v["family"].as_str().unwrap_or("?").to_owned()
        };
        let n = counts.get(&kind).and_then(Value::as_u64).unwrap_or(0);
        counts.insert(kind, Value::from(n + 1));
        out.extend_from_slice(v.to_string().as_bytes());
        out.push(b'\n');
    }
    h["counts"] = Value::Object(counts);
    w.import(&w.wrap_with(h, &out));
}

/// An acknowledgement file from the county, taken by the township (dry run).
pub fn ack(data: &[u8]) {
    let w = world();
    let mut township = w.township.lock().unwrap();
    let path = w.file("in.wga", data);
    let _ = wangge::sync::ack::accept(&mut township, &path, true);
}

/// The CSV imports: regions (`code,name,level,parent`, UTF-8 or GBK) and the holiday table.
pub fn csv(data: &[u8]) {
    let _ = wangge::store::regions::parse_csv(std::path::Path::new("fuzz.csv"), data, &|_| true);
    if let Some(text) = wangge::store::regions::decode(data) {
        let _ = wangge::domain::deadline::parse_holiday_csv(&text);
    }
}
