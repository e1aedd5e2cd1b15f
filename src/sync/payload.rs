//! A bundle's payload: reading it (decrypting and hashing the bytes on disk as they pass) and the checks of
//! each line, made as the merge reads it, inside the import's transaction: every line parses into its types,
//! lies inside both the sender's region and this database's, keeps its numbers and times within the header's
//! bounds; at the end the counts and the digest match the header and no record came twice.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::path::Path;
use std::rc::Rc;

use sha2::{Digest, Sha256};

use super::bundle::{self, Header, Line, MAX_LINE, MAX_TEXT};
use super::records;
use super::verify::bad;
use crate::domain::Lang;
use crate::domain::ids::RegionCode;
use crate::domain::record::Family;
use crate::domain::region::Level;
use crate::domain::version::MAX_COUNT;
use crate::store::StoreError;
use crate::store::exchange::RegionRow;
use crate::store::timeline::EventRow;

/// Reads the payload from `offset` (decrypting it with `identity` when it is encrypted), calling `f` with each
/// line; returns the SHA-256 of the bytes on disk. When `f` breaks off (whoever takes the lines has stopped),
/// reading ends there and then, with `None`: nothing more is read, hashed or judged.
pub(super) fn read_payload(
    path: &Path,
    offset: u64,
    header: &Header,
    identity: Option<&age::x25519::Identity>,
    read: &dyn Fn(u64),
    mut f: impl FnMut(usize, Line) -> Result<ControlFlow<()>, StoreError>,
) -> Result<Option<String>, StoreError> {
    let io = |source: std::io::Error| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = crate::store::open_regular(path)?;
    file.seek(SeekFrom::Start(offset)).map_err(io)?;
    // The digest is of the bytes on disk, whatever reads them (the line reader, or age underneath it).
    let tap = Rc::new(RefCell::new((Sha256::new(), 0u64)));
    let raw = Hashing {
        inner: file,
        tap: tap.clone(),
    };
    let mut r = super::seal::open(raw, &header.payload.encoding, identity, path)?;
    let mut line_no = 2;
    let lines = (|| -> Result<ControlFlow<()>, StoreError> {
        loop {
            line_no += 1;
            let Some(raw) = bundle::read_line(&mut r, MAX_LINE, path, line_no)? else {
                break;
            };
            if raw.is_empty() {
                continue;
            }
            let text = std::str::from_utf8(&raw).map_err(|_| {
                bad(
                    path,
                    Some(line_no),
                    "这一行不是 UTF-8 文本",
                    "this line is not UTF-8 text",
                )
            })?;
            let line: Line = bundle::from_json(text).map_err(|e| {
                bad(
                    path,
                    Some(line_no),
                    format!("这一行不是有效的记录：{e}"),
                    format!("this line is not a valid record: {e}"),
                )
            })?;
            if f(line_no, line)?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
            if line_no % 1024 == 0 {
                read(tap.borrow().1);
            }
        }
        // Read to the end (for an encrypted payload this checks its last chunk), then hash any bytes on disk
        // beyond what the reader took, so the digest and the length cover the whole file.
        std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| bundle::read_error(path, e))?;
        Ok(ControlFlow::Continue(()))
    })();
    drop(r);
    if matches!(lines, Ok(ControlFlow::Break(()))) {
        return Ok(None);
    }
    let (digest, bytes) = finish_hash(path, offset, &tap)?;
    // A line that would not read (or decrypt) in a file whose digest or length is off: the file is damaged,
    // and that is what to say; in an intact file the line itself is at fault.
    if let Err(e) = lines {
        return Err(
            if bytes != header.payload.bytes || digest != header.payload.sha256 {
                damaged(path)
            } else {
                e
            },
        );
    }
    if bytes != header.payload.bytes {
        return Err(length_off(path, bytes, header.payload.bytes));
    }
    Ok(Some(digest))
}

/// Hashes what is left of the file after the bytes `tap` saw; returns the digest and length of everything from
/// `offset` to the end.
fn finish_hash(
    path: &Path,
    offset: u64,
    tap: &Rc<RefCell<(Sha256, u64)>>,
) -> Result<(String, u64), StoreError> {
    let io = |source: std::io::Error| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let taken = tap.borrow().1;
    let mut rest = crate::store::open_regular(path)?;
    rest.seek(SeekFrom::Start(offset + taken)).map_err(io)?;
    let mut rest = Hashing {
        inner: rest,
        tap: tap.clone(),
    };
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(io)?;
    drop(rest);
    let (hash, bytes) = tap.replace((Sha256::new(), 0));
    Ok((hex::encode(hash.finalize()), bytes))
}

