//! The search screen (`/`): the query typed, then its hits, scrolled so the selected one is always seen. It
//! handles its own keys and says what happens next; the app runs the query and opens a hit.

use ratatui::Frame;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use tui_input::backend::crossterm::EventHandler;

use super::keymap::Action;
use super::view::Theme;
use crate::domain::Lang;
use crate::domain::text::{clip, pad, width};
use crate::store::search::Hit;

/// The query, and once it has run, its hits.
#[derive(Debug, Clone, Default)]
pub struct SearchView {
    pub query: tui_input::Input,
    pub hits: Vec<Hit>,
    pub total: i64,
    pub selected: usize,
    /// The query is being typed (keys are text).
    pub editing: bool,
}

/// What a key on the search screen leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Stay,
    Back,
    /// Run this query.
    Run(String),
    /// Open this hit.
    Open(Hit),
}

impl SearchView {
    pub fn new() -> SearchView {
        SearchView {
            editing: true,
            ..SearchView::default()
        }
    }

    /// A key while the query is typed: Enter runs it, Esc leaves, anything else is text.
    pub fn type_key(&mut self, key: KeyEvent) -> Next {
        match key.code {
            KeyCode::Esc => Next::Back,
            KeyCode::Enter => Next::Run(self.query.value().to_owned()),
            _ => {
                self.query.handle_event(&Event::Key(key));
                Next::Stay
            }
        }
    }

    /// Pasted text joins the query, without line breaks or control characters.
    pub fn paste(&mut self, text: &str) {
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        self.query = tui_input::Input::new(format!("{}{clean}", self.query.value()));
    }

    /// The query's hits, the first selected.
    pub fn found(&mut self, total: i64, hits: Vec<Hit>) {
        (self.total, self.hits, self.selected, self.editing) = (total, hits, 0, false);
    }

    /// An action of the keymap's search rows.
    pub fn act(&mut self, action: Action) -> Next {
        let last = self.hits.len().saturating_sub(1);
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Open => {
                if let Some(h) = self.hits.get(self.selected) {
                    return Next::Open(h.clone());
                }
            }
            Action::Back => return Next::Back,
            _ => {}
        }
        Next::Stay
    }

    /// Draws the screen; `told` gives text the app composed in the reader's language (see `App::told`).
    pub fn draw(
        &self,
        f: &mut Frame,
        area: Rect,
        lang: Lang,
        theme: Theme,
        told: &dyn Fn(&str) -> String,
    ) {
        let w = area.width as usize;
        let prompt = format!(" {} ", lang.pick("搜索:", "Search:"));
        let mut lines = vec![Line::from(clip(
            &format!("{prompt}{}", self.query.value()),
            w,
        ))];
        lines.push(Line::from(if self.editing {
            format!(
                " {}",
                lang.pick(
                    "输入关键词后按 Enter（可搜一个字）",
                    "Type, then Enter (one character is enough)"
                )
            )
        } else {
            match lang {
                Lang::Zh => format!(" 共 {} 条结果", self.total),
                Lang::En => format!(
                    " {}",
                    crate::domain::text::count(self.total.max(0) as u64, "hit", "hits")
                ),
            }
        }));
        // The hits that fit, scrolled so that the selected one is seen.
        let room = (area.height as usize).saturating_sub(lines.len()).max(1);
        let top = (self.selected + 1).saturating_sub(room);
        // The kind of record, as wide as the widest label among the hits.
        let kind_w = self
            .hits
            .iter()
            .map(|h| crate::domain::text::width(h.family.label(lang)))
            .max()
            .unwrap_or(0);
        for (i, h) in self.hits.iter().enumerate().skip(top).take(room) {
            let text = format!(
                "{} {} {} {}",
                if i == self.selected { ">" } else { " " },
                h.date,
                pad(h.family.label(lang), kind_w),
                told(&h.shown())
            );
            let style = if i == self.selected && !self.editing {
                theme.selected()
            } else {
                Style::default()
            };
            lines.push(Line::styled(clip(&text, w), style));
        }
        f.render_widget(Paragraph::new(lines), area);
        if self.editing {
            let x = area.x + width(&prompt) as u16 + self.query.visual_cursor() as u16;
            f.set_cursor_position(Position::new(
                x.min(area.x + area.width.saturating_sub(1)),
                area.y,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    #[test]
    fn a_query_is_typed_run_and_its_hits_walked() {
        let mut s = SearchView::new();
        for c in "石门".chars() {
            assert_eq!(
                s.type_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
                Next::Stay
            );
        }
        assert_eq!(
            s.type_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            Next::Run("石门".into())
        );
        s.found(0, Vec::new());
        assert!(!s.editing);
        assert_eq!(s.act(Action::Open), Next::Stay, "nothing to open");
        assert_eq!(s.act(Action::Down), Next::Stay);
        assert_eq!(s.selected, 0);
        assert_eq!(s.act(Action::Back), Next::Back);
    }
}
