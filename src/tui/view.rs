//! Drawing: a pure function of `App`. Header with tabs, the current screen, the hint bar from the keymap.
//! Every string from the database passes `text::sanitize` (through `pad`/`clip`) before it reaches the screen;
//! lines are ASCII so they align in every terminal, and colour is never the only signal.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::app::{App, Screen, Tab};
use super::detail::days_text;
use super::keymap;
use crate::domain::Lang;
use crate::domain::deadline::days_left;
use crate::domain::text::{clip, pad, sanitize, width};

/// Colours, or none at all when `NO_COLOR` is set.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
    pub(super) fn fg(self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }
    pub(super) fn selected(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
}

pub fn draw(f: &mut Frame, app: &App, theme: Theme) {
    let area = f.area();
    let w = area.width as usize;
    let lang = app.lang;
    // Header: tabs on the left, where and who on the right.
    let who = format!("{} {} ", app.here.name, app.device.worker);
    // Every tab named when the names fit beside where and who, in short English names if need be; else only
    // the current one (help names them all).
    let tabs_with = |names: u8| {
        let mut tabs = String::from(" wangge ");
        for tab in Tab::ALL {
            let name = tab.name(lang, names > 0);
            let n = tab.number();
            match (tab == app.tab, names) {
                (true, _) => tabs.push_str(&format!(" [{n}{name}]")),
                (false, 0 | 1) => tabs.push_str(&format!(" {n}{name}")),
                (false, _) => tabs.push_str(&format!(" {n}")),
            }
        }
        tabs
    };
    // Tab names matter more than where: a long region name gives way to the worker's name alone first.
    let worker = format!("{} ", app.device.worker);
    let (tabs, who) = [(0, &who), (1, &who), (0, &worker), (1, &worker), (2, &who)]
        .into_iter()
        .map(|(names, who)| (tabs_with(names), who.clone()))
        .find(|(t, who)| width(t) + width(who) < w)
        .unwrap_or_else(|| (tabs_with(2), worker.clone()));
    let header = if width(&tabs) + width(&who) < w {
        format!("{tabs}{}{who}", " ".repeat(w - width(&tabs) - width(&who)))
    } else {
        tabs
    };
    f.render_widget(
        Paragraph::new(clip(&header, w)),
        Rect::new(0, 0, area.width, 1),
    );
    f.render_widget(
        Paragraph::new("-".repeat(w)),
        Rect::new(0, 1, area.width, 1),
    );
    let body = Rect::new(0, 2, area.width, area.height.saturating_sub(4));
    let overlay = |s: &&Screen| {
        matches!(
            s,
            Screen::Help
                | Screen::ConfirmDiscard
                | Screen::ConfirmQuit
                | Screen::Action(..)
                | Screen::Worker(_)
                | Screen::Form(..)
        )
    };
    match app.stack.iter().rev().find(|s| !overlay(s)) {
        Some(Screen::Detail(d)) => super::screens::draw_detail(f, app, d, body, theme),
        Some(Screen::Conflict(v)) => super::sync_view::draw_conflict(f, app, v, body),
        Some(Screen::Regions(r)) => r.draw(f, body, lang, theme),
        Some(Screen::Checklist(c)) => super::entry::draw_checklist(f, app, c, body, theme),
        Some(Screen::PatrolRun(run)) => run.draw(f, body, lang),
        Some(Screen::Search(s)) => s.draw(f, body, lang, theme, &|t| app.told(t).to_owned()),
        _ => match app.tab {
            Tab::Home => super::dash_view::draw_dashboard(f, app, body, theme),
            Tab::Sync => super::sync_view::draw_sync(f, app, body, theme),
            _ => super::screens::draw_list(f, app, body, theme),
        },
    }
    // Overlays.
    match app.stack.last() {
        Some(Screen::Action(_, p) | Screen::Worker(p) | Screen::Form(_, p)) => {
            super::prompt_view::draw_prompt(f, p, body, lang)
        }
        Some(Screen::Help) => draw_help(f, app, body),
        Some(Screen::ConfirmQuit) => confirm(
            f,
            body,
            lang,
            lang.pick(
                " 表单有未保存的修改，仍要退出吗？",
                " The form has unsaved changes. Quit anyway?",
            ),
            lang.pick(
                " y 退出   其他键 继续编辑",
                " y quit   any other key: keep editing",
            ),
        ),
        Some(Screen::ConfirmDiscard) if app.waits_on_screen() => confirm(
            f,
            body,
            lang,
            lang.pick(
                " 保存正在等待导入完成。放弃这次填写吗？",
                " The save waits for the import. Throw this entry away?",
            ),
            lang.pick(
                " y 放弃   其他键 先去查看别的，空出后自动保存",
                " y discard   any other key: read meanwhile; it saves by itself",
            ),
        ),
        Some(Screen::ConfirmDiscard) => confirm(
            f,
            body,
            lang,
            lang.pick(
                " 表单已修改，放弃修改吗？",
                " The form has changes. Discard them?",
            ),
            lang.pick(
                " y 放弃   其他键 继续编辑",
                " y discard   any other key: keep editing",
            ),
        ),
        _ => {}
    }
    let bottom = area.height.saturating_sub(2);
    f.render_widget(
        Paragraph::new("-".repeat(w)),
        Rect::new(0, bottom, area.width, 1),
    );
    // Under the help overlay, the keys of the screen it covers.
    let under_help = matches!(app.stack.last(), Some(Screen::Help));
    let context = app.context_under(usize::from(under_help));
    let top = app.stack.iter().rev().nth(usize::from(under_help));
    // The keys of the screen; on a record, the lifecycle steps possible now come first.
    let mut h = match top {
        // `i` only where something is masked; Tab and Enter only where related records open.
        Some(Screen::Detail(d)) => keymap::hints_where(context, lang, |a| match a {
            keymap::Action::Reveal => d.has_personal(),
            keymap::Action::NextField | keymap::Action::Open => !d.links.is_empty(),
            _ => true,
        }),
        // A question names its own keys in its box.
        Some(Screen::ConfirmDiscard | Screen::ConfirmQuit) => Vec::new(),
        // A hazard's grade and deadline only on a failed item.
        Some(Screen::Checklist(c)) if !c.editing_note() => {
            let failed = c.results.get(c.selected).copied().flatten()
                == Some(crate::domain::inspection::ItemResult::Fail);
            keymap::hints_where(context, lang, |a| {
                failed || !matches!(a, keymap::Action::Grade | keymap::Action::Deadline(_))
            })
        }
        // `v` only where there are two lists to switch between.
        None if app.tab != Tab::Qinling => {
            keymap::hints_where(context, lang, |a| a != keymap::Action::SwitchList)
        }
        _ => keymap::hints(context, lang),
    };
    if let Some(Screen::Detail(d)) = top {
        let acts: Vec<String> = d
            .offers()
            .iter()
            .map(|o| format!("{} {}", o.key(), o.label(lang)))
            .collect();
        if !acts.is_empty() {
            // The steps first, then the screen's other keys as far as they fit.
            h = [format!("{} {}", lang.pick("可办:", "do:"), acts[0])]
                .into_iter()
                .chain(acts[1..].iter().cloned())
                .chain(h)
                .collect();
        }
    }
    // A message from the last step goes first, then the keys that fit beside it.
    let message = app.status.as_deref().or(app.parked_line());
    let (said, keys) = fit_bottom(message.map(sanitize).as_deref(), &h, w.saturating_sub(1));
    let hint = match said {
        Some(s) => Line::from(vec![
            Span::styled(format!(" {s}"), theme.fg(Color::Yellow)),
            Span::raw(if keys.is_empty() {
                String::new()
            } else {
                format!("   {keys}")
            }),
        ]),
        None => Line::from(format!(" {keys}")),
    };
    f.render_widget(
        Paragraph::new(hint),
        Rect::new(0, bottom + 1, area.width, 1),
    );
}

