//! Export: every change since the destination's cursor, as ONE bundle file, written under a temporary name: the
//! payload streamed in place after the room kept for the header and signature while it is hashed, then those
//! two lines in front; fsynced and renamed, and only then does the cursor move. The same range gives the same
//! bytes.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use serde_json::{Map, Value};

use super::bundle::{self, FORMAT, Header, Line, MAJOR, MINOR, Payload};
use super::lines::{Lines, Out};
use super::piped::{CHUNK, Hashing, Piped};
use super::records::{ORDER, parse};
use crate::domain::ids::{PublicKey, RegionCode};
use crate::domain::record::Family;
use crate::store::exchange;
use crate::store::fields::{Fields, FieldsOf};
use crate::store::scan_events::Events;
use crate::store::{
    self, Store, StoreError, audit, device, inspections, migrate, outbound, timeline,
};

/// What `export` was asked.
#[derive(Debug, Clone)]
pub struct Request {
    pub out_dir: PathBuf,
    /// The destination region; None: the region above this device's.
    pub to: Option<RegionCode>,
    /// Everything from the first change, to heal a gap.
    pub full: bool,
}

/// What `export` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing changed for the destination since its cursor.
    Nothing {
        to: RegionCode,
        last: i64,
    },
    Written {
        path: PathBuf,
        header: Box<Header>,
    },
}

