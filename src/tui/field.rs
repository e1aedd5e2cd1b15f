//! One field of a form: its key, label, kind (text, date, number, choice, multi-line), limits and check, the
//! value being typed and the problem found in it; built by the forms with `Field::text`, `filled`, `choice`….

use super::field_key::FieldKey;
use chrono::NaiveDate;
use tui_input::Input;

use super::checks::{self, Check, Context};

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Text,
    Date,
    Number,
    /// (code, label) choices.
    Choice(Vec<(String, String)>),
    /// Text shown over several rows, wrapped: a petition's content (Ctrl+J or Alt+Enter starts a new line) or a
    /// note (one paragraph). Enter moves on.
    Multi {
        breaks: bool,
    },
}

#[derive(Debug, Clone)]
pub struct Field {
    pub key: FieldKey,
    pub label: String,
    pub kind: Kind,
    pub required: bool,
    /// What the value must be.
    pub check: Check,
    /// The most characters it takes.
    pub max: usize,
    pub input: Input,
    pub choice: usize,
    /// The editor of a `Multi` field.
    pub area: ratatui_textarea::TextArea<'static>,
    /// Holds a value suggested by the context, not typed: the first character typed replaces it, leaving the
    /// field keeps it.
    pub suggested: bool,
    /// What is wrong with the value, found when the worker left the field or saved; cleared once fixed.
    pub problem: Option<String>,
}

/// Rows a multi-line field takes on screen: a petition's content, a note.
pub const CONTENT_ROWS: u16 = 3;
pub const NOTE_ROWS: u16 = 2;

/// The longest one-line text a field takes unless it says otherwise.
const LINE_MAX: usize = 200;

fn editor(value: &str) -> ratatui_textarea::TextArea<'static> {
    let mut area = ratatui_textarea::TextArea::new(value.split('\n').map(str::to_owned).collect());
    area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    // Typing goes on after what is there already.
    area.move_cursor(ratatui_textarea::CursorMove::Bottom);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    area
}

impl Field {
    fn new(key: FieldKey, label: String, kind: Kind, required: bool, input: Input) -> Field {
        let (check, max) = match kind {
            Kind::Date => (Check::Past, 20),
            Kind::Number => (Check::Whole { min: 0 }, 10),
            Kind::Multi { breaks: true } => (Check::Free, 5000),
            Kind::Multi { breaks: false } => (Check::Free, 500),
            _ => (Check::Free, LINE_MAX),
        };
        Field {
            key,
            label,
            kind,
            required,
            check,
            max,
            input,
            choice: 0,
            area: Default::default(),
            suggested: false,
            problem: None,
        }
    }

    pub fn text(key: FieldKey, label: String, required: bool) -> Field {
        Field::new(key, label, Kind::Text, required, Input::default())
    }
    /// A text field holding `value` already (an edit).
    pub fn filled(key: FieldKey, label: String, required: bool, value: &str) -> Field {
        Field::new(
            key,
            label,
            Kind::Text,
            required,
            Input::new(value.to_owned()),
        )
    }
    /// A text field holding a value the context suggests (a place's owner as the responsible party): kept when
    /// the worker moves on, replaced when the worker starts typing.
    pub fn suggested(key: FieldKey, label: String, required: bool, value: &str) -> Field {
        Field {
            suggested: !value.is_empty(),
            ..Field::filled(key, label, required, value)
        }
    }

    /// A choice set to `code`.
    pub fn chosen(
        key: FieldKey,
        label: String,
        options: Vec<(String, String)>,
        code: &str,
    ) -> Field {
        let choice = options.iter().position(|o| o.0 == code).unwrap_or(0);
        Field {
            choice,
            ..Field::new(key, label, Kind::Choice(options), true, Input::default())
        }
    }
    /// A day not after today (a day something happened); `.check(Check::Day)` for a deadline.
    pub fn date(key: FieldKey, label: String, value: Option<NaiveDate>) -> Field {
        let input = Input::new(value.map(|d| d.to_string()).unwrap_or_default());
        Field::new(key, label, Kind::Date, true, input)
    }
    pub fn number(key: FieldKey, label: String, value: u32) -> Field {
        Field::new(
            key,
            label,
            Kind::Number,
            true,
            Input::new(value.to_string()),
        )
    }
    /// A choice; one whose first option is empty ("not given") is optional.
    pub fn choice(key: FieldKey, label: String, options: Vec<(String, String)>) -> Field {
        let required = !options.first().is_some_and(|o| o.0.is_empty());
        Field::new(
            key,
            label,
            Kind::Choice(options),
            required,
            Input::default(),
        )
    }

    /// Several lines (a petition's content), optionally holding `value` already.
    pub fn multi(key: FieldKey, label: String, required: bool, value: &str) -> Field {
        Field {
            area: editor(value),
            ..Field::new(
                key,
                label,
                Kind::Multi { breaks: true },
                required,
                Input::default(),
            )
        }
    }

    /// A note: one paragraph, wrapped over two rows so that all of it stays in sight.
    pub fn note(key: FieldKey, label: String, required: bool, value: &str) -> Field {
        Field {
            area: editor(value),
            ..Field::new(
                key,
                label,
                Kind::Multi { breaks: false },
                required,
                Input::default(),
            )
        }
    }

    /// The same field, holding at most `max` characters.
    pub fn limit(self, max: usize) -> Field {
        Field { max, ..self }
    }

    /// The same field, checked as `check`.
    pub fn check(self, check: Check) -> Field {
        Field { check, ..self }
    }

    /// The same field, which may stay empty.
    pub fn optional(self) -> Field {
        Field {
            required: false,
            ..self
        }
    }

    /// Rows the field takes on screen.
    pub fn rows(&self) -> u16 {
        match self.kind {
            Kind::Multi { breaks: true } => CONTENT_ROWS,
            Kind::Multi { breaks: false } => NOTE_ROWS,
            _ => 1,
        }
    }

    /// Whether the field is edited in a box of several rows.
    pub fn is_multi(&self) -> bool {
        matches!(self.kind, Kind::Multi { .. })
    }

    /// The value as typed (for a choice: its code).
    pub fn value(&self) -> String {
        match &self.kind {
            Kind::Multi { breaks: true } => self.area.lines().join("\n"),
            Kind::Multi { breaks: false } => self.area.lines().concat(),
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

    /// What is wrong with the value now, if anything (a choice is always one of its options).
    pub(super) fn find_problem(&self, at: Context) -> Option<String> {
        if matches!(self.kind, Kind::Choice(_)) {
            return None;
        }
        checks::problem(
            self.check,
            &self.label,
            &self.value(),
            self.required,
            self.max,
            at,
        )
    }

    /// Sets the value as a whole (a pick, a reload, a paste).
    pub(super) fn replace(&mut self, value: &str) {
        match &self.kind {
            Kind::Choice(opts) => {
                if let Some(i) = opts.iter().position(|o| o.0 == value) {
                    self.choice = i;
                }
            }
            Kind::Multi { .. } => self.area = editor(value),
            _ => self.input = Input::new(value.to_owned()),
        }
    }
}
