//! The screens drawn under the header: lists and a record's detail. Pure functions of `App`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::App;
use crate::domain::Lang;
use crate::domain::text::{clip, pad, pad_left, width};
use crate::store::lists;

use super::view::{Theme, col, due_span};
use super::wrap::wrap;

/// A list's count as the screen shows it: `1000+` past the cap unless it was counted whole.
fn count_text(total: i64, exact: bool) -> String {
    if total > lists::COUNT_CAP && !exact {
        format!("{}+", lists::COUNT_CAP)
    } else {
        total.to_string()
    }
}

pub(super) fn draw_list(f: &mut Frame, app: &App, area: Rect, theme: Theme) {
    let lang = app.lang;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let Some(i) = app.list() else {
        return;
    };
    let list = &app.lists[i];
    let w = area.width as usize;
    let patrols_view = list.filter.family == crate::domain::record::Family::Patrol;
    let mut filters = Vec::new();
    if list.filter.overdue_only {
        filters.push(t("仅逾期", "overdue only").to_owned());
    }
    if list.filter.assigned {
        filters.push(t("交办待办结", "assigned, not answered").to_owned());
    }
    if let Some(s) = &list.filter.status {
        filters.push(label_of(list.filter.family, "", s, lang).1);
    }
    if let Some(d) = list.filter.due_by {
        filters.push(format!("{} {d}", t("期限至", "due by")));
    }
    if let Some(c) = &list.filter.category {
        filters.push(label_of(list.filter.family, c, "", lang).0);
    }
    if let Some(r) = &list.filter.region {
        filters.push(r.to_string());
    }
    if list.filter.from.is_some() || list.filter.to.is_some() {
        let d =
            |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or_else(|| "..".into());
        filters.push(format!("{}~{}", d(list.filter.from), d(list.filter.to)));
    }
    // A due filter lists the most urgent first.
    if list.filter.by_deadline() {
        filters.push(t("·按期限先后", "· by deadline").to_owned());
    }
    let filter = if filters.is_empty() {
        t("全部", "all").to_owned()
    } else {
        filters.join(" ")
    };
    let title = format!(
        " {}  {} {}   {}: {}",
        match (app.tab, patrols_view) {
            (super::app::Tab::Qinling, true) => t("秦岭巡查·巡查记录", "Qinling: patrols"),
            (super::app::Tab::Qinling, false) => t("秦岭巡查·发现", "Qinling: findings"),
            (tab, _) => tab.name(lang, false),
        },
        t("共", "total"),
        count_text(list.total, list.exact),
        t("筛选", "filter"),
        filter
    );
    let mut lines = vec![Line::from(clip(&title, w)), Line::from("")];
    let family = list.filter.family;
    let patrols = family == crate::domain::record::Family::Patrol;
    // Each row's cells as the worker reads them.
    let cells: Vec<(String, String, String)> = list
        .rows
        .iter()
        .map(|r| {
            let (cat, status) = label_of(family, &r.category, &r.status, lang);
            let text = match (family, &r.person) {
                (crate::domain::record::Family::Inspection, inspector) => {
                    let by = inspector.as_deref().unwrap_or("");
                    if r.text.is_empty() {
                        format!("{} {by}", t("检查人", "by"))
                    } else {
                        format!("{} {}  {by}", t("不合格", "failed"), r.text)
                    }
                }
                (crate::domain::record::Family::Patrol, worker) => {
                    let km = if r.text.is_empty() {
                        "-"
                    } else {
                        r.text.as_str()
                    };
                    let n = r.findings.unwrap_or(0).max(0) as u64;
                    let worker = worker.as_deref().unwrap_or("");
                    match lang {
                        Lang::Zh => format!("{km}公里 发现{n}条  {worker}"),
                        Lang::En => format!(
                            "{km} km, {}  {worker}",
                            crate::domain::text::count(n, "finding", "findings")
                        ),
                    }
                }
                (_, Some(p)) => format!("{} {}", crate::domain::mask::name(p), app.told(&r.text)),
                (_, None) => app.told(&r.text).to_owned(),
            };
            (cat, status, text)
        })
        .collect();
    let heads = if patrols {
        (
            t("保护区", "zone"),
            t("状态", "status"),
            t("路线", "route"),
            t("里程、发现", "distance, findings"),
        )
    } else {
        (
            t("类别", "category"),
            t("状态", "status"),
            t("地点/案号", "place/case"),
            t("内容", "what"),
        )
    };
    // Columns sized from what they hold (each with a one-cell gap); when the row is too wide, the widest
    // label column gives way first, so that the text keeps room. A cell cut here is spelled out whole on the
    // footer while its row is selected.
    let natural = |head: &str, cells: &mut dyn Iterator<Item = &String>| {
        cells
            .map(|c| width(c))
            .chain([width(head)])
            .max()
            .unwrap_or(0)
            + 1
    };
    let days = |d: Option<chrono::NaiveDate>| {
        d.map(|d| super::detail::days_text(crate::domain::deadline::days_left(app.today, d), lang))
    };
    // Patrols have no deadline: no due column.
    let due_w = if patrols {
        0
    } else {
        list.rows
            .iter()
            .filter_map(|r| days(r.due))
            .map(|d| width(&d))
            .chain([width(t("期限", "due"))])
            .max()
            .unwrap_or(0)
    };
    let mut widths = [
        natural(heads.0, &mut cells.iter().map(|c| &c.0)),
        natural(heads.1, &mut cells.iter().map(|c| &c.1)),
        natural(heads.2, &mut list.rows.iter().map(|r| &r.place))
            .min(18 + w.saturating_sub(80) / 3),
    ];
    const TEXT_MIN: usize = 14;
    let used = |ws: &[usize; 3]| 2 + 11 + ws.iter().sum::<usize>() + due_w;
    // The labels give way before the place or case number, which names the record.
    while used(&widths) + TEXT_MIN > w {
        let k = if widths[0].max(widths[1]) > 9 {
            usize::from(widths[1] > widths[0])
        } else if widths[2] > 11 {
            2
        } else {
            break;
        };
        widths[k] -= 1;
    }
    let [cat_w, status_w, place_w] = widths;
    let text_w = w.saturating_sub(used(&widths)).max(6);
    let head = format!(
        "  {}{}{}{}{}{}",
        col(t("日期", "date"), 11),
        col(heads.0, cat_w),
        col(heads.1, status_w),
        col(heads.2, place_w),
        col(heads.3, text_w),
        if patrols { "" } else { t("期限", "due") }
    );
    lines.push(Line::styled(
        clip(&head, w),
        Style::default().add_modifier(Modifier::BOLD),
    ));
    for (k, (r, (cat, status, text))) in list.rows.iter().zip(&cells).enumerate() {
        let cursor = if k == list.selected { ">" } else { " " };
        let row = format!(
            "{cursor} {}{}{}{}{}",
            col(&r.date, 11),
            col(cat, cat_w),
            col(status, status_w),
            col(&r.place, place_w),
            col(text, text_w)
        );
        let style = if k == list.selected {
            theme.selected()
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(row, style),
            due_span(r.due, app.today, lang, theme, due_w),
        ]));
    }
    if list.rows.is_empty() {
        lines.push(Line::from(format!(
            "  {}",
            t(
                "没有符合条件的记录（f 切换筛选）",
                "Nothing matches (f changes the filter)"
            )
        )));
    }
    f.render_widget(Paragraph::new(lines), area);
    // The selected row's labels that its columns cut, whole.
    let cut: Vec<&str> = match (list.rows.get(list.selected), cells.get(list.selected)) {
        (Some(r), Some((cat, status, _))) => [
            (cat.as_str(), cat_w),
            (status.as_str(), status_w),
            (r.place.as_str(), place_w),
        ]
        .into_iter()
        .filter(|(s, cw)| width(s) >= *cw)
        .map(|(s, _)| s)
        .collect(),
        _ => Vec::new(),
    };
    let footer = if list.rows.is_empty() {
        String::new()
    } else {
        match lang {
            Lang::Zh => format!(
                "第 {}-{} 条 / 共 {} 条 ",
                list.offset + 1,
                list.offset + list.rows.len() as i64,
                count_text(list.total, list.exact)
            ),
            Lang::En => format!(
                "{}-{} of {} ",
                list.offset + 1,
                list.offset + list.rows.len() as i64,
                count_text(list.total, list.exact)
            ),
        }
    };
    if area.height > 0 {
        let whole = format!(" > {}", cut.join("  "));
        let room = w.saturating_sub(width(&footer) + 1);
        let line = if cut.is_empty() {
            pad_left(&footer, w)
        } else if width(&whole) <= room {
            format!("{}{}", pad(&whole, w - width(&footer)), footer)
        } else {
            // The whole labels before the count: the count is on the title line too.
            pad(&whole, w)
        };
        f.render_widget(
            Paragraph::new(line),
            Rect::new(area.x, area.y + area.height - 1, area.width, 1),
        );
    }
}

