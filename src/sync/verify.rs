//! Verifying a bundle before anything is written: its header (format, major version, canonical identities,
//! destination, bounds on its ranges and clock), the sender's trust and its signature. The payload is checked
//! as the merge reads it (`payload`). A sender whose claimed region overlaps another device's, or this
//! database's own, is not refused but held: its verified bundle waits for an operator's `trust confirm`.

use std::io::BufReader;
use std::path::Path;

use super::bundle::{self, Header, MAJOR, MAX_HEADER};
use crate::domain::clock;
use crate::domain::ids::{DeviceId, RegionCode};
use crate::domain::version::MAX_COUNT;
use crate::store::exchange::{self, Peer, PeerStatus};
use crate::store::{Store, StoreError, device::Device};

pub(super) fn bad(
    path: &Path,
    line: Option<usize>,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> StoreError {
    StoreError::bad_file(path, line, zh, en)
}

/// What becomes of a verified bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Merged: the sender is known, or seen for the first time (`first_seen`: pinned, unconfirmed).
    Merge { first_seen: bool },
    /// Kept whole and unmerged until an operator confirms the sender (`trust confirm`) or revokes it.
    Hold(HoldReason),
}

/// Why a sender waits for an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldReason {
    /// It claims this database's own region.
    OwnRegion { region: RegionCode },
    /// It claims a region inside, containing or equal to one bound to another device (a part of this
    /// database's region).
    Bound {
        region: RegionCode,
        other: DeviceId,
        other_region: RegionCode,
    },
    /// It is held already (an earlier bundle of it waits).
    Waiting,
}

impl HoldReason {
    /// The reason in both languages, as `sync status` lists it.
    pub fn words(&self) -> (String, String) {
        match self {
            HoldReason::OwnRegion { region } => (
                format!("声称本数据库自己的辖区 {region}"),
                format!("claims this database's own region, {region}"),
            ),
            HoldReason::Bound {
                region,
                other,
                other_region,
            } => (
                format!("声称的辖区 {region} 与已绑定设备 {other} 的辖区 {other_region} 重叠"),
                format!("claims {region}, which overlaps {other_region}, bound to device {other}"),
            ),
            HoldReason::Waiting => (
                "该设备已在等待确认".to_owned(),
                "this device already waits for confirmation".to_owned(),
            ),
        }
    }
}

/// A bundle whose header and sender passed every check.
pub struct Verified {
    pub header: Header,
    /// Where the payload starts in the file.
    pub offset: u64,
    /// The header's `created_at`, UTC milliseconds.
    pub created_ms: i64,
    /// The sender as this database knows it (None: first seen).
    pub peer: Option<Peer>,
    pub admission: Admission,
}

/// The most a bundle's clock may run ahead of this machine's, in hours, unless the `clock_tolerance_hours`
/// setting says otherwise.
pub const CLOCK_TOLERANCE_HOURS: i64 = 24;

