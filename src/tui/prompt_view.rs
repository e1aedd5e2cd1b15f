//! A form drawn over the screen: its fields with their labels, marks (`*` required, `!` to put right), the
//! focused field's caret where the terminal's cursor goes (so an IME's window follows), and the form's message.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::prompt::Prompt;
use super::view::{centered, frame};
use crate::domain::Lang;
use crate::domain::text::{clip, pad, sanitize, width};

/// Draws form `p` over `area`, with the terminal's cursor at the focused field's caret.
pub fn draw_prompt(f: &mut Frame, p: &Prompt, area: Rect, lang: Lang) {
    let rows: u16 = p.fields.iter().map(|f| f.rows()).sum();
    let inner_w = area.width.saturating_sub(2) as usize;
    // Below the fields: every problem found (the worker sees them all at once), else the form's own message,
    // else what the keys do here.
    let problems = p.problems();
    let mut msg = if problems.is_empty() {
        super::wrap::wrap(&prompt_message(p, lang), inner_w.saturating_sub(2), 2)
    } else {
        // Which fields to put right (all of them, marked ! beside their labels), then what is wrong with the
        // one under the caret.
        let labels: Vec<&str> = p
            .fields
            .iter()
            .filter(|f| f.problem.is_some())
            .map(|f| f.label.as_str())
            .collect();
        let list = match lang {
            Lang::Zh => format!("{} 项要改：{}", labels.len(), labels.join("、")),
            Lang::En => format!(
                "{} to put right: {}",
                crate::domain::text::count(labels.len() as u64, "field", "fields"),
                labels.join(", ")
            ),
        };
        let here = p
            .fields
            .get(p.focus)
            .and_then(|f| f.problem.as_deref())
            .unwrap_or(problems[0]);
        let mut lines = super::wrap::wrap(&list, inner_w.saturating_sub(2), 1);
        lines.extend(super::wrap::wrap(here, inner_w.saturating_sub(2), 2));
        lines
    };
    if msg.len() < 2 {
        msg.insert(0, String::new());
    }
    let h = (rows + 2 + msg.len() as u16).min(area.height);
    let outer = centered(area, area.width, h);
    f.render_widget(Clear, outer);
    f.render_widget(frame(&p.title), outer);
    let r = Rect::new(
        outer.x + 1,
        outer.y + 1,
        outer.width.saturating_sub(2),
        outer.height.saturating_sub(2),
    );
    // Labels as wide as the longest (half the width at most), then a one-cell gap before the values.
    let longest = p.fields.iter().map(|f| width(&f.label)).max().unwrap_or(0) as u16;
    let label_w = longest.clamp(12, (r.width / 2).max(12));
    let field_x = r.x + 3 + label_w;
    let field_w = r.width.saturating_sub(3 + label_w);
    let bottom = r.y + r.height;
    let mut caret = None;
    let mut y = r.y;
    for (i, field) in p.fields.iter().enumerate() {
        if y >= bottom {
            break;
        }
        let mark = if i == p.focus { ">" } else { " " };
        let req = if field.problem.is_some() {
            "!"
        } else if field.required {
            "*"
        } else {
            " "
        };
        let style = if field.problem.is_some() {
            Style::default().fg(Color::Red)
        } else {
            Style::default()
        };
        let label = format!("{mark}{req}{}", pad(&field.label, label_w as usize));
        f.render_widget(
            Paragraph::new(Line::styled(label, style)),
            Rect::new(r.x, y, 2 + label_w, 1),
        );
        if field.is_multi() {
            let box_area = Rect::new(field_x, y, field_w, field.rows()).intersection(r);
            f.render_widget(&field.area, box_area);
            if i == p.focus {
                // Long lines wrap; the screen cursor counts display rows and cells after wrapping.
                let at = field.area.screen_cursor();
                let (top, left) = field.area.scroll_offset();
                caret = Some((
                    field_x + (at.col as u16).saturating_sub(left),
                    y + (at.row as u16).saturating_sub(top),
                ));
            }
        } else if i == p.focus && !p.focus_is_choice() {
            // The focused line scrolls sideways with the caret.
            let (shown, at) = super::scroll::window(&field.input, field_w as usize);
            f.render_widget(Paragraph::new(shown), Rect::new(field_x, y, field_w, 1));
            caret = Some((field_x + at as u16, y));
        } else {
            // Others show their start; ".." says there is more.
            f.render_widget(
                Paragraph::new(clip(&sanitize(&field.shown()), field_w as usize)),
                Rect::new(field_x, y, field_w, 1),
            );
        }
        y += field.rows();
    }
    for (k, m) in msg.into_iter().enumerate() {
        let row = y + k as u16;
        if row >= bottom {
            break;
        }
        let style = if problems.is_empty() {
            Style::default()
        } else {
            Style::default().fg(Color::Red)
        };
        let text = if m.is_empty() { m } else { format!(" {m}") };
        f.render_widget(
            Paragraph::new(Line::styled(text, style)),
            Rect::new(r.x, row, r.width, 1),
        );
    }
    // Places on file that match what is typed, in a box under the field (over the fields below it).
    if !p.suggestions.is_empty()
        && let Some((_, y)) = caret
    {
        let h = (p.suggestions.len() as u16 + 2).min((r.y + r.height).saturating_sub(y + 1));
        let boxed = Rect::new(field_x, y + 1, field_w, h);
        f.render_widget(Clear, boxed);
        f.render_widget(
            frame(lang.pick(
                "已有场所（下键选中，Enter 采用）",
                "On file (Down to choose, Enter to take)",
            )),
            boxed,
        );
        for (i, (_, label)) in p.suggestions.iter().enumerate() {
            let row = boxed.y + 1 + i as u16;
            if row + 1 >= boxed.y + boxed.height {
                break;
            }
            let mark = if p.picked == Some(i) { ">" } else { " " };
            let text = clip(
                &format!("{mark}{}", sanitize(label)),
                boxed.width.saturating_sub(2) as usize,
            );
            let style = if p.picked == Some(i) {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            f.render_widget(
                Paragraph::new(Line::styled(text, style)),
                Rect::new(boxed.x + 1, row, boxed.width.saturating_sub(2), 1),
            );
        }
    }
    // The hardware cursor sits at the caret: the IME's candidate window follows it.
    if let Some((x, y)) = caret {
        f.set_cursor_position(Position::new(
            x.min(r.x + r.width.saturating_sub(1)),
            y.min(r.y + r.height.saturating_sub(1)),
        ));
    }
}

/// The line under a form with nothing wrong: the form's own message, else what the keys do in this field.
fn prompt_message(p: &Prompt, lang: Lang) -> String {
    use super::prompt::Kind;
    if let Some(e) = &p.error {
        return e.clone();
    }
    let focused = p.fields.get(p.focus).map(|f| &f.kind);
    if focused == Some(&Kind::Date) {
        return lang
            .pick(
                "日期如 2026-11-28，也可填 今天、昨天；PgUp 后一天 PgDn 前一天  Ctrl+S/F2 保存",
                "A date like 2026-11-28, or today/yesterday; PgUp/PgDn a day on/back  Ctrl+S/F2 save",
            )
            .to_owned();
    }
    if !p.suggestions.is_empty() {
        return lang
            .pick(
                "下键选中已有场所，Enter 采用；不选则按新场所登记",
                "Down picks a place on file, Enter takes it; otherwise a new place is recorded",
            )
            .to_owned();
    }
    if focused == Some(&Kind::Multi { breaks: true }) {
        return lang
            .pick(
                "Ctrl+J 换行  Enter 下一项  Ctrl+S/F2 保存  Esc 取消",
                "Ctrl+J new line  Enter next  Ctrl+S/F2 save  Esc cancel",
            )
            .to_owned();
    }
    lang.pick(
        "Enter 下一项  Ctrl+S/F2 保存  Esc 取消",
        "Enter next  Ctrl+S/F2 save  Esc cancel",
    )
    .to_owned()
}
