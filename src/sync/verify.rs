//! Verifying a bundle: its header (format, major version, destination, codes), the sender's trust and signature
//! before anything is written; then the payload (digest, length, every line parses and lies inside both regions,
//! counts) as the merge reads it, in one pass inside the import's transaction. Also the payload reader.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::path::Path;
use std::rc::Rc;

use sha2::{Digest, Sha256};

use super::bundle::{self, Header, Line, MAJOR, MAX_HEADER, MAX_LINE, MAX_TEXT};
use super::records;
use crate::domain::Lang;
use crate::domain::record::Family;
use crate::domain::region;
use crate::store::exchange::{self, EventRow, Peer, RegionRow};
use crate::store::{Store, StoreError, device::Device};

pub(super) fn bad(
    path: &Path,
    line: Option<usize>,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> StoreError {
    StoreError::bad_file(path, line, zh, en)
}

/// A bundle that passed every check.
pub struct Verified {
    pub header: Header,
    /// Where the payload starts in the file.
    pub offset: u64,
    /// The sender as this database knows it (None: first seen, to be pinned).
    pub peer: Option<Peer>,
}

/// Checks the header of `path` and its sender for the database of device `own`; nothing is written. The payload
/// is checked as the merge reads it (`PayloadCheck`).
pub fn verify(store: &Store, path: &Path, own: &Device) -> Result<Verified, StoreError> {
    let file = std::fs::File::open(path).map_err(|source| StoreError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut r = BufReader::new(file);
    let line1 = bundle::read_line(&mut r, MAX_HEADER, path, 1)?.ok_or_else(|| {
        bad(
            path,
            None,
            "文件是空的，不是交换包",
            "the file is empty; not a bundle",
        )
    })?;
    let line2 = bundle::read_line(&mut r, MAX_HEADER, path, 2)?.ok_or_else(|| {
        bad(
            path,
            Some(2),
            "缺少签名行（文件被截断？）",
            "the signature line is missing (truncated file?)",
        )
    })?;
    let offset = line1.len() as u64 + 1 + line2.len() as u64 + 1;
    let line1 = String::from_utf8(line1).map_err(|_| {
        bad(
            path,
            Some(1),
            "第一行不是 UTF-8 文本，不是交换包",
            "line 1 is not UTF-8; not a bundle",
        )
    })?;
    let header: Header = serde_json::from_str(&line1).map_err(|e| {
        bad(
            path,
            Some(1),
            format!("第一行不是 wangge 交换包的头部：{e}"),
            format!("line 1 is not a wangge bundle header: {e}"),
        )
    })?;
    if header.format != bundle::FORMAT {
        return Err(bad(
            path,
            Some(1),
            "不是 wangge 交换包",
            "not a wangge bundle",
        ));
    }
    match header.version_parts() {
        Some((major, _)) if major == MAJOR => {}
        _ => {
            return Err(bad(
                path,
                Some(1),
                format!(
                    "交换包格式版本 {} 本程序不认识（只支持 {MAJOR}.x），请升级 wangge",
                    header.version
                ),
                format!(
                    "bundle format {} is unknown to this program (it reads {MAJOR}.x); upgrade wangge",
                    header.version
                ),
            ));
        }
    }
    let signature = String::from_utf8_lossy(&line2).into_owned();
    if header.device == own.id {
        return Err(bad(
            path,
            Some(1),
            "这是本设备自己导出的交换包，不能导入自己",
            "this bundle was written by this very database; it cannot import itself",
        ));
    }
    for code in [&header.region, &header.to] {
        if !bundle::region_code_ok(code) {
            return Err(bad(
                path,
                Some(1),
                format!("头部的区划代码「{code}」无效"),
                format!("bad region code '{code}' in the header"),
            ));
        }
    }
    if uuid::Uuid::parse_str(&header.device).is_err() {
        return Err(bad(
            path,
            Some(1),
            "头部的设备编号无效",
            "the header's device id is not a valid id",
        ));
    }
    if !(header.to == own.region || region::contains(&own.region, &header.to)) {
        return Err(bad(
            path,
            Some(1),
            format!(
                "这个交换包是发给 {} 的，不是本辖区 {}",
                header.to, own.region
            ),
            format!(
                "this bundle is addressed to {}, not to this database's region {}",
                header.to, own.region
            ),
        ));
    }
    let peer = trust(store, path, &header, &own.region)?;
    if !bundle::verify(&header.public_key, &line1, &signature) {
        return Err(bad(
            path,
            Some(2),
            "签名不对：头部被改动过，或不是这台设备签的；文件没有导入",
            "the signature does not match: the header was altered or signed by another key; nothing imported",
        ));
    }
    Ok(Verified {
        header,
        offset,
        peer,
    })
}

/// Trust on first use, or the key registered ahead. Returns the known peer (None: first seen, to be pinned).
fn trust(
    store: &Store,
    path: &Path,
    h: &Header,
    own_region: &str,
) -> Result<Option<Peer>, StoreError> {
    let conn = store.conn();
    match exchange::peer(conn, &h.device)? {
        Some(p) if p.status == "revoked" => Err(bad(
            path,
            Some(1),
            format!("设备 {} 已被撤销信任，它的交换包一律拒收", h.device),
            format!(
                "device {} has been revoked; its bundles are refused",
                h.device
            ),
        )),
        Some(p) if !p.public_key.eq_ignore_ascii_case(&h.public_key) => Err(bad(
            path,
            Some(1),
            format!(
                "设备 {} 的密钥与登记的不同：可能是伪造的交换包，已拒收",
                h.device
            ),
            format!(
                "device {} signed with another key than the one on file: possibly forged; refused",
                h.device
            ),
        )),
        Some(p) if p.region != h.region => Err(bad(
            path,
            Some(1),
            format!(
                "设备 {} 登记的辖区是 {}，交换包却声称 {}；已拒收",
                h.device, p.region, h.region
            ),
            format!(
                "device {} is registered for {}, but the bundle claims {}; refused",
                h.device, p.region, h.region
            ),
        )),
        Some(p) => Ok(Some(p)),
        None => {
            let bound = exchange::peers_of_region(conn, &h.region)?;
            if h.region == own_region || !bound.is_empty() {
                return Err(bad(
                    path,
                    Some(1),
                    format!(
                        "未登记的设备 {} 声称属于 {}（{}）。请先核实后用 wangge trust add --device {} --key {} --region {} 登记",
                        h.device,
                        h.region,
                        if h.region == own_region {
                            "本数据库自己的辖区"
                        } else {
                            "该辖区已绑定其他设备"
                        },
                        h.device,
                        h.public_key,
                        h.region
                    ),
                    format!(
                        "unknown device {} claims region {} ({}). Check it, then register it with wangge trust add --device {} --key {} --region {}",
                        h.device,
                        h.region,
                        if h.region == own_region {
                            "this database's own region"
                        } else {
                            "already bound to another device"
                        },
                        h.device,
                        h.public_key,
                        h.region
                    ),
                ));
            }
            Ok(None)
        }
    }
}

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
    let mut file = std::fs::File::open(path).map_err(io)?;
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
            let line: Line = serde_json::from_str(text).map_err(|e| {
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
    let taken = tap.borrow().1;
    let mut rest = std::fs::File::open(path).map_err(io)?;
    rest.seek(SeekFrom::Start(offset + taken)).map_err(io)?;
    let mut rest = Hashing {
        inner: rest,
        tap: tap.clone(),
    };
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(io)?;
    drop(rest);
    let (hash, bytes) = tap.replace((Sha256::new(), 0));
    let digest = hex::encode(hash.finalize());
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
        return Err(bad(
            path,
            None,
            format!(
                "内容长度 {} 字节与头部所说的 {} 字节不符（文件被截断或改动）",
                bytes, header.payload.bytes
            ),
            format!(
                "the payload is {} bytes, the header says {} (truncated or altered)",
                bytes, header.payload.bytes
            ),
        ));
    }
    Ok(Some(digest))
}

fn damaged(path: &Path) -> StoreError {
    bad(
        path,
        None,
        "内容的 SHA-256 或长度与头部不符：文件损坏、被截断或被改动，没有导入",
        "the payload's SHA-256 or length does not match the header: damaged, truncated or altered; nothing imported",
    )
}

/// The checks of each payload line, made as the merge reads it (inside the import's transaction, so a failure
/// anywhere leaves the database as it was): every line parses and lies inside both regions, and at the end the
/// counts and the digest match the header and no record came twice.
pub(super) struct PayloadCheck<'a> {
    path: &'a Path,
    header: &'a Header,
    own_region: &'a str,
    counts: BTreeMap<String, u64>,
    /// The regions the records lie in, and the parents of the regions carried: each must be on file by the
    /// end (the bundle's own region lines come last).
    codes: std::collections::BTreeSet<String>,
    /// The record ids read so far, checked at the end for one carried twice. A vector sorted once takes
    /// 16 bytes an id (30 MB at 1.85M records); a hash set took up to 100 MB while it grew.
    ids: Vec<u128>,
}

impl<'a> PayloadCheck<'a> {
    pub fn new(path: &'a Path, header: &'a Header, own_region: &'a str) -> Self {
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
            counts: BTreeMap::new(),
            codes: Default::default(),
            ids,
        }
    }

    pub fn region(&mut self, line_no: usize, region: &RegionRow) -> Result<(), StoreError> {
        let level_ok = region::parse_code(&region.code)
            .map(|(_, l)| l.code() == region.level)
            .unwrap_or(false);
        if !level_ok || region.name.chars().count() > 100 {
            return Err(bad(
                self.path,
                Some(line_no),
                format!("区划「{}」的代码或级别无效", region.code),
                format!("region '{}' has a bad code or level", region.code),
            ));
        }
        *self.counts.entry("region".into()).or_default() += 1;
        if let Some(parent) = &region.parent
            && !self.codes.contains(parent)
        {
            self.codes.insert(parent.clone());
        }
        Ok(())
    }

    /// Checks a record line and returns the record parsed.
    pub fn record(
        &mut self,
        line_no: usize,
        family: &str,
        seqs: &[(i64, u64)],
        record: serde_json::Map<String, serde_json::Value>,
        events: &[EventRow],
    ) -> Result<(Family, records::Parsed), StoreError> {
        let (path, header) = (self.path, self.header);
        let fam = Family::from_code(family).ok_or_else(|| {
            bad(
                path,
                Some(line_no),
                format!("未知的记录类别「{family}」"),
                format!("unknown record family '{family}'"),
            )
        })?;
        // Every text of the record and of its timeline.
        let event_texts = events.iter().flat_map(|e| {
            [&e.id, &e.origin, &e.on_date, &e.actor, &e.action]
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
            return Err(bad(
                path,
                Some(line_no),
                format!("有一个字段长达 {longest} 个字符，超过上限 {MAX_TEXT}"),
                format!("a field is {longest} characters long, over the limit of {MAX_TEXT}"),
            ));
        }
        let parsed = records::parse(fam, record).map_err(|e| {
            bad(
                path,
                Some(line_no),
                format!("{}记录读不懂：{e}", fam.label(Lang::Zh)),
                format!("a {} record could not be read: {e}", fam.label(Lang::En)),
            )
        })?;
        let code = &parsed.meta.region_code;
        let Ok(uuid) = uuid::Uuid::parse_str(&parsed.meta.id) else {
            return Err(bad(
                path,
                Some(line_no),
                "记录编号不是 UUID",
                "the record id is not a UUID",
            ));
        };
        // Version numbers a database can hold (SQLite's integers are signed 64-bit), and that agree.
        let meta = &parsed.meta;
        let limit = i64::MAX as u64;
        if meta.version > limit
            || meta.version != meta.vv.total()
            || seqs.iter().any(|(_, v)| *v > limit)
        {
            return Err(bad(
                path,
                Some(line_no),
                format!("记录 {} 的版本号与版本向量不符或超出范围", meta.id),
                format!(
                    "record {}: its version number disagrees with its version vector or is out of range",
                    meta.id
                ),
            ));
        }
        self.ids.push(uuid.as_u128());
        if !region::contains(&header.region, code) || !region::contains(self.own_region, code) {
            return Err(bad(
                path,
                Some(line_no),
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
            return Err(bad(
                path,
                Some(line_no),
                "记录的变更序号超出头部声明的范围",
                "a change number lies outside the range the header declares",
            ));
        }
        if events.iter().any(|e| e.id.is_empty() || e.id.len() > 64) {
            return Err(bad(
                path,
                Some(line_no),
                "时间线事件编号无效",
                "a timeline event has a bad id",
            ));
        }
        *self.counts.entry(family.to_owned()).or_default() += 1;
        if !self.codes.contains(code) {
            self.codes.insert(code.clone());
        }
        Ok((fam, parsed))
    }

    /// The whole payload read: its digest (from `read_payload`) and the counts must be the header's, no record
    /// may come twice, and every region a record lies in (or a region carried names as its parent) must now be
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
                format!(
                    "记录 {id} 在这个交换包里出现了两次（导出的包不会这样）：文件被改动过，没有导入"
                ),
                format!(
                    "record {id} appears twice in this bundle (an export never does that): the file was altered; nothing imported"
                ),
            ));
        }
        for code in &self.codes {
            if crate::store::regions::name(conn, code)?.is_none() {
                return Err(bad(
                    self.path,
                    None,
                    format!(
                        "有记录属于区划 {code}，但本数据库和这个交换包里都没有这个区划；没有导入"
                    ),
                    format!(
                        "records lie in region {code}, which neither this database nor the bundle holds; nothing imported"
                    ),
                ));
            }
        }
        if self.counts != self.header.counts {
            return Err(bad(
                self.path,
                None,
                "各类记录的条数与头部不符，没有导入",
                "the record counts do not match the header; nothing imported",
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
