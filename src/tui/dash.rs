//! The dashboard's cursor: its summary lines (each a filtered list) and, under the chosen line, that line's
//! records themselves (newest first, or the most urgent deadline first under a due line). Enter on a summary
//! line steps into its records; Enter on a record opens it; the last line opens the whole filtered list; Esc
//! (or ↑ past the first record) steps back out.

use super::app::{App, dashboard_targets};
use crate::store::dashboard::Dashboard;
use crate::store::lists::Row;

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
use super::keymap::Action;
use crate::store::{StoreError, lists};

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
        let last = targets.len() - 1;
        let r = match (self.dash.focus, action) {
            (None, Action::Down) => {
                self.dash.selected = (self.dash.selected + 1).min(last);
                self.load_dash_preview()
            }
            (None, Action::Up) => {
                self.dash.selected = self.dash.selected.saturating_sub(1);
                self.load_dash_preview()
            }
            (None, Action::First) => {
                self.dash.selected = 0;
                self.load_dash_preview()
            }
            (None, Action::Last) => {
                self.dash.selected = last;
                self.load_dash_preview()
            }
            (None, Action::Open) => {
                if self.dash.rows.is_empty() {
                    self.status = Some(self.t("这一项没有待办", "Nothing here").into());
                } else {
                    self.dash.focus = Some(0);
                }
                Ok(())
            }
            // Records, then one last line for the whole list.
            (Some(i), Action::Down) => {
                self.dash.focus = Some((i + 1).min(self.dash.rows.len()));
                Ok(())
            }
            (Some(0), Action::Up) | (Some(_), Action::Back) => {
                self.dash.focus = None;
                Ok(())
            }
            (Some(i), Action::Up) => {
                self.dash.focus = Some(i - 1);
                Ok(())
            }
            (Some(_), Action::First) => {
                self.dash.focus = Some(0);
                Ok(())
            }
            (Some(_), Action::Last) => {
                self.dash.focus = Some(self.dash.rows.len());
                Ok(())
            }
            (Some(i), Action::Open) => {
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
            (_, Action::New) => {
                self.status = Some(
                    self.t(
                        "新建：在 2 安全检查、4 秦岭巡查、5 信访 页签里按 n",
                        "New: press n on tab 2, 4 or 5",
                    )
                    .into(),
                );
                Ok(())
            }
            _ => Ok(()),
        };
        self.report(r);
    }
}