/// The (category, status) labels of a list row, from the domain's codes.
pub(super) fn label_of(
    family: crate::domain::record::Family,
    category: &str,
    status: &str,
    lang: Lang,
) -> (String, String) {
    use crate::domain::category::Category;
    use crate::domain::record::Family as F;
    let cat = match family {
        F::Finding => crate::domain::patrol::FindingCode::from_code(category)
            .map(|c| c.label(lang).to_owned()),
        F::Petition => crate::domain::petition::PetitionCategory::from_code(category)
            .map(|c| c.label(lang).to_owned()),
        F::Patrol => {
            crate::domain::patrol::Zone::from_code(category).map(|z| z.label(lang).to_owned())
        }
        _ => Category::from_code(category).map(|c| c.short(lang).to_owned()),
    }
    .unwrap_or_else(|| category.to_owned());
    let st =
        match family {
            F::Hazard => crate::domain::hazard::HazardStatus::from_code(status)
                .map(|s| s.label(lang).to_owned()),
            F::Finding => crate::domain::patrol::FindingStatus::from_code(status)
                .map(|s| s.label(lang).to_owned()),
            F::Petition => crate::domain::petition::PetitionStatus::from_code(status)
                .map(|s| s.label(lang).to_owned()),
            F::Patrol => crate::domain::patrol::PatrolStatus::from_code(status)
                .map(|s| s.label(lang).to_owned()),
            F::Inspection => Some(match status {
                "fail" => lang.pick("有不合格", "failed items").to_owned(),
                "pass" => lang.pick("合格", "passed").to_owned(),
                v => crate::domain::inspection::Verdict::from_code(v)
                    .map(|v| v.label(lang).to_owned())
                    .unwrap_or_default(),
            }),
            _ => None,
        }
        .unwrap_or_else(|| status.to_owned());
    (cat, st)
}

