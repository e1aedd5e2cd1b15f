//! The checklist grid of a new inspection: each item marked pass / fail / not applicable (`p`/`f`/`n`; a failed
//! item stays selected, for its note), or every item not marked yet passed at once (`P`), a note on any item (Tab
//! opens it in an editor of its own, wrapped, so all of it stays in sight), and for every failed item the hazard
//! it will open, whose grade (`g`) and deadline (`+`/`-`) the worker may change before saving. A self-built
//! house's 初判 follows the failed items: none failed is 未发现明显隐患, one failed at least 存在安全隐患 (the
//! worker may raise it to 严重, `v`); it never contradicts them. Esc goes back to the place form with every
//! answer kept.

use chrono::{Days, NaiveDate};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{TextArea, WrapMode};

use super::keymap::Action;
use crate::domain::Lang;
use crate::domain::category::{Category, Grade};
use crate::domain::inspection::{
    HazardDraft, Inspection, ItemOutcome, ItemResult, Subject, Verdict,
};
use crate::domain::place::Place;
use crate::store::inspections::ChecklistItem;

#[derive(Debug, Clone)]
pub struct Checklist {
    pub place: Place,
    /// The place is already on file (a re-inspection): it is not saved again.
    pub known_place: bool,
    pub category: Category,
    pub subject: Subject,
    pub date: NaiveDate,
    pub items: Vec<ChecklistItem>,
    pub results: Vec<Option<ItemResult>>,
    pub notes: Vec<String>,
    /// Per item: the grade and deadline its hazard gets if it fails (None: the defaults).
    pub hazard: Vec<Option<(Grade, NaiveDate)>>,
    pub selected: usize,
    /// The selected item's note while it is being written.
    pub editor: Option<TextArea<'static>>,
    pub verdict: Option<Verdict>,
    pub error: Option<String>,
    pub changed: bool,
}

/// The most characters an item's note takes.
pub const NOTE_MAX: usize = 500;

/// What a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Editing,
    Save,
    /// Back to the place form, every answer kept.
    Back,
    /// The help overlay (`?`).
    Help,
    /// Quit, asking first when something was marked (`q`).
    Quit,
}

impl Checklist {
    pub fn new(
        place: Place,
        category: Category,
        subject: Subject,
        date: NaiveDate,
        items: Vec<ChecklistItem>,
    ) -> Checklist {
        let n = items.len();
        Checklist {
            place,
            known_place: false,
            category,
            subject,
            date,
            items,
            results: vec![None; n],
            notes: vec![String::new(); n],
            hazard: vec![None; n],
            selected: 0,
            editor: None,
            verdict: (category == Category::House).then_some(Verdict::NoHazard),
            error: None,
            changed: false,
        }
    }

    /// The grade and deadline item `i`'s hazard would get.
    pub fn draft_of(&self, i: usize) -> (Grade, NaiveDate) {
        self.hazard[i].unwrap_or_else(|| {
            let grade = if self.verdict == Some(Verdict::Serious) {
                Grade::Major
            } else {
                Grade::General
            };
            (
                grade,
                self.date + Days::new(u64::from(self.category.default_hazard_days(grade))),
            )
        })
    }

    pub fn key(&mut self, key: KeyEvent) -> Step {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if (ctrl && key.code == KeyCode::Char('s')) || key.code == KeyCode::F(2) {
            return Step::Save;
        }
        if let Some(editor) = &mut self.editor {
            match key.code {
                // Done with this item's note: Esc stays on the item, Tab or Enter go on to the next.
                KeyCode::Esc => self.close_note(false),
                KeyCode::Tab | KeyCode::Enter => self.close_note(true),
                _ => {
                    let before = editor.lines().concat();
                    editor.input(key);
                    if editor.lines().concat().chars().count() > NOTE_MAX {
                        *editor = note_editor(&before);
                        self.error = Some(self.too_long());
                    } else {
                        self.error = None;
                    }
                    self.changed = true;
                }
            }
            return Step::Editing;
        }
        match super::keymap::resolve(super::keymap::Context::Checklist, key) {
            Some(action) => self.act(action),
            None => Step::Editing,
        }
    }

