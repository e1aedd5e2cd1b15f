//! `wangge sync conflict|resolve|retry|discard`: reviewing what imports held back.

use super::commands::Result;
use super::out::print;
use super::{KeepArg, SyncCmd};
use crate::domain::Lang;
use crate::domain::clock::china_time;
use crate::domain::text::sanitize;
use crate::store::Store;
use crate::sync::review::{self, Keep};
use crate::sync::words;

pub fn run(store: &mut Store, action: &SyncCmd, lang: Lang) -> Result<i32> {
    match action {
        SyncCmd::Status { .. } => Ok(0),
        SyncCmd::Conflict { id } => show(store, *id, lang),
        SyncCmd::Resolve { id, keep, note } => {
            let keep = match keep {
                KeepArg::Current => Keep::Current,
                KeepArg::Other => Keep::Other,
            };
            review::resolve(store, *id, keep, note)?;
            print(match (keep, lang) {
                (Keep::Current, Lang::Zh) => "已处理：保留现在这版，理由已记入审计日志",
                (Keep::Current, Lang::En) => {
                    "Resolved: the current version stays; the reason is in the audit log"
                }
                (Keep::Other, Lang::Zh) => {
                    "已处理：改用另一版（作为本设备的新版本，下次导出时发出），理由已记入审计日志"
                }
                (Keep::Other, Lang::En) => {
                    "Resolved: the other version is now current (a new version of this device, sent with the next export); the reason is in the audit log"
                }
            })?;
            Ok(0)
        }
        SyncCmd::Retry => {
            let r = review::retry(store)?;
            print(&words::rechecked(&r, lang))?;
            Ok(0)
        }
        SyncCmd::Purge { keep_days } => {
            let n = crate::sync::ack::purge(store, *keep_days)?;
            print(&match lang {
                Lang::Zh => {
                    format!("已清除 {n} 条删除记录（县里已确认收到，且删除已超过 {keep_days} 天）")
                }
                Lang::En => format!(
                    "{} erased (confirmed by the county, deleted more than {keep_days} days ago)",
                    crate::domain::text::count(n, "tombstone", "tombstones")
                ),
            })?;
            Ok(0)
        }
        SyncCmd::Discard { id, note } => {
            review::discard(store, *id, note)?;
            print(lang.pick(
                "已丢弃这条隔离记录，理由已记入审计日志；请发送方改正后重新导出",
                "Discarded; the reason is in the audit log. Ask the sender to correct it and export again",
            ))?;
            Ok(0)
        }
    }
}

fn show(store: &Store, id: i64, lang: Lang) -> Result<i32> {
    let v = review::view(store.conn(), id, lang)?;
    let c = &v.conflict;
    let mut lines = vec![match lang {
        Lang::Zh => format!(
            "冲突 #{} {} {}（{}）",
            c.id,
            v.family.label(lang),
            c.record_id,
            if c.resolved_at.is_some() {
                "已处理"
            } else {
                "待处理"
            }
        ),
        Lang::En => format!(
            "Conflict #{} {} {} ({})",
            c.id,
            v.family.label(lang),
            c.record_id,
            if c.resolved_at.is_some() {
                "resolved"
            } else {
                "open"
            }
        ),
    }];
    lines.push(format!(
        "{}: {} {}   {}: {} {}",
        lang.pick("现在这版", "current"),
        china_time(v.current_changed.0, "%Y-%m-%d %H:%M"),
        v.current_changed.1,
        lang.pick("另一版", "other"),
        china_time(v.other_changed.0, "%Y-%m-%d %H:%M"),
        v.other_changed.1
    ));
    if v.differences.is_empty() {
        lines.push(
            lang.pick(
                "两版内容相同（只有版本信息不同）",
                "The two versions hold the same content",
            )
            .to_owned(),
        );
    }
    for (field, current, other) in &v.differences {
        lines.push(format!("  {field}"));
        lines.push(format!(
            "    {}: {}",
            lang.pick("现在", "current"),
            sanitize(current)
        ));
        lines.push(format!(
            "    {}: {}",
            lang.pick("另一", "other  "),
            sanitize(other)
        ));
    }
    if let Some(r) = &c.resolution {
        let r: serde_json::Value = serde_json::from_str(r).unwrap_or_default();
        let field = |k: &str| r[k].as_str().unwrap_or("").to_owned();
        let kept = match field("kept").as_str() {
            "other" => lang.pick("改用了另一版", "the other version was taken"),
            _ => lang.pick("保留了现在这版", "the current version was kept"),
        };
        lines.push(format!(
            "{}: {kept}（{}）{}",
            lang.pick("处理结果", "resolution"),
            sanitize(&field("by")),
            sanitize(&field("note"))
        ));
    } else {
        lines.push(format!(
            "{} wangge sync resolve {} --keep current|other --note ...",
            lang.pick("处理：", "Resolve with:"),
            c.id
        ));
    }
    print(&lines.join("\n"))?;
    Ok(0)
}