/// The bottom line within `room` cells: the message first (cut, at a word's end, only when it alone is too
/// long), then as many of the key hints as fit after it, in order, with "? help" (the last item, where every key
/// is listed) kept whenever there is room for it; a hint never cut.
pub(super) fn fit_bottom(
    message: Option<&str>,
    hints: &[String],
    room: usize,
) -> (Option<String>, String) {
    let said = message.map(|m| cut_at_word(m, room));
    let mut left = room.saturating_sub(said.as_ref().map_or(0, |m| width(m) + 3));
    let all = hints.join("  ");
    if width(&all) <= left {
        return (said, all);
    }
    let help = hints.iter().find(|h| h.starts_with("? "));
    let reserve = help.map_or(0, |h| width(h) + 2);
    let mut kept: Vec<&String> = Vec::new();
    for h in hints.iter().filter(|h| Some(*h) != help) {
        let need = width(h) + if kept.is_empty() { 0 } else { 2 };
        if need + reserve <= left {
            left -= need;
            kept.push(h);
        }
    }
    if let Some(help) = help
        && width(help) + if kept.is_empty() { 0 } else { 2 } <= left
    {
        kept.push(help);
    }
    let keys = kept
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("  ");
    (said, keys)
}

/// `s` within `room` cells: whole when it fits, else cut after its last whole word (or, in text without spaces,
/// its last character) that leaves room for "..".
pub(super) fn cut_at_word(s: &str, room: usize) -> String {
    if width(s) <= room {
        return s.to_owned();
    }
    let mut cut = String::new();
    for c in s.chars() {
        if width(&cut) + width(&c.to_string()) + 2 > room {
            break;
        }
        cut.push(c);
    }
    let spaced = s.chars().take(cut.chars().count() + 1).last() != Some(' ');
    if spaced
        && let Some(at) = cut.rfind(' ')
        && !cut[at..].chars().any(|c| width(&c.to_string()) > 1)
    {
        cut.truncate(at);
    }
    format!("{}..", cut.trim_end())
}

