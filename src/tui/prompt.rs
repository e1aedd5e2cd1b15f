//! A small form of fields (text, date, number, choice) with CJK-aware editing: the lifecycle actions' notes
//! and the worker switch use it. Enter moves to the next field; Ctrl+S or F2 submits.

use chrono::NaiveDate;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::domain::Lang;

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Text,
    Date,
    Number,
    /// (code, label) choices.
    Choice(Vec<(String, String)>),
    /// Several lines (a petition's content): Ctrl+J or Alt+Enter starts a new line, Enter moves on.
    Multi,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub key: &'static str,
    pub label: String,
    pub kind: Kind,
    pub required: bool,
    pub input: Input,
    pub choice: usize,
    /// The editor of a `Multi` field.
    pub area: ratatui_textarea::TextArea<'static>,
    /// Holds a value suggested by the context, not typed: the first character typed replaces it, leaving the
    /// field keeps it.
    pub suggested: bool,
}

/// Rows a multi-line field takes on screen.
pub const MULTI_ROWS: u16 = 3;

impl Field {
    pub fn text(key: &'static str, label: String, required: bool) -> Field {
        Field {
            key,
            label,
            kind: Kind::Text,
            required,
            input: Input::default(),
            choice: 0,
            area: Default::default(),
            suggested: false,
        }
    }
    /// A text field holding `value` already (an edit).
    pub fn filled(key: &'static str, label: String, required: bool, value: &str) -> Field {
        Field {
            key,
            label,
            kind: Kind::Text,
            required,
            input: Input::new(value.to_owned()),
            choice: 0,
            area: Default::default(),
            suggested: false,
        }
    }
    /// A text field holding a value the context suggests (a place's owner as the responsible party): kept when
    /// the worker moves on, replaced when the worker starts typing.
    pub fn suggested(key: &'static str, label: String, required: bool, value: &str) -> Field {
        Field {
            suggested: !value.is_empty(),
            ..Field::filled(key, label, required, value)
        }
    }

    /// A choice set to `code`.
    pub fn chosen(
        key: &'static str,
        label: String,
        options: Vec<(String, String)>,
        code: &str,
    ) -> Field {
        let choice = options.iter().position(|o| o.0 == code).unwrap_or(0);
        Field {
            key,
            label,
            kind: Kind::Choice(options),
            required: true,
            input: Input::default(),
            choice,
            area: Default::default(),
            suggested: false,
        }
    }
    pub fn date(key: &'static str, label: String, value: Option<NaiveDate>) -> Field {
        let input = Input::new(value.map(|d| d.to_string()).unwrap_or_default());
        Field {
            key,
            label,
            kind: Kind::Date,
            required: true,
            input,
            choice: 0,
            area: Default::default(),
            suggested: false,
        }
    }
    pub fn number(key: &'static str, label: String, value: u32) -> Field {
        Field {
            key,
            label,
            kind: Kind::Number,
            required: true,
            input: Input::new(value.to_string()),
            choice: 0,
            area: Default::default(),
            suggested: false,
        }
    }
    /// A choice; one whose first option is empty ("not given") is optional.
    pub fn choice(key: &'static str, label: String, options: Vec<(String, String)>) -> Field {
        let required = !options.first().is_some_and(|o| o.0.is_empty());
        Field {
            key,
            label,
            kind: Kind::Choice(options),
            required,
            input: Input::default(),
            choice: 0,
            area: Default::default(),
            suggested: false,
        }
    }

    /// A multi-line field, optionally holding `value` already.
    pub fn multi(key: &'static str, label: String, required: bool, value: &str) -> Field {
        let mut area =
            ratatui_textarea::TextArea::new(value.split('\n').map(str::to_owned).collect());
        area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        Field {
            key,
            label,
            kind: Kind::Multi,
            required,
            input: Input::default(),
            choice: 0,
            area,
            suggested: false,
        }
    }

    /// Rows the field takes on screen.
    pub fn rows(&self) -> u16 {
        if self.kind == Kind::Multi {
            MULTI_ROWS
        } else {
            1
        }
    }

