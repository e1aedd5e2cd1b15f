//! The app's state and its one `update`: keys become actions, actions change state (and call the store).
//! Drawing (`view`) only reads this state; it never touches the database.

use chrono::NaiveDate;
use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind};

use super::detail::{self, Detail, Offer, Request, Shown};
use super::keymap::{Action, Context, resolve};
use super::prompt::{Field, Outcome, Prompt};
use crate::domain::Lang;
use crate::domain::record::Family;
use crate::store::dashboard::{self, Dashboard};
use crate::store::lists::{self, Filter, Key, Row};
use crate::store::search::{self, Hit};
use crate::store::{
    self, Store, StoreError, device, hazards, holidays, inspections, patrols, petitions, records,
};

/// The tabs, by number key.
pub const TABS: [(&str, &str); 6] = [
    ("总览", "Overview"),
    ("安全检查", "Inspections"),
    ("隐患", "Hazards"),
    ("秦岭巡查", "Qinling"),
    ("信访", "Petitions"),
    ("同步", "Sync"),
];

/// One family's list: a page of rows and where it is.
#[derive(Debug, Clone)]
pub struct ListView {
    pub filter: Filter,
    pub rows: Vec<Row>,
    pub selected: usize,
    pub total: i64,
    /// Rows skipped before this page (for "第 a-b 条").
    pub offset: i64,
}

impl ListView {
    fn new(family: Family) -> ListView {
        ListView {
            filter: Filter::new(family),
            rows: Vec::new(),
            selected: 0,
            total: 0,
            offset: 0,
        }
    }
}

/// What is on top of the tab.
#[derive(Debug, Clone)]
pub enum Screen {
    Detail(Box<Detail>),
    /// A lifecycle action's form over its detail view.
    Action(Offer, Prompt),
    Search {
        query: tui_input::Input,
        hits: Vec<Hit>,
        total: i64,
        selected: usize,
        editing: bool,
    },
    Worker(Prompt),
    Help,
    /// Asks before throwing away a changed form.
    ConfirmDiscard,
}

pub struct App {
    pub store: Store,
    pub lang: Lang,
    pub tab: usize,
    pub device: device::Device,
    pub region_name: String,
    pub today: NaiveDate,
    pub dashboard: Dashboard,
    /// Dashboard line under the cursor.
    pub dash_selected: usize,
    pub lists: [ListView; 4],
    pub stack: Vec<Screen>,
    pub status: Option<String>,
    pub page_size: usize,
    pub quit: bool,
    pub journal_seq: i64,
}

/// The family listed on a tab (2–5).
fn tab_family(tab: usize) -> Option<usize> {
    match tab {
        2 => Some(0),
        3 => Some(1),
        4 => Some(2),
        5 => Some(3),
        _ => None,
    }
}

const LIST_FAMILIES: [Family; 4] = [
    Family::Inspection,
    Family::Hazard,
    Family::Finding,
    Family::Petition,
];

/// The lines of the dashboard, each a shortcut to a filtered list: (tab, filter).
pub fn dashboard_targets(today: NaiveDate) -> Vec<(usize, Filter)> {
    let mut overdue_h = Filter::new(Family::Hazard);
    overdue_h.overdue_only = true;
    let mut overdue_p = Filter::new(Family::Petition);
    overdue_p.overdue_only = true;
    let mut due3 = Filter::new(Family::Petition);
    due3.due_by = Some(today + chrono::Days::new(3));
    let mut due7 = Filter::new(Family::Petition);
    due7.due_by = Some(today + chrono::Days::new(7));
    let mut review = Filter::new(Family::Hazard);
    review.due_by = Some(today + chrono::Days::new(7));
    let mut unreferred = Filter::new(Family::Finding);
    unreferred.status = Some("reported".into());
    vec![
        (3, overdue_h),
        (5, overdue_p),
        (5, due3),
        (5, due7),
        (3, review),
        (4, unreferred),
    ]
}

