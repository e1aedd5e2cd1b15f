//! Acknowledgements that close the loop. The county writes, for each device it has heard from, the ranges of
//! that device's changes it holds, signed by the county device; the township imports it (only from the device
//! of its registered county card) and sees which batches the county confirmed. An acknowledgement never
//! confirms more than this device sent to that county, and an older one never replaces a newer one.
//! Tombstones the county has confirmed may then be purged, after a retention period.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::bundle::{self, MAX_HEADER};
use crate::domain::ids::{DeviceId, PublicKey, RegionCode};
use crate::domain::version::MAX_COUNT;
use crate::store::exchange;
use crate::store::{self, Store, StoreError, audit, device, outbound, tombstones};

pub const FORMAT: &str = "wangge-ack";
const VERSION: &str = "1.0";

/// Batches sent this many days ago and still unconfirmed are flagged.
pub const OVERDUE_DAYS: i64 = 14;

/// One acknowledgement: the ranges of `for_device`'s changes the county holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub format: String,
    pub version: String,
    /// The county device that signs it.
    pub device: DeviceId,
    pub public_key: PublicKey,
    pub region: RegionCode,
    #[serde(rename = "for")]
    pub for_device: DeviceId,
    pub ranges: Vec<[i64; 2]>,
    pub created_at: String,
}

/// Inclusive ranges sorted and joined where they touch or overlap.
pub fn merged(mut ranges: Vec<[i64; 2]>) -> Vec<[i64; 2]> {
    ranges.sort();
    let mut out: Vec<[i64; 2]> = Vec::new();
    for [lo, hi] in ranges {
        match out.last_mut() {
            Some(last) if lo <= last[1].saturating_add(1) => last[1] = last[1].max(hi),
            _ => out.push([lo, hi]),
        }
    }
    out
}

/// The numbers both `a` and `b` (each merged) hold.
pub fn intersect(a: &[[i64; 2]], b: &[[i64; 2]]) -> Vec<[i64; 2]> {
    let mut out = Vec::new();
    for [alo, ahi] in a {
        for [blo, bhi] in b {
            let (lo, hi) = ((*alo).max(*blo), (*ahi).min(*bhi));
            if lo <= hi {
                out.push([lo, hi]);
            }
        }
    }
    merged(out)
}

/// Whether `ranges` (merged) hold every number from `lo` to `hi`.
pub fn covers(ranges: &[[i64; 2]], lo: i64, hi: i64) -> bool {
    ranges.iter().any(|[a, b]| *a <= lo && hi <= *b)
}

/// Writes one acknowledgement per device this database has received batches from; returns the files.
pub fn write_all(store: &Store, dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let conn = store.conn();
    let own = device::get(conn)?;
    let key = super::export::signing_key(conn)?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| StoreError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let created_at = store
        .now()
        .with_timezone(&crate::domain::clock::china())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let mut files = Vec::new();
    for peer in exchange::peers(conn)? {
        let ranges = merged(
            exchange::batches(conn, &peer.device)?
                .iter()
                .map(|b| [b.lo, b.hi])
                .collect(),
        );
        let Some(top) = ranges.last().map(|r| r[1]) else {
            continue;
        };
        let ack = Ack {
            format: FORMAT.into(),
            version: VERSION.into(),
            device: own.id.clone(),
            public_key: PublicKey::of(&key.verifying_key()),
            region: own.region.clone(),
            for_device: peer.device.clone(),
            ranges,
            created_at: created_at.clone(),
        };
        let line1 = serde_json::to_string(&ack).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sig = bundle::sign(&key, &line1);
        let path = dir.join(format!(
            "wangge-ack_{}_for_{}_{}_to-{top}.wga",
            own.region,
            peer.region,
            peer.device.tail()
        ));
        let tmp = store::temp_beside(&path);
        let _ = std::fs::remove_file(&tmp);
        let written = (|| -> std::io::Result<()> {
            let mut f = store::create_private_file(&tmp)?;
            f.write_all(format!("{line1}\n{sig}\n").as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(&path)(e));
        }
        store::sync_dir(&path);
        files.push(path);
    }
    Ok(files)
}

/// Whether the file starts like an acknowledgement (so `import` hands it here).
pub fn is_ack(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut r = std::io::BufReader::new(file);
    matches!(
        bundle::read_line(&mut r, MAX_HEADER, path, 1),
        Ok(Some(line)) if serde_json::from_slice::<serde_json::Value>(&line)
            .is_ok_and(|v| v["format"] == FORMAT)
    )
}

/// What taking an acknowledgement did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub ack: Ack,
    /// It claimed changes this device never sent to that county: only what was sent is believed.
    pub clipped: bool,
    /// The one on file is newer: it stays, and this one changed nothing.
    pub older: bool,
}

