//! The 区划 screen (`R`): the township, villages and grids inside this device's jurisdiction, where the worker
//! adds a village or grid and renames one. It handles its own keys and says what happens next.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::Screen;
use super::checks::Check;
use super::field_key::FieldKey as Fk;
use super::forms::FormKind;
use super::keymap::Action;
use super::prompt::{Field, Prompt};
use super::view::Theme;
use crate::domain::Lang;
use crate::domain::ids::RegionCode;
use crate::domain::region::Level;
use crate::domain::text::{clip, pad};
use crate::store::StoreError;
use crate::store::regions::Region;

/// The regions inside the jurisdiction, in code order (each under its parent), and the one selected.
#[derive(Debug, Clone)]
pub struct Regions {
    pub rows: Vec<Region>,
    pub selected: usize,
}

/// What a key on this screen leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Stay,
    Back,
    /// A new village or grid under this region.
    Add(RegionCode),
    /// A new name for this village or grid (its current name given).
    Rename(RegionCode, String),
    /// A message instead: nothing can be done to the selected row that way.
    Say(&'static str, &'static str),
}

impl Regions {
    pub fn new(rows: Vec<Region>) -> Regions {
        Regions { rows, selected: 0 }
    }

    /// Selects `code` if it is listed (after an add or a rename).
    pub fn select(&mut self, code: &RegionCode) {
        if let Some(i) = self.rows.iter().position(|r| &r.code == code) {
            self.selected = i;
        }
    }

    /// The step an action asks for, with the device's own region `own` (never renamed here).
    pub fn act(&mut self, action: Action, own: &RegionCode, page: usize) -> Next {
        let last = self.rows.len().saturating_sub(1);
        match action {
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::First => self.selected = 0,
            Action::Last => self.selected = last,
            Action::Back => return Next::Back,
            Action::New => {
                let Some(r) = self.rows.get(self.selected) else {
                    return Next::Stay;
                };
                return match r.level {
                    Level::Township | Level::Village => Next::Add(r.code.clone()),
                    Level::Grid => r.parent.clone().map_or(Next::Stay, Next::Add),
                    Level::County => Next::Say(
                        "乡镇由内置区划表提供；请先选一个乡镇或村，再按 n 在它下面添加",
                        "Townships are built in; select a township or village, then n adds under it",
                    ),
                };
            }
            Action::Edit => {
                let Some(r) = self.rows.get(self.selected) else {
                    return Next::Stay;
                };
                return match r.level {
                    Level::Village | Level::Grid if &r.code != own => {
                        Next::Rename(r.code.clone(), r.name.clone())
                    }
                    _ => Next::Say(
                        "县、乡镇和本设备自己的区划不在这里改名；请选一个村或网格",
                        "The county, townships and this device's own region are not renamed here; select a village or grid",
                    ),
                };
            }
            _ => {}
        }
        Next::Stay
    }

    /// Draws the list in `area`, scrolled so that the selected row is seen.
    pub fn draw(&self, f: &mut Frame, area: Rect, lang: Lang, theme: Theme) {
        let w = area.width as usize;
        let room = (area.height as usize).saturating_sub(2).max(1);
        let top = (self.selected + 1).saturating_sub(room);
        let villages = self
            .rows
            .iter()
            .filter(|r| r.level == Level::Village)
            .count();
        let grids = self.rows.iter().filter(|r| r.level == Level::Grid).count();
        let mut lines = vec![
            Line::from(clip(
                &match lang {
                    Lang::Zh => format!(" 本设备辖区：{villages} 个村（社区），{grids} 个网格"),
                    Lang::En => format!(
                        " Inside this device's jurisdiction: {}, {}",
                        crate::domain::text::count(villages as u64, "village", "villages"),
                        crate::domain::text::count(grids as u64, "grid", "grids")
                    ),
                },
                w,
            )),
            Line::from(clip(
                &format!(
                    "   {}{}{}",
                    pad(lang.pick("代码", "code"), 16),
                    pad(lang.pick("层级", "level"), 10),
                    lang.pick("名称", "name")
                ),
                w,
            )),
        ];
        for (i, r) in self.rows.iter().enumerate().skip(top).take(room) {
            let indent = match r.level {
                Level::County => "",
                Level::Township => "",
                Level::Village => "  ",
                Level::Grid => "    ",
            };
            let text = format!(
                "{} {}{}{indent}{}",
                if i == self.selected { ">" } else { " " },
                pad(r.code.as_str(), 16),
                pad(r.level.label(lang), 10),
                r.name
            );
            let style = if i == self.selected {
                theme.selected()
            } else {
                Style::default()
            };
            lines.push(Line::styled(clip(&text, w), style));
        }
        f.render_widget(Paragraph::new(lines), area);
    }
}

impl super::app::App {
    /// Opens the 区划 screen on the regions of the jurisdiction.
    pub(super) fn open_regions(&mut self) -> Result<(), StoreError> {
        let rows = crate::store::regions::list(self.store.conn(), Some(&self.device.region))?;
        if matches!(self.stack.last(), Some(Screen::Regions(_))) {
            self.stack.pop();
        }
        self.stack.push(Screen::Regions(Regions::new(rows)));
        Ok(())
    }

