//! A save that finds the database locked by another program (a county import holds the write lock for a
//! minute): the form stays as it is, the status says the save is waiting, and the save is tried again whenever
//! no key waits until it goes through. The worker never sees "database is locked" and loses nothing; keys keep
//! working between tries.

use std::time::Duration;

use super::app::{App, Screen};

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
                "正在等待导入完成…数据库空出后自动保存，内容不会丢失",
                "Waiting for the import to finish… it saves by itself when the database is free; nothing is lost",
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

    /// Tries the waiting save again; true when it went through.
    pub(super) fn retry_save(&mut self) -> bool {
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
        if self.waiting {
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