/// Checks the header of `path` and its sender for the database of device `own`; nothing is written.
pub fn verify(store: &Store, path: &Path, own: &Device) -> Result<Verified, StoreError> {
    let file = crate::store::open_regular(path)?;
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
    if line1.ends_with(b"\r") {
        return Err(converted(path));
    }
    let offset = line1.len() as u64 + 1 + line2.len() as u64 + 1;
    let line1 = String::from_utf8(line1).map_err(|_| {
        bad(
            path,
            Some(1),
            "第一行不是 UTF-8 文本，不是交换包",
            "line 1 is not UTF-8; not a bundle",
        )
    })?;
    // Only the format and version first: a later version may carry fields this one would misread.
    let Ok(probe) = serde_json::from_str::<Probe>(&line1) else {
        return Err(bad(
            path,
            Some(1),
            "第一行不是 wangge 交换包的头部",
            "line 1 is not a wangge bundle header",
        ));
    };
    if probe.format != bundle::FORMAT {
        return Err(bad(
            path,
            Some(1),
            "不是 wangge 交换包",
            "not a wangge bundle",
        ));
    }
    match probe.version.split_once('.').map(|(m, _)| m.parse::<u32>()) {
        Some(Ok(major)) if major == MAJOR => {}
        _ => {
            return Err(bad(
                path,
                Some(1),
                format!(
                    "交换包格式版本 {} 本程序不认识（只支持 {MAJOR}.x），请升级 wangge",
                    probe.version
                ),
                format!(
                    "bundle format {} is unknown to this program (it reads {MAJOR}.x); upgrade wangge",
                    probe.version
                ),
            ));
        }
    }
    let header: Header = bundle::from_json(&line1).map_err(|e| {
        bad(
            path,
            Some(1),
            format!("头部有误：{e}"),
            format!("the header is wrong: {e}"),
        )
    })?;
    let signature = String::from_utf8_lossy(&line2).into_owned();
    if header.device == own.id {
        return Err(bad(
            path,
            Some(1),
            "这是本设备自己导出的交换包，不能导入自己",
            "this bundle was written by this very database; it cannot import itself",
        ));
    }
    if !own.region.contains(&header.to) {
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
    let created_ms = bounds(store, path, &header)?;
    let (peer, admission) = trust(store, path, &header, &own.region)?;
    if !bundle::verify(&header.public_key, &line1, &signature) {
        return Err(bad(
            path,
            Some(2),
            "签名不对：头部被改动过，或不是这台设备签的",
            "the signature does not match: the header was altered or signed by another key",
        ));
    }
    Ok(Verified {
        header,
        offset,
        created_ms,
        peer,
        admission,
    })
}

/// Line 1's format and version, read before the rest.
#[derive(serde::Deserialize)]
struct Probe {
    format: String,
    version: String,
}

/// A file whose line ends were turned into CRLF on its way (mail, FTP in text mode, an editor).
pub(super) fn converted(path: &Path) -> StoreError {
    bad(
        path,
        Some(1),
        "文件的换行符被转换过（CRLF）：它被当作文本复制过（邮件、FTP 文本模式或编辑器），内容已经变了；请从原来的 U 盘或文件夹按原样再复制一份",
        "the file's line endings were converted (CRLF): it was copied as text (mail, FTP in text mode, an editor) and its bytes changed; copy it again as it was, from the USB stick or folder",
    )
}

/// The header's numbers within bounds: 1 ≤ lo ≤ hi ≤ 2^53, batch 0 exactly for a full re-send, the clock no
/// later than this machine's now plus the tolerance. Returns `created_at` in UTC milliseconds.
fn bounds(store: &Store, path: &Path, h: &Header) -> Result<i64, StoreError> {
    let limit = MAX_COUNT as i64;
    let [lo, hi] = h.seq;
    if !(1 <= lo && lo <= hi && hi <= limit) {
        return Err(bad(
            path,
            Some(1),
            format!("头部的变更范围 [{lo}, {hi}] 无效（应为 1 ≤ 起 ≤ 止 ≤ 2^53）"),
            format!("the header's range [{lo}, {hi}] is invalid (1 <= first <= last <= 2^53)"),
        ));
    }
    if h.full != (h.batch == 0) || !(0..=limit).contains(&h.batch) {
        return Err(bad(
            path,
            Some(1),
            format!(
                "头部的批次 {} 与 full={} 不符（批次 0 只用于全部重发）",
                h.batch, h.full
            ),
            format!(
                "the header's batch {} disagrees with full={} (batch 0 is a full re-send, and only that)",
                h.batch, h.full
            ),
        ));
    }
    let created = chrono::DateTime::parse_from_rfc3339(&h.created_at).map_err(|_| {
        bad(
            path,
            Some(1),
            format!(
                "头部的时间「{}」不是 RFC 3339 时间",
                crate::domain::text::clip(&h.created_at, 40)
            ),
            format!(
                "the header's created_at '{}' is not an RFC 3339 instant",
                crate::domain::text::clip(&h.created_at, 40)
            ),
        )
    })?;
    let created_ms = created.timestamp_millis();
    let hours = crate::store::device::setting(store.conn(), "clock_tolerance_hours")?
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(CLOCK_TOLERANCE_HOURS);
    let latest = clock::to_ms(store.now()).saturating_add(hours.saturating_mul(3_600_000));
    if created_ms > latest {
        return Err(bad(
            path,
            Some(1),
            format!(
                "交换包的时间 {} 比本机时间晚了 {hours} 小时以上：发送设备（或本机）的时钟不对；请把时钟调准后重新导出",
                h.created_at
            ),
            format!(
                "the bundle was made at {}, more than {hours} hours after this machine's now: the sender's clock (or this one) is wrong; set it right and export again",
                h.created_at
            ),
        ));
    }
    Ok(created_ms)
}

/// The sender: the key and region pinned for it, or first seen. A first-seen device claiming a region that
/// overlaps another device's binding (or this database's own region) is held for an operator.
fn trust(
    store: &Store,
    path: &Path,
    h: &Header,
    own_region: &RegionCode,
) -> Result<(Option<Peer>, Admission), StoreError> {
    let conn = store.conn();
    let known = exchange::peer(conn, &h.device)?;
    match &known {
        Some(p) if p.status == PeerStatus::Revoked => Err(bad(
            path,
            Some(1),
            format!("设备 {} 已被撤销信任，它的交换包一律拒收", h.device),
            format!(
                "device {} has been revoked; its bundles are refused",
                h.device
            ),
        )),
        Some(p) if p.public_key != h.public_key => Err(bad(
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
        Some(p) if p.status == PeerStatus::Held => {
            Ok((known, Admission::Hold(HoldReason::Waiting)))
        }
        Some(_) => Ok((known, Admission::Merge { first_seen: false })),
        None => {
            if h.region == *own_region {
                return Ok((
                    None,
                    Admission::Hold(HoldReason::OwnRegion {
                        region: h.region.clone(),
                    }),
                ));
            }
            // A binding is a device's hold on part of this database's region: one above it (the county, seen
            // from a township) or level with it binds nothing below.
            if let Some(other) = exchange::peers(conn)?.into_iter().find(|p| {
                p.status.binds()
                    && p.region != *own_region
                    && own_region.contains(&p.region)
                    && p.region.overlaps(&h.region)
            }) {
                return Ok((
                    None,
                    Admission::Hold(HoldReason::Bound {
                        region: h.region.clone(),
                        other: other.device,
                        other_region: other.region,
                    }),
                ));
            }
            Ok((None, Admission::Merge { first_seen: true }))
        }
    }
}
