//! The dashboard's cursor: its summary lines (each a filtered list) and, under the chosen line, that line's
//! records themselves (newest first, or the most urgent deadline first under a due line). Enter on a summary
//! line steps into its records; Enter on a record opens it; the last line opens the whole filtered list; Esc
//! (or ↑ past the first record) steps back out.

use super::app::{App, dashboard_targets};
use super::keymap::Action;
use crate::store::dashboard::Dashboard;
use crate::store::lists::Row;
use crate::store::{StoreError, lists};

/// The overview tab: its figures, the summary line chosen, and that line's first records.
#[derive(Debug, Default)]
pub struct DashState {
    pub totals: Dashboard,
    /// Dashboard summary line under the cursor.
    pub selected: usize,
    /// The records of that line (a first page).
    pub rows: Vec<Row>,
    /// The dashboard's totals are to be read again (see `idle`).
    pub stale: bool,
    /// The cursor among those records (`rows.len()` is the "whole list" line), or None on the summary.
    pub focus: Option<usize>,
}
/// What a key on the overview leads to, beyond moving its cursor.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    Stay,
    /// Another summary line is chosen: its records are read.
    Preview,
    /// A line for the status bar (zh, en).
    Say(&'static str, &'static str),
    /// The chosen line's record `i`, or its whole list when `i` is past its records.
    Open(usize),
}

impl DashState {
    /// Handles a key's action over `lines` summary lines.
    pub fn act(&mut self, action: Action, lines: usize) -> Next {
        let last = lines.saturating_sub(1);
        match (self.focus, action) {
            (None, Action::Down) => self.selected = (self.selected + 1).min(last),
            (None, Action::Up) => self.selected = self.selected.saturating_sub(1),
            (None, Action::First) => self.selected = 0,
            (None, Action::Last) => self.selected = last,
            (None, Action::Open) if self.rows.is_empty() => {
                return Next::Say("这一项没有待办", "Nothing here");
            }
            (None, Action::Open) => {
                self.focus = Some(0);
                return Next::Stay;
            }
            // Records, then one last line for the whole list.
            (Some(i), Action::Down) => self.focus = Some((i + 1).min(self.rows.len())),
            (Some(0), Action::Up) | (Some(_), Action::Back) => self.focus = None,
            (Some(i), Action::Up) => self.focus = Some(i - 1),
            (Some(_), Action::First) => self.focus = Some(0),
            (Some(_), Action::Last) => self.focus = Some(self.rows.len()),
            (Some(i), Action::Open) => return Next::Open(i),
            (_, Action::New) => {
                return Next::Say(
                    "新建：在 2 安全检查、4 秦岭巡查、5 信访 页签里按 n",
                    "New: press n on tab 2, 4 or 5",
                );
            }
            _ => return Next::Stay,
        }
        // Moving on the summary reads the chosen line's records.
        if self.focus.is_none() {
            Next::Preview
        } else {
            Next::Stay
        }
    }
}

impl App {
    /// Records shown under the chosen summary line.
    pub(super) fn dash_preview_size(&self) -> usize {
        self.page_size.saturating_sub(12).max(3)
    }

    /// Loads the records of the chosen summary line.
    pub(super) fn load_dash_preview(&mut self) -> Result<(), StoreError> {
        let targets = dashboard_targets(self.today);
        let Some((_, filter)) = targets.get(self.dash.selected) else {
            return Ok(());
        };
        self.dash.rows = lists::page(
            self.store.conn(),
            filter,
            self.today,
            &lists::At::First,
            self.dash_preview_size(),
        )?;
        if let Some(i) = self.dash.focus {
            self.dash.focus = Some(i.min(self.dash.rows.len()));
        }
        Ok(())
    }

    /// A key on the dashboard.
    pub(super) fn dash_action(&mut self, action: Action) {
        let targets = dashboard_targets(self.today);
        let r = match self.dash.act(action, targets.len()) {
            Next::Stay => Ok(()),
            Next::Preview => self.load_dash_preview(),
            Next::Say(zh, en) => {
                self.status = Some(self.t(zh, en).into());
                Ok(())
            }
            Next::Open(i) => {
                let (tab, filter) = targets[self.dash.selected].clone();
                match (self.dash.rows.get(i), tab.list(false)) {
                    (Some(row), Some(list)) => {
                        let id = row.id.clone();
                        self.open(super::app::LIST_FAMILIES[list], &id)
                    }
                    (None, Some(list)) => {
                        self.tab = tab;
                        self.lists[list].filter = filter;
                        self.lists[list].selected = 0;
                        self.refresh()
                    }
                    _ => Ok(()),
                }
            }
        };
        self.report(r);
    }
}