/// Accepts an acknowledgement: meant for this device, signed by the key of the registered county card (a dry
/// run checks it and keeps nothing). What it confirms is cut to what this device sent to that county.
pub fn accept(store: &mut Store, path: &Path, dry_run: bool) -> Result<Taken, StoreError> {
    let bad = |zh: String, en: String| StoreError::bad_file(path, None, zh, en);
    let file = store::open_regular(path)?;
    let mut r = std::io::BufReader::new(file);
    let (Some(line1), Some(line2)) = (
        bundle::read_line(&mut r, MAX_HEADER, path, 1)?,
        bundle::read_line(&mut r, MAX_HEADER, path, 2)?,
    ) else {
        return Err(bad(
            "回执不完整（应有两行）".into(),
            "the acknowledgement is incomplete (two lines expected)".into(),
        ));
    };
    if line1.ends_with(b"\r") {
        return Err(super::verify::converted(path));
    }
    let text = String::from_utf8(line1)
        .map_err(|_| bad("回执不是 UTF-8 文本".into(), "not UTF-8 text".into()))?;
    let ack: Ack = bundle::from_json(&text).map_err(|e| {
        bad(
            format!("不是 wangge 回执：{e}"),
            format!("not a wangge acknowledgement: {e}"),
        )
    })?;
    if ack.format != FORMAT || !ack.version.starts_with("1.") {
        return Err(bad(
            "本程序不认识这个回执的版本，请升级 wangge".into(),
            "this program does not read this acknowledgement's version; upgrade wangge".into(),
        ));
    }
    let own = device::get(store.conn())?;
    if ack.for_device != own.id {
        return Err(bad(
            format!("这个回执是给设备 {} 的，不是本设备", ack.for_device),
            format!(
                "this acknowledgement is for device {}, not this one",
                ack.for_device
            ),
        ));
    }
    let card = outbound::recipients(store.conn())?.into_iter().find(|r| {
        r.device.as_ref() == Some(&ack.device) && r.public_key.as_ref() == Some(&ack.public_key)
    });
    let Some(card) = card else {
        return Err(bad(
            "回执不是由已登记的县级名片的设备签发的；请先登记县级名片（wangge recipient add --card 文件）".into(),
            "the acknowledgement is not from the device of the registered county card; register the card first".into(),
        ));
    };
    if !bundle::verify(&ack.public_key, &text, &String::from_utf8_lossy(&line2)) {
        return Err(bad(
            "回执的签名不对（被改动过或由别的密钥签发），没有接受".into(),
            "the acknowledgement's signature does not match (altered, or signed by another key); not accepted".into(),
        ));
    }
    let limit = MAX_COUNT as i64;
    if ack
        .ranges
        .iter()
        .any(|[lo, hi]| *lo < 1 || lo > hi || *hi > limit)
    {
        return Err(bad(
            "回执中的变更范围无效（应为 1 ≤ 起 ≤ 止 ≤ 2^53）".into(),
            "the acknowledgement's ranges are invalid (1 <= first <= last <= 2^53)".into(),
        ));
    }
    let created = chrono::DateTime::parse_from_rfc3339(&ack.created_at).map_err(|_| {
        bad(
            "回执的时间不是 RFC 3339 时间".into(),
            "the acknowledgement's created_at is not an RFC 3339 instant".into(),
        )
    })?;
    let destination = card.region.clone().unwrap_or_else(|| ack.region.clone());
    let claimed = merged(ack.ranges.clone());
    let believed = intersect(&claimed, &sent_to(store.conn(), &destination)?);
    let older = outbound::acks(store.conn())?
        .into_iter()
        .find(|(d, ..)| *d == ack.device)
        .and_then(|(_, _, at, _)| chrono::DateTime::parse_from_rfc3339(&at).ok())
        .is_some_and(|kept| kept >= created);
    let taken = Taken {
        clipped: believed != claimed,
        older,
        ack,
    };
    if dry_run || older {
        return Ok(taken);
    }
    let ranges = serde_json::to_string(&believed).unwrap_or_default();
    let ack = &taken.ack;
    store.write(|tx, ctx| {
        outbound::put_ack(tx, &ack.device, &ranges, &ack.created_at, ctx.now_ms())?;
        audit::append(
            tx,
            ctx,
            "ack",
            &ack.device,
            "ack_import",
            None,
            &serde_json::json!({ "ranges": believed, "claimed": claimed }),
        )
    })?;
    Ok(taken)
}