/// A column: `s` cut and padded to `w - 1` cells, then a one-cell gap.
pub(super) fn col(s: &str, w: usize) -> String {
    format!("{} ", pad(s, w.saturating_sub(1)))
}

/// A popup's frame, in ASCII so it aligns in every terminal.
pub(super) fn frame(title: &str) -> Block<'static> {
    const ASCII: border::Set = border::Set {
        top_left: "+",
        top_right: "+",
        bottom_left: "+",
        bottom_right: "+",
        vertical_left: "|",
        vertical_right: "|",
        horizontal_top: "-",
        horizontal_bottom: "-",
    };
    Block::bordered()
        .border_set(ASCII)
        .title(format!(" {} ", sanitize(title)))
}

/// A popup's area: full width, so no wide character underneath is split at its edge; `w` is ignored.
pub(super) fn centered(area: Rect, _w: u16, h: u16) -> Rect {
    let w = area.width;
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub(super) fn due_span(
    due: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
    lang: Lang,
    theme: Theme,
    w: usize,
) -> Span<'static> {
    match due {
        None => Span::raw(pad("", w)),
        Some(d) => {
            let left = days_left(today, d);
            let text = days_text(left, lang);
            let style = if left < 0 {
                theme.fg(Color::Red).add_modifier(Modifier::BOLD)
            } else if left <= 3 {
                theme.fg(Color::Yellow)
            } else {
                Style::default()
            };
            Span::styled(pad(&text, w), style)
        }
    }
}

/// A yes/no question over the screen.
fn confirm(f: &mut Frame, body: Rect, lang: Lang, question: &str, keys: &str) {
    let r = centered(body, body.width, 4);
    f.render_widget(Clear, r);
    let text = vec![Line::from(question.to_owned()), Line::from(keys.to_owned())];
    f.render_widget(
        Paragraph::new(text).block(frame(lang.pick("确认", "Confirm"))),
        r,
    );
}

fn draw_help(f: &mut Frame, app: &App, area: Rect) {
    let lang = app.lang;
    let context = app.context_under(1);
    let mut rows: Vec<(String, String)> = Vec::new();
    for b in keymap::for_context(context) {
        rows.push((b.keys.to_owned(), lang.pick(b.zh, b.en).to_owned()));
    }
    if let Some(Screen::Detail(d)) = app.stack.iter().rev().nth(1) {
        for o in d.offers() {
            rows.push((o.key().to_string(), o.label(lang).to_owned()));
        }
    }
    let globals = keymap::for_context(context).any(|b| b.context == keymap::Context::Global);
    draw_keys(f, area, lang, &rows, globals);
}