    /// An action of the keymap's checklist rows.
    pub fn act(&mut self, action: Action) -> Step {
        let i = self.selected;
        match action {
            Action::Back => return Step::Back,
            Action::Save => return Step::Save,
            Action::Help => return Step::Help,
            Action::Quit => return Step::Quit,
            _ if i >= self.items.len() => return Step::Editing,
            _ => {}
        }
        // A pass or n/a moves on; a failed item stays selected, so that its note (Tab) is its own.
        let mark = |s: &mut Checklist, r: ItemResult| {
            s.results[i] = Some(r);
            s.changed = true;
            if r != ItemResult::Fail {
                s.selected = (i + 1).min(s.items.len().saturating_sub(1));
            }
            s.follow_failures();
        };
        match action {
            Action::Down => self.selected = (i + 1).min(self.items.len().saturating_sub(1)),
            Action::Up => self.selected = i.saturating_sub(1),
            Action::Mark(r) => mark(self, r),
            Action::RestPassed => {
                for r in self.results.iter_mut().filter(|r| r.is_none()) {
                    *r = Some(ItemResult::Pass);
                }
                self.changed = true;
                self.follow_failures();
            }
            Action::NextField => self.editor = Some(note_editor(&self.notes[i])),
            Action::Grade if self.results[i] == Some(ItemResult::Fail) => {
                let (g, d) = self.draft_of(i);
                let to = if g == Grade::General {
                    Grade::Major
                } else {
                    Grade::General
                };
                // The deadline follows the grade (a major hazard has longer) unless the worker set it.
                let default =
                    |g| self.date + Days::new(u64::from(self.category.default_hazard_days(g)));
                let d = if d == default(g) { default(to) } else { d };
                self.hazard[i] = Some((to, d));
            }
            Action::Deadline(step) if self.results[i] == Some(ItemResult::Fail) => {
                let (g, d) = self.draft_of(i);
                let d = if step < 0 {
                    d.pred_opt().unwrap_or(d).max(self.date)
                } else {
                    d.succ_opt().unwrap_or(d)
                };
                self.hazard[i] = Some((g, d));
            }
            // With failed items, between 存在安全隐患 and 严重; with none, it stays 未发现明显隐患.
            Action::Verdict if self.verdict.is_some() => {
                self.verdict = Some(match self.verdict {
                    Some(Verdict::Hazard) if self.failed() > 0 => Verdict::Serious,
                    _ if self.failed() > 0 => Verdict::Hazard,
                    _ => Verdict::NoHazard,
                });
                self.changed = true;
                if self.failed() == 0 {
                    self.error = Some(
                        "没有不合格项，初判是未发现明显隐患 / no item failed: no obvious hazard"
                            .into(),
                    );
                }
            }
            _ => {}
        }
        Step::Editing
    }

