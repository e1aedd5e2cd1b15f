//! What an export or an import did, in words (zh/en): one text for the command line and the 同步 tab.

use std::collections::BTreeMap;
use std::path::Path;

use super::export::Outcome;
use super::import::Summary;
use super::review::Released;
use crate::domain::record::Family;
use crate::domain::text::sanitize;
use crate::domain::{Lang, Localized};
use crate::store::StoreError;

fn counts_text(counts: &BTreeMap<String, u64>, lang: Lang) -> String {
    counts
        .iter()
        .map(|(k, n)| {
            let name = Family::from_code(k)
                .map(|f| f.label(lang).to_owned())
                .unwrap_or_else(|| lang.pick("区划", "regions").to_owned());
            format!("{name} {n}")
        })
        .collect::<Vec<_>>()
        .join(lang.pick("，", ", "))
}

/// The lines an export prints: the file, what it holds, and the warning about unencrypted personal data.
pub fn exported(outcome: &Outcome, lang: Lang) -> Vec<String> {
    match outcome {
        Outcome::Nothing { to, last } => vec![match lang {
            Lang::Zh => format!("没有新的变更要发给 {to}（已发到第 {last} 条），没有写文件"),
            Lang::En => format!("Nothing new for {to} (sent up to change {last}); no file written"),
        }],
        Outcome::Written { path, header } => vec![
            path.display().to_string(),
            match lang {
                Lang::Zh => format!(
                    "已导出第 {}-{} 条变更（批次 {}）给 {}：{}",
                    header.seq[0],
                    header.seq[1],
                    header.batch,
                    header.to,
                    counts_text(&header.counts, lang)
                ),
                Lang::En => format!(
                    "Exported changes {}-{} (batch {}) for {}: {}",
                    header.seq[0],
                    header.seq[1],
                    header.batch,
                    header.to,
                    counts_text(&header.counts, lang)
                ),
            },
            if header.payload.encoding == super::seal::PLAIN
                && header.region.level() == crate::domain::region::Level::County
            {
                // A county sends down in clear: townships hold no decryption key (yet).
                lang.pick(
                    "注意：这个交换包里的个人信息没有加密（乡镇没有解密密钥），请妥善保管 U 盘",
                    "Note: this bundle holds personal data unencrypted (townships hold no decryption key); keep the stick safe",
                )
                .to_owned()
            } else if header.payload.encoding == super::seal::PLAIN {
                lang.pick(
                    "注意：这个交换包里的个人信息（信访人姓名、证件号、电话）没有加密，请妥善保管 U 盘；登记县级名片后会自动加密（wangge recipient add --card 文件）",
                    "Note: this bundle holds personal data (petitioners' names, ID numbers, phones) unencrypted; keep the stick safe. Register the county card to encrypt (wangge recipient add --card FILE)",
                )
                .to_owned()
            } else {
                lang.pick(
                    "内容已加密给县级密钥：丢失的 U 盘上只看得到头部",
                    "The payload is encrypted to the county's key: a lost stick shows only the header",
                )
                .to_owned()
            },
        ],
    }
}

/// What one file given to `import` did.
pub fn taken(t: &super::import::Taken, lang: Lang) -> String {
    match t {
        super::import::Taken::Bundle(s) => imported(s, lang),
        super::import::Taken::Ack(t) => {
            let a = &t.ack;
            if t.older {
                return match lang {
                    Lang::Zh => format!("县里的回执（{}）比已有的旧，没有改动", a.created_at),
                    Lang::En => format!(
                        "The county's acknowledgement ({}) is older than the one on file; nothing changed",
                        a.created_at
                    ),
                };
            }
            let ranges: Vec<String> = super::ack::merged(a.ranges.clone())
                .iter()
                .map(|[lo, hi]| format!("{lo}-{hi}"))
                .collect();
            let mut out = match lang {
                Lang::Zh => format!(
                    "县里的回执（{}）：已确认收到本设备第 {} 条变更",
                    a.created_at,
                    ranges.join("、")
                ),
                Lang::En => format!(
                    "The county's acknowledgement ({}): it holds this device's changes {}",
                    a.created_at,
                    ranges.join(", ")
                ),
            };
            if t.clipped {
                out.push_str(lang.pick(
                    "\n  注意：回执里有本设备从未发给县里的变更序号，只采信发出过的部分",
                    "\n  Note: it names changes this device never sent to the county; only what was sent is believed",
                ));
            }
            out
        }
    }
}

/// A refused file, with the reason.
pub fn refused(file: &Path, e: &StoreError, lang: Lang) -> String {
    format!(
        "{} {}: {}",
        lang.pick("拒收", "refused"),
        file.display(),
        sanitize(&e.message(lang))
    )
}

