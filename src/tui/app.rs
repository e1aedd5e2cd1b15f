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
    /// A new record's form.
    Form(super::forms::FormKind, Prompt),
    Checklist(Box<super::checklist::Checklist>),
    /// A patrol under way: report findings, then finish it.
    PatrolRun {
        patrol: Box<crate::domain::patrol::Patrol>,
        findings: usize,
    },
    Help,
    /// Asks before throwing away a changed form.
    ConfirmDiscard,
    /// Asks before quitting with a changed form open.
    ConfirmQuit,
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
    /// Grids a new record may belong to (the device's own region when it has none), as (code, label).
    pub grids: Vec<(String, String)>,
    /// Where a petition may be registered: this office and the villages inside it.
    pub offices: Vec<(String, String)>,
    /// The years the holiday table covers.
    pub holiday_years: Vec<i32>,
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
        let regions = store::regions::list(store.conn(), Some(&device.region))?;
        let label = |r: &store::regions::Region| {
            let parent = r
                .parent
                .as_deref()
                .and_then(|p| regions.iter().find(|x| x.code == p))
                .map(|p| p.name.clone());
            format!("{}{} {}", parent.unwrap_or_default(), r.name, r.code)
        };
        let mut grids: Vec<(String, String)> = regions
            .iter()
            .filter(|r| r.level == crate::domain::region::Level::Grid)
            .map(|r| (r.code.clone(), label(r)))
            .collect();
        if grids.is_empty() {
            grids.push((
                device.region.clone(),
                format!("{} {}", region_name, device.region),
            ));
        }
        let offices: Vec<(String, String)> = regions
            .iter()
            .filter(|r| r.level != crate::domain::region::Level::Grid)
            .map(|r| (r.code.clone(), format!("{} {}", r.name, r.code)))
            .collect();
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
            grids,
            offices,
            holiday_years: Vec::new(),
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
        self.holiday_years = holidays::calendar(self.store.conn())?.years();
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
        // Every record in this database lies inside the device's jurisdiction (writes and imports check it), so
        // only a narrower region chosen in the filter restricts the list.
        let filter = self.lists[i].filter.clone();
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
        // Paging keeps the count; a new filter or a fresh first page counts again.
        if after.is_none() && before.is_none() || list.total == 0 {
            list.total = lists::count(self.store.conn(), &filter, self.today)?;
        }
        Ok(())
    }

    /// The key context of what has focus.
    pub fn context(&self) -> Context {
        match self.stack.last() {
            Some(Screen::Detail(_)) => Context::Detail,
            Some(Screen::Action(..) | Screen::Worker(_) | Screen::Form(..)) => Context::Form,
            Some(Screen::ConfirmDiscard | Screen::ConfirmQuit) => Context::Form,
            Some(Screen::Checklist(_)) => Context::Checklist,
            Some(Screen::PatrolRun { .. }) => Context::Patrol,
            _ => Context::List,
        }
    }

    /// Handles one terminal event.
    pub fn event(&mut self, ev: Event) {
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => self.key(k),
            Event::Paste(text) => match self.stack.last_mut() {
                Some(Screen::Action(_, p) | Screen::Worker(p) | Screen::Form(_, p)) => {
                    p.paste(&text)
                }
                Some(Screen::Checklist(c)) => c.paste(&text),
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
            Some(Screen::Form(kind, prompt)) => {
                let kind = kind.clone();
                if key.code == ratatui::crossterm::event::KeyCode::Char('q')
                    && prompt.focus_is_choice()
                {
                    let changed = prompt.changed;
                    self.ask_quit(changed);
                    return;
                }
                match prompt.key(key) {
                    Outcome::Editing => {}
                    Outcome::Cancel if prompt.changed => self.stack.push(Screen::ConfirmDiscard),
                    Outcome::Cancel => {
                        self.stack.pop();
                    }
                    Outcome::Submit => self.submit_form(kind),
                }
                return;
            }
            Some(Screen::Checklist(c)) => {
                if !c.editing_note && key.code == ratatui::crossterm::event::KeyCode::Char('?') {
                    self.stack.push(Screen::Help);
                    return;
                }
                if !c.editing_note && key.code == ratatui::crossterm::event::KeyCode::Char('q') {
                    let changed = c.changed;
                    self.ask_quit(changed);
                    return;
                }
                match c.key(key) {
                    super::checklist::Step::Editing => {}
                    super::checklist::Step::Cancel if c.changed => {
                        self.stack.push(Screen::ConfirmDiscard)
                    }
                    super::checklist::Step::Cancel => {
                        self.stack.pop();
                    }
                    super::checklist::Step::Save => self.save_checklist(),
                }
                return;
            }
            Some(Screen::PatrolRun { patrol, .. }) => {
                use ratatui::crossterm::event::KeyCode;
                let (id, version) = (patrol.meta.id.clone(), patrol.meta.version);
                match key.code {
                    KeyCode::Char('a') => {
                        let form = super::forms::finding(self.lang, self.today);
                        self.stack.push(Screen::Form(
                            super::forms::FormKind::Finding { patrol_id: id },
                            form,
                        ));
                    }
                    KeyCode::Char('c') => {
                        let form = super::forms::close_patrol(self.lang);
                        self.stack.push(Screen::Form(
                            super::forms::FormKind::ClosePatrol {
                                patrol_id: id,
                                version,
                            },
                            form,
                        ));
                    }
                    KeyCode::Char('?') => self.stack.push(Screen::Help),
                    _ => {}
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
            Some(Screen::ConfirmQuit) => {
                use ratatui::crossterm::event::KeyCode;
                self.stack.pop();
                if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                    self.quit = true;
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
            Action::Search => {
                if matches!(self.stack.last(), Some(Screen::Search { .. })) {
                    self.stack.pop();
                }
                self.stack.push(Screen::Search {
                    query: tui_input::Input::default(),
                    hits: Vec::new(),
                    total: 0,
                    selected: 0,
                    editing: true,
                })
            }
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
                            "新建：在 2 安全检查、4 秦岭巡查、5 信访 页签里按 n",
                            "New: press n on tab 2, 4 or 5",
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
                let form = super::forms::filter(self.lang, &self.lists[i].filter, &self.grids);
                self.stack.push(Screen::Form(
                    super::forms::FormKind::Filter { list: i },
                    form,
                ));
                Ok(())
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
            Action::New => {
                self.new_record();
                Ok(())
            }
            Action::Edit => {
                let id = self.lists[i]
                    .rows
                    .get(self.lists[i].selected)
                    .map(|r| r.id.clone());
                match id {
                    Some(id) => self.open(LIST_FAMILIES[i], &id).map(|_| self.edit()),
                    None => Ok(()),
                }
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
        let t = |zh: &str, en: &str| self.lang.pick(zh, en).to_owned();
        let mut related = Vec::new();
        let place = match &shown {
            Shown::Hazard(h) => h.place_id.clone(),
            Shown::Inspection(i) => Some(i.place_id.clone()),
            _ => None,
        };
        if let Some((name, address)) = place
            .map(|p| lists::place_of(conn, &p))
            .transpose()?
            .flatten()
        {
            related.push((t("场所", "place"), format!("{name}  {address}")));
        }
        if let Shown::Inspection(i) = &shown {
            for (item, status, deadline) in lists::hazards_of(conn, &i.meta.id)? {
                let status = crate::domain::hazard::HazardStatus::from_code(&status)
                    .map(|s| s.label(self.lang).to_owned())
                    .unwrap_or(status);
                related.push((
                    format!("{} {item}", t("隐患", "hazard")),
                    format!("{status}  {} {deadline}", t("期限", "due")),
                ));
            }
        }
        self.stack.push(Screen::Detail(Box::new(Detail {
            shown,
            related,
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
            Action::Edit => self.edit(),
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

impl App {
    /// Opens the new-record form of the current tab.
    fn new_record(&mut self) {
        use super::forms::{self, FormKind};
        let form = match self.tab {
            2 => (
                FormKind::Inspection,
                forms::inspection(self.lang, self.today, &self.grids),
            ),
            4 => (FormKind::Patrol, forms::patrol(self.lang, &self.grids)),
            5 => (
                FormKind::Petition {
                    confirmed_repeat: false,
                },
                forms::petition(self.lang, self.today, &self.offices),
            ),
            _ => {
                self.status = Some(
                    self.t(
                        "隐患由检查的不合格项生成：请在 2 安全检查 里按 n 新建检查",
                        "Hazards come from failed inspection items: press n on tab 2",
                    )
                    .into(),
                );
                return;
            }
        };
        self.stack.push(Screen::Form(form.0, form.1));
    }

    /// Quits, or first asks when a form holds unsaved changes.
    fn ask_quit(&mut self, changed: bool) {
        if changed {
            self.stack.push(Screen::ConfirmQuit);
        } else {
            self.quit = true;
        }
    }

    /// Opens the edit form of the record in the detail view on top.
    fn edit(&mut self) {
        let Some(Screen::Detail(d)) = self.stack.last() else {
            return;
        };
        match super::forms::edit(self.lang, &d.shown) {
            Some(form) => self
                .stack
                .push(Screen::Form(super::forms::FormKind::Edit, form)),
            None => {
                self.status = Some(
                    self.t(
                        "检查保存后不能修改；如有错误，请重新检查一次",
                        "An inspection cannot be changed once saved; if it is wrong, inspect again",
                    )
                    .into(),
                )
            }
        }
    }

    /// Saves an edit: the record as read, with the form's fields, through the store's optimistic update.
    fn save_edit(&mut self, prompt: &Prompt) {
        let n = self.stack.len();
        let Some(Screen::Detail(d)) = n.checked_sub(2).and_then(|i| self.stack.get(i)) else {
            return;
        };
        let lang = self.lang;
        let reason = Some(prompt.get("reason")).filter(|r| !r.trim().is_empty());
        let opt = |k: &str| Some(prompt.get(k)).filter(|v| !v.trim().is_empty());
        let (family, id) = (d.family(), d.id().to_owned());
        let r = match &d.shown {
            Shown::Hazard(h) => {
                let mut e = h.clone();
                e.description = prompt.get("description");
                e.grade = crate::domain::category::Grade::from_code(&prompt.get("grade"))
                    .unwrap_or(e.grade);
                e.responsible = opt("responsible");
                e.notice_no = opt("notice");
                self.store
                    .write(|tx, c| hazards::update(tx, c, &e, reason.as_deref()).map(|_| ()))
            }
            Shown::Finding(f) => {
                let mut e = f.clone();
                e.description = prompt.get("description");
                e.location = prompt.get("location");
                e.zone =
                    crate::domain::patrol::Zone::from_code(&prompt.get("zone")).unwrap_or(e.zone);
                e.on_site_action = opt("action");
                self.store.write(|tx, c| {
                    patrols::update_finding(tx, c, &e, reason.as_deref()).map(|_| ())
                })
            }
            Shown::Petition(p) => {
                let mut e = p.clone();
                let Ok(people) = prompt.get("people").trim().parse() else {
                    return self
                        .form_error(self.t("人数应为数字", "people must be a number").into());
                };
                e.people = people;
                e.channel = crate::domain::petition::Channel::from_code(&prompt.get("channel"))
                    .unwrap_or(e.channel);
                e.track = crate::domain::petition::Track::from_code(&prompt.get("track"))
                    .unwrap_or(e.track);
                e.category =
                    crate::domain::petition::PetitionCategory::from_code(&prompt.get("category"))
                        .unwrap_or(e.category);
                e.phone = opt("phone");
                e.address = opt("address");
                e.summary = prompt.get("summary");
                e.content = prompt.get("content");
                e.unit = opt("unit");
                let cal = holidays::calendar(self.store.conn());
                let count = device::day_count(self.store.conn());
                match (cal, count) {
                    (Ok(cal), Ok(count)) => self.store.write(|tx, c| {
                        let rules = crate::domain::petition::ClockRules {
                            calendar: &cal,
                            count,
                            today: c.today(),
                        };
                        petitions::update(tx, c, &e, rules, reason.as_deref()).map(|_| ())
                    }),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                }
            }
            Shown::Inspection(_) => Ok(()),
        };
        match r {
            Ok(()) => {
                self.stack.truncate(n - 2);
                let opened = self.open(family, &id);
                self.report(opened);
                self.status = Some(self.t("已保存", "Saved").into());
            }
            Err(e) => self.form_error(crate::domain::Localized::message(&e, lang)),
        }
    }

    fn form_error(&mut self, msg: String) {
        if let Some(Screen::Form(_, p)) = self.stack.last_mut() {
            p.error = Some(msg);
        }
    }

    /// Saves a new-record form.
    fn submit_form(&mut self, kind: super::forms::FormKind) {
        use super::forms::{self, FormKind};
        let Some(Screen::Form(_, prompt)) = self.stack.last() else {
            return;
        };
        let prompt = prompt.clone();
        let lang = self.lang;
        let msg = |e: StoreError| crate::domain::Localized::message(&e, lang);
        let dev = self.device.clone();
        let ctx = store::WriteCtx {
            device: dev.id,
            actor: dev.worker,
            region: dev.region,
            now: self.store.now(),
        };
        match kind {
            FormKind::Petition { confirmed_repeat } => {
                let received = match prompt.date("received", self.today, lang) {
                    Ok(d) => d,
                    Err(e) => return self.form_error(e),
                };
                let record = match forms::petition_record(&prompt, &ctx, received) {
                    Ok(r) => r,
                    Err(e) => return self.form_error(e),
                };
                if !confirmed_repeat && let Some(warning) = self.repeat_warning(&record) {
                    if let Some(Screen::Form(k, p)) = self.stack.last_mut() {
                        *k = FormKind::Petition {
                            confirmed_repeat: true,
                        };
                        p.error = Some(warning);
                    }
                    return;
                }
                let cal = holidays::calendar(self.store.conn());
                let count = device::day_count(self.store.conn());
                let r = match (cal, count) {
                    (Ok(cal), Ok(count)) => self.store.write(|tx, c| {
                        let rules = crate::domain::petition::ClockRules {
                            calendar: &cal,
                            count,
                            today: c.today(),
                        };
                        petitions::register(tx, c, record, rules)
                    }),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                };
                match r {
                    Ok((p, _)) => {
                        self.stack.pop();
                        let opened = self.open(Family::Petition, &p.meta.id);
                        self.report(opened);
                        self.status = Some(match lang {
                            Lang::Zh => {
                                format!("已登记 {}，受理告知期限 {}", p.case_no, p.accept_due)
                            }
                            Lang::En => format!(
                                "Registered {}; acceptance notice due {}",
                                p.case_no, p.accept_due
                            ),
                        });
                    }
                    Err(e) => self.form_error(msg(e)),
                }
            }
            FormKind::Inspection => {
                let date = match prompt.date("date", self.today, lang) {
                    Ok(d) => d,
                    Err(e) => return self.form_error(e),
                };
                let place = forms::place_record(&prompt, &ctx);
                let category =
                    crate::domain::category::Category::from_code(&prompt.get("category"))
                        .unwrap_or(crate::domain::category::Category::Gas);
                let subject = crate::domain::inspection::Subject::from_code(&prompt.get("subject"))
                    .unwrap_or(crate::domain::inspection::Subject::Resident);
                // The place is checked now, and saved together with the inspection.
                let mut check = place.clone();
                if let Err(e) = check.validate(chrono::Datelike::year(&self.today)) {
                    return self.form_error(crate::domain::Localized::message(&e, lang));
                }
                match inspections::checklist(self.store.conn(), category) {
                    Ok(items) => {
                        self.stack.pop();
                        let c =
                            super::checklist::Checklist::new(check, category, subject, date, items);
                        self.stack.push(Screen::Checklist(Box::new(c)));
                    }
                    Err(e) => self.form_error(msg(e)),
                }
            }
            FormKind::Patrol => {
                let patrol = forms::patrol_record(&prompt, &ctx);
                match self.store.write(|tx, c| patrols::start(tx, c, patrol)) {
                    Ok(p) => {
                        self.stack.pop();
                        self.stack.push(Screen::PatrolRun {
                            patrol: Box::new(p),
                            findings: 0,
                        });
                    }
                    Err(e) => self.form_error(msg(e)),
                }
            }
            FormKind::Finding { patrol_id } => {
                let date = match prompt.date("date", self.today, lang) {
                    Ok(d) => d,
                    Err(e) => return self.form_error(e),
                };
                let f = forms::finding_record(&prompt, &ctx, &patrol_id, date);
                match self.store.write(|tx, c| patrols::report(tx, c, f)) {
                    Ok(_) => {
                        self.stack.pop();
                        if let Some(Screen::PatrolRun { findings, .. }) = self.stack.last_mut() {
                            *findings += 1;
                        }
                        self.status = Some(self.t("已上报", "Reported").into());
                    }
                    Err(e) => self.form_error(msg(e)),
                }
            }
            FormKind::Filter { list } => {
                let day = |k: &str| -> Result<Option<NaiveDate>, String> {
                    match prompt.get(k).trim() {
                        "" => Ok(None),
                        _ => prompt.date(k, self.today, lang).map(Some),
                    }
                };
                let (from, to) = match (day("from"), day("to")) {
                    (Ok(f), Ok(t)) => (f, t),
                    (Err(e), _) | (_, Err(e)) => return self.form_error(e),
                };
                let some = |k: &str| Some(prompt.get(k)).filter(|v| !v.is_empty());
                let l = &mut self.lists[list];
                l.filter = Filter {
                    family: l.filter.family,
                    status: some("status"),
                    overdue_only: prompt.get("overdue") == "yes",
                    region: some("region"),
                    category: some("category"),
                    due_by: None,
                    from,
                    to,
                };
                l.selected = 0;
                self.stack.pop();
                let r = self.load_page(list, None, None);
                self.report(r);
            }
            FormKind::Edit => self.save_edit(&prompt),
            FormKind::ClosePatrol { patrol_id, version } => {
                let km = prompt.get("km");
                let km = match km.trim() {
                    "" => None,
                    s => match s.parse::<f64>() {
                        Ok(v) => Some(v),
                        Err(_) => {
                            return self.form_error(
                                self.t(
                                    "里程应为数字，如 8.5",
                                    "Distance must be a number, e.g. 8.5",
                                )
                                .into(),
                            );
                        }
                    },
                };
                let end = self.store.now().timestamp_millis();
                match self
                    .store
                    .write(|tx, c| patrols::close(tx, c, &patrol_id, version, end, km))
                {
                    Ok(p) => {
                        self.stack.truncate(self.stack.len().saturating_sub(2));
                        self.status = Some(if p.nothing_found {
                            self.t("巡查已结束：未发现问题", "Patrol finished: nothing found")
                                .into()
                        } else {
                            self.t("巡查已结束", "Patrol finished").into()
                        });
                        let r = self.refresh();
                        self.report(r);
                    }
                    Err(e) => self.form_error(msg(e)),
                }
            }
        }
    }

    /// Earlier cases of the same person and category, said before the new one is saved.
    fn repeat_warning(&self, p: &crate::domain::petition::Petition) -> Option<String> {
        let id = p
            .id_number
            .as_deref()
            .and_then(|s| crate::domain::validate::id_number(s, self.today).ok());
        let phone = p
            .phone
            .as_deref()
            .and_then(|s| crate::domain::validate::phone(s).ok())
            .map(|x| x.0);
        let key = crate::domain::petition::person_key(
            id.as_deref(),
            p.petitioner_name.trim(),
            phone.as_deref(),
        )?;
        let window = device::repeat_window_days(self.store.conn()).ok()?;
        let since = p.received_on - chrono::Days::new(window.max(0) as u64);
        let earlier = petitions::repeats(self.store.conn(), &key, p.category, since).ok()?;
        let first = earlier.first()?;
        Some(match self.lang {
            Lang::Zh => format!(
                "注意：此人已有同类信访 {} 件（最近 {} {}），将登记为重复信访；再按 Ctrl+S 保存",
                earlier.len(),
                first.case_no,
                first.received_on
            ),
            Lang::En => format!(
                "Note: {} earlier case(s) of this person in this category (latest {} {}); Ctrl+S again saves it as a repeat",
                earlier.len(),
                first.case_no,
                first.received_on
            ),
        })
    }

    /// Saves the place, the inspection and its hazards in one transaction.
    fn save_checklist(&mut self) {
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
            store::places::create(tx, w, c.place.clone())?;
            inspections::record(tx, w, insp, Some(drafts), &items)
        });
        match r {
            Ok(done) => {
                self.stack.pop();
                let opened = self.open(Family::Inspection, &done.inspection.meta.id);
                self.report(opened);
                self.status = Some(match lang {
                    Lang::Zh => format!("已保存检查，生成隐患 {} 条", done.hazards.len()),
                    Lang::En => format!("Inspection saved; {} hazards opened", done.hazards.len()),
                });
            }
            Err(e) => {
                if let Some(Screen::Checklist(c)) = self.stack.last_mut() {
                    c.error = Some(crate::domain::Localized::message(&e, lang));
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