    /// How many items failed.
    pub fn failed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| **r == Some(ItemResult::Fail))
            .count()
    }

    /// Keeps a house's 初判 in line with the failed items (a serious one stays serious while items fail).
    fn follow_failures(&mut self) {
        if let Some(v) = self.verdict {
            self.verdict = Some(match (v, self.failed()) {
                (_, 0) => Verdict::NoHazard,
                (Verdict::NoHazard, _) => Verdict::Hazard,
                (v, _) => v,
            });
        }
    }

    /// Pasted text goes into the note being written, line breaks as spaces; a paste that would take it over
    /// its limit is refused, with the limit stated.
    pub fn paste(&mut self, text: &str) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        let clean: String = text
            .trim_end_matches(['\r', '\n'])
            .replace("\r\n", " ")
            .replace('\n', " ")
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let has = editor.lines().concat().chars().count();
        if has + clean.chars().count() > NOTE_MAX {
            self.error = Some(self.too_long());
            return;
        }
        editor.insert_str(clean);
        self.error = None;
        self.changed = true;
    }

    /// Whether a note is being written (where letters are text, not commands).
    pub fn editing_note(&self) -> bool {
        self.editor.is_some()
    }

    /// Ends the note being written, keeping it; `next` moves on to the next item.
    fn close_note(&mut self, next: bool) {
        if let Some(editor) = self.editor.take() {
            self.notes[self.selected] = editor.lines().concat();
        }
        self.error = None;
        if next {
            self.selected = (self.selected + 1).min(self.items.len().saturating_sub(1));
        }
    }

    fn too_long(&self) -> String {
        format!("备注最多 {NOTE_MAX} 个字 / a note takes at most {NOTE_MAX} characters")
    }

    /// Takes the answers of the same checklist from before the worker went back to the place form: results,
    /// notes, hazard grades and deadlines, the 初判. A checklist of another category starts afresh.
    pub fn take_answers(&mut self, before: &Checklist) {
        if before.category != self.category || before.items.len() != self.items.len() {
            return;
        }
        self.results = before.results.clone();
        self.notes = before.notes.clone();
        self.hazard = before.hazard.clone();
        self.verdict = before.verdict;
        self.selected = before.selected;
        self.changed = before.changed;
        self.follow_failures();
    }

    /// The inspection and its hazards, or what is still missing.
    pub fn build(
        &self,
        meta: crate::domain::record::Meta,
        inspector: &str,
        lang: Lang,
    ) -> Result<(Inspection, Vec<HazardDraft>), String> {
        let missing = self.results.iter().filter(|r| r.is_none()).count();
        if missing > 0 {
            return Err(match lang {
                Lang::Zh => format!("还有 {missing} 项没有检查（p 合格 f 不合格 n 不适用）"),
                Lang::En => format!(
                    "{} not marked yet (p pass, f fail, n n/a)",
                    crate::domain::text::count(missing as u64, "item is", "items are")
                ),
            });
        }
        let results: Vec<ItemOutcome> = self
            .items
            .iter()
            .zip(&self.results)
            .zip(&self.notes)
            .map(|((item, r), note)| ItemOutcome {
                item_code: item.code.clone(),
                result: r.unwrap_or(ItemResult::NotApplicable),
                note: Some(note.trim().to_owned()).filter(|s| !s.is_empty()),
            })
            .collect();
        let insp = Inspection {
            meta,
            place_id: self.place.meta.id.clone(),
            category: self.category,
            subject: self.subject,
            inspected_on: self.date,
            inspector: inspector.to_owned(),
            verdict: self.verdict,
            failed_count: 0,
            note: None,
            results,
        };
        let text = |code: &str| {
            self.items
                .iter()
                .find(|i| i.code == code)
                .map(|i| i.text_zh.clone())
                .unwrap_or_default()
        };
        let mut drafts = insp.hazard_drafts(text);
        for d in &mut drafts {
            if let Some(i) = self.items.iter().position(|it| it.code == d.item_code) {
                let (g, due) = self.draft_of(i);
                d.grade = g;
                d.deadline = due;
            }
        }
        Ok((insp, drafts))
    }
}

/// An editor for one item's note: one paragraph, wrapped.
fn note_editor(note: &str) -> TextArea<'static> {
    let mut area = TextArea::new(vec![note.to_owned()]);
    area.set_wrap_mode(WrapMode::WordOrGlyph);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    area
}

use super::app::{App, Screen};
use crate::domain::record::Family;
use crate::store::{self, inspections, records};

impl App {
    /// Saves the place, the inspection and its hazards in one transaction.
    pub(super) fn save_checklist(&mut self) {
        let Some(Screen::Checklist(c)) = self.stack.last() else {
            return;
        };
        let c = c.clone();
        let lang = self.lang;
        let dev = self.device.clone();
        let ctx = store::WriteCtx {
            device: dev.id,
            actor: dev.worker.clone(),
            region: dev.region,
            now: self.store.now(),
        };
        let meta = crate::domain::record::Meta::new(
            records::new_id(&ctx),
            &ctx.device,
            ctx.now_ms(),
            &c.place.meta.region_code,
        );
        let (insp, drafts) = match c.build(meta, &dev.worker, lang) {
            Ok(x) => x,
            Err(e) => {
                if let Some(Screen::Checklist(c)) = self.stack.last_mut() {
                    c.error = Some(e);
                }
                return;
            }
        };
        let items = c.items.clone();
        let r = self.store.write(|tx, w| {
            if !c.known_place {
                store::places::create(tx, w, c.place.clone())?;
            }
            inspections::record(tx, w, insp, Some(drafts), &items)
        });
        match r {
            Ok(done) => {
                // The checklist and its place form beneath it.
                self.stack.pop();
                if matches!(self.stack.last(), Some(Screen::Form(..))) {
                    self.stack.pop();
                }
                let opened = self.open(Family::Inspection, &done.inspection.meta.id);
                self.report(opened);
                self.status = Some(match lang {
                    Lang::Zh => format!("已保存检查，生成隐患 {} 条", done.hazards.len()),
                    Lang::En => format!(
                        "Inspection saved; {} opened",
                        crate::domain::text::count(done.hazards.len() as u64, "hazard", "hazards")
                    ),
                });
            }
            Err(e) => {
                if let Some(Screen::Checklist(c)) = self.stack.last_mut() {
                    c.error = Some(crate::domain::Localized::message(&e, lang));
                }
            }
        }
    }