/// The ranges of this device's changes sent to `destination`, merged.
fn sent_to(
    conn: &rusqlite::Connection,
    destination: &RegionCode,
) -> Result<Vec<[i64; 2]>, StoreError> {
    Ok(merged(
        outbound::sent(conn)?
            .into_iter()
            .filter(|s| s.destination == *destination)
            .map(|s| [s.lo, s.hi])
            .collect(),
    ))
}

/// Every range of this device's changes some county confirmed and this device sent it, merged.
pub fn confirmed(conn: &rusqlite::Connection) -> Result<Vec<[i64; 2]>, StoreError> {
    let cards = outbound::recipients(conn)?;
    let mut all = Vec::new();
    for (device, ranges, _, _) in outbound::acks(conn)? {
        let Some(region) = cards
            .iter()
            .find(|c| c.device.as_ref() == Some(&device))
            .and_then(|c| c.region.clone())
        else {
            continue;
        };
        let r: Vec<[i64; 2]> = serde_json::from_str(&ranges).unwrap_or_default();
        all.extend(intersect(&merged(r), &sent_to(conn, &region)?));
    }
    Ok(merged(all))
}

/// Erases tombstones (deleted records) whose deletion the county confirmed and that are older than
/// `keep_days`; returns how many. A tombstone still referred to by another row stays.
pub fn purge(store: &mut Store, keep_days: i64) -> Result<u64, StoreError> {
    if keep_days < 0 {
        return Err(StoreError::refused(
            "保留天数不能为负数",
            "The number of days to keep cannot be negative",
        ));
    }
    let ranges = confirmed(store.conn())?;
    // Every destination must have been sent the change too (a village below may still be owed it).
    let sent_to_all = exchange::cursors(store.conn())?
        .iter()
        .map(|c| c.1)
        .min()
        .unwrap_or(0);
    let cut = crate::domain::clock::to_ms(store.now())
        .saturating_sub(keep_days.max(0).saturating_mul(86_400_000));
    store.write(|tx, ctx| {
        let mut n = 0u64;
        for family in super::records::ORDER.iter().rev() {
            for (id, last) in tombstones::older_than(tx, *family, cut)? {
                let acked = last.is_some_and(|s| s <= sent_to_all && covers(&ranges, s, s));
                if !acked || tombstones::still_needed(tx, *family, &id)? {
                    continue;
                }
                tombstones::erase(tx, *family, &id)?;
                n += 1;
            }
        }
        if n > 0 {
            audit::append(
                tx,
                ctx,
                "tombstones",
                "",
                "purge",
                None,
                &serde_json::json!({ "purged": n, "keep_days": keep_days }),
            )?;
        }
        Ok(n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_and_cover() {
        let m = merged(vec![[5, 9], [1, 3], [4, 4], [12, 20], [15, 30]]);
        assert_eq!(m, vec![[1, 9], [12, 30]]);
        assert!(covers(&m, 2, 9) && covers(&m, 30, 30));
        assert!(!covers(&m, 9, 12) && !covers(&m, 10, 10));
        assert_eq!(
            intersect(&m, &[[3, 13], [25, 40]]),
            vec![[3, 9], [12, 13], [25, 30]]
        );
        assert_eq!(intersect(&m, &[]), Vec::<[i64; 2]>::new());
    }
}