impl App {
    pub fn new(store: Store, lang: Lang) -> Result<App, StoreError> {
        let device = device::get(store.conn())?;
        let region_name = store::regions::name(store.conn(), &device.region)?.unwrap_or_default();
        let today = store.today();
        let mut app = App {
            store,
            lang,
            tab: 1,
            device,
            region_name,
            today,
            dashboard: Dashboard::default(),
            dash_selected: 0,
            lists: LIST_FAMILIES.map(ListView::new),
            stack: Vec::new(),
            status: None,
            page_size: 15,
            quit: false,
            journal_seq: 0,
        };
        app.refresh()?;
        Ok(app)
    }

    fn t(&self, zh: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(zh, en)
    }

    /// Reloads what the current tab shows.
    pub fn refresh(&mut self) -> Result<(), StoreError> {
        self.today = self.store.today();
        match self.tab {
            1 => {
                self.dashboard =
                    dashboard::load(self.store.conn(), &self.device.region, self.today)?
            }
            6 => {
                self.journal_seq = self.store.conn().query_row(
                    "SELECT coalesce(max(seq), 0) FROM journal",
                    [],
                    |r| r.get(0),
                )?
            }
            t => {
                if let Some(i) = tab_family(t) {
                    self.load_page(i, None, None)?;
                }
            }
        }
        Ok(())
    }

    fn load_page(
        &mut self,
        i: usize,
        after: Option<Key>,
        before: Option<Key>,
    ) -> Result<(), StoreError> {
        let mut filter = self.lists[i].filter.clone();
        filter.region = Some(self.device.region.clone());
        let rows = lists::page(
            self.store.conn(),
            &filter,
            self.today,
            after.as_ref(),
            before.as_ref(),
            self.page_size,
        )?;
        let list = &mut self.lists[i];
        if rows.is_empty() && (after.is_some() || before.is_some()) {
            return Ok(());
        }
        if after.is_some() {
            list.offset += list.rows.len() as i64;
        } else if before.is_some() {
            list.offset = (list.offset - rows.len() as i64).max(0);
        } else {
            list.offset = 0;
        }
        list.rows = rows;
        list.selected = list.selected.min(list.rows.len().saturating_sub(1));
        list.total = lists::count(self.store.conn(), &filter, self.today)?;
        Ok(())
    }

    /// The key context of what has focus.
    pub fn context(&self) -> Context {
        match self.stack.last() {
            Some(Screen::Detail(_)) => Context::Detail,
            Some(Screen::Action(..) | Screen::Worker(_)) => Context::Form,
            _ => Context::List,
        }
    }

