//! The overview tab drawn: today's due lines with their counts, the month's totals, the eight-week trend, the
//! open cases by village, and the chosen line's first records. A pure function of `App`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::bar;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};

use super::app::{App, Tab};
use super::detail::days_text;
use super::screens::label_of;
use super::view::{Theme, col, due_span};
use super::wrap::wrap;
use crate::domain::Lang;
use crate::domain::text::{clip, pad, pad_left, width};
use crate::store::dashboard;

pub(super) fn draw_dashboard(f: &mut Frame, app: &App, area: Rect, theme: Theme) {
    let d = &app.dash.totals;
    let lang = app.lang;
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let mut lines = vec![
        Line::from(format!(" {}  {}", t("今日待办", "To do today"), app.today)),
        Line::from(""),
    ];
    let oldest = d
        .oldest_overdue
        .as_ref()
        .map(|(n, s)| {
            format!(
                "{} {} {}",
                t("最久:", "oldest:"),
                days_text(-n, lang),
                clip(app.told(s), 24)
            )
        })
        .unwrap_or_default();
    let items = [
        (
            "!!",
            t("逾期隐患", "overdue hazards"),
            d.hazards_overdue,
            oldest,
        ),
        (
            "!!",
            t("信访 已超期", "petitions overdue"),
            d.petitions_overdue,
            String::new(),
        ),
        (
            "! ",
            t("信访 期限 3 天内", "petitions due in 3 days"),
            d.petitions_due_3,
            String::new(),
        ),
        (
            "! ",
            t("信访 期限 7 天内", "petitions due in 7 days"),
            d.petitions_due_7,
            String::new(),
        ),
        (
            "  ",
            t("复查 7 天内到期", "re-inspections due in 7 days"),
            d.hazards_due_7,
            String::new(),
        ),
        (
            "  ",
            t("巡查发现 待移交", "findings not yet referred"),
            d.findings_unreferred,
            String::new(),
        ),
        (
            "! ",
            t("交办隐患 待办结", "assigned hazards, not answered"),
            d.hazards_assigned,
            String::new(),
        ),
        (
            "! ",
            t("交办信访 待办结", "assigned petitions, not answered"),
            d.petitions_assigned,
            String::new(),
        ),
    ];
    // The label column as wide as the longest label in use.
    let label_w = items
        .iter()
        .map(|x| width(x.1))
        .max()
        .unwrap_or(0)
        .min((area.width as usize).saturating_sub(20));
    for (i, (mark, label, n, extra)) in items.iter().enumerate() {
        let mark = if *n > 0 { *mark } else { "  " };
        let cursor = if i == app.dash.selected { ">" } else { " " };
        let text = format!(
            "{cursor}{mark} {}{} {}  {}",
            pad(label, label_w),
            pad_left(&n.to_string(), 6),
            t("件", ""),
            extra
        );
        let style = if i == app.dash.selected && app.dash.focus.is_none() {
            theme.selected()
        } else if i == app.dash.selected {
            Style::default().add_modifier(Modifier::BOLD)
        } else if *n > 0 && mark.starts_with("!!") {
            theme.fg(Color::Red)
        } else {
            Style::default()
        };
        lines.push(Line::styled(clip(&text, area.width as usize), style));
    }
    let w = area.width as usize;
    lines.push(Line::from(""));
    // The totals come a moment after the first frame (they count every open case): until then, dots.
    let tot = d.totals.as_ref();
    let n = |f: fn(&dashboard::Totals) -> i64| {
        tot.map_or_else(|| "..".to_owned(), |x| f(x).to_string())
    };
    // On two lines when one is too narrow (English), never cutting a figure off.
    let here = format!(
        " {}  {} {}  {} {} ({} {})  {} {} {} km  {} {}",
        t("本辖区", "Here"),
        t("检查 本月", "inspections this month"),
        n(|x| x.inspections_month),
        t("隐患 在办", "hazards open"),
        n(|x| x.hazards_open),
        t("重大", "major"),
        n(|x| x.hazards_major_open),
        t("巡查", "patrols"),
        n(|x| x.patrols_month),
        tot.map_or_else(|| "..".to_owned(), |x| format!("{:.1}", x.patrol_km_month)),
        t("信访 在办", "petitions open"),
        n(|x| x.petitions_open)
    );
    for part in wrap(&here, w.saturating_sub(1), 2) {
        lines.push(Line::from(format!(" {}", part.trim_start())));
    }
    // The trend: a label, eight cells of sparkline, then the figures.
    let weekly = tot.map(|x| x.weekly_hazards.as_slice()).unwrap_or_default();
    let trend: Vec<String> = weekly.iter().map(|n| n.to_string()).collect();
    let label = format!(" {} ", t("近 8 周新增隐患", "new hazards, 8 weeks"));
    let spark_at = (area.x + width(&label) as u16, area.y + lines.len() as u16);
    lines.push(Line::from(clip(
        &format!("{label}{}  {}", " ".repeat(8), trend.join(" ")),
        w,
    )));
    // Counts by village or community, busiest first, on one line.
    let by_village = tot.map(|x| x.by_village.as_slice()).unwrap_or_default();
    if !by_village.is_empty() {
        // As many villages as fit, each named whole (the busiest first).
        let head = format!(
            " {} ",
            t("各村 隐患/信访在办", "by village, hazards/petitions open")
        );
        let mut line = head.clone();
        for (name, h, p) in by_village {
            let part = format!(" {name} {h}/{p}");
            if width(&line) + width(&part) > w {
                break;
            }
            line.push_str(&part);
        }
        lines.push(Line::from(line));
    } else if app
        .here
        .grids
        .iter()
        .all(|(code, _)| code.as_str() == app.device.region.as_str())
    {
        // A new device knows no village yet: say where they are added.
        lines.push(Line::from(clip(
            t(
                " 还没有村和网格：按 R 添加（记录先记在本辖区）",
                " No villages or grids yet: R adds them (records go to this region meanwhile)",
            ),
            w,
        )));
    }
    lines.push(Line::from(""));
    // The chosen line's records.
    let (tab, label, n) = (
        super::app::dashboard_targets(app.today)
            .get(app.dash.selected)
            .map(|x| x.0)
            .unwrap_or(Tab::Hazards),
        items.get(app.dash.selected).map(|x| x.1).unwrap_or(""),
        // The line's own figure: the same test as the records listed under it.
        items.get(app.dash.selected).map(|x| x.2).unwrap_or(0),
    );
    let hint = if app.dash.focus.is_some() {
        t("Enter 打开  Esc 返回", "Enter open  Esc back")
    } else {
        t("Enter 进入", "Enter to step in")
    };
    lines.push(Line::from(clip(
        &format!(" {label} {n} {}    [{hint}]", t("件", "")),
        w,
    )));
    let family = tab.list(false).map(|i| super::app::LIST_FAMILIES[i]);
    let room = (area.height as usize).saturating_sub(lines.len() + 1);
    for (k, r) in app.dash.rows.iter().take(room).enumerate() {
        let selected = app.dash.focus == Some(k);
        let cat = family
            .map(|fam| label_of(fam, &r.category, &r.status, lang).0)
            .unwrap_or_default();
        let text = match &r.person {
            Some(p) => format!("{} {}", crate::domain::mask::name(p), app.told(&r.text)),
            None => app.told(&r.text).to_owned(),
        };
        let text_w = w.saturating_sub(2 + 11 + 9 + 16 + 12).max(4);
        let row = format!(
            "{} {}{}{}{}",
            if selected { ">" } else { " " },
            col(&r.date, 11),
            col(&cat, 9),
            col(&r.place, 16),
            col(&text, text_w)
        );
        let style = if selected {
            theme.selected()
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(row, style),
            due_span(r.due, app.today, lang, theme, 12),
        ]));
    }
    if !app.dash.rows.is_empty() {
        let selected = app.dash.focus == Some(app.dash.rows.len());
        let more = format!(
            "{} {}",
            if selected { ">" } else { " " },
            match lang {
                Lang::Zh => format!("查看全部 {n} 件（列表）"),
                Lang::En => format!("all {n} (the list)"),
            }
        );
        lines.push(Line::styled(
            more,
            if selected {
                theme.selected()
            } else {
                Style::default()
            },
        ));
    }
    f.render_widget(Paragraph::new(lines), area);
    if spark_at.1 < area.y + area.height && spark_at.0 + 8 <= area.x + area.width {
        const ASCII_BARS: bar::Set = bar::Set {
            full: "#",
            seven_eighths: "#",
            three_quarters: "=",
            five_eighths: "=",
            half: "-",
            three_eighths: "-",
            one_quarter: ".",
            one_eighth: ".",
            empty: " ",
        };
        let spark = Sparkline::default()
            .data(weekly.iter().copied())
            .bar_set(ASCII_BARS)
            .style(theme.fg(Color::Cyan));
        f.render_widget(spark, Rect::new(spark_at.0, spark_at.1, 8, 1));
    }
}