/// Checks that the payload on disk is the one the header describes (its length and SHA-256), without reading
/// its lines: for a copy of a bundle already imported, and for a bundle held for an operator.
pub(super) fn intact(path: &Path, offset: u64, header: &Header) -> Result<(), StoreError> {
    let tap = Rc::new(RefCell::new((Sha256::new(), 0u64)));
    let (digest, bytes) = finish_hash(path, offset, &tap)?;
    if bytes != header.payload.bytes || digest != header.payload.sha256 {
        return Err(damaged(path));
    }
    Ok(())
}

fn length_off(path: &Path, bytes: u64, said: u64) -> StoreError {
    bad(
        path,
        None,
        format!("内容长度 {bytes} 字节与头部所说的 {said} 字节不符（文件被截断或改动）"),
        format!("the payload is {bytes} bytes, the header says {said} (truncated or altered)"),
    )
}

pub(super) fn damaged(path: &Path) -> StoreError {
    bad(
        path,
        None,
        "内容的 SHA-256 或长度与头部不符：文件损坏、被截断或被改动",
        "the payload's SHA-256 or length does not match the header: damaged, truncated or altered",
    )
}

/// The checks of each payload line, made as the merge reads it (inside the import's transaction, so a failure
/// anywhere leaves the database as it was).
pub(super) struct PayloadCheck<'a> {
    path: &'a Path,
    header: &'a Header,
    own_region: &'a RegionCode,
    /// The header's `created_at` (UTC ms): no record or event of the bundle changed later.
    created_ms: i64,
    counts: BTreeMap<String, u64>,
    /// The regions the records lie in, and the parents of the regions taken: each must be on file by the end
    /// (the bundle's own region lines come last).
    codes: BTreeSet<RegionCode>,
    /// The record ids read so far, checked at the end for one carried twice. A vector sorted once takes
    /// 16 bytes an id (30 MB at 1.85M records); a hash set took up to 100 MB while it grew.
    ids: Vec<u128>,
}

impl<'a> PayloadCheck<'a> {
    pub fn new(
        path: &'a Path,
        header: &'a Header,
        own_region: &'a RegionCode,
        created_ms: i64,
    ) -> Self {
        // Room for the records the header declares, taken once, but never more than the file could hold (a
        // record line is over 100 bytes), and only if the memory is there: otherwise it grows as it goes.
        let declared: u64 = header
            .counts
            .iter()
            .filter(|(family, _)| *family != "region")
            .fold(0, |sum, (_, n)| sum.saturating_add(*n));
        let room = std::fs::metadata(path).map_or(0, |m| m.len() / 100);
        let mut ids = Vec::new();
        let _ = ids.try_reserve_exact(usize::try_from(declared.min(room)).unwrap_or(usize::MAX));
        PayloadCheck {
            path,
            header,
            own_region,
            created_ms,
            counts: BTreeMap::new(),
            codes: BTreeSet::new(),
            ids,
        }
    }

    /// Checks a region line; returns whether it is taken: only a region inside the sender's jurisdiction is
    /// (a township's bundle names the county above it too, which is not the township's to name).
    pub fn region(&mut self, line_no: usize, region: &RegionRow) -> Result<bool, StoreError> {
        let level_ok = Level::from_code(&region.level) == Some(region.code.level())
            && region.parent == region.code.parent();
        if !level_ok || region.name.chars().count() > 100 || region.name.trim().is_empty() {
            return Err(bad(
                self.path,
                Some(line_no),
                format!("区划「{}」的名称、级别或上级无效", region.code),
                format!("region '{}' has a bad name, level or parent", region.code),
            ));
        }
        *self.counts.entry("region".into()).or_default() += 1;
        let taken = self.header.region.contains(&region.code);
        if taken && let Some(parent) = &region.parent {
            self.codes.insert(parent.clone());
        }
        Ok(taken)
    }