    /// Handles one terminal event.
    pub fn event(&mut self, ev: Event) {
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => self.key(k),
            Event::Paste(text) => match self.stack.last_mut() {
                Some(Screen::Action(_, p) | Screen::Worker(p)) => p.paste(&text),
                Some(Screen::Search {
                    query,
                    editing: true,
                    ..
                }) => {
                    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
                    *query = tui_input::Input::new(format!("{}{clean}", query.value()));
                }
                _ => {}
            },
            Event::Resize(_, h) => self.resize(h),
            _ => {}
        }
    }

    /// Fits the list pages to a terminal `h` rows high.
    pub fn resize(&mut self, h: u16) {
        let size = (h as usize).saturating_sub(8).max(3);
        if size != self.page_size {
            self.page_size = size;
            let _ = self.refresh();
        }
    }

    fn report(&mut self, r: Result<(), StoreError>) {
        if let Err(e) = r {
            self.status = Some(crate::domain::Localized::message(&e, self.lang));
        }
    }

    pub fn key(&mut self, key: KeyEvent) {
        self.status = None;
        // Forms and the search field take every key as text first.
        match self.stack.last_mut() {
            Some(Screen::Action(offer, prompt)) => {
                let offer = *offer;
                match prompt.key(key) {
                    Outcome::Editing => {}
                    Outcome::Cancel if prompt.changed => self.stack.push(Screen::ConfirmDiscard),
                    Outcome::Cancel => {
                        self.stack.pop();
                    }
                    Outcome::Submit => self.submit(offer),
                }
                return;
            }
            Some(Screen::Worker(prompt)) => {
                match prompt.key(key) {
                    Outcome::Editing => {}
                    Outcome::Cancel => {
                        self.stack.pop();
                    }
                    Outcome::Submit => {
                        let name = prompt.get("name");
                        let r = crate::domain::validate::line("worker", &name, 50)
                            .map_err(|e| StoreError::Domain(e.into()))
                            .and_then(|n| {
                                self.store.write(|tx, c| device::switch_worker(tx, c, &n))
                            })
                            .and_then(|_| device::get(self.store.conn()));
                        match r {
                            Ok(d) => {
                                self.device = d;
                                self.stack.pop();
                            }
                            Err(e) => self.report(Err(e)),
                        }
                    }
                }
                return;
            }
            Some(Screen::Search {
                query,
                editing: true,
                ..
            }) => {
                use ratatui::crossterm::event::KeyCode;
                use tui_input::backend::crossterm::EventHandler;
                match key.code {
                    KeyCode::Esc => {
                        self.stack.pop();
                    }
                    KeyCode::Enter => {
                        let q = query.value().to_owned();
                        match search::search(self.store.conn(), &self.device.region, &q, 200) {
                            Ok((n, h)) => {
                                if let Some(Screen::Search {
                                    hits,
                                    total,
                                    editing,
                                    selected,
                                    ..
                                }) = self.stack.last_mut()
                                {
                                    *hits = h;
                                    *total = n;
                                    *editing = false;
                                    *selected = 0;
                                }
                            }
                            Err(e) => self.report(Err(e)),
                        }
                    }
                    _ => {
                        query.handle_event(&Event::Key(key));
                    }
                }
                return;
            }
            Some(Screen::ConfirmDiscard) => {
                use ratatui::crossterm::event::KeyCode;
                match key.code {
                    KeyCode::Char('y') | KeyCode::Char('Y') => {
                        self.stack.pop();
                        self.stack.pop();
                    }
                    _ => {
                        self.stack.pop();
                    }
                }
                return;
            }
            Some(Screen::Help) => {
                self.stack.pop();
                return;
            }
            _ => {}
        }
        let Some(action) = resolve(self.context(), key) else {
            return;
        };
        self.act(action);
    }

    fn act(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.stack.push(Screen::Help),
            Action::Tab(n) => {
                self.tab = n as usize;
                self.stack.clear();
                let r = self.refresh();
                self.report(r);
            }
            Action::Search => self.stack.push(Screen::Search {
                query: tui_input::Input::default(),
                hits: Vec::new(),
                total: 0,
                selected: 0,
                editing: true,
            }),
            Action::SwitchWorker => self.stack.push(Screen::Worker(Prompt::new(
                self.t("切换网格员", "Switch worker").to_owned(),
                vec![Field::text("name", self.t("姓名", "name").to_owned(), true)],
            ))),
            Action::Back => {
                self.stack.pop();
                let r = self.refresh();
                self.report(r);
            }
            _ => match self.stack.last() {
                Some(Screen::Detail(_)) => self.detail_action(action),
                Some(Screen::Search { .. }) => self.search_action(action),
                _ => self.tab_action(action),
            },
        }
    }

    fn tab_action(&mut self, action: Action) {
        if self.tab == 1 {
            let targets = dashboard_targets(self.today);
            match action {
                Action::Down => {
                    self.dash_selected = (self.dash_selected + 1).min(targets.len() - 1)
                }
                Action::Up => self.dash_selected = self.dash_selected.saturating_sub(1),
                Action::Open => {
                    let (tab, filter) = targets[self.dash_selected].clone();
                    self.tab = tab;
                    if let Some(i) = tab_family(tab) {
                        self.lists[i].filter = filter;
                    }
                    let r = self.refresh();
                    self.report(r);
                }
                Action::New => {
                    self.status = Some(
                        self.t(
                            "新建表单将在下一版提供；现在可在详情里办理。",
                            "New-record forms come next; act on records from their detail view.",
                        )
                        .into(),
                    )
                }
                _ => {}
            }
            return;
        }
        let Some(i) = tab_family(self.tab) else {
            return;
        };
        let r = match action {
            Action::Down => {
                let l = &mut self.lists[i];
                if l.selected + 1 < l.rows.len() {
                    l.selected += 1;
                    Ok(())
                } else {
                    let key = l.rows.last().map(|r| (r.date.clone(), r.id.clone()));
                    let before = l.rows.len();
                    let r = self.load_page(i, key, None);
                    if self.lists[i].rows.len() == before || r.is_err() {
                        r
                    } else {
                        self.lists[i].selected = 0;
                        r
                    }
                }
            }
            Action::Up => {
                let l = &mut self.lists[i];
                if l.selected > 0 {
                    l.selected -= 1;
                    Ok(())
                } else if l.offset > 0 {
                    let key = l.rows.first().map(|r| (r.date.clone(), r.id.clone()));
                    let r = self.load_page(i, None, key);
                    self.lists[i].selected = self.lists[i].rows.len().saturating_sub(1);
                    r
                } else {
                    Ok(())
                }
            }
            Action::PageDown => {
                let key = self.lists[i]
                    .rows
                    .last()
                    .map(|r| (r.date.clone(), r.id.clone()));
                self.load_page(i, key, None)
            }
            Action::PageUp => {
                let key = self.lists[i]
                    .rows
                    .first()
                    .map(|r| (r.date.clone(), r.id.clone()));
                self.load_page(i, None, key)
            }
            Action::First => {
                self.lists[i].selected = 0;
                self.load_page(i, None, None)
            }
            Action::Last => {
                // The oldest page: everything newer than the empty key, read in ascending order.
                let r = self.load_page(i, None, Some((String::new(), String::new())));
                let l = &mut self.lists[i];
                l.offset = (l.total - l.rows.len() as i64).max(0);
                l.selected = l.rows.len().saturating_sub(1);
                r
            }
            Action::Filter => {
                let l = &mut self.lists[i];
                // Cycles: all → overdue only → all again; clears the dashboard's filters.
                let overdue = !l.filter.overdue_only
                    && l.filter.status.is_none()
                    && l.filter.due_by.is_none();
                l.filter = Filter::new(l.filter.family);
                l.filter.overdue_only = overdue;
                l.selected = 0;
                self.load_page(i, None, None)
            }
            Action::Open => {
                let id = self.lists[i]
                    .rows
                    .get(self.lists[i].selected)
                    .map(|r| r.id.clone());
                match id {
                    Some(id) => self.open(LIST_FAMILIES[i], &id),
                    None => Ok(()),
                }
            }
            Action::New | Action::Edit => {
                self.status = Some(
                    self.t(
                        "新建和编辑表单将在下一版提供；现在可以打开记录办理（Enter）。",
                        "New and edit forms come next; open a record to act on it (Enter).",
                    )
                    .into(),
                );
                Ok(())
            }
            _ => Ok(()),
        };
        self.report(r);
    }

    fn search_action(&mut self, action: Action) {
        let Some(Screen::Search { hits, selected, .. }) = self.stack.last_mut() else {
            return;
        };
        match action {
            Action::Down => *selected = (*selected + 1).min(hits.len().saturating_sub(1)),
            Action::Up => *selected = selected.saturating_sub(1),
            Action::Open => {
                if let Some(h) = hits.get(*selected).cloned() {
                    let r = self.open(h.family, &h.id);
                    self.report(r);
                }
            }
            _ => {}
        }
    }

    /// Opens a record's detail view.
    pub fn open(&mut self, family: Family, id: &str) -> Result<(), StoreError> {
        let conn = self.store.conn();
        let shown = match family {
            Family::Hazard => Shown::Hazard(hazards::get(conn, id)?),
            Family::Finding => Shown::Finding(need(records::get(conn, id)?, family, id)?),
            Family::Petition => Shown::Petition(need(records::get(conn, id)?, family, id)?),
            Family::Inspection => Shown::Inspection(need(inspections::get(conn, id)?, family, id)?),
            _ => return Ok(()),
        };
        let timeline = records::timeline(conn, id)?;
        self.stack.push(Screen::Detail(Box::new(Detail {
            shown,
            timeline,
            revealed: false,
            scroll: 0,
        })));
        Ok(())
    }

    fn detail_action(&mut self, action: Action) {
        let Some(Screen::Detail(d)) = self.stack.last_mut() else {
            return;
        };
        match action {
            Action::Down => d.scroll = d.scroll.saturating_add(1),
            Action::Up => d.scroll = d.scroll.saturating_sub(1),
            Action::Reveal => {
                if let Shown::Petition(p) = &d.shown {
                    let id = p.meta.id.clone();
                    let r = self.store.write(|tx, c| {
                        store::audit::append(
                            tx,
                            c,
                            "petition",
                            &id,
                            "reveal",
                            None,
                            &serde_json::json!({ "fields": ["id_number", "phone"] }),
                        )
                    });
                    match r {
                        Ok(()) => {
                            if let Some(Screen::Detail(d)) = self.stack.last_mut() {
                                d.revealed = true;
                            }
                        }
                        Err(e) => self.report(Err(e)),
                    }
                }
            }
            Action::Act(c) => {
                let offers = d.offers();
                match offers.iter().find(|o| o.key() == c) {
                    Some(offer) => {
                        let prompt = detail::prompt_for(*offer, self.lang, self.today, d);
                        self.stack.push(Screen::Action(*offer, prompt));
                    }
                    None => {
                        let legal: Vec<String> = offers
                            .iter()
                            .map(|o| format!("{} {}", o.key(), o.label(self.lang)))
                            .collect();
                        self.status = Some(match self.lang {
                            Lang::Zh if legal.is_empty() => {
                                "这条记录已办结，没有可办的操作".to_owned()
                            }
                            Lang::En if legal.is_empty() => {
                                "This record is closed; nothing to do".to_owned()
                            }
                            Lang::Zh => format!("现在不能这样办；可办：{}", legal.join("  ")),
                            Lang::En => format!("Not possible now; possible: {}", legal.join("  ")),
                        });
                    }
                }
            }
            _ => {}
        }
    }

    /// Saves a lifecycle action: one transaction, then the detail reloads with its new timeline.
    fn submit(&mut self, offer: Offer) {
        let n = self.stack.len();
        let (Some(Screen::Action(_, prompt)), Some(Screen::Detail(d))) =
            (self.stack.get(n - 1), self.stack.get(n.wrapping_sub(2)))
        else {
            return;
        };
        let request = detail::request(offer, prompt, self.lang, self.today);
        let id = d.id().to_owned();
        let family = d.family();
        let version = match &d.shown {
            Shown::Hazard(h) => h.meta.version,
            Shown::Finding(f) => f.meta.version,
            Shown::Petition(p) => p.meta.version,
            Shown::Inspection(i) => i.meta.version,
        };
        let result = match request {
            Err(msg) => Err(msg),
            Ok(req) => {
                let cal = holidays::calendar(self.store.conn());
                let count = device::day_count(self.store.conn());
                let r = match (req, cal, count) {
                    (_, Err(e), _) | (_, _, Err(e)) => Err(e),
                    (Request::Hazard(a), _, _) => self
                        .store
                        .write(|tx, c| hazards::act(tx, c, &id, version, &a).map(|_| ())),
                    (Request::Finding(a), _, _) => self
                        .store
                        .write(|tx, c| patrols::act(tx, c, &id, version, &a).map(|_| ())),
                    (Request::Petition(a), Ok(cal), Ok(count)) => self.store.write(|tx, c| {
                        let rules = crate::domain::petition::ClockRules {
                            calendar: &cal,
                            count,
                            today: c.today(),
                        };
                        petitions::act(tx, c, &id, version, &a, rules).map(|_| ())
                    }),
                };
                r.map_err(|e| crate::domain::Localized::message(&e, self.lang))
            }
        };
        match result {
            Ok(()) => {
                self.stack.truncate(n - 2);
                let r = self.open(family, &id);
                self.report(r);
                self.status = Some(self.t("已保存", "Saved").into());
            }
            Err(msg) => {
                if let Some(Screen::Action(_, p)) = self.stack.last_mut() {
                    p.error = Some(msg);
                }
            }
        }
    }
}

fn need<T>(v: Option<T>, family: Family, id: &str) -> Result<T, StoreError> {
    v.ok_or_else(|| StoreError::NoRecord {
        family,
        id: id.to_owned(),
    })
}