/// This device's signing key.
pub fn signing_key(conn: &rusqlite::Connection) -> Result<SigningKey, StoreError> {
    let hex_key = device::setting(conn, "signing_key")?.ok_or(StoreError::NotInitialised)?;
    let bytes: [u8; 32] = hex::decode(hex_key.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| StoreError::Corrupt("signing_key".into()))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// The destination: the region above this device's by default; `--to` may name a region above (sending up)
/// or inside (sending down to one township or grid).
pub fn destination(own: &RegionCode, to: Option<&RegionCode>) -> Result<RegionCode, StoreError> {
    let bad = |zh: String, en: String| StoreError::bad_file("--to", None, zh, en);
    match to {
        None => own.parent().ok_or_else(|| {
            bad(
                "县级数据库没有上级可默认发送，请用 --to 区划代码 指定目标（例如 --to 610727001000 发给兴州街道）"
                    .into(),
                "A county database has no default destination; name one with --to CODE".into(),
            )
        }),
        Some(code) if code == own => Err(bad(
            "不能发给本辖区自己".into(),
            "The destination cannot be this device's own region".into(),
        )),
        Some(code) if own.overlaps(code) => Ok(code.clone()),
        Some(code) => Err(bad(
            format!("{code} 既不是本辖区 {own} 的上级，也不在本辖区内"),
            format!("{code} is neither above nor inside this device's region {own}"),
        )),
    }
}

/// Writes the bundle for `req`'s destination.
pub fn export(store: &mut Store, req: &Request) -> Result<Outcome, StoreError> {
    export_with(store, req, &super::quiet)
}

/// As `export`, telling `progress` how many journal entries of the range are done.
pub fn export_with(
    store: &mut Store,
    req: &Request,
    progress: super::Progress,
) -> Result<Outcome, StoreError> {
    let conn = store.conn();
    let dev = device::get(conn)?;
    let key = signing_key(conn)?;
    let to = destination(&dev.region, req.to.as_ref())?;
    // Sending down: only what lies inside the destination. Sending up: everything (it all lies inside ours).
    let down = dev.region.contains(&to) && to != dev.region;
    let (last, batches) = exchange::cursor(conn, &to)?;
    let lo = if req.full { 1 } else { last + 1 };
    let (hi, hi_at) = exchange::journal_head(conn)?;
    if hi < lo {
        return Ok(Outcome::Nothing { to, last });
    }
    // Changes that came from the destination's own device are not echoed back to it.
    let echo = exchange::peers_of_region(conn, &to)?
        .into_iter()
        .next()
        .map(|p| p.device);
    std::fs::create_dir_all(&req.out_dir).map_err(|source| StoreError::Io {
        path: req.out_dir.clone(),
        source,
    })?;
    // What the header says of the payload is filled in once it is written.
    let mut header = Header {
        format: FORMAT.into(),
        version: format!("{MAJOR}.{MINOR}"),
        device: dev.id.clone(),
        public_key: PublicKey::of(&key.verifying_key()),
        region: dev.region.clone(),
        to: to.clone(),
        seq: [lo, hi],
        batch: if req.full { 0 } else { batches + 1 },
        full: req.full,
        created_at: String::new(),
        counts: BTreeMap::new(),
        schema: migrate::LATEST,
        audit_head: (0, String::new()),
        payload: Payload {
            encoding: String::new(),
            bytes: 0,
            sha256: String::new(),
        },
    };
    let path = req.out_dir.join(bundle::file_name(&header));
    let tmp = store::temp_beside(&path);
    header.audit_head = audit::head(conn)?;
    let recipients = super::seal::recipients_for(store.conn(), &to)?;
    let written = write_payload(
        store,
        &tmp,
        Range::of(lo, hi),
        &recipients,
        down.then_some(&to),
        echo.as_deref(),
        progress,
    );
    let Written {
        file,
        counts,
        bytes,
        sha256: sha,
        encoding,
        latest,
    } = match written {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    let records: u64 = counts
        .iter()
        .filter(|(k, _)| k.as_str() != "region")
        .map(|(_, n)| n)
        .sum();
    if records == 0 {
        drop(file);
        let _ = std::fs::remove_file(&tmp);
        return Ok(Outcome::Nothing { to, last });
    }
    // The bundle's time: its last change, or a later time a record or event it carries holds (a change relayed
    // from a device whose clock ran ahead); a receiver refuses anything changed after it.
    let at = hi_at.max(latest);
    header.created_at = chrono::DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    header.counts = counts;
    header.payload = Payload {
        encoding: encoding.into(),
        bytes,
        sha256: sha,
    };
    if let Err(e) = assemble(&header, &key, file, &tmp, &path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let now = crate::domain::clock::to_ms(store.now());
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    store.write_raw(|tx| {
        exchange::set_cursor(
            tx,
            &to,
            hi,
            if req.full { batches } else { batches + 1 },
            now,
        )?;
        outbound::add_sent(
            tx,
            &outbound::Sent {
                destination: to.clone(),
                batch: header.batch,
                lo,
                hi,
                file,
                sha256: header.payload.sha256.clone(),
                at: now,
            },
        )
    })?;
    Ok(Outcome::Written {
        path,
        header: Box::new(header),
    })
}

/// The bytes a bundle keeps before its payload: line 1 (the header, padded with spaces to fill them; JSON allows
/// them, and the signature covers them) and line 2 (its signature, 128 hex digits). Fixed, so that the payload is
/// written in place, once, before the header that describes it is known (a header takes under 1 KiB). A payload
/// written first and copied after the header cost a 1,000,000-record export over a quarter of its time (20.1 s
/// against 14.5 s, docs/performance.md), and the folder (a USB stick) twice the bundle's size while it was
/// written.
const PREFIX: usize = 4096;

/// Writes line 1 and line 2 before the payload `file` holds (`tmp`, written from `PREFIX` on), syncs it and
/// renames it into place.
fn assemble(
    header: &Header,
    key: &SigningKey,
    mut file: std::fs::File,
    tmp: &Path,
    path: &Path,
) -> Result<(), StoreError> {
    let line1 = serde_json::to_string(header).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    // Line 1 with its spaces, `\n`, 128 hex digits, `\n`.
    let room = PREFIX - 130;
    if line1.len() > room {
        return Err(StoreError::Corrupt(format!(
            "a bundle header of {} bytes is longer than the {room} kept for it",
            line1.len()
        )));
    }
    // Padded by bytes (the header is ASCII today; a name in it would not shift the payload).
    let pad = room - line1.len();
    let line1 = line1 + &" ".repeat(pad);
    let sig = bundle::sign(key, &line1);
    let prefix = format!("{line1}\n{sig}\n");
    if prefix.len() != PREFIX {
        return Err(StoreError::Corrupt(format!(
            "a bundle's header and signature took {} bytes, not {PREFIX}",
            prefix.len()
        )));
    }
    let result = (|| -> std::io::Result<()> {
        file.seek(SeekFrom::Start(0))?;
        file.write_all(prefix.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(tmp, path)
    })();
    result.map_err(|source| StoreError::Io {
        path: path.to_owned(),
        source,
    })?;
    store::sync_dir(path);
    Ok(())
}

/// The journal's range a bundle carries, and how its records are read.
#[derive(Debug, Clone, Copy)]
struct Range {
    seqs: (i64, i64),
    /// By ordered scans of each family (see `scan`) rather than by id.
    scan: bool,
}

impl Range {
    /// Scans when the range holds at least a quarter of the journal: a first or full export scans, the usual
    /// small one looks records up.
    fn of(lo: i64, hi: i64) -> Range {
        Range {
            seqs: (lo, hi),
            scan: (hi - lo + 1) * 4 >= hi,
        }
    }
}

/// What `write_payload` wrote.
struct Written {
    /// The bundle's file, its payload written from `PREFIX` on.
    file: std::fs::File,
    counts: BTreeMap<String, u64>,
    bytes: u64,
    sha256: String,
    encoding: &'static str,
    /// The latest change time (UTC ms) of any record or timeline event carried.
    latest: i64,
}

/// Writes the payload lines (encrypted to `recipients`, if any) into the new file `path` from `PREFIX` on;
/// returns the file, per-family counts, the byte count and SHA-256 (hex) of the payload as it is on disk, and the
/// encoding.
fn write_payload(
    store: &Store,
    path: &Path,
    range: Range,
    recipients: &[age::x25519::Recipient],
    inside: Option<&RegionCode>,
    echo: Option<&str>,
    progress: super::Progress,
) -> Result<Written, StoreError> {
    let (range, scan) = (range.seqs, range.scan);
    let total = (range.1 - range.0 + 1).max(0) as u64;
    let mut done = 0u64;
    let conn = store.conn();
    let io = |source: std::io::Error| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let _ = std::fs::remove_file(path);
    // The payload goes after the header and signature `assemble` writes.
    let mut file = store::create_private_file(path).map_err(io)?;
    file.seek(SeekFrom::Start(PREFIX as u64)).map_err(io)?;
    // serde_json writes in small pieces: they are gathered, then sealed, hashed and written on a second thread.
    let sealed = super::seal::Sealed::new(
        Hashing::new(BufWriter::with_capacity(CHUNK, file)),
        recipients,
    )
    .map_err(io)?;
    let encoding = sealed.encoding();
    let mut out = Lines::new(Piped::new(sealed).map_err(io)?, path.to_owned()).map_err(io)?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut sent = Carried::default();
    let mut regions: BTreeSet<RegionCode> = BTreeSet::new();
    let mut latest = 0i64;
    let wanted = |code: &RegionCode| inside.is_none_or(|r| r.contains(code));
    let ids = store::keys::Spelled::ids(conn);
    for family in ORDER {
        let mut statements = scan
            .then(|| store::scan::Statements::prepare(conn, family))
            .transpose()?;
        let mut cursor = match &mut statements {
            Some(st) => Some(st.start()?),
            None => None,
        };
        exchange::journal_by_record(conn, family, range, echo, |key, seqs| {
            done += seqs.len() as u64;
            if done % 1024 < seqs.len() as u64 {
                progress(done, total);
            }
            // A scan gives the timeline with the record; a lookup by id reads it once the record is wanted.
            // A scanned row is put in its canonical form on the serialising thread; a record looked up is in it
            // already. Its id, region and references read the same in both. A record's key always names its id
            // (`ids` keeps every id it was given); one that does not is damage, and the export stops rather than
            // leave the record out unseen (a scanned row fails to read).
            let found = match &mut cursor {
                Some(c) => c
                    .record(key)?
                    .map(|(fields, events)| Got::Row(fields, events)),
                None => {
                    let id = ids.record(key)?.ok_or_else(|| no_id(key, family))?;
                    current(conn, family, &id)?.map(Got::Canonical)
                }
            };
            let Some(map) = found else {
                return Ok(());
            };
            let Some(Value::String(id)) = map.field("id") else {
                return Err(no_id(key, family));
            };
            let Some(code) = region_of(&map) else {
                return Ok(());
            };
            if !wanted(&code) {
                return Ok(());
            }
            // What it refers to goes first (and what that refers to), when not in this bundle already, so
            // every bundle stands on its own whatever order bundles are imported in.
            let mut context = Vec::new();
            refs_of(conn, family, &map, &wanted, &mut sent, &mut context)?;
            for (rf, rmap) in context {
                regions.extend(region_of(&rmap));
                let at = emit(&mut out, conn, rf, Vec::new(), Got::Canonical(rmap))?;
                latest = latest.max(at);
                *counts.entry(rf.code().into()).or_default() += 1;
            }
            if sent.insert(id) {
                regions.insert(code);
                latest = latest.max(emit(&mut out, conn, family, seqs, map)?);
                *counts.entry(family.code().into()).or_default() += 1;
            }
            Ok(())
        })?;
    }
    // Sending up: the villages and grids this device added or renamed, so that the county knows them by the
    // names used here (it takes a name from below over its own, never from above).
    if inside.is_none() {
        let own = device::get(conn)?.region;
        regions.extend(crate::store::regions::named_here(conn, &own)?);
    }
    // The regions those records lie in, with the regions above them, so the receiver knows their names.
    let mut all = BTreeSet::new();
    for code in regions {
        let mut c = Some(code);
        while let Some(code) = c {
            if !all.insert(code.clone()) {
                break;
            }
            c = exchange::region_row(conn, &code)?.and_then(|r| r.parent);
        }
    }
    for code in all {
        if let Some(r) = exchange::region_row(conn, &code)? {
            out.send(Out::Line(Line::Region { region: r }))?;
            *counts.entry("region".into()).or_default() += 1;
        }
    }
    let sealed = out.finish()?.finish().map_err(io)?;
    let (w, bytes, sha) = sealed.finish().map_err(io)?.finish();
    let file = w.into_inner().map_err(|e| io(e.into_error()))?;
    progress(total, total);
    Ok(Written {
        file,
        counts,
        bytes,
        sha256: sha,
        encoding,
        latest,
    })
}

/// A record as the export has it: its row's fields and its events as stored, put in their canonical form on the
/// serialising thread, or a record looked up, which is in it already (its events read once it is sent).
enum Got {
    Row(Fields, Events),
    Canonical(Map<String, Value>),
}

impl FieldsOf for Got {
    fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Got::Row(f, _) => f.field(name),
            Got::Canonical(m) => m.get(name),
        }
    }
}

/// A record key that names no id: damage `check` names.
fn no_id(key: i64, family: Family) -> StoreError {
    StoreError::Corrupt(format!(
        "record key {key} of family {} names no id",
        family.code()
    ))
}

/// The region a record's JSON form lies in.
fn region_of(map: &impl FieldsOf) -> Option<RegionCode> {
    map.field("region_code")
        .and_then(Value::as_str)
        .and_then(|c| RegionCode::parse(c).ok())
}

/// The time a record last changed (UTC ms).
fn updated_at(map: &impl FieldsOf) -> i64 {
    map.field("updated_at").and_then(Value::as_i64).unwrap_or(0)
}

/// The ids a bundle has carried so far, each kept as its 16 bytes (a million of them take about 30 MB instead of
/// the 100 MB their text would).
#[derive(Default)]
struct Carried(HashSet<u128>);

impl Carried {
    /// Adds `id`; false when it was there already.
    fn insert(&mut self, id: &str) -> bool {
        self.0.insert(key(id))
    }

    fn contains(&self, id: &str) -> bool {
        self.0.contains(&key(id))
    }
}

/// A record id (canonical: every row parsed as it was read) as a number.
fn key(id: &str) -> u128 {
    uuid::Uuid::try_parse(id).map_or(0, |u| u.as_u128())
}

/// The records `map` refers to that this bundle has not carried yet, depth first (what they refer to comes
/// before them), marked as sent.
fn refs_of(
    conn: &rusqlite::Connection,
    family: Family,
    map: &impl FieldsOf,
    wanted: &dyn Fn(&RegionCode) -> bool,
    sent: &mut Carried,
    out: &mut Vec<(Family, Map<String, Value>)>,
) -> Result<(), StoreError> {
    for (rf, rid) in super::records::references(family, map) {
        if sent.contains(&rid) {
            continue;
        }
        let Some(rmap) = current(conn, rf, &rid)? else {
            continue;
        };
        if !region_of(&rmap).is_some_and(|c| wanted(&c)) {
            continue;
        }
        sent.insert(&rid);
        refs_of(conn, rf, &rmap, wanted, sent, out)?;
        out.push((rf, rmap));
    }
    Ok(())
}

/// Queues a record's line; returns the latest time it or one of its events changed (UTC ms).
fn emit<W: Write + Send + 'static>(
    out: &mut Lines<W>,
    conn: &rusqlite::Connection,
    family: Family,
    seqs: Vec<(i64, u64)>,
    record: Got,
) -> Result<i64, StoreError> {
    let (item, latest) = match record {
        Got::Canonical(map) => {
            let events = match map.get("id") {
                Some(Value::String(id)) => timeline::events(conn, id)?,
                _ => Vec::new(),
            };
            let latest = events.iter().map(|e| e.at).fold(updated_at(&map), i64::max);
            let line = Line::Record {
                family: family.code().into(),
                seqs,
                record: map,
                events,
            };
            (Out::Line(line), latest)
        }
        Got::Row(fields, events) => {
            let latest = events.latest().unwrap_or(0).max(updated_at(&fields));
            (
                Out::Row {
                    family,
                    seqs,
                    fields,
                    events,
                },
                latest,
            )
        }
    };
    out.send(item)?;
    Ok(latest)
}

/// A record's canonical JSON form as it stands (an inspection with its results), or None.
pub fn current(
    conn: &rusqlite::Connection,
    family: Family,
    id: &str,
) -> Result<Option<Map<String, Value>>, StoreError> {
    if family == Family::Inspection {
        return inspections::get(conn, id)?
            .map(|i| store::records::to_map(&i))
            .transpose();
    }
    exchange::row_map(conn, family, id)?
        .map(|map| canonical_form(family, map))
        .transpose()
}

/// A record's row (an inspection already in its typed form) as its canonical JSON form: parsed as its family, so
/// a bundle carries only what the program understands.
pub(super) fn canonical_form(
    family: Family,
    map: Map<String, Value>,
) -> Result<Map<String, Value>, StoreError> {
    if family == Family::Inspection {
        return Ok(map);
    }
    parse(family, map)
        .map(|p| p.map)
        .map_err(StoreError::Corrupt)
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
