//! The exchange's commands: export, import, key show, trust, sync status — each a thin layer over `crate::sync`
//! that says what happened in the user's language.

use std::path::{Path, PathBuf};

use super::out::print;
use super::{ListFormat, TrustCmd};
use crate::domain::Lang;
use crate::domain::ids::{RecordId, RegionCode};
use crate::error::AppError;
use crate::store::Store;
use crate::store::exchange::PeerStatus;
use crate::sync::{export, import, review, status, trust, words};

type Result<T> = std::result::Result<T, AppError>;

pub fn export(
    store: &mut Store,
    out: &Path,
    to: Option<&RegionCode>,
    full: bool,
    lang: Lang,
) -> Result<i32> {
    let req = export::Request {
        out_dir: out.to_path_buf(),
        to: to.cloned(),
        full,
    };
    let outcome = export::export(store, &req)?;
    print(&words::exported(&outcome, lang).join("\n"))?;
    Ok(0)
}

/// Imports each file on its own; exit code 1 when any was refused.
pub fn import(store: &mut Store, files: &[PathBuf], dry_run: bool, lang: Lang) -> Result<i32> {
    let mut code = 0;
    for f in files {
        match import::take(store, f, dry_run, &crate::sync::quiet) {
            Ok(t) => print(&crate::domain::text::sanitize_lines(&words::taken(
                &t, lang,
            )))?,
            Err(e) => {
                code = 1;
                eprintln!(
                    "{}",
                    crate::domain::text::sanitize(&words::refused(f, &e, lang))
                );
            }
        }
    }
    if !dry_run {
        super::commands::compact_if_due(store, lang);
    }
    Ok(code)
}

pub fn assign(
    store: &mut Store,
    family: crate::domain::record::Family,
    id: &RecordId,
    to: &RegionCode,
    deadline: chrono::NaiveDate,
    note: &str,
    lang: Lang,
) -> Result<i32> {
    let order = crate::store::assignments::Order {
        target_family: family,
        target_id: id.clone(),
        assignee: to.clone(),
        deadline,
        note: note.to_owned(),
    };
    let a = store.write(|tx, ctx| crate::store::assignments::create(tx, ctx, &order))?;
    print(&match lang {
        Lang::Zh => format!(
            "已交办给 {}，期限 {}（编号 {}）；用 wangge export --out 文件夹 --to {} 生成发给对方的交换包",
            a.meta.region_code, a.deadline, a.meta.id, a.meta.region_code
        ),
        Lang::En => format!(
            "Assigned to {}, due {} (id {}); wangge export --out FOLDER --to {} writes the bundle for them",
            a.meta.region_code, a.deadline, a.meta.id, a.meta.region_code
        ),
    })?;
    Ok(0)
}

pub fn key_show(store: &Store, lang: Lang) -> Result<i32> {
    let dev = crate::store::device::get(store.conn())?;
    let key = export::signing_key(store.conn())?;
    print(&format!(
        "{} {}\n{} {}\n{} {}",
        lang.pick("设备编号 device:", "device:"),
        dev.id,
        lang.pick("辖区 region:", "region:"),
        dev.region,
        lang.pick("签名公钥 public key:", "public key:"),
        hex::encode(key.verifying_key().to_bytes())
    ))?;
    if let Some(id) = crate::sync::seal::identity(store.conn())? {
        print(&format!(
            "{} {}",
            lang.pick("加密公钥 recipient:", "recipient:"),
            id.to_public()
        ))?;
    }
    Ok(0)
}

pub fn trust(store: &mut Store, action: &TrustCmd, lang: Lang) -> Result<i32> {
    match action {
        TrustCmd::Add {
            device,
            key,
            region,
        } => {
            let (p, merged) = trust::add(store, device, key, region)?;
            print(&match lang {
                Lang::Zh => format!("已登记设备 {}（{}），已确认", p.device, p.region),
                Lang::En => format!("Registered device {} ({}), confirmed", p.device, p.region),
            })?;
            return held_merged(&merged, lang);
        }
        TrustCmd::List { format } => {
            let peers = crate::store::exchange::peers(store.conn())?;
            match format {
                ListFormat::Json => {
                    print(&serde_json::to_string_pretty(&peers).unwrap_or_default())?
                }
                ListFormat::Table => {
                    if peers.is_empty() {
                        print(lang.pick("还没有任何设备", "No devices yet"))?;
                    }
                    for p in peers {
                        print(&format!(
                            "{}  {}  {}  {}",
                            p.device,
                            p.region,
                            status_label(p.status, lang),
                            p.public_key
                        ))?;
                    }
                }
            }
        }
        TrustCmd::Confirm { device } => {
            let Some(merged) = trust::confirm(store, device)? else {
                return Err(unknown(device));
            };
            print(&format!(
                "{device}: {}",
                status_label(PeerStatus::Confirmed, lang)
            ))?;
            return held_merged(&merged, lang);
        }
        TrustCmd::Revoke { device } => {
            let Some(dropped) = trust::revoke(store, device)? else {
                return Err(unknown(device));
            };
            print(&match lang {
                Lang::Zh => format!(
                    "{device}: 已撤销；丢弃隔离记录 {} 条、暂存交换包 {} 个",
                    dropped.records, dropped.bundles
                ),
                Lang::En => format!(
                    "{device}: revoked; dropped {} and {}",
                    crate::domain::text::count(dropped.records, "held record", "held records"),
                    crate::domain::text::count(dropped.bundles, "held bundle", "held bundles")
                ),
            })?;
        }
    }
    Ok(0)
}

