//! Drawing the checklist grid of a new inspection.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::App;
use crate::domain::Lang;
use crate::domain::text::{clip, count, width};

use super::view::{Theme, col};

pub(super) fn draw_checklist(
    f: &mut Frame,
    app: &App,
    c: &super::checklist::Checklist,
    area: Rect,
    theme: Theme,
) {
    use crate::domain::inspection::ItemResult;
    let lang = app.lang;
    let w = area.width as usize;
    let known = if c.known_place {
        lang.pick("（已有场所）", " (on file)")
    } else {
        ""
    };
    let unsaved = if c.changed {
        lang.pick("未保存 *", "unsaved *")
    } else {
        ""
    };
    // Unsaved first, where it is always seen; the date before the place's name, which may be long and goes on
    // to a second line when it must.
    let head = format!(
        "{} {unsaved}  {}{}{}  {}  {}{known}",
        lang.pick("新建检查", "New inspection"),
        c.category.label(lang),
        lang.pick("，", ", "),
        c.subject.label(lang),
        c.date,
        c.place.name,
    );
    let mut lines: Vec<Line> = super::wrap::wrap(&head, w.saturating_sub(2), 2)
        .into_iter()
        .map(|l| Line::from(format!(" {l}")))
        .collect();
    if let Some(v) = c.verdict {
        lines.push(Line::from(format!(
            " {} {}  (v)",
            lang.pick("初判:", "verdict:"),
            v.label(lang)
        )));
    }
    let note_w = 18usize;
    let text_w = w.saturating_sub(2 + 5 + 8 + note_w + 1).max(8);
    lines.push(Line::styled(
        format!(
            "  {}{}{}{}",
            col(lang.pick("项目", "item"), 5),
            col("", text_w),
            col(lang.pick("结果", "result"), 8),
            lang.pick("备注", "note")
        ),
        Style::default().add_modifier(Modifier::BOLD),
    ));
    // While a note is written, its editor takes the bottom rows.
    let editor_rows = if c.editing_note() { 4 } else { 0 };
    // The selected item's wording is read whole: it wraps over as many rows as it needs (four at most).
    let selected_text = c
        .items
        .get(c.selected)
        .map(|item| super::wrap::wrap(item.text(lang), text_w.saturating_sub(1), 4))
        .unwrap_or_default();
    let note_lines = c
        .notes
        .get(c.selected)
        .filter(|n| width(n) > note_w && !c.editing_note())
        .map_or(0, |n| {
            super::wrap::wrap(n, w.saturating_sub(7 + 6), 3).len()
        });
    let extra = selected_text.len().saturating_sub(1) + note_lines;
    let visible = (area.height as usize)
        .saturating_sub(lines.len() + 2 + editor_rows + extra)
        .max(1);
    let start = c.selected.saturating_sub(visible.saturating_sub(1));
    for (i, item) in c.items.iter().enumerate().skip(start).take(visible) {
        let result = c.results[i]
            .map(|r| r.label(lang).to_owned())
            .unwrap_or_else(|| lang.pick("未查", "-").to_owned());
        let cursor = if i == c.selected { ">" } else { " " };
        let note = &c.notes[i];
        let first = if i == c.selected {
            selected_text.first().cloned().unwrap_or_default()
        } else {
            item.text(lang).to_owned()
        };
        let row = format!(
            "{cursor} {}{}{}{}",
            col(&item.code, 5),
            col(&first, text_w),
            col(&result, 8),
            clip(note, note_w)
        );
        let style = if i == c.selected {
            theme.selected()
        } else if c.results[i] == Some(ItemResult::Fail) {
            theme.fg(Color::Red)
        } else {
            Style::default()
        };
        lines.push(Line::styled(row, style));
        if i == c.selected {
            for more in selected_text.iter().skip(1) {
                lines.push(Line::styled(
                    format!("  {}{}", " ".repeat(5), col(more, text_w)),
                    style,
                ));
            }
            // A note longer than its column is read whole under the selected item.
            if width(note) > note_w && !c.editing_note() {
                let label = lang.pick("备注: ", "note: ");
                let parts = super::wrap::wrap(note, w.saturating_sub(7 + width(label)), 3);
                for (k, part) in parts.into_iter().enumerate() {
                    let lead = if k == 0 {
                        label.to_owned()
                    } else {
                        " ".repeat(width(label))
                    };
                    lines.push(Line::styled(
                        clip(&format!("       {lead}{part}"), w),
                        style,
                    ));
                }
            }
        }
    }
    lines.push(Line::from(""));
    let failed: Vec<usize> = (0..c.items.len())
        .filter(|i| c.results[*i] == Some(ItemResult::Fail))
        .collect();
    let summary = match failed.first() {
        None => lang.pick(" 没有不合格项", " No failed items").to_owned(),
        Some(_) => {
            let (g, d) = c.draft_of(c.selected);
            let here = if failed.contains(&c.selected) {
                format!(
                    "  {} {} (g) {} {} (+/-)",
                    lang.pick("本项隐患:", "hazard:"),
                    g.label(lang),
                    lang.pick("期限", "due"),
                    d
                )
            } else {
                String::new()
            };
            match lang {
                Lang::Zh => format!(
                    " 不合格 {} 项 -> 保存时生成隐患 {} 条{here}",
                    failed.len(),
                    failed.len()
                ),
                Lang::En => format!(
                    " {} failed -> {} on save{here}",
                    failed.len(),
                    count(failed.len() as u64, "hazard", "hazards")
                ),
            }
        }
    };
    lines.push(Line::from(clip(&summary, w)));
    if let Some(e) = &c.error {
        for l in super::wrap::wrap(e, w.saturating_sub(1), 2) {
            lines.push(Line::styled(format!(" {l}"), theme.fg(Color::Red)));
        }
    }
    f.render_widget(Paragraph::new(lines), area);
    if let Some(editor) = &c.editor {
        // The note in a box of its own across the screen, wrapped, the caret always in it.
        let boxed = Rect::new(
            area.x,
            (area.y + area.height).saturating_sub(editor_rows as u16),
            area.width,
            editor_rows as u16,
        );
        let code = c
            .items
            .get(c.selected)
            .map(|i| i.code.as_str())
            .unwrap_or("");
        let title = match lang {
            Lang::Zh => format!("{code} 备注：Enter/Tab 写完到下一项  Esc 写完"),
            Lang::En => format!("{code} note: Enter/Tab done, next item  Esc done"),
        };
        f.render_widget(ratatui::widgets::Clear, boxed);
        f.render_widget(
            super::view::frame(&clip(&title, w.saturating_sub(4))),
            boxed,
        );
        let inner = Rect::new(
            boxed.x + 1,
            boxed.y + 1,
            boxed.width.saturating_sub(2),
            boxed.height.saturating_sub(2),
        );
        f.render_widget(editor, inner);
        let at = editor.screen_cursor();
        let (top, left) = editor.scroll_offset();
        f.set_cursor_position(Position::new(
            (inner.x + (at.col as u16).saturating_sub(left))
                .min(inner.x + inner.width.saturating_sub(1)),
            inner.y
                + (at.row as u16)
                    .saturating_sub(top)
                    .min(inner.height.saturating_sub(1)),
        ));
    }
}