pub(super) fn draw_detail(
    f: &mut Frame,
    app: &App,
    d: &super::detail::Detail,
    area: Rect,
    theme: Theme,
) {
    let lang = app.lang;
    let w = area.width as usize;
    let mut lines = vec![Line::styled(
        clip(
            &format!(
                " {}  {} {}",
                d.family().label(lang),
                lang.pick("编号", "id"),
                d.id()
            ),
            w,
        ),
        Style::default().add_modifier(Modifier::BOLD),
    )];
    let fields: Vec<(String, String)> = d
        .related
        .iter()
        .cloned()
        .chain(d.fields(lang, app.today, &app.holiday_years))
        .collect();
    // The label column as wide as the longest label (a third of the screen at most, so values keep room).
    let label_w = fields
        .iter()
        .map(|(l, _)| width(l))
        .max()
        .unwrap_or(0)
        .clamp(12, (w / 3).max(12));
    // The related line selected with Tab (Enter opens its record).
    let chosen = d.link.and_then(|i| d.links.get(i)).map(|l| l.0);
    let mut link_rows = vec![0u16; d.links.len()];
    for (row, (label, value)) in fields.into_iter().enumerate() {
        for (k, l) in d.links.iter().enumerate() {
            if l.0 == row {
                link_rows[k] = lines.len() as u16;
            }
        }
        let value = app.told(&value).to_owned();
        let style = if chosen == Some(row) {
            theme.selected()
        } else if value.contains("逾期") || value.contains("overdue") {
            theme.fg(Color::Red)
        } else {
            Style::default()
        };
        // A long value (a petition's content) wraps under itself, all of it (the view scrolls).
        let room = w.saturating_sub(label_w + 3).max(10);
        for (k, part) in wrap(&value, room, 40).into_iter().enumerate() {
            let label = if k == 0 { label.as_str() } else { "" };
            lines.push(Line::styled(
                clip(&format!(" {} {}", pad(label, label_w), part), w),
                style,
            ));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        format!(" {}", lang.pick("时间线", "Timeline")),
        Style::default().add_modifier(Modifier::BOLD),
    ));
    let region = |code: &crate::domain::ids::RegionCode| {
        app.here
            .children
            .iter()
            .chain(&app.here.offices)
            .find(|(c, _)| c.as_str() == code.as_str())
            .map(|(_, label)| label.clone())
    };
    // Step names and actors as wide as the longest of this timeline (a third of the line between them at most).
    let action_w = d
        .timeline
        .iter()
        .map(|e| width(&action_label(d.family(), &e.action, lang)))
        .max()
        .unwrap_or(0)
        .clamp(4, (w / 4).max(4));
    let actor_w = d
        .timeline
        .iter()
        .map(|e| width(&e.actor))
        .max()
        .unwrap_or(0)
        .clamp(4, (w / 6).max(4));
    for e in &d.timeline {
        let action = action_label(d.family(), &e.action, lang);
        let head = format!(
            "   {}  {} {}  ",
            e.on_date,
            pad(&action, action_w),
            pad(&e.actor, actor_w),
        );
        // A long note wraps under itself, so all of it is read.
        let note = crate::domain::timeline::note_text(
            e.note.as_deref().unwrap_or(""),
            lang,
            d.family(),
            region,
        );
        let room = w.saturating_sub(width(&head)).max(10);
        for (k, part) in wrap(&note, room, 4).into_iter().enumerate() {
            let lead = if k == 0 {
                head.clone()
            } else {
                " ".repeat(width(&head))
            };
            lines.push(Line::from(clip(&format!("{lead}{part}"), w)));
        }
    }
    // Past one screen, the last row says where the view stands and that j/k scroll it.
    let rows = area.height as usize;
    *d.drawn.borrow_mut() = (link_rows, area.height.saturating_sub(1));
    if lines.len() > rows && rows > 2 {
        let max = (lines.len() - (rows - 1)) as u16;
        d.scroll_max.set(max);
        let top = d.scroll.min(max);
        let shown = Rect::new(area.x, area.y, area.width, area.height - 1);
        f.render_widget(Paragraph::new(lines.clone()).scroll((top, 0)), shown);
        let first = top as usize + 1;
        let last = (top as usize + rows - 1).min(lines.len());
        let more = lines.len() - last;
        let at = match (lang, more) {
            (Lang::Zh, 0) => format!(" -- 第 {first}-{last} 行，共 {} 行（k 向上）", lines.len()),
            (Lang::Zh, _) => format!(" -- 第 {first}-{last} 行，下面还有 {more} 行（j 向下）"),
            (Lang::En, 0) => format!(" -- lines {first}-{last} of {} (k up)", lines.len()),
            (Lang::En, _) => format!(
                " -- lines {first}-{last}; {} below (j down)",
                crate::domain::text::count(more as u64, "line", "lines")
            ),
        };
        f.render_widget(
            Paragraph::new(Line::styled(
                clip(&at, w),
                Style::default().add_modifier(Modifier::DIM),
            )),
            Rect::new(area.x, area.y + area.height - 1, area.width, 1),
        );
    } else {
        d.scroll_max.set(0);
        f.render_widget(Paragraph::new(lines), area);
    }
}