fn unknown(device: &crate::domain::ids::DeviceId) -> AppError {
    AppError::input(
        format!("不认识设备 {device}（wangge trust list 列出已知设备）"),
        format!("Unknown device {device} (wangge trust list shows the known ones)"),
    )
}

/// What merging the bundles a device had on hold did; exit 1 when one was refused (it stays held).
fn held_merged(merged: &[trust::Merged], lang: Lang) -> Result<i32> {
    let mut code = 0;
    for m in merged {
        match &m.result {
            Ok(s) => print(&crate::domain::text::sanitize_lines(&words::imported(
                s, lang,
            )))?,
            Err(e) => {
                code = 1;
                eprintln!(
                    "{}",
                    crate::domain::text::sanitize(&words::refused(Path::new(&m.file), e, lang))
                );
            }
        }
    }
    Ok(code)
}

fn status_label(s: PeerStatus, lang: Lang) -> &'static str {
    match s {
        PeerStatus::Confirmed => lang.pick("已确认", "confirmed"),
        PeerStatus::Revoked => lang.pick("已撤销", "revoked"),
        PeerStatus::Held => lang.pick("待确认，交换包暂存未合并", "held: bundles wait unmerged"),
        PeerStatus::Unconfirmed => lang.pick("未确认", "unconfirmed"),
    }
}