    /// Checks a record line and returns the record parsed.
    pub fn record(
        &mut self,
        line_no: usize,
        family: &str,
        seqs: &[(i64, u64)],
        record: serde_json::Map<String, serde_json::Value>,
        events: &[EventRow],
        rules: &records::Rules,
    ) -> Result<(Family, records::Parsed, records::Verdict), StoreError> {
        let (path, header) = (self.path, self.header);
        let refuse = |zh: String, en: String| bad(path, Some(line_no), zh, en);
        let fam = Family::from_code(family).ok_or_else(|| {
            refuse(
                format!(
                    "未知的记录类别「{}」",
                    crate::domain::text::clip(family, 40)
                ),
                format!(
                    "unknown record family '{}'",
                    crate::domain::text::clip(family, 40)
                ),
            )
        })?;
        // Every text of the record and of its timeline.
        let event_texts = events.iter().flat_map(|e| {
            [&e.on_date, &e.actor, &e.action]
                .into_iter()
                .chain(e.note.as_ref())
                .map(|t| t.chars().count())
        });
        let longest = record
            .values()
            .map(records::longest_text)
            .chain(event_texts)
            .max()
            .unwrap_or(0);
        if longest > MAX_TEXT {
            return Err(refuse(
                format!("有一个字段长达 {longest} 个字符，超过上限 {MAX_TEXT}"),
                format!("a field is {longest} characters long, over the limit of {MAX_TEXT}"),
            ));
        }
        let (parsed, verdict) = records::parse_judged(fam, record, rules).map_err(|e| {
            refuse(
                format!("{}记录读不懂：{e}", fam.label(Lang::Zh)),
                format!("a {} record could not be read: {e}", fam.label(Lang::En)),
            )
        })?;
        let meta = &parsed.meta;
        let id = &meta.id;
        // Numbers a database holds exactly, that agree, and that the sender could have reached.
        if meta.version != meta.vv.total() || seqs.iter().any(|(_, v)| *v > MAX_COUNT) {
            return Err(refuse(
                format!("记录 {id} 的版本号与版本向量不符或超出范围"),
                format!(
                    "record {id}: its version number disagrees with its version vector or is out of range"
                ),
            ));
        }
        let own_count = meta.vv.get(&header.device);
        if own_count > header.seq[1].max(0) as u64 {
            return Err(refuse(
                format!(
                    "记录 {id} 的版本向量说发送设备改过它 {own_count} 次，多于它的全部变更数 {}：文件被改动过",
                    header.seq[1]
                ),
                format!(
                    "record {id}: its version vector counts {own_count} changes by the sender, more than the sender's {} changes in all: the file was altered",
                    header.seq[1]
                ),
            ));
        }
        let latest = events.iter().map(|e| e.at).fold(meta.updated_at, i64::max);
        if latest > self.created_ms || meta.created_at > self.created_ms {
            return Err(refuse(
                format!(
                    "记录 {id} 的修改时间晚于交换包的时间 {}：文件被改动过，或发送设备的时钟不对",
                    header.created_at
                ),
                format!(
                    "record {id} was changed after the bundle's own time {}: the file was altered, or the sender's clock is wrong",
                    header.created_at
                ),
            ));
        }
        let code = &meta.region_code;
        if !header.region.contains(code) || !self.own_region.contains(code) {
            return Err(refuse(
                format!(
                    "记录属于 {code}，不在发送设备辖区 {} 或本辖区 {} 之内",
                    header.region, self.own_region
                ),
                format!(
                    "a record of {code} lies outside the sender's region {} or this database's {}",
                    header.region, self.own_region
                ),
            ));
        }
        if seqs
            .iter()
            .any(|(s, _)| *s < header.seq[0] || *s > header.seq[1])
        {
            return Err(refuse(
                "记录的变更序号超出头部声明的范围".into(),
                "a change number lies outside the range the header declares".into(),
            ));
        }
        self.ids
            .push(uuid::Uuid::parse_str(id).map_or(0, |u| u.as_u128()));
        *self.counts.entry(family.to_owned()).or_default() += 1;
        if !self.codes.contains(code) {
            self.codes.insert(code.clone());
        }
        Ok((fam, parsed, verdict))
    }

    /// The whole payload read: its digest (from `read_payload`) and the counts must be the header's, no record
    /// may come twice, and every region a record lies in (or a region taken names as its parent) must now be
    /// on file (here before, or carried by the bundle).
    pub fn finish(mut self, conn: &rusqlite::Connection, digest: &str) -> Result<(), StoreError> {
        if digest != self.header.payload.sha256 {
            return Err(damaged(self.path));
        }
        self.ids.sort_unstable();
        if let Some(twice) = self.ids.windows(2).find(|w| w[0] == w[1]) {
            let id = uuid::Uuid::from_u128(twice[0]);
            return Err(bad(
                self.path,
                None,
                format!("记录 {id} 在这个交换包里出现了两次（导出的包不会这样）：文件被改动过"),
                format!(
                    "record {id} appears twice in this bundle (an export never does that): the file was altered"
                ),
            ));
        }
        for code in &self.codes {
            if crate::store::regions::name(conn, code)?.is_none() {
                return Err(bad(
                    self.path,
                    None,
                    format!("有记录属于区划 {code}，但本数据库和这个交换包里都没有这个区划"),
                    format!(
                        "records lie in region {code}, which neither this database nor the bundle holds"
                    ),
                ));
            }
        }
        if self.counts != self.header.counts {
            return Err(bad(
                self.path,
                None,
                "各类记录的条数与头部不符",
                "the record counts do not match the header",
            ));
        }
        Ok(())
    }
}

/// A reader that adds what passes through it to a shared digest and byte count.
struct Hashing<R: Read> {
    inner: R,
    tap: Rc<RefCell<(Sha256, u64)>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut tap = self.tap.borrow_mut();
        tap.0.update(&buf[..n]);
        tap.1 += n as u64;
        Ok(n)
    }
}
