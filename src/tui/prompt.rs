//! A form of fields (text, date, number, choice, multi-line) with CJK-aware editing: every new record's form, the
//! lifecycle actions' notes and the worker switch use it. Enter moves to the next field; Ctrl+S or F2 saves.
//! Each field is checked when the worker leaves it (see `checks`), a problem's message goes as soon as it is
//! fixed, and saving lists every problem at once with the caret on the first; a paste that would take a field
//! over its limit is refused when pasted, with the limit stated.

use super::field_key::FieldKey;
use chrono::NaiveDate;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::checks::{self, Context};
use crate::domain::Lang;

pub use super::field::{CONTENT_ROWS, Field, Kind, NOTE_ROWS};

/// A form in progress.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A message about the form as a whole (a refusal at save, a refused paste); it goes at the next edit.
    pub error: Option<String>,
    pub changed: bool,
    /// Records already on file offered for the focused `place` field as the worker types: (id, label).
    pub suggestions: Vec<(String, String)>,
    /// The suggestion under the cursor (moved with Down/Up, taken with Enter).
    pub picked: Option<usize>,
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Editing,
    /// Every field passed its check: the form may be saved.
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
    pub fn focus_key(&self) -> Option<FieldKey> {
        self.fields.get(self.focus).map(|f| f.key)
    }

    fn field(&self, key: FieldKey) -> Option<&Field> {
        let found = self.fields.iter().find(|f| f.key == key);
        debug_assert!(
            found.is_some(),
            "the form {} has no field {key:?}",
            self.title
        );
        found
    }

    /// Sets a field by key: a choice to the option with code `value` (left as it is when there is none), any
    /// other field to the text.
    pub fn set(&mut self, key: FieldKey, value: &str) {
        let Some(field) = self.fields.iter_mut().find(|f| f.key == key) else {
            debug_assert!(false, "the form {} has no field {key:?}", self.title);
            return;
        };
        field.replace(value);
        field.problem = None;
        self.changed = true;
    }

    /// Whether the focused field is a choice (where letters are not text).
    pub fn focus_is_choice(&self) -> bool {
        self.fields
            .get(self.focus)
            .is_some_and(|f| matches!(f.kind, Kind::Choice(_)))
    }

    /// A field's value (a choice's code). Every form's fields are read by the code that built the form; a test
    /// drives each form through its record builder so that a key read here is a key the form has.
    pub fn get(&self, key: FieldKey) -> String {
        self.field(key).map(Field::value).unwrap_or_default()
    }

    /// A choice field's value as its type (None where nothing is chosen: an optional choice left empty).
    pub fn choice<T: crate::domain::codes::Labelled>(&self, key: FieldKey) -> Option<T> {
        T::parse(&self.get(key))
    }

    /// A text field's value, None when left empty.
    pub fn opt(&self, key: FieldKey) -> Option<String> {
        Some(self.get(key)).filter(|v| !v.trim().is_empty())
    }

    /// The value of a field only some variants of a form have (a list's filter of assigned records).
    pub fn get_if_present(&self, key: FieldKey) -> Option<String> {
        self.fields.iter().find(|f| f.key == key).map(Field::value)
    }

    /// The problems found so far, in the order of the fields.
    pub fn problems(&self) -> Vec<&str> {
        self.fields
            .iter()
            .filter_map(|f| f.problem.as_deref())
            .collect()
    }

    /// Checks the focused field (the worker is leaving it).
    fn check_focused(&mut self, at: Context) {
        if let Some(field) = self.fields.get_mut(self.focus) {
            field.problem = field.find_problem(at);
        }
    }

    /// Checks every field; with problems, the caret goes to the first and false is returned.
    pub fn check_all(&mut self, at: Context) -> bool {
        for field in &mut self.fields {
            field.problem = field.find_problem(at);
        }
        match self.fields.iter().position(|f| f.problem.is_some()) {
            Some(first) => {
                self.focus = first;
                self.error = None;
                false
            }
            None => true,
        }
    }

    /// Moves the caret to field `to`, checking the field left.
    fn move_to(&mut self, to: usize, at: Context) {
        self.check_focused(at);
        self.focus = to;
    }

    /// Handles a key: every printable key is text in a text field; Esc cancels; Ctrl+S/F2 save when every
    /// field passes its check.
    pub fn key(&mut self, key: KeyEvent, at: Context) -> Outcome {
        use ratatui::crossterm::event::KeyModifiers;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let n = self.fields.len().max(1);
        // In a field of several lines, Ctrl+J or Alt+Enter starts a new line (Enter itself moves on, so pasted
        // text arriving as keys on Windows never gets stuck in one field).
        if let Some(field) = self.fields.get_mut(self.focus)
            && field.kind == (Kind::Multi { breaks: true })
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
            let day = checks::day(field.input.value(), at.today).and_then(|d| {
                if key.code == KeyCode::PageUp {
                    d.succ_opt()
                } else {
                    d.pred_opt()
                }
            });
            if let Some(day) = day {
                field.input = Input::new(day.to_string());
                self.changed = true;
                self.edited(at);
            }
            return Outcome::Editing;
        }
        // Suggestions under a field: Down/Up walk them, Enter takes one; any other key edits the text again.
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
            KeyCode::Char('s') if ctrl => return self.submit(at),
            KeyCode::F(2) => return self.submit(at),
            KeyCode::Tab | KeyCode::Down => self.move_to((self.focus + 1) % n, at),
            KeyCode::BackTab | KeyCode::Up => self.move_to((self.focus + n - 1) % n, at),
            KeyCode::Enter if self.focus + 1 >= self.fields.len() => return self.submit(at),
            KeyCode::Enter => self.move_to(self.focus + 1, at),
            _ => {
                let Some(field) = self.fields.get_mut(self.focus) else {
                    return Outcome::Editing;
                };
                // Only a key that changes the value changes the form (moving the caret does not).
                let before = field.value();
                match &field.kind {
                    Kind::Multi { .. } => {
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
                        field.input.handle_event(&Event::Key(key));
                    }
                }
                if field.value() != before {
                    self.changed = true;
                    self.edited(at);
                }
            }
        }
        Outcome::Editing
    }

    /// After an edit: the form's own message has had its say, and a problem of the field goes once it is fixed
    /// (while it is not, its message follows the value).
    fn edited(&mut self, at: Context) {
        self.error = None;
        if let Some(field) = self.fields.get_mut(self.focus)
            && field.problem.is_some()
        {
            field.problem = field.find_problem(at);
        }
    }

    fn submit(&mut self, at: Context) -> Outcome {
        if self.check_all(at) {
            Outcome::Submit
        } else {
            Outcome::Editing
        }
    }

    /// Inserts pasted text into the focused text field as one edit, control characters stripped (a note's line
    /// breaks become spaces). A paste that would take the field over its limit is refused, with the limit.
    pub fn paste(&mut self, text: &str, at: Context) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        let clean: String = match field.kind {
            Kind::Choice(_) => return,
            Kind::Multi { breaks: true } => text
                .replace("\r\n", "\n")
                .chars()
                .filter(|c| *c == '\n' || !c.is_control())
                .collect(),
            _ => text
                .trim_end_matches(['\r', '\n'])
                .replace("\r\n", " ")
                .replace('\n', " ")
                .chars()
                .filter(|c| !c.is_control())
                .collect(),
        };
        let kept = if field.suggested {
            0
        } else {
            field.value().chars().count()
        };
        let pasted = clean.chars().count();
        if kept + pasted > field.max {
            let (label, max) = (field.label.clone(), field.max);
            self.error = Some(match at.lang {
                Lang::Zh => {
                    format!("未粘贴：{label}最多 {max} 个字，已有 {kept} 个，粘贴的有 {pasted} 个")
                }
                Lang::En => format!(
                    "Not pasted: {label} takes at most {max} characters; it has {kept}, the paste {pasted}"
                ),
            });
            return;
        }
        match field.kind {
            Kind::Multi { .. } => {
                field.area.insert_str(clean);
            }
            _ => {
                let kept = if std::mem::take(&mut field.suggested) {
                    String::new()
                } else {
                    field.input.value().to_owned()
                };
                field.input = Input::new(format!("{kept}{clean}"));
            }
        }
        self.changed = true;
        self.edited(at);
    }

    /// A date field's value, with the relative words 今天/昨天 (today/yesterday) understood.
    pub fn date(&self, key: FieldKey, today: NaiveDate, lang: Lang) -> Result<NaiveDate, String> {
        let v = self.get(key);
        checks::day(&v, today).ok_or_else(|| {
            let e = crate::domain::validate::parse_date("date", v.trim())
                .err()
                .unwrap_or(crate::domain::validate::Invalid::Required { field: "date" });
            crate::domain::Localized::message(&e, lang)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::checks::Check;
    use crate::tui::field_key::FieldKey as Fk;

    fn at() -> Context {
        Context {
            today: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            lang: Lang::Zh,
        }
    }

    fn typed(p: &mut Prompt, text: &str) {
        for c in text.chars() {
            p.key(KeyEvent::from(KeyCode::Char(c)), at());
        }
    }

    #[test]
    fn a_suggested_value_is_kept_on_leaving_and_replaced_by_typing() {
        let form = || {
            Prompt::new(
                "t".into(),
                vec![
                    Field::suggested(Fk::Who, "who".into(), true, "王秀英"),
                    Field::text(Fk::Note, "note".into(), false),
                ],
            )
        };
        let mut p = form();
        p.key(KeyEvent::from(KeyCode::Enter), at());
        assert_eq!(p.get(Fk::Who), "王秀英");
        let mut p = form();
        typed(&mut p, "李四");
        assert_eq!(p.get(Fk::Who), "李四");
        let mut p = form();
        p.key(KeyEvent::from(KeyCode::End), at());
        typed(&mut p, "家");
        assert_eq!(
            p.get(Fk::Who),
            "王秀英家",
            "after a movement, typing adds to it"
        );
    }

    #[test]
    fn moving_through_a_form_changes_nothing_and_typing_does() {
        let mut p = form();
        for code in [
            KeyCode::Tab,
            KeyCode::Left,
            KeyCode::End,
            KeyCode::BackTab,
            KeyCode::Home,
        ] {
            p.key(KeyEvent::from(code), at());
        }
        assert!(!p.changed, "Esc would ask to throw away nothing");
        typed(&mut p, "王");
        assert!(p.changed);
    }

    fn form() -> Prompt {
        Prompt::new(
            "t".into(),
            vec![
                Field::text(Fk::Name, "姓名".into(), true),
                Field::text(Fk::Phone, "电话".into(), false).check(Check::Phone),
                Field::date(Fk::Date, "日期".into(), None),
            ],
        )
    }

    #[test]
    fn a_field_is_checked_when_left_and_its_message_goes_once_fixed() {
        let mut p = form();
        p.key(KeyEvent::from(KeyCode::Enter), at());
        assert_eq!(
            p.problems(),
            ["姓名：必填"],
            "leaving an empty required field"
        );
        assert_eq!(p.focus, 1, "the worker is not held in the field");
        p.key(KeyEvent::from(KeyCode::Up), at());
        typed(&mut p, "王");
        assert!(p.problems().is_empty(), "fixed: the message goes");
        p.key(KeyEvent::from(KeyCode::Enter), at());
        typed(&mut p, "138");
        p.key(KeyEvent::from(KeyCode::Enter), at());
        assert_eq!(p.problems().len(), 1);
        assert!(p.problems()[0].starts_with("电话："));
    }

    #[test]
    fn saving_lists_every_problem_with_the_caret_on_the_first() {
        let mut p = form();
        p.key(KeyEvent::from(KeyCode::Tab), at());
        typed(&mut p, "123");
        p.key(KeyEvent::from(KeyCode::Tab), at());
        typed(&mut p, "2026-12-01");
        let out = p.key(KeyEvent::from(KeyCode::F(2)), at());
        assert_eq!(out, Outcome::Editing, "not saved");
        assert_eq!(p.problems().len(), 3, "{:?}", p.problems());
        assert!(
            p.problems()[2].contains("晚于今天"),
            "a future date is refused in its field"
        );
        assert_eq!(p.focus, 0);
        typed(&mut p, "王");
        p.key(KeyEvent::from(KeyCode::Tab), at());
        for _ in 0..3 {
            p.key(KeyEvent::from(KeyCode::Backspace), at());
        }
        p.key(KeyEvent::from(KeyCode::Tab), at());
        p.key(KeyEvent::from(KeyCode::PageDown), at());
        p.key(KeyEvent::from(KeyCode::PageDown), at());
        p.key(KeyEvent::from(KeyCode::PageDown), at());
        assert!(p.problems().is_empty(), "{:?}", p.problems());
        assert_eq!(p.key(KeyEvent::from(KeyCode::F(2)), at()), Outcome::Submit);
        assert_eq!(p.get(Fk::Date), "2026-11-28");
    }

    #[test]
    fn a_paste_over_the_limit_is_refused_when_pasted() {
        let mut p = Prompt::new(
            "t".into(),
            vec![Field::text(Fk::Summary, "摘要".into(), true).limit(10)],
        );
        p.paste("一二三四五", at());
        p.paste("六七八九十十一", at());
        assert_eq!(
            p.get(Fk::Summary),
            "一二三四五",
            "the long paste is not taken"
        );
        let msg = p.error.clone().unwrap();
        assert!(msg.contains("最多 10 个字"), "{msg}");
        typed(&mut p, "六");
        assert_eq!(p.error, None, "the message goes at the next edit");
    }

    #[test]
    fn a_note_wraps_and_keeps_one_paragraph() {
        let mut p = Prompt::new(
            "t".into(),
            vec![Field::note(Fk::Note, "说明".into(), true, "")],
        );
        p.paste("第一行\n第二行", at());
        p.key(KeyEvent::from(KeyCode::Enter), at());
        assert_eq!(p.get(Fk::Note), "第一行 第二行");
    }
}