/// The label of a timeline action code.
pub(super) fn action_label(
    family: crate::domain::record::Family,
    code: &str,
    lang: Lang,
) -> String {
    use crate::domain::record::Family as F;
    // In English a timeline tells what was done (the steps' own labels ask for it: "assign", "refer").
    if lang == Lang::En {
        let done = match (family, code) {
            (F::Hazard, "assign") => Some("assigned"),
            (F::Hazard, "rectify") => Some("rectifying"),
            (F::Hazard, "request_review") => Some("re-inspection asked"),
            (F::Hazard, "pass_review") => Some("re-inspection passed"),
            (F::Hazard, "fail_review") => Some("re-inspection failed"),
            (F::Finding, "refer") => Some("referred"),
            (F::Finding, "handle") => Some("handled"),
            (F::Finding, "verify") => Some("verified"),
            (F::Petition, "forward") => Some("forwarded"),
            (F::Petition, "accept") => Some("accepted"),
            (F::Petition, "not_accept") => Some("refused"),
            (F::Petition, "return") => Some("returned"),
            (F::Petition, "handle") => Some("handling"),
            (F::Petition, "reply") => Some("replied"),
            (F::Petition, "evaluate") => Some("evaluated"),
            (F::Petition, "finalize") => Some("finalized"),
            (_, "extend") => Some("extended"),
            (_, "close") if family != F::Patrol => Some("closed"),
            _ => None,
        };
        if let Some(done) = done {
            return done.to_owned();
        }
    }
    let known = match family {
        F::Hazard => {
            crate::domain::hazard::HazardActionKind::from_code(code).map(|k| k.label(lang))
        }
        F::Finding => {
            crate::domain::patrol::FindingActionKind::from_code(code).map(|k| k.label(lang))
        }
        F::Petition => {
            crate::domain::petition::PetitionActionKind::from_code(code).map(|k| k.label(lang))
        }
        _ => None,
    };
    known.map(str::to_owned).unwrap_or_else(|| match code {
        "create" => lang.pick("登记", "created").to_owned(),
        "update" => lang.pick("修改", "edited").to_owned(),
        "start" => lang.pick("开始巡查", "started").to_owned(),
        "close" => lang.pick("结束巡查", "finished").to_owned(),
        "register" => lang.pick("登记", "registered").to_owned(),
        "report" => lang.pick("上报", "reported").to_owned(),
        "delete" => lang.pick("删除", "deleted").to_owned(),
        "assign_down" => lang.pick("上级交办", "assigned down").to_owned(),
        "assign_done" => lang.pick("交办已办结", "assignment answered").to_owned(),
        "purge_personal" => lang
            .pick(
                "个人信息保存期满，已清除",
                "personal data erased (retention)",
            )
            .to_owned(),
        other => other.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::{Lang, action_label};

    #[test]
    fn an_english_timeline_tells_what_was_done() {
        use crate::domain::record::Family;
        assert_eq!(action_label(Family::Hazard, "assign", Lang::En), "assigned");
        assert_eq!(action_label(Family::Finding, "refer", Lang::En), "referred");
        assert_eq!(action_label(Family::Hazard, "assign", Lang::Zh), "交责任人");
        assert_eq!(action_label(Family::Patrol, "close", Lang::En), "finished");
    }
}
