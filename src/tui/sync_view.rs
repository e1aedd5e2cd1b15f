//! Drawing the 同步 tab (this device, the devices heard from with their gaps and forks, held records, open
//! conflicts, the log of the last exports and imports, the progress bar of one under way) and an opened
//! conflict. Only reads the app's state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph};

use super::app::App;
use super::sync::Item;
use super::view::Theme;
use crate::domain::Lang;
use crate::domain::text::{clip, count, sanitize};
use crate::store::exchange::PeerStatus;
use crate::sync::review::{self, ConflictView};

fn when(ms: i64) -> String {
    crate::domain::clock::china_time(ms, "%m-%d %H:%M")
}

/// The last 12 characters of an id: its random part (a UUIDv7 starts with the time, which devices set up on
/// the same day share), as bundle file names show it.
fn short(id: &str) -> &str {
    id.get(id.len().saturating_sub(12)..).unwrap_or(id)
}

pub(super) fn draw_sync(f: &mut Frame, app: &App, area: Rect, theme: Theme) {
    let lang = app.lang;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let w = area.width as usize;
    let Some(st) = &app.sync.status else {
        return;
    };
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::from(clip(
        &format!(
            " {} {}  {} {}  {} {}",
            t("本设备", "this device"),
            short(&st.device),
            app.here.name,
            st.region,
            t("变更", "changes"),
            st.journal_seq
        ),
        w,
    )));
    let sent: Vec<String> = st
        .cursors
        .iter()
        .map(|(to, last, n, at)| match lang {
            Lang::Zh => format!("发往 {to} 到第 {last} 条（{n} 批，{}）", when(*at)),
            Lang::En => format!(
                "to {to}: up to {last} ({}, {})",
                count(*n as u64, "batch", "batches"),
                when(*at)
            ),
        })
        .collect();
    lines.push(Line::from(clip(
        &format!(
            "   {}",
            if sent.is_empty() {
                t("还没有导出过", "nothing exported yet").to_owned()
            } else {
                sent.join("  ")
            }
        ),
        w,
    )));
    // Encryption, and what the county confirmed.
    let (text, color) = match (&st.county_key, st.recipients.first()) {
        (Some(k), _) => (
            format!("   {} {}", t("县级加密公钥", "county recipient"), k),
            None,
        ),
        (None, Some(r)) => (
            format!("   {} {}", t("交换包加密给", "bundles encrypted to"), r),
            None,
        ),
        (None, None) => (
            format!(
                "   {}",
                t(
                    "注意：交换包内容未加密（含个人信息）；按 a 登记县级名片",
                    "Bundles go out unencrypted (personal data); a registers the county card"
                )
            ),
            Some(Color::Yellow),
        ),
    };
    lines.push(Line::styled(
        clip(&text, w),
        color.map_or_else(Default::default, |c| theme.fg(c)),
    ));
    if st.confirmed_batches + st.unconfirmed.len() > 0 {
        let late = st.unconfirmed.iter().filter(|u| u.overdue).count();
        let text = match lang {
            Lang::Zh => format!(
                "   县里已确认 {} 批，未确认 {} 批{}",
                st.confirmed_batches,
                st.unconfirmed.len(),
                if late > 0 {
                    format!("（{late} 批超过 14 天）")
                } else {
                    String::new()
                }
            ),
            Lang::En => format!(
                "   the county confirmed {}, {} unconfirmed{}",
                count(st.confirmed_batches as u64, "batch", "batches"),
                st.unconfirmed.len(),
                if late > 0 {
                    format!(" ({late} over 14 days)")
                } else {
                    String::new()
                }
            ),
        };
        let style = if late > 0 {
            theme.fg(Color::Yellow)
        } else {
            Default::default()
        };
        lines.push(Line::styled(clip(&text, w), style));
    }
    // The choosable lines.
    let items = app.sync.items();
    let mut rows: Vec<(String, Option<Color>)> = Vec::new();
    for item in &items {
        rows.push(match *item {
            Item::Device(i) => {
                let d = &st.devices[i];
                let mark = match d.status {
                    PeerStatus::Confirmed => t("已确认", "confirmed"),
                    PeerStatus::Revoked => t("已撤销", "revoked"),
                    PeerStatus::Held => t("暂存待确认", "held"),
                    PeerStatus::Unconfirmed => t("未确认", "unconfirmed"),
                };
                let mut s = format!(
                    "{} {} {} [{mark}] {} {}",
                    t("设备", "device"),
                    short(&d.device),
                    d.region_name
                        .clone()
                        .unwrap_or_else(|| d.region.to_string()),
                    t("到第", "up to"),
                    d.last_seq,
                );
                for [a, b] in &d.gaps {
                    s.push_str(&match lang {
                        Lang::Zh => format!(" 缺{a}-{b}"),
                        Lang::En => format!(" missing {a}-{b}"),
                    });
                }
                if !d.forks.is_empty() {
                    s.push_str(t(" 有分叉", " fork"));
                }
                let warn = !d.gaps.is_empty()
                    || !d.forks.is_empty()
                    || matches!(d.status, PeerStatus::Unconfirmed | PeerStatus::Held);
                (s, warn.then_some(Color::Yellow))
            }
            Item::Held(i) => {
                let b = &st.held[i];
                (
                    format!(
                        "{} {} {}-{}: {} ({})",
                        t("暂存未合并", "held, not merged"),
                        short(&b.device),
                        b.lo,
                        b.hi,
                        review::reason(&b.reason, lang),
                        t(
                            "核实后按 c 确认并合并",
                            "check it, then c confirms and merges"
                        )
                    ),
                    Some(Color::Yellow),
                )
            }
            Item::Quarantined(i) => {
                let q = &st.quarantine[i];
                (
                    format!(
                        "{} #{} {} {}",
                        t("隔离", "held"),
                        q.id,
                        review::family_label(&q.family, lang),
                        review::reason(&q.reason, lang)
                    ),
                    Some(Color::Red),
                )
            }
            Item::Conflict(i) => {
                let c = &st.conflicts[i];
                (
                    format!(
                        "{} #{} {} {}",
                        t("冲突", "conflict"),
                        c.id,
                        review::family_label(&c.family, lang),
                        short(&c.record_id)
                    ),
                    Some(Color::Magenta),
                )
            }
        });
    }
    // The log takes a third of the tab: an import's summary and what it asks of the worker both fit.
    let log_rows = (area.height as usize / 3).clamp(5, 8);
    let job_rows = usize::from(app.sync.job.is_some());
    let list_room = (area.height as usize).saturating_sub(lines.len() + 2 + log_rows + job_rows);
    lines.push(Line::from(format!(
        " {}",
        t("设备、隔离、冲突", "devices, held records, conflicts")
    )));
    if rows.is_empty() {
        lines.push(Line::from(format!(
            "   {}",
            t(
                "还没有收到交换包；按 i 导入，按 e 导出",
                "No bundles received yet; i imports, e exports"
            )
        )));
    }
    let first = app
        .sync
        .selected
        .saturating_sub(list_room.saturating_sub(1));
    for (n, (text, color)) in rows.iter().enumerate().skip(first).take(list_room) {
        let line = clip(&format!("   {text}"), w);
        let style = if n == app.sync.selected {
            theme.selected()
        } else {
            color.map_or_else(Default::default, |c| theme.fg(c))
        };
        lines.push(Line::styled(line, style));
    }
    f.render_widget(Paragraph::new(lines), area);
    // The log and the progress bar at the bottom of the tab.
    let bottom = area.y + area.height;
    let log_top = bottom.saturating_sub((log_rows + job_rows) as u16);
    // The newest messages, wrapped, as many lines of them as fit.
    let mut log: Vec<Line> = Vec::new();
    for l in app.sync.log.iter().rev() {
        let mut wrapped = super::wrap::wrap(&sanitize(l), w.saturating_sub(2), log_rows);
        if log.len() + wrapped.len() > log_rows {
            break;
        }
        wrapped.reverse();
        log.extend(wrapped.into_iter().map(|s| Line::from(format!(" {s}"))));
    }
    log.reverse();
    f.render_widget(
        Paragraph::new(log),
        Rect::new(area.x, log_top, area.width, log_rows as u16),
    );
    if let Some(job) = &app.sync.job {
        let ratio = if job.total > 0 {
            (job.done as f64 / job.total as f64).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let gauge = Gauge::default()
            .gauge_style(theme.fg(Color::Green))
            .ratio(ratio)
            .label(format!("{} {:.0}%", job.title, ratio * 100.0))
            .use_unicode(false);
        f.render_widget(gauge, Rect::new(area.x, bottom - 1, area.width, 1));
    }
}

