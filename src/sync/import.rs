//! Import: verify the whole file first (header, format version, trust, signature, payload digest, every line
//! parses and lies inside both the sender's and this database's region), then apply it in ONE transaction by
//! version vector. A record that parses but breaks a domain rule waits in quarantine; concurrent versions end
//! with the same deterministic winner everywhere and the loser kept in `conflicts`.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::bundle::{self, Header, Line, MAJOR, MAX_HEADER, MAX_LINE, MAX_TEXT};
use super::records::{self, Parsed, Rules};
use crate::domain::Lang;
use crate::domain::record::Family;
use crate::domain::region;
use crate::domain::version::{Causality, VersionVector};
use crate::store::exchange::{self, Peer, RegionRow};
use crate::store::{Store, StoreError, WriteCtx, audit, device, holidays, inspections};

/// What one file did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub file: String,
    pub device: String,
    pub region: String,
    pub seq: [i64; 2],
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub conflicts: u64,
    pub quarantined: u64,
    pub regions_added: u64,
    pub forks: u64,
    /// This exact file was imported before: nothing changed.
    pub already: bool,
    /// The sender was seen for the first time and pinned, unconfirmed.
    pub first_seen: bool,
    pub dry_run: bool,
}

fn bad(
    path: &Path,
    line: Option<usize>,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> StoreError {
    StoreError::bad_file(path, line, zh, en)
}

/// Verifies and applies one bundle file.
pub fn import(store: &mut Store, path: &Path, dry_run: bool) -> Result<Summary, StoreError> {
    let own = device::get(store.conn())?;
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
        if region::parse_code(code).is_err() && !(code.len() == 12 && code.ends_with("00000000")) {
            return Err(bad(
                path,
                Some(1),
                format!("头部的区划代码「{code}」无效"),
                format!("bad region code '{code}' in the header"),
            ));
        }
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
    let mut summary = Summary {
        file: path.display().to_string(),
        device: header.device.clone(),
        region: header.region.clone(),
        seq: header.seq,
        dry_run,
        first_seen: peer.is_none(),
        ..Summary::default()
    };
    // Pass 1: the payload, whole, before anything is written.
    let regions = verify_payload(path, offset, &header, &own.region)?;
    if exchange::batch_known(store.conn(), &header.device, &header.payload.sha256)? {
        summary.already = true;
        return Ok(summary);
    }
    // Pass 2: apply in one transaction (a dry run rolls it back).
    let rules_cal = holidays::calendar(store.conn())?;
    let count = device::day_count(store.conn())?;
    let checklists = checklists(store.conn())?;
    let ctx = WriteCtx {
        device: own.id.clone(),
        actor: own.worker.clone(),
        region: own.region.clone(),
        now: store.now(),
    };
    let rules = Rules {
        today: ctx.today(),
        calendar: &rules_cal,
        count,
        checklists: &checklists,
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let result = store.write_then(!dry_run, |tx| {
        if peer.is_none() {
            exchange::put_peer(
                tx,
                &Peer {
                    device: header.device.clone(),
                    public_key: header.public_key.clone(),
                    region: header.region.clone(),
                    status: "unconfirmed".into(),
                    how: "first_use".into(),
                    added_at: ctx.now_ms(),
                },
            )?;
        }
        for r in regions.values() {
            if exchange::add_region(tx, r)? {
                summary.regions_added += 1;
            }
        }
        let mut apply = Apply {
            tx,
            ctx: &ctx,
            rules: &rules,
            header: &header,
            file: &file_name,
            summary: &mut summary,
        };
        let digest = read_payload(path, offset, &header, |line_no, line| apply.line(line_no, line))?;
        if digest != header.payload.sha256 {
            return Err(bad(path, None, "文件在导入过程中被改动，已撤销", "the file changed while it was imported; undone"));
        }
        let s = &*apply.summary;
        exchange::add_batch(
            tx,
            &exchange::Batch {
                device: header.device.clone(),
                lo: header.seq[0],
                hi: header.seq[1],
                batch: header.batch,
                sha256: header.payload.sha256.clone(),
                imported_at: ctx.now_ms(),
                file: file_name.clone(),
                summary: format!(
                    "new {} updated {} unchanged {} conflicts {} quarantined {}",
                    s.new, s.updated, s.unchanged, s.conflicts, s.quarantined
                ),
            },
        )?;
        audit::append(
            tx,
            &ctx,
            "bundle",
            &header.payload.sha256,
            "import",
            Some(&file_name),
            &serde_json::json!({ "device": header.device, "seq": header.seq, "new": s.new, "updated": s.updated,
                "conflicts": s.conflicts, "quarantined": s.quarantined }),
        )?;
        Ok(())
    });
    result?;
    Ok(summary)
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

/// Reads the payload from `offset`, calling `f` with each line; returns the SHA-256 of what was read.
fn read_payload(
    path: &Path,
    offset: u64,
    header: &Header,
    mut f: impl FnMut(usize, Line) -> Result<(), StoreError>,
) -> Result<String, StoreError> {
    let io = |source: std::io::Error| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    file.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut r = BufReader::new(Hashing {
        inner: file,
        hash: Sha256::new(),
        bytes: 0,
    });
    let mut line_no = 2;
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
        f(line_no, line)?;
    }
    // Drain what the line reader left (nothing, normally) so the digest covers the whole file.
    let mut rest = Vec::new();
    r.read_to_end(&mut rest).map_err(io)?;
    let h = r.into_inner();
    if h.bytes != header.payload.bytes {
        return Err(bad(
            path,
            None,
            format!(
                "内容长度 {} 字节与头部所说的 {} 字节不符（文件被截断或改动）",
                h.bytes, header.payload.bytes
            ),
            format!(
                "the payload is {} bytes, the header says {} (truncated or altered)",
                h.bytes, header.payload.bytes
            ),
        ));
    }
    Ok(hex::encode(h.hash.finalize()))
}

/// Pass 1: every line parses, lies inside both regions, and the counts and digest match the header. Returns
/// the region rows the bundle carries.
fn verify_payload(
    path: &Path,
    offset: u64,
    header: &Header,
    own_region: &str,
) -> Result<BTreeMap<String, RegionRow>, StoreError> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut regions = BTreeMap::new();
    let digest = read_payload(path, offset, header, |line_no, line| {
        match line {
            Line::Region { region } => {
                let level_ok = region::parse_code(&region.code)
                    .map(|(_, l)| l.code() == region.level)
                    .unwrap_or(false);
                if !level_ok || region.name.chars().count() > 100 {
                    return Err(bad(
                        path,
                        Some(line_no),
                        format!("区划「{}」的代码或级别无效", region.code),
                        format!("region '{}' has a bad code or level", region.code),
                    ));
                }
                *counts.entry("region".into()).or_default() += 1;
                regions.insert(region.code.clone(), region);
            }
            Line::Record {
                family,
                seqs,
                record,
                events,
            } => {
                let fam = Family::from_code(&family).ok_or_else(|| {
                    bad(
                        path,
                        Some(line_no),
                        format!("未知的记录类别「{family}」"),
                        format!("unknown record family '{family}'"),
                    )
                })?;
                let record = Value::Object(record);
                let longest = records::longest_text(&record).max(
                    events
                        .iter()
                        .map(|e| e.note.as_deref().unwrap_or("").chars().count())
                        .max()
                        .unwrap_or(0),
                );
                if longest > MAX_TEXT {
                    return Err(bad(
                        path,
                        Some(line_no),
                        format!("有一个字段长达 {longest} 个字符，超过上限 {MAX_TEXT}"),
                        format!(
                            "a field is {longest} characters long, over the limit of {MAX_TEXT}"
                        ),
                    ));
                }
                let Value::Object(record) = record else {
                    unreachable!()
                };
                let parsed = records::parse(fam, record).map_err(|e| {
                    bad(
                        path,
                        Some(line_no),
                        format!("{}记录读不懂：{e}", fam.label(Lang::Zh)),
                        format!("a {} record could not be read: {e}", fam.label(Lang::En)),
                    )
                })?;
                let code = &parsed.meta.region_code;
                if uuid::Uuid::parse_str(&parsed.meta.id).is_err() {
                    return Err(bad(
                        path,
                        Some(line_no),
                        "记录编号不是 UUID",
                        "the record id is not a UUID",
                    ));
                }
                if !region::contains(&header.region, code) || !region::contains(own_region, code) {
                    return Err(bad(
                        path,
                        Some(line_no),
                        format!(
                            "记录属于 {code}，不在发送设备辖区 {} 或本辖区 {own_region} 之内",
                            header.region
                        ),
                        format!(
                            "a record of {code} lies outside the sender's region {} or this database's {own_region}",
                            header.region
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
                *counts.entry(family).or_default() += 1;
            }
        }
        Ok(())
    })?;
    if digest != header.payload.sha256 {
        return Err(bad(
            path,
            None,
            "内容的 SHA-256 与头部不符：文件损坏或被改动，没有导入",
            "the payload's SHA-256 does not match the header: damaged or altered; nothing imported",
        ));
    }
    if counts != header.counts {
        return Err(bad(
            path,
            None,
            "各类记录的条数与头部不符，没有导入",
            "the record counts do not match the header; nothing imported",
        ));
    }
    Ok(regions)
}

/// The item codes of every inspected category's checklist.
fn checklists(
    conn: &rusqlite::Connection,
) -> Result<HashMap<crate::domain::category::Category, Vec<String>>, StoreError> {
    let mut out = HashMap::new();
    for c in crate::domain::category::Category::INSPECTED {
        let items = inspections::checklist(conn, *c)?;
        out.insert(*c, items.into_iter().map(|i| i.code).collect());
    }
    Ok(out)
}

/// Applying one file's lines inside the import's transaction.
struct Apply<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    ctx: &'a WriteCtx,
    rules: &'a Rules<'a>,
    header: &'a Header,
    file: &'a str,
    summary: &'a mut Summary,
}

impl Apply<'_> {
    fn line(&mut self, _line_no: usize, line: Line) -> Result<(), StoreError> {
        let Line::Record {
            family,
            seqs,
            record,
            events,
        } = line
        else {
            return Ok(());
        };
        let Some(family) = Family::from_code(&family) else {
            return Ok(());
        };
        let incoming = records::parse(family, record).map_err(StoreError::Corrupt)?;
        let id = incoming.meta.id.clone();
        for (seq, version) in &seqs {
            let digest = hex::encode(&Sha256::digest(format!("{id}:{version}").as_bytes())[..8]);
            if let Some(had) = exchange::see(self.tx, &self.header.device, *seq, &digest)? {
                exchange::add_fork(
                    self.tx,
                    &self.header.device,
                    *seq,
                    &had,
                    &digest,
                    self.file,
                    self.ctx.now_ms(),
                )?;
                self.summary.forks += 1;
            }
        }
        let local = super::export::current(self.tx, family, &id)?;
        let outcome = match &local {
            None => self.admit(family, &incoming, None, "new")?,
            Some(ours) => {
                let our_vv = vv_of(ours);
                match incoming.meta.vv.compare(&our_vv) {
                    Causality::Dominates => self.admit(family, &incoming, Some(ours), "updated")?,
                    Causality::Equal | Causality::Dominated => Outcome::Unchanged,
                    Causality::Concurrent => self.conflict(family, &incoming, ours, our_vv)?,
                }
            }
        };
        match outcome {
            Outcome::New => self.summary.new += 1,
            Outcome::Updated => self.summary.updated += 1,
            Outcome::Unchanged => self.summary.unchanged += 1,
            Outcome::Conflict => self.summary.conflicts += 1,
            Outcome::Quarantined => self.summary.quarantined += 1,
        }
        if outcome != Outcome::Quarantined {
            exchange::add_events(self.tx, family, &id, &events)?;
        }
        Ok(())
    }

    /// Takes the incoming version if it passes the domain rules and everything it refers to is on file;
    /// otherwise holds it in quarantine.
    fn admit(
        &mut self,
        family: Family,
        incoming: &Parsed,
        ours: Option<&Map<String, Value>>,
        how: &str,
    ) -> Result<Outcome, StoreError> {
        if let Err((zh, en)) = self.admissible(family, incoming)? {
            exchange::quarantine(
                self.tx,
                family,
                &incoming.meta.id,
                incoming.meta.version,
                &Value::Object(incoming.map.clone()).to_string(),
                &format!("{zh} / {en}"),
                &self.header.device,
                self.file,
                self.ctx.now_ms(),
            )?;
            return Ok(Outcome::Quarantined);
        }
        self.write(family, &incoming.map, ours, incoming.personal, how)?;
        Ok(if ours.is_none() {
            Outcome::New
        } else {
            Outcome::Updated
        })
    }

    fn admissible(
        &self,
        family: Family,
        incoming: &Parsed,
    ) -> Result<Result<(), (String, String)>, StoreError> {
        for (rf, rid) in &incoming.refers_to {
            if exchange::row_map(self.tx, *rf, rid)?.is_none() {
                return Ok(Err((
                    format!(
                        "引用的{}（{rid}）不在本数据库中（可能被隔离或缺少批次）",
                        rf.label(Lang::Zh)
                    ),
                    format!(
                        "refers to a {} ({rid}) this database does not hold (quarantined or a missing batch)",
                        rf.label(Lang::En)
                    ),
                )));
            }
        }
        Ok(records::check(family, &incoming.map, self.rules))
    }

    /// Concurrent versions: the later change (then the greater device id, then the greater content hash) wins
    /// everywhere; the merged vector covers both; the loser is kept.
    fn conflict(
        &mut self,
        family: Family,
        incoming: &Parsed,
        ours: &Map<String, Value>,
        our_vv: VersionVector,
    ) -> Result<Outcome, StoreError> {
        let merged = incoming.meta.vv.merged(&our_vv);
        // The content hash leaves out the vector: a merged state keeps its winner's place in the order.
        let key = |m: &Map<String, Value>| {
            let mut content = m.clone();
            content.remove("vv");
            content.remove("version");
            (
                m.get("updated_at").and_then(Value::as_i64).unwrap_or(0),
                m.get("updated_by")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                audit::state_hash(&content),
            )
        };
        let incoming_wins = key(&incoming.map) > key(ours);
        let (winner, loser, source) = if incoming_wins {
            (&incoming.map, ours, self.ctx.device.as_str())
        } else {
            (ours, &incoming.map, self.header.device.as_str())
        };
        if incoming_wins && self.admissible(family, incoming)?.is_err() {
            // The winner breaks a rule here: it waits in quarantine and ours stays.
            return self.admit(family, incoming, Some(ours), "updated");
        }
        let mut won = winner.clone();
        won.insert(
            "vv".into(),
            serde_json::to_value(&merged).unwrap_or_default(),
        );
        won.insert("version".into(), Value::from(merged.total()));
        let personal = incoming.personal;
        self.write(family, &won, Some(ours), personal, "conflict")?;
        exchange::add_conflict(
            self.tx,
            family,
            &incoming.meta.id,
            &Value::Object(loser.clone()).to_string(),
            &serde_json::to_string(&merged).unwrap_or_default(),
            source,
            self.ctx.now_ms(),
        )?;
        Ok(Outcome::Conflict)
    }

    /// Writes a record's row (an inspection's results too), its audit row and its journal row.
    fn write(
        &mut self,
        family: Family,
        map: &Map<String, Value>,
        old: Option<&Map<String, Value>>,
        personal: &[&str],
        how: &str,
    ) -> Result<(), StoreError> {
        crate::store::records::upsert_map(self.tx, family.table(), map)?;
        if family == Family::Inspection {
            let insp: crate::domain::inspection::Inspection =
                crate::store::records::from_map(map.clone())?;
            inspections::write_results(self.tx, &insp)?;
        }
        let id = map.get("id").and_then(Value::as_str).unwrap_or("");
        let changes = audit::diff(old, map, personal);
        audit::append_record(
            self.tx,
            self.ctx,
            [family.code(), id, "import"],
            Some(&format!("{how}: {} {}", self.file, self.header.device)),
            &changes,
            map,
        )?;
        let version = map.get("version").and_then(Value::as_u64).unwrap_or(0);
        exchange::journal_import(
            self.tx,
            family,
            id,
            version,
            self.ctx.now_ms(),
            &self.header.device,
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    New,
    Updated,
    Unchanged,
    Conflict,
    Quarantined,
}

fn vv_of(map: &Map<String, Value>) -> VersionVector {
    map.get("vv")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// A reader that hashes and counts what passes through it.
struct Hashing<R: Read> {
    inner: R,
    hash: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}