    /// The value as typed (for a choice: its code).
    pub fn value(&self) -> String {
        match &self.kind {
            Kind::Multi => self.area.lines().join("\n"),
            Kind::Choice(opts) => opts
                .get(self.choice)
                .map(|o| o.0.clone())
                .unwrap_or_default(),
            _ => self.input.value().to_owned(),
        }
    }

    /// What the field shows.
    pub fn shown(&self) -> String {
        match &self.kind {
            Kind::Choice(opts) => opts
                .get(self.choice)
                .map(|o| format!("< {} >", o.1))
                .unwrap_or_default(),
            _ => self.input.value().to_owned(),
        }
    }
}

/// A form in progress.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    pub changed: bool,
    /// Records already on file offered for the focused `place` field as the worker types: (id, label).
    pub suggestions: Vec<(String, String)>,
    /// The suggestion under the cursor (moved with ↓/↑, taken with Enter).
    pub picked: Option<usize>,
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Editing,
    Submit,
    Cancel,
    /// The worker took suggestion `n`.
    Pick(usize),
}

impl Prompt {
    pub fn new(title: String, fields: Vec<Field>) -> Prompt {
        Prompt {
            title,
            fields,
            focus: 0,
            error: None,
            changed: false,
            suggestions: Vec::new(),
            picked: None,
        }
    }