/// A popup of keys and what they do (`rows`), with the tabs named on a line of their own when `tabs`.
pub(super) fn draw_keys(
    f: &mut Frame,
    area: Rect,
    lang: Lang,
    rows: &[(String, String)],
    show_tabs: bool,
) {
    // One column of keys and what they do; two side by side when one would not fit the screen's height.
    let inner_w = area.width.saturating_sub(2) as usize;
    let inner_h = area.height.saturating_sub(4) as usize;
    let lines_of = |cols: usize| -> Vec<String> {
        let col_w = inner_w / cols;
        let longest = rows.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
        let key_w = if cols == 1 {
            (longest + 2).clamp(16, 22)
        } else {
            (longest + 2).min(16)
        };
        let does_w = col_w.saturating_sub(key_w + 3).max(8);
        // Each key's lines stay together in one column.
        let entries: Vec<Vec<String>> = rows
            .iter()
            .map(|(keys, does)| {
                super::wrap::wrap(does, does_w, 3)
                    .into_iter()
                    .enumerate()
                    .map(|(k, part)| {
                        let keys = if k == 0 { keys.as_str() } else { "" };
                        pad(&format!("  {}{part}", pad(keys, key_w)), col_w)
                    })
                    .collect()
            })
            .collect();
        let total: usize = entries.iter().map(Vec::len).sum();
        let per = total.div_ceil(cols);
        let mut columns: Vec<Vec<String>> = vec![Vec::new(); cols];
        let mut c = 0;
        for entry in entries {
            if c + 1 < cols && !columns[c].is_empty() && columns[c].len() + entry.len() > per {
                c += 1;
            }
            columns[c].extend(entry);
        }
        let height = columns.iter().map(Vec::len).max().unwrap_or(0);
        (0..height)
            .map(|r| {
                columns
                    .iter()
                    .map(|col| col.get(r).cloned().unwrap_or_else(|| " ".repeat(col_w)))
                    .collect::<String>()
            })
            .collect()
    };
    let mut body = lines_of(1);
    if body.len() > inner_h {
        body = lines_of(2);
    }
    // The tabs by name on a line of their own (the header may have room for numbers only), where the keys
    // reach them.
    let names: Vec<String> = Tab::ALL
        .iter()
        .map(|t| format!("{} {}", t.number(), t.name(lang, false)))
        .collect();
    let tab_line = clip(&format!(" {}", names.join("  ")), inner_w);
    let lines: Vec<Line> =
        std::iter::once(format!(" {}", lang.pick("任意键关闭", "any key closes")))
            .chain(show_tabs.then_some(tab_line))
            .chain(body)
            .map(Line::from)
            .collect();
    let r = centered(area, 62, lines.len() as u16 + 2);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(frame(lang.pick("帮助", "Help"))),
        r,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bottom_line_fits_keeps_help_and_never_cuts_a_word() {
        let hints: Vec<String> = [
            "Enter open",
            "j/k move",
            "f filter (status, overdue)",
            "n new",
            "/ search",
            "? help",
            "q quit",
        ]
        .map(String::from)
        .to_vec();
        let (_, keys) = fit_bottom(None, &hints, 79);
        assert!(width(&keys) <= 79 && keys.contains("? help"), "{keys}");
        assert!(
            keys.split("  ").all(|k| hints.contains(&k.to_owned())),
            "{keys}"
        );
        let (said, keys) = fit_bottom(Some("Saved: the hazard is now being rectified"), &hints, 79);
        let said = said.unwrap();
        assert!(width(&said) + 3 + width(&keys) <= 79, "{said} / {keys}");
        assert!(
            keys.ends_with("? help") || keys.contains("? help"),
            "{keys}"
        );
        let long = "The database is busy with another program (an import?); try again shortly. Nothing was lost";
        let (said, keys) = fit_bottom(Some(long), &hints, 79);
        let said = said.unwrap();
        let kept = said.strip_suffix("..").unwrap();
        assert!(long.starts_with(kept), "{said}");
        assert_eq!(
            long[kept.len()..].chars().next(),
            Some(' '),
            "cut inside a word: {said}"
        );
        assert!(width(&said) <= 79 && keys.is_empty(), "{said} / {keys}");
        assert_eq!(
            cut_at_word("保存失败：数据库正被另一个程序占用", 12),
            "保存失败：.."
        );
    }
}