pub fn status(store: &Store, format: ListFormat, lang: Lang) -> Result<i32> {
    let st = status::status(store)?;
    if let ListFormat::Json = format {
        print(&serde_json::to_string_pretty(&st).unwrap_or_default())?;
        return Ok(0);
    }
    let mut lines = vec![match lang {
        Lang::Zh => format!(
            "本设备 {}  辖区 {}  变更序号 {}",
            st.device, st.region, st.journal_seq
        ),
        Lang::En => format!(
            "This device {}  region {}  journal at {}",
            st.device, st.region, st.journal_seq
        ),
    }];
    for (to, last, n, _) in &st.cursors {
        lines.push(match lang {
            Lang::Zh => format!("  已发给 {to}：到第 {last} 条，共 {n} 批"),
            Lang::En => format!(
                "  sent to {to}: up to {last}, {}",
                crate::domain::text::count(*n as u64, "batch", "batches")
            ),
        });
    }
    if st.devices.is_empty() {
        lines.push(
            lang.pick("还没有收到任何设备的交换包", "No bundles received yet")
                .to_owned(),
        );
    }
    for d in &st.devices {
        lines.push(format!(
            "{} {} {}  [{}]  {} {}",
            lang.pick("设备", "device"),
            d.device,
            d.region_name
                .clone()
                .unwrap_or_else(|| d.region.to_string()),
            status_label(d.status, lang),
            lang.pick("已收到第", "received up to"),
            d.last_seq
        ));
        for [a, b] in &d.gaps {
            lines.push(match lang {
                Lang::Zh => format!(
                    "  缺少 {} 的第 {a}-{b} 条变更（请对方用 --full 重发）",
                    d.device
                ),
                Lang::En => format!(
                    "  missing changes {a}-{b} of {} (ask for a --full export)",
                    d.device
                ),
            });
        }
        if !d.forks.is_empty() {
            lines.push(match lang {
                Lang::Zh => format!(
                    "  分叉：第 {:?} 条变更收到过两种内容（备份恢复或复制的硬盘？）",
                    d.forks
                ),
                Lang::En => format!(
                    "  fork: changes {:?} arrived with two different contents",
                    d.forks
                ),
            });
        }
    }
    for b in &st.held {
        lines.push(match lang {
            Lang::Zh => format!(
                "  暂存未合并：{} 第 {}-{} 条变更（{}）：{}；核实后 wangge trust confirm {} 合并，或 trust revoke 丢弃",
                b.device,
                b.lo,
                b.hi,
                b.file,
                review::reason(&b.reason, lang),
                b.device
            ),
            Lang::En => format!(
                "  held, not merged: {} changes {}-{} ({}): {}; check it, then wangge trust confirm {} merges it, or trust revoke drops it",
                b.device,
                b.lo,
                b.hi,
                b.file,
                review::reason(&b.reason, lang),
                b.device
            ),
        });
    }
    if st.confirmed_batches + st.unconfirmed.len() > 0 {
        let ranges: Vec<String> = st
            .confirmed
            .iter()
            .map(|[a, b]| format!("{a}-{b}"))
            .collect();
        lines.push(match lang {
            Lang::Zh => format!(
                "县里已确认收到 {} 批（第 {} 条变更），未确认 {} 批",
                st.confirmed_batches,
                if ranges.is_empty() {
                    "-".into()
                } else {
                    ranges.join("、")
                },
                st.unconfirmed.len()
            ),
            Lang::En => format!(
                "The county confirmed {} (changes {}); {} unconfirmed",
                crate::domain::text::count(st.confirmed_batches as u64, "batch", "batches"),
                if ranges.is_empty() {
                    "-".into()
                } else {
                    ranges.join(", ")
                },
                st.unconfirmed.len()
            ),
        });
        for u in &st.unconfirmed {
            let flag = if u.overdue {
                lang.pick(
                    "  ！超过 14 天未确认，请确认县里是否收到",
                    "  ! unconfirmed for over 14 days: check the county received it",
                )
            } else {
                ""
            };
            lines.push(match lang {
                Lang::Zh => format!(
                    "  未确认：批次 {} 第 {}-{} 条，发往 {}，{} 天前{flag}",
                    u.batch, u.seq[0], u.seq[1], u.destination, u.days
                ),
                Lang::En => format!(
                    "  unconfirmed: batch {} changes {}-{} to {}, {} ago{flag}",
                    u.batch,
                    u.seq[0],
                    u.seq[1],
                    u.destination,
                    crate::domain::text::count(u.days as u64, "day", "days")
                ),
            });
        }
    }
    lines.push(match (&st.county_key, st.recipients.is_empty(), lang) {
        (Some(k), _, Lang::Zh) => format!("县级加密公钥 {k}（乡镇的交换包加密给它）"),
        (Some(k), _, Lang::En) => format!("County recipient {k} (townships encrypt their bundles to it)"),
        (None, false, Lang::Zh) => format!("交换包加密给 {}", st.recipients.join("、")),
        (None, false, Lang::En) => format!("Bundles are encrypted to {}", st.recipients.join(", ")),
        (None, true, Lang::Zh) => {
            "注意：交换包内容未加密（含个人信息）；请登记县级名片：wangge recipient add --card 文件".into()
        }
        (None, true, Lang::En) => {
            "Bundles go out unencrypted (personal data); register the county card: wangge recipient add --card FILE".into()
        }
    });
    // Long lists show their first lines and a count; `--format json` has them all.
    const SHOWN: usize = 10;
    if st.quarantine.len() > SHOWN {
        lines.push(match lang {
            Lang::Zh => format!("共 {} 条记录在隔离中", st.quarantine.len()),
            Lang::En => format!(
                "{} in quarantine",
                crate::domain::text::count(st.quarantine.len() as u64, "record", "records")
            ),
        });
    }
    for q in st.quarantine.iter().take(SHOWN) {
        lines.push(format!(
            "{} #{} {} {}: {}",
            lang.pick("隔离", "quarantined"),
            q.id,
            review::family_label(&q.family, lang),
            q.record_id,
            crate::domain::text::sanitize(review::reason(&q.reason, lang))
        ));
    }
    for c in st.conflicts.iter().take(SHOWN) {
        lines.push(format!(
            "{} #{} {} {}",
            lang.pick("冲突待处理", "open conflict"),
            c.id,
            review::family_label(&c.family, lang),
            c.record_id
        ));
    }
    if !st.conflicts.is_empty() || !st.quarantine.is_empty() {
        lines.push(
            lang.pick(
                "处理：wangge sync conflict N 查看、sync resolve N --keep current|other --note 理由；sync retry 重查隔离、sync discard N --note 理由",
                "Review: wangge sync conflict N, sync resolve N --keep current|other --note WHY; sync retry, sync discard N --note WHY",
            )
            .to_owned(),
        );
    }
    if st.conflicts.len() > SHOWN {
        lines.push(match lang {
            Lang::Zh => format!(
                "..共 {} 个冲突待处理（--format json 列出全部）",
                st.conflicts.len()
            ),
            Lang::En => format!(
                ".. {} in all (--format json lists them)",
                crate::domain::text::count(
                    st.conflicts.len() as u64,
                    "open conflict",
                    "open conflicts"
                )
            ),
        });
    }
    print(&lines.join("\n"))?;
    Ok(0)
}