    /// The key of the focused field.
    pub fn focus_key(&self) -> &'static str {
        self.fields.get(self.focus).map(|f| f.key).unwrap_or("")
    }

    /// Sets a field by key: a choice to the option with code `value` (left as it is when there is none), any
    /// other field to the text.
    pub fn set(&mut self, key: &str, value: &str) {
        let Some(field) = self.fields.iter_mut().find(|f| f.key == key) else {
            return;
        };
        match &field.kind {
            Kind::Choice(opts) => {
                if let Some(i) = opts.iter().position(|o| o.0 == value) {
                    field.choice = i;
                }
            }
            Kind::Multi => {
                field.area =
                    ratatui_textarea::TextArea::new(value.split('\n').map(str::to_owned).collect());
                field
                    .area
                    .set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
            }
            _ => field.input = Input::new(value.to_owned()),
        }
        self.changed = true;
    }

    /// Whether the focused field is a choice (where letters are not text).
    pub fn focus_is_choice(&self) -> bool {
        self.fields
            .get(self.focus)
            .is_some_and(|f| matches!(f.kind, Kind::Choice(_)))
    }

    pub fn get(&self, key: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value())
            .unwrap_or_default()
    }

    /// Handles a key: every printable key is text in a text field; Esc cancels; Ctrl+S/F2 submit.
    pub fn key(&mut self, key: KeyEvent) -> Outcome {
        use ratatui::crossterm::event::KeyModifiers;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        // In a multi-line field, Ctrl+J or Alt+Enter starts a new line (Enter itself moves on, so pasted
        // text arriving as keys on Windows never gets stuck in one field).
        if let Some(field) = self.fields.get_mut(self.focus)
            && field.kind == Kind::Multi
            && (key.code == KeyCode::Char('j') && ctrl || key.code == KeyCode::Enter && alt)
        {
            field.area.insert_newline();
            self.changed = true;
            return Outcome::Editing;
        }
        // In a date field PgUp/PgDn pick the day after or before the one shown.
        if let Some(field) = self.fields.get_mut(self.focus)
            && field.kind == Kind::Date
            && matches!(key.code, KeyCode::PageUp | KeyCode::PageDown)
        {
            let current = crate::domain::validate::parse_date("date", field.input.value()).ok();
            let day = current.and_then(|d| {
                if key.code == KeyCode::PageUp {
                    d.succ_opt()
                } else {
                    d.pred_opt()
                }
            });
            if let Some(day) = day {
                field.input = Input::new(day.to_string());
                self.changed = true;
            }
            return Outcome::Editing;
        }
        // Suggestions under a field: ↓/↑ walk them, Enter takes one; any other key edits the text again.
        if !self.suggestions.is_empty() {
            let n = self.suggestions.len();
            match key.code {
                KeyCode::Down => {
                    self.picked = Some(self.picked.map_or(0, |i| (i + 1) % n));
                    return Outcome::Editing;
                }
                KeyCode::Up => {
                    self.picked = self.picked.and_then(|i| i.checked_sub(1));
                    return Outcome::Editing;
                }
                KeyCode::Enter => {
                    if let Some(i) = self.picked.take() {
                        return Outcome::Pick(i);
                    }
                }
                _ => self.picked = None,
            }
        }
        match key.code {
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Char('s') if ctrl => return Outcome::Submit,
            KeyCode::F(2) => return Outcome::Submit,
            KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1) % self.fields.len().max(1)
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + self.fields.len().max(1) - 1) % self.fields.len().max(1)
            }
            KeyCode::Enter if self.focus + 1 >= self.fields.len() => return Outcome::Submit,
            KeyCode::Enter => self.focus += 1,
            _ => {
                let Some(field) = self.fields.get_mut(self.focus) else {
                    return Outcome::Editing;
                };
                match &field.kind {
                    Kind::Multi => {
                        field.area.input(key);
                    }
                    Kind::Choice(opts) => match key.code {
                        KeyCode::Left => {
                            field.choice =
                                (field.choice + opts.len().max(1) - 1) % opts.len().max(1)
                        }
                        KeyCode::Right | KeyCode::Char(' ') => {
                            field.choice = (field.choice + 1) % opts.len().max(1)
                        }
                        _ => return Outcome::Editing,
                    },
                    _ => {
                        // A suggested value gives way to what is typed (a movement keeps it).
                        if field.suggested && matches!(key.code, KeyCode::Char(_)) && !ctrl {
                            field.input = Input::default();
                        }
                        field.suggested = false;
                        if field.input.handle_event(&Event::Key(key)).is_some() {
                            self.changed = true;
                        }
                    }
                }
                self.changed = true;
            }
        }
        Outcome::Editing
    }

    /// Inserts pasted text into the focused text field as one edit, control characters stripped.
    pub fn paste(&mut self, text: &str) {
        if let Some(field) = self.fields.get_mut(self.focus)
            && field.kind == Kind::Multi
        {
            let clean: String = text
                .replace("\r\n", "\n")
                .chars()
                .filter(|c| *c == '\n' || !c.is_control())
                .collect();
            field.area.insert_str(clean);
            self.changed = true;
        } else if let Some(field) = self.fields.get_mut(self.focus)
            && !matches!(field.kind, Kind::Choice(_))
        {
            let clean: String = text.chars().filter(|c| !c.is_control()).collect();
            let kept = if std::mem::take(&mut field.suggested) {
                ""
            } else {
                field.input.value()
            };
            let value = format!("{kept}{clean}");
            field.input = Input::new(value);
            self.changed = true;
        }
    }

    /// A date field's value, with the relative words 今天/昨天 (today/yesterday) understood.
    pub fn date(&self, key: &str, today: NaiveDate, lang: Lang) -> Result<NaiveDate, String> {
        let v = self.get(key);
        match v.trim() {
            "今天" | "today" => Ok(today),
            "昨天" | "yesterday" => Ok(today - chrono::Days::new(1)),
            s => crate::domain::validate::parse_date("date", s)
                .map_err(|e| crate::domain::Localized::message(&e, lang)),
        }
    }
}

#[cfg(test)]
mod suggestion_tests {
    use super::*;

    #[test]
    fn a_suggested_value_is_kept_on_leaving_and_replaced_by_typing() {
        let form = || {
            Prompt::new(
                "t".into(),
                vec![
                    Field::suggested("who", "who".into(), true, "王秀英"),
                    Field::text("note", "note".into(), false),
                ],
            )
        };
        let mut p = form();
        p.key(KeyEvent::from(KeyCode::Enter));
        assert_eq!(p.get("who"), "王秀英");
        let mut p = form();
        for c in "李四".chars() {
            p.key(KeyEvent::from(KeyCode::Char(c)));
        }
        assert_eq!(p.get("who"), "李四");
        let mut p = form();
        p.key(KeyEvent::from(KeyCode::End));
        p.key(KeyEvent::from(KeyCode::Char('家')));
        assert_eq!(
            p.get("who"),
            "王秀英家",
            "after a movement, typing adds to it"
        );
    }
}