    /// A key on the 区划 screen, and what it leads to.
    pub(super) fn regions_action(&mut self, action: Action) {
        let page = self.page_size;
        let own = self.device.region.clone();
        let Some(Screen::Regions(screen)) = self.stack.last_mut() else {
            return;
        };
        match screen.act(action, &own, page) {
            Next::Stay => {}
            Next::Back => {
                self.stack.pop();
            }
            Next::Say(zh, en) => self.status = Some(self.lang.pick(zh, en).to_owned()),
            Next::Add(parent) => {
                let conn = self.store.conn();
                let found = crate::store::regions::next_free(conn, &parent).and_then(|n| {
                    Ok((
                        n,
                        crate::store::regions::name(conn, &parent)?.unwrap_or_default(),
                    ))
                });
                match found {
                    Ok((Some(n), name)) => {
                        let below = if parent.level() == Level::Township {
                            Level::Village
                        } else {
                            Level::Grid
                        };
                        let form = add_region(self.lang, &name, below, n);
                        self.stack
                            .push(Screen::Form(FormKind::AddRegion { parent }, form));
                    }
                    Ok((None, name)) => {
                        self.status = Some(match self.lang {
                            Lang::Zh => format!("{name} 之下的编号 1-999 都已用完"),
                            Lang::En => format!("Every number 1-999 under {name} is taken"),
                        })
                    }
                    Err(e) => self.report(Err(e)),
                }
            }
            Next::Rename(code, name) => {
                let form = rename_region(self.lang, code.as_str(), &name);
                self.stack
                    .push(Screen::Form(FormKind::RenameRegion { code }, form));
            }
        }
    }

    /// Saves an added or renamed region from its form, then shows it selected on the 区划 screen, and every
    /// form's choice of villages and grids includes it.
    pub(super) fn save_region(
        &mut self,
        write: impl FnOnce(
            &rusqlite::Transaction,
            &crate::store::WriteCtx,
        ) -> Result<RegionCode, StoreError>,
    ) {
        match self.store.write(write) {
            Ok(code) => {
                self.stack.pop();
                let r = self.load_regions().and_then(|()| self.open_regions());
                self.report(r);
                if let Some(Screen::Regions(screen)) = self.stack.last_mut() {
                    screen.select(&code);
                    let name = screen
                        .rows
                        .get(screen.selected)
                        .map(|r| r.name.clone())
                        .unwrap_or_default();
                    self.status = Some(match self.lang {
                        Lang::Zh => format!("已保存 {name}（{code}）"),
                        Lang::En => format!("Saved {name} ({code})"),
                    });
                }
            }
            Err(e) => {
                let msg = crate::domain::Localized::message(&e, self.lang);
                self.form_error(msg);
            }
        }
    }
}

/// A new village (under a township) or grid (under a village): its number, suggested as the first free one,
/// and its name.
pub fn add_region(lang: Lang, parent: &str, level: crate::domain::region::Level, n: u16) -> Prompt {
    let what = level.label(lang);
    Prompt::new(
        match lang {
            Lang::Zh => format!("在 {parent} 之下添加{what}"),
            Lang::En => format!("Add a {what} under {parent}"),
        },
        vec![
            Field::filled(
                Fk::Number,
                lang.pick("编号（1-999）", "number (1-999)").to_owned(),
                true,
                &n.to_string(),
            )
            .check(Check::Whole { min: 1 })
            .limit(3),
            Field::text(Fk::Name, lang.pick("名称", "name").to_owned(), true).limit(50),
        ],
    )
}

/// A village's or grid's new name.
pub fn rename_region(lang: Lang, code: &str, name: &str) -> Prompt {
    Prompt::new(
        match lang {
            Lang::Zh => format!("{name}（{code}）改名"),
            Lang::En => format!("Rename {name} ({code})"),
        },
        vec![
            Field::filled(
                Fk::Name,
                lang.pick("新名称", "new name").to_owned(),
                true,
                name,
            )
            .limit(50),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str, name: &str, level: Level, parent: Option<&str>) -> Region {
        Region {
            code: code.parse().unwrap(),
            name: name.to_owned(),
            level,
            parent: parent.map(|p| p.parse().unwrap()),
        }
    }

    fn screen() -> Regions {
        Regions::new(vec![
            region(
                "610727100000",
                "接官亭镇",
                Level::Township,
                Some("610727000000"),
            ),
            region(
                "610727100201",
                "何家岩村",
                Level::Village,
                Some("610727100000"),
            ),
            region("610727100201001", "一组", Level::Grid, Some("610727100201")),
        ])
    }

    #[test]
    fn n_adds_under_the_selected_row_or_beside_a_grid() {
        let own: RegionCode = "610727100000".parse().unwrap();
        let mut s = screen();
        assert_eq!(s.act(Action::New, &own, 10), Next::Add(own.clone()));
        s.act(Action::Down, &own, 10);
        let village: RegionCode = "610727100201".parse().unwrap();
        assert_eq!(s.act(Action::New, &own, 10), Next::Add(village.clone()));
        s.act(Action::Last, &own, 10);
        assert_eq!(s.act(Action::New, &own, 10), Next::Add(village));
    }

    #[test]
    fn only_villages_and_grids_are_renamed_and_never_the_devices_own() {
        let own: RegionCode = "610727100000".parse().unwrap();
        let mut s = screen();
        assert!(matches!(s.act(Action::Edit, &own, 10), Next::Say(..)));
        s.act(Action::Down, &own, 10);
        assert_eq!(
            s.act(Action::Edit, &own, 10),
            Next::Rename("610727100201".parse().unwrap(), "何家岩村".into())
        );
        let village: RegionCode = "610727100201".parse().unwrap();
        assert!(matches!(s.act(Action::Edit, &village, 10), Next::Say(..)));
        assert_eq!(s.act(Action::Back, &own, 10), Next::Back);
    }
}
