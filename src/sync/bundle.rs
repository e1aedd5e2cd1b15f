//! The bundle format (docs/bundle-format.md): line 1 a JSON header, line 2 the device's Ed25519 signature over
//! line 1 (hex), from line 3 to the end the payload — JSON Lines, one record (or region) per line.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::ids::{DeviceId, PublicKey, RegionCode};
use crate::store::StoreError;
use crate::store::exchange::RegionRow;
use crate::store::timeline::EventRow;

/// What the first line says a file is.
pub const FORMAT: &str = "wangge-bundle";
/// The format version this program writes; readers refuse another major version.
pub const MAJOR: u32 = 1;
pub const MINOR: u32 = 1;
/// Longest header line accepted.
pub const MAX_HEADER: usize = 64 * 1024;
/// Longest payload line accepted (one record with its timeline).
pub const MAX_LINE: usize = 4 * 1024 * 1024;
/// Longest text field accepted in a record.
pub const MAX_TEXT: usize = 100_000;

/// Line 1. Holds no personal data: ids, codes, counts and digests only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    /// "major.minor".
    pub version: String,
    pub device: DeviceId,
    /// The device's Ed25519 public key (hex), pinned by the receiver at first use.
    pub public_key: PublicKey,
    /// The sending device's jurisdiction.
    pub region: RegionCode,
    /// The destination region.
    pub to: RegionCode,
    /// The sender's journal sequence numbers this bundle covers for the destination: [lo, hi].
    pub seq: [i64; 2],
    /// 1, 2, … per destination; 0 for a full re-send.
    pub batch: i64,
    pub full: bool,
    /// Time of the last change covered (from the journal, so the same range gives the same bytes).
    pub created_at: String,
    /// Records per family code (regions too).
    pub counts: BTreeMap<String, u64>,
    pub schema: i64,
    /// The head of the sender's audit hash chain: [seq, hash].
    pub audit_head: (i64, String),
    pub payload: Payload,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    /// "jsonl" (issue 5 adds an encrypted form).
    pub encoding: String,
    pub bytes: u64,
    pub sha256: String,
}

/// One payload line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "WireLine")]
pub enum Line {
    /// A record: its family code, the sender's journal entries for it in this range ([seq, version]; empty for
    /// a record sent only because another refers to it), its whole JSON form and its timeline.
    Record {
        family: String,
        #[serde(default)]
        seqs: Vec<(i64, u64)>,
        record: Map<String, Value>,
        #[serde(default)]
        events: Vec<EventRow>,
    },
    Region {
        region: RegionRow,
    },
}

/// A payload line as read: one flat struct, so a line is parsed once (an internally tagged enum buffers every
/// line whole before parsing it again), then checked against its kind.
#[derive(Deserialize)]
struct WireLine {
    kind: String,
    family: Option<String>,
    #[serde(default)]
    seqs: Vec<(i64, u64)>,
    record: Option<Map<String, Value>>,
    #[serde(default)]
    events: Vec<EventRow>,
    region: Option<RegionRow>,
}

impl TryFrom<WireLine> for Line {
    type Error = String;

    fn try_from(w: WireLine) -> Result<Line, String> {
        match w.kind.as_str() {
            "record" => Ok(Line::Record {
                family: w.family.ok_or("missing field `family`")?,
                seqs: w.seqs,
                record: w.record.ok_or("missing field `record`")?,
                events: w.events,
            }),
            "region" => Ok(Line::Region {
                region: w.region.ok_or("missing field `region`")?,
            }),
            other => Err(format!(
                "unknown variant `{other}`, expected `record` or `region`"
            )),
        }
    }
}

/// Parses one JSON text as `T`. The error names the field at fault (`record.region_code: …`): the text is parsed
/// again, tracking the path, only when it failed.
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|first| {
        let de = &mut serde_json::Deserializer::from_str(text);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Err(e) if e.path().to_string() != "." => format!("{}: {}", e.path(), e.inner()),
            _ => first.to_string(),
        }
    })
}

/// Signs line 1 (without its newline).
pub fn sign(key: &SigningKey, header_line: &str) -> String {
    hex::encode(key.sign(header_line.as_bytes()).to_bytes())
}

/// Checks line 2 against line 1 and a public key.
pub fn verify(public_key: &PublicKey, header_line: &str, signature_hex: &str) -> bool {
    let key: Option<VerifyingKey> = public_key.verifying_key();
    let sig = hex::decode(signature_hex)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b));
    match (key, sig) {
        (Some(k), Some(s)) => k.verify(header_line.as_bytes(), &s).is_ok(),
        _ => false,
    }
}

/// The file name of a bundle: where from, where to, which device and which changes — ASCII letters, digits,
/// `-`, `_` and `.` only, so it survives FAT32 sticks and Windows.
pub fn file_name(h: &Header) -> String {
    // The random end of the device's UUIDv7 (its start is a timestamp, shared by devices set up together).
    let kind = if h.full { "full" } else { "b" };
    format!(
        "wangge_{}_to_{}_{}_{kind}{}_{}-{}.wgb",
        h.region,
        h.to,
        h.device.tail(),
        h.batch,
        h.seq[0],
        h.seq[1]
    )
}

/// Reads one line of at most `max` bytes (without its `\n`); None at the end of the file. A longer line, or one
/// that is not UTF-8, is an error naming the line.
/// A read that failed: a failing decryption (an altered or cut ciphertext) surfaces as invalid data and is
/// said so; anything else is the disk's.
pub fn read_error(path: &Path, e: std::io::Error) -> StoreError {
    match e.kind() {
        // No line number: inside a ciphertext it would mean nothing.
        std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof => {
            StoreError::bad_file(
                path,
                None,
                "加密内容损坏或被改动，无法解开",
                "the encrypted payload is damaged or altered and cannot be decrypted",
            )
        }
        _ => StoreError::Io {
            path: path.to_owned(),
            source: e,
        },
    }
}

pub fn read_line(
    r: &mut impl BufRead,
    max: usize,
    path: &Path,
    line_no: usize,
) -> Result<Option<Vec<u8>>, StoreError> {
    let mut buf = Vec::new();
    let io = |e: std::io::Error| read_error(path, e);
    let too_long = || {
        StoreError::bad_file(
            path,
            Some(line_no),
            format!("这一行超过 {max} 字节，不是 wangge 能接受的交换包"),
            format!("this line is longer than {max} bytes; not a bundle wangge accepts"),
        )
    };
    loop {
        let available = r.fill_buf().map_err(io)?;
        if available.is_empty() {
            return Ok(if buf.is_empty() { None } else { Some(buf) });
        }
        match available.iter().position(|b| *b == b'\n') {
            Some(i) => {
                buf.extend_from_slice(&available[..i]);
                r.consume(i + 1);
                break;
            }
            None => {
                let n = available.len();
                buf.extend_from_slice(available);
                r.consume(n);
            }
        }
        if buf.len() > max {
            return Err(too_long());
        }
    }
    if buf.len() > max {
        return Err(too_long());
    }
    Ok(Some(buf))
}