/// What one imported file did.
pub fn imported(s: &Summary, lang: Lang) -> String {
    let device = s.device.as_deref().unwrap_or("-");
    let region = s.region.as_deref().unwrap_or("-");
    if s.already {
        return match lang {
            Lang::Zh => format!("{}：这个交换包已经导入过，没有任何改动", s.file),
            Lang::En => format!("{}: already imported; nothing changed", s.file),
        };
    }
    if let Some((zh, en)) = &s.held {
        return match lang {
            Lang::Zh => format!(
                "{}：暂存，未合并：设备 {device} {zh}。请与对方核对公钥（对方运行 wangge key show），核实后 wangge trust confirm {device} 合并，或 wangge trust revoke {device} 丢弃",
                s.file
            ),
            Lang::En => format!(
                "{}: held, not merged: device {device} {en}. Compare its key with the sender (wangge key show there); then wangge trust confirm {device} merges it, or wangge trust revoke {device} drops it",
                s.file
            ),
        };
    }
    let mut out = match lang {
        Lang::Zh => format!(
            "{}{}：设备 {}（{}）第 {}-{} 条变更 - 新增 {}，更新 {}，未变 {}，冲突 {}，隔离 {}",
            if s.dry_run {
                "［试导入，未写入］"
            } else {
                ""
            },
            s.file,
            device,
            region,
            s.seq[0],
            s.seq[1],
            s.new,
            s.updated,
            s.unchanged,
            s.conflicts,
            s.quarantined
        ),
        Lang::En => format!(
            "{}{}: device {} ({}) changes {}-{} - new {}, updated {}, unchanged {}, conflicts {}, quarantined {}",
            if s.dry_run {
                "[dry run, nothing written] "
            } else {
                ""
            },
            s.file,
            device,
            region,
            s.seq[0],
            s.seq[1],
            s.new,
            s.updated,
            s.unchanged,
            s.conflicts,
            s.quarantined
        ),
    };
    if s.regions_renamed > 0 {
        out.push_str(&match lang {
            Lang::Zh => format!("，区划改名 {}", s.regions_renamed),
            Lang::En => format!(", regions renamed {}", s.regions_renamed),
        });
    }
    if s.regions_added > 0 {
        out.push_str(&match lang {
            Lang::Zh => format!("，新增区划 {}", s.regions_added),
            Lang::En => format!(", regions added {}", s.regions_added),
        });
    }
    if s.first_seen {
        out.push_str(&match lang {
            Lang::Zh => format!(
                "\n  首次见到这台设备，公钥已记下（未确认）；与对方 wangge key show 核对后确认：wangge trust confirm {device}"
            ),
            Lang::En => format!(
                "\n  First bundle from this device: its key is pinned, unconfirmed; compare it with wangge key show there, then: wangge trust confirm {device}"
            ),
        });
    }
    if s.released > 0 {
        out.push_str(&match lang {
            Lang::Zh => format!("\n  隔离区中 {} 条记录所缺的内容已到，已放行", s.released),
            Lang::En => format!(
                "\n  {} what they waited for and were taken",
                crate::domain::text::count(s.released, "held record had", "held records had")
            ),
        });
    }
    if s.forks > 0 {
        out.push_str(&match lang {
            Lang::Zh => format!("\n  警告：{} 个变更序号与以前收到的内容不同（分叉：备份恢复或复制的硬盘？）", s.forks),
            Lang::En => format!("\n  Warning: {} change numbers carried other content before (a fork: restored backup or cloned disk?)", s.forks),
        });
    }
    out
}

/// What a recheck of the quarantine did.
pub fn rechecked(r: &Released, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "隔离区重查：放行 {}，已有同版或更新版本而移除 {}，仍在隔离 {}",
            r.admitted, r.superseded, r.held
        ),
        Lang::En => format!(
            "Quarantine checked: {} taken, {} superseded and removed, {} still held",
            r.admitted, r.superseded, r.held
        ),
    }
}

/// How a compaction after a large write went (None: none was due): the sizes, or why the file was left as it
/// was (what was written is safe either way).
pub fn compacted(done: &Result<Option<(u64, u64)>, StoreError>, lang: Lang) -> Option<String> {
    let mb = |b: &u64| *b as f64 / 1e6;
    Some(match done {
        Ok(None) => return None,
        Ok(Some((before, after))) => format!(
            "{}{:.1} MB → {:.1} MB",
            lang.pick("已整理：", "Compacted: "),
            mb(before),
            mb(after)
        ),
        Err(StoreError::Busy) => lang
            .pick(
                "另一个程序正在使用此数据库，文件留待下次整理（数据已写入，不受影响）",
                "Another program is using this database: the file is left to be compacted next time (what was written is safe)",
            )
            .to_owned(),
        Err(e) => format!(
            "{}{}",
            lang.pick(
                "未能整理数据库文件（数据已写入，不受影响；腾出空间后可运行 wangge compact）：",
                "The database file was not compacted (what was written is safe; free some space and run wangge compact): "
            ),
            sanitize(&e.message(lang))
        ),
    })
}
