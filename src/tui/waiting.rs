//! A save that finds the database locked by another program (a county import holds the write lock for a
//! minute): the form stays as it is, the status says the save is waiting, and the save is tried again whenever
//! no key waits until it goes through. The worker never sees "database is locked" and loses nothing; keys keep
//! working between tries. Esc sets the waiting form aside (`park`): the worker reads the lists and records
//! meanwhile (writing waits its turn), F2 brings the form back, and the save still goes through by itself.

use std::time::Duration;

use super::app::{App, Screen};
use super::keymap::Action;

/// How long one try waits for the lock before the app takes keys again.
pub const TRY_WAIT: Duration = Duration::from_millis(250);

impl App {
    /// After a key: a save that was locked out starts waiting.
    pub(super) fn note_locked_out(&mut self) {
        if !self.store.was_locked_out() || !self.saving() {
            return;
        }
        self.waiting = true;
        let msg: String = self
            .t(
                "正在等待导入完成..数据库空出后自动保存，内容不会丢失",
                "Waiting for the import to finish.. it saves by itself when the database is free; nothing is lost",
            )
            .into();
        match self.stack.last_mut() {
            Some(Screen::Form(_, p) | Screen::Action(_, p)) => p.error = Some(msg.clone()),
            Some(Screen::Checklist(c)) => c.error = Some(msg.clone()),
            _ => {}
        }
        self.status = Some(msg);
    }

    /// Whether the screen on top saves what was filled in.
    fn saving(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Screen::Form(..) | Screen::Action(..) | Screen::Checklist(_))
        )
    }

    /// Whether the screen on top is a form showing why its save was refused.
    fn refused(&self) -> bool {
        match self.stack.last() {
            Some(Screen::Form(_, p) | Screen::Action(_, p)) => p.error.is_some(),
            Some(Screen::Checklist(c)) => c.error.is_some(),
            _ => false,
        }
    }

    /// Tries the waiting save again; true when it went through.
    pub(super) fn retry_save(&mut self) -> bool {
        // A form set aside is tried on its own screens, then the worker's reading comes back.
        let reading = self
            .parked
            .take()
            .map(|form| std::mem::replace(&mut self.stack, form));
        let shown = self.status.clone();
        let saved = self.try_again();
        let Some(reading) = reading else {
            return saved;
        };
        if self.waiting {
            // Still locked: the worker's screen stays as it was, message and all.
            self.parked = Some(std::mem::replace(&mut self.stack, reading));
            self.status = shown;
            return false;
        }
        // Refused for another reason (the record changed meanwhile, say): the form stays up with the reason.
        // Gone through: back to what the worker was reading, unless a patrol goes on from it.
        if saved && !matches!(self.stack.last(), Some(Screen::PatrolRun(_))) {
            self.stack = reading;
            let r = self.refresh();
            self.report(r);
            if self.status.is_none() {
                self.status = Some(
                    self.lang
                        .pick("已保存（导入完成后）", "Saved (once the import was done)")
                        .into(),
                );
            }
        }
        saved
    }

    fn try_again(&mut self) -> bool {
        // A question over the form (leave it? quit?) is answered first; the save waits meanwhile.
        if matches!(
            self.stack.last(),
            Some(Screen::ConfirmDiscard | Screen::ConfirmQuit | Screen::Help)
        ) {
            return false;
        }
        self.waiting = false;
        match self.stack.last() {
            Some(Screen::Form(kind, _)) => {
                let kind = kind.clone();
                self.submit_form(kind);
            }
            Some(Screen::Action(offer, _)) => {
                let offer = *offer;
                self.submit(offer);
            }
            Some(Screen::Checklist(_)) => self.save_checklist(),
            // The worker left the form: nothing waits any more.
            _ => return false,
        }
        self.note_locked_out();
        // Still locked, or refused for another reason (the form shows why).
        if self.waiting || self.refused() {
            return false;
        }
        self.status.get_or_insert_with(|| {
            self.lang
                .pick("已保存（导入完成后）", "Saved (once the import was done)")
                .into()
        });
        true
    }
}

impl App {
    /// Sets the waiting form (and the screens it was opened from) aside: the worker reads meanwhile.
    pub(super) fn park(&mut self) {
        self.parked = Some(std::mem::take(&mut self.stack));
        let r = self.refresh();
        self.report(r);
    }

    /// Whether the save on screen is the one waiting (not set aside).
    pub fn waits_on_screen(&self) -> bool {
        self.waiting && self.parked.is_none()
    }

    /// The line that says a save is set aside and how to get back to it.
    pub fn parked_line(&self) -> Option<&'static str> {
        self.parked.as_ref().map(|_| {
            self.t(
                "一项保存等待导入完成，空出后自动保存（F2 回到表单）",
                "A save waits for the import and goes through by itself (F2: back to the form)",
            )
        })
    }

    /// While a save is set aside only reading goes on; F2 brings the form back, and quitting asks first.
    /// Returns whether the action was taken care of here.
    pub(super) fn parked_action(&mut self, action: Action) -> bool {
        let Some(form) = self
            .parked
            .take_if(|_| matches!(action, Action::Save | Action::Quit))
        else {
            let reading = matches!(
                action,
                Action::Help
                    | Action::Tab(_)
                    | Action::Down
                    | Action::Up
                    | Action::PageDown
                    | Action::PageUp
                    | Action::First
                    | Action::Last
                    | Action::Open
                    | Action::Back
                    | Action::Search
                    | Action::Filter
                    | Action::NextField
                    | Action::PrevField
            );
            if self.parked.is_some() && !reading {
                self.status = Some(
                    self.t(
                        "一项保存还在等待导入完成：完成后才能再新建或修改（F2 回到那张表单）",
                        "A save still waits for the import: new entries and changes after it (F2: back to it)",
                    )
                    .into(),
                );
                return true;
            }
            return false;
        };
        self.stack = form;
        if action == Action::Quit {
            self.stack.push(Screen::ConfirmQuit);
        }
        true
    }
}