    /// Esc on the checklist: back to the place form, the checklist's answers kept in it (nothing is lost; the
    /// form's own Esc asks before throwing both away).
    pub(super) fn back_from_checklist(&mut self) {
        let Some(Screen::Checklist(c)) = self.stack.pop() else {
            return;
        };
        let marked = c.results.iter().filter(|r| r.is_some()).count();
        let lang = self.lang;
        match self.stack.last_mut() {
            Some(Screen::Form(super::forms::FormKind::Inspection(kept), p)) => {
                *kept = Some(c);
                p.changed = true;
                p.error = Some(match lang {
                    Lang::Zh => {
                        format!("检查表已填的 {marked} 项保留着：改好后按 Ctrl+S 回到检查表")
                    }
                    Lang::En => format!(
                        "The checklist's {} kept: put this right, then Ctrl+S goes back to it",
                        crate::domain::text::count(marked as u64, "answer is", "answers are")
                    ),
                });
            }
            // No form beneath (it cannot happen): the checklist stays.
            _ => self.stack.push(Screen::Checklist(c)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Meta;

    fn house() -> Checklist {
        let items = (1..=4)
            .map(|n| ChecklistItem {
                code: format!("S{n}"),
                category: Category::House,
                text_zh: format!("第{n}项"),
                text_en: format!("item {n}"),
            })
            .collect();
        let place = Place {
            meta: Meta::sample(5),
            name: "王家".into(),
            address: "3 组".into(),
            kind: crate::domain::place::PlaceKind::Household,
            lat: None,
            lon: None,
            owner_name: None,
            owner_phone: None,
            floors: None,
            structure: None,
            year_built: None,
            use_type: None,
            business_type: None,
            occupancy: None,
        };
        Checklist::new(
            place,
            Category::House,
            Subject::Resident,
            "2026-11-28".parse().unwrap(),
            items,
        )
    }

    fn press(c: &mut Checklist, ch: char) {
        c.key(KeyEvent::from(KeyCode::Char(ch)));
    }

    #[test]
    fn the_rest_passes_at_once_and_the_verdict_follows_the_failures() {
        let mut c = house();
        assert_eq!(c.verdict, Some(Verdict::NoHazard));
        press(&mut c, 'f');
        assert_eq!(c.verdict, Some(Verdict::Hazard), "a failed item: a hazard");
        press(&mut c, 'v');
        assert_eq!(c.verdict, Some(Verdict::Serious));
        press(&mut c, 'P');
        assert!(c.results.iter().all(Option::is_some));
        assert_eq!(c.failed(), 1);
        assert_eq!(
            c.verdict,
            Some(Verdict::Serious),
            "still serious while an item fails"
        );
        // The failed item passed after all: nothing failed, no hazard.
        c.selected = 0;
        press(&mut c, 'p');
        assert_eq!(c.verdict, Some(Verdict::NoHazard));
        press(&mut c, 'v');
        assert_eq!(
            c.verdict,
            Some(Verdict::NoHazard),
            "no failed item: it cannot say hazard"
        );
    }

    #[test]
    fn a_major_grade_brings_its_longer_deadline_unless_one_was_set() {
        let mut c = house();
        press(&mut c, 'f');
        c.selected = 0;
        let (g, due) = c.draft_of(0);
        assert_eq!(g, Grade::General);
        press(&mut c, 'g');
        let (g, major_due) = c.draft_of(0);
        assert_eq!(g, Grade::Major);
        assert_eq!(
            major_due,
            c.date + Days::new(u64::from(Category::House.default_hazard_days(Grade::Major)))
        );
        assert!(major_due > due);
        // A deadline the worker moved stays when the grade changes.
        press(&mut c, '+');
        press(&mut c, 'g');
        assert_eq!(
            c.draft_of(0),
            (Grade::General, major_due.succ_opt().unwrap())
        );
    }
}