/// An opened conflict: when each side changed, and the fields in which they differ.
pub(super) fn draw_conflict(f: &mut Frame, app: &App, v: &ConflictView, area: Rect) {
    let lang = app.lang;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let w = area.width as usize;
    let c = &v.conflict;
    let mut lines = vec![
        Line::from(clip(
            &format!(
                " {} #{} {} {}",
                t("冲突", "conflict"),
                c.id,
                v.family.label(lang),
                c.record_id
            ),
            w,
        )),
        Line::from(clip(
            &format!(
                "   {} {} {}    {} {} {}",
                t("现在这版", "current"),
                when(v.current_changed.0),
                short(&v.current_changed.1),
                t("另一版", "other"),
                when(v.other_changed.0),
                short(&v.other_changed.1)
            ),
            w,
        )),
        Line::from(""),
    ];
    if v.differences.is_empty() {
        lines.push(Line::from(format!(
            "   {}",
            t("两版内容相同", "Both hold the same content")
        )));
    }
    for (field, current, other) in &v.differences {
        lines.push(Line::from(clip(&format!(" {field}"), w)));
        lines.push(Line::from(clip(
            &format!("   a {}: {}", t("现在", "current"), sanitize(current)),
            w,
        )));
        lines.push(Line::from(clip(
            &format!("   b {}: {}", t("另一", "other"), sanitize(other)),
            w,
        )));
    }
    f.render_widget(Paragraph::new(lines), area);
}
