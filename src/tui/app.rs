//! The app's state and its one `update`: keys become actions, actions change state (and call the store).
//! Drawing (`view`) only reads this state; it never touches the database.

use chrono::NaiveDate;
use ratatui::crossterm::event::{Event, KeyEventKind};

use super::detail::{Detail, Shown};
use super::keymap::Context;
use super::offers::Offer;
use super::prompt::Prompt;
use crate::domain::Lang;
use crate::domain::record::Family;
use crate::store::dashboard;
use crate::store::lists::{self, At, Filter};
use crate::store::{self, Store, StoreError, device, hazards, holidays, inspections, records};

pub use super::list_view::ListView;

/// What is on top of the tab.
#[derive(Debug, Clone)]
pub enum Screen {
    Detail(Box<Detail>),
    /// A lifecycle action's form over its detail view.
    Action(Offer, Prompt),
    Search(Box<super::search_view::SearchView>),
    Worker(Prompt),
    /// A new record's form.
    Form(super::forms::FormKind, Prompt),
    Checklist(Box<super::checklist::Checklist>),
    /// A patrol under way: report findings, then finish it.
    PatrolRun(Box<super::patrol_run::PatrolRun>),
    Help,
    /// A conflict from the 同步 tab, both versions side by side.
    Conflict(Box<crate::sync::review::ConflictView>),
    /// The villages and grids of the jurisdiction (`R`).
    Regions(super::regions::Regions),
    /// Asks before throwing away a changed form.
    ConfirmDiscard,
    /// Asks before quitting with a changed form open.
    ConfirmQuit,
}

pub struct App {
    pub store: Store,
    /// A save found the database locked by another program and is tried again when no key waits.
    pub waiting: bool,
    /// The waiting save's screens, set aside while the worker reads (see `waiting`).
    pub parked: Option<Vec<Screen>>,
    pub lang: Lang,
    pub tab: Tab,
    /// The Qinling tab shows its patrols rather than their findings.
    pub(super) patrols_shown: bool,
    pub device: device::Device,
    /// Where this device works: its region's name and the regions its forms offer.
    pub here: Jurisdiction,
    /// The hazard descriptions the app writes for a failed item without a note ("不合格：" and the item's
    /// wording), each with its English, so an English screen reads them in English.
    pub(super) composed_en: std::collections::HashMap<String, String>,
    pub today: NaiveDate,
    /// The overview tab's figures and cursor.
    pub dash: super::dash::DashState,
    pub lists: [ListView; 5],
    pub stack: Vec<Screen>,
    pub status: Option<String>,
    pub page_size: usize,
    pub quit: bool,
    /// The 同步 tab.
    pub(super) sync: super::sync::SyncTab,
    /// The years the holiday table covers.
    pub(super) holiday_years: Vec<i32>,
}

/// Where this device works, as its forms offer it (read again after a village or grid is added or renamed).
#[derive(Debug, Clone, Default)]
pub struct Jurisdiction {
    /// The device's own region's name.
    pub name: String,
    /// Where a new record may lie: grids, and villages without grids (the device's own region when there is
    /// neither), as (code, label).
    pub grids: Vec<(String, String)>,
    /// Where a petition may be registered: this office and the villages inside it.
    pub offices: Vec<(String, String)>,
    /// The regions directly below this device's (townships of a county, villages of a township): where it may
    /// assign cases (交办) and send bundles down.
    pub children: Vec<(String, String)>,
}

pub use super::tabs::{LIST_FAMILIES, Tab};

/// The lines of the dashboard, each a shortcut to a filtered list: (tab, filter).
pub fn dashboard_targets(today: NaiveDate) -> Vec<(Tab, Filter)> {
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
    let mut assigned_h = Filter::new(Family::Hazard);
    assigned_h.assigned = true;
    let mut assigned_p = Filter::new(Family::Petition);
    assigned_p.assigned = true;
    vec![
        (Tab::Hazards, overdue_h),
        (Tab::Petitions, overdue_p),
        (Tab::Petitions, due3),
        (Tab::Petitions, due7),
        (Tab::Hazards, review),
        (Tab::Qinling, unreferred),
        (Tab::Hazards, assigned_h),
        (Tab::Petitions, assigned_p),
    ]
}

impl App {
    pub fn new(store: Store, lang: Lang) -> Result<App, StoreError> {
        let device = device::get(store.conn())?;
        // A save never freezes the screen for long: past this wait it is tried again between keys.
        store.set_busy_timeout(super::waiting::TRY_WAIT)?;
        let today = store.today();
        let mut app = App {
            store,
            waiting: false,
            parked: None,
            lang,
            tab: Tab::Home,
            patrols_shown: false,
            device,
            here: Jurisdiction::default(),
            composed_en: Default::default(),
            today,
            dash: Default::default(),
            lists: LIST_FAMILIES.map(ListView::new),
            stack: Vec::new(),
            status: None,
            page_size: 15,
            quit: false,
            sync: Default::default(),
            holiday_years: Vec::new(),
        };
        app.load_regions()?;
        app.composed_en = store::inspections::composed_en(app.store.conn())?;
        app.refresh()?;
        Ok(app)
    }

    /// Reads the regions a record may belong to, where petitions are registered and where cases go down to
    /// (again after a village or grid is added or renamed).
    pub(super) fn load_regions(&mut self) -> Result<(), StoreError> {
        let device = &self.device;
        let region_name =
            store::regions::name(self.store.conn(), &device.region)?.unwrap_or_default();
        let regions = store::regions::list(self.store.conn(), Some(&device.region))?;
        let label = |r: &store::regions::Region| {
            let parent = r
                .parent
                .as_ref()
                .and_then(|p| regions.iter().find(|x| x.code == *p))
                .map(|p| p.name.clone());
            match parent {
                Some(parent) => format!("{parent} {} {}", r.name, r.code),
                None => format!("{} {}", r.name, r.code),
            }
        };
        // Where a new record may lie: every grid, and every village that has no grid yet (a village added
        // on screen is offered at once, before its grids are).
        use crate::domain::region::Level;
        let has_grid = |v: &store::regions::Region| {
            regions
                .iter()
                .any(|g| g.level == Level::Grid && g.parent.as_ref() == Some(&v.code))
        };
        let mut grids: Vec<(String, String)> = regions
            .iter()
            .filter(|r| r.level == Level::Grid || (r.level == Level::Village && !has_grid(r)))
            .map(|r| (r.code.to_string(), label(r)))
            .collect();
        if grids.is_empty() {
            grids.push((
                device.region.to_string(),
                format!("{} {}", region_name, device.region),
            ));
        }
        let offices: Vec<(String, String)> = regions
            .iter()
            .filter(|r| r.level != crate::domain::region::Level::Grid)
            .map(|r| (r.code.to_string(), format!("{} {}", r.name, r.code)))
            .collect();
        let children = regions
            .iter()
            .filter(|r| r.parent.as_ref() == Some(&device.region))
            .map(|r| (r.code.to_string(), format!("{} {}", r.name, r.code)))
            .collect();
        self.here.name = region_name;
        self.here.grids = grids;
        self.here.offices = offices;
        self.here.children = children;
        Ok(())
    }

    /// Text from the database in the viewer's language: a description the app composed (a failed item's
    /// wording) in English on an English screen; anything a person typed as typed.
    pub fn told<'a>(&'a self, text: &'a str) -> &'a str {
        match self.lang {
            Lang::En => self.composed_en.get(text).map_or(text, String::as_str),
            Lang::Zh => text,
        }
    }

    /// The list the current tab shows, if it shows one.
    pub(super) fn list(&self) -> Option<usize> {
        self.tab.list(self.patrols_shown)
    }

    /// What a form's checks need: today, and the worker's language.
    pub(super) fn checks(&self) -> super::checks::Context {
        super::checks::Context {
            today: self.today,
            lang: self.lang,
        }
    }

    pub(super) fn t(&self, zh: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(zh, en)
    }

    /// Reloads what the current tab shows.
    pub fn refresh(&mut self) -> Result<(), StoreError> {
        self.today = self.store.today();
        self.holiday_years = holidays::calendar(self.store.conn())?.years();
        match self.tab {
            Tab::Home => {
                // The totals stay as they were until `idle` reads them again after the frame is drawn.
                let mut d = dashboard::load(self.store.conn(), self.today)?;
                d.totals = self.dash.totals.totals.take();
                self.dash.totals = d;
                self.dash.stale = true;
                self.load_dash_preview()?;
            }
            Tab::Sync => self.sync_refresh()?,
            _ => {
                if let Some(i) = self.list() {
                    self.load_page(i, At::First)?;
                }
            }
        }
        Ok(())
    }

    /// Reads a page of list `i`.
    pub(super) fn load_page(&mut self, i: usize, at: At) -> Result<(), StoreError> {
        let pager = super::list_view::Pager {
            conn: self.store.conn(),
            today: self.today,
            size: self.page_size,
        };
        self.lists[i].load(at, pager)
    }

    /// Work left for when no key is waiting: the dashboard's totals, which count every open case and so are
    /// read after the frame that shows what is due. Returns whether it did something (the screen is to be drawn
    /// again).
    pub fn idle(&mut self) -> bool {
        if self.waiting {
            return self.retry_save();
        }
        // Only while the overview itself is on screen (not under a record opened from it).
        if !self.dash.stale || self.tab != Tab::Home || !self.stack.is_empty() {
            return false;
        }
        self.dash.stale = false;
        match dashboard::totals(self.store.conn(), self.today) {
            Ok(t) => self.dash.totals.totals = Some(t),
            Err(e) => self.status = Some(crate::domain::Localized::message(&e, self.lang)),
        }
        true
    }

    /// The key context of what has focus.
    pub fn context(&self) -> Context {
        self.context_under(0)
    }

    /// The key context of the screen `depth` below the top (0: the top; the help overlay asks for 1).
    pub fn context_under(&self, depth: usize) -> Context {
        match self.stack.iter().rev().nth(depth) {
            Some(Screen::Detail(_)) => Context::Detail,
            Some(Screen::Action(..) | Screen::Worker(_) | Screen::Form(..)) => Context::Form,
            Some(Screen::ConfirmDiscard | Screen::ConfirmQuit) => Context::Form,
            Some(Screen::Checklist(c)) if c.editing_note() => Context::Note,
            Some(Screen::Checklist(_)) => Context::Checklist,
            Some(Screen::PatrolRun(_)) => Context::Patrol,
            Some(Screen::Conflict(_)) => Context::Conflict,
            Some(Screen::Regions(_)) => Context::Regions,
            Some(Screen::Search(_)) => Context::Search,
            None if self.tab == Tab::Sync => Context::Sync,
            _ => Context::List,
        }
    }

    /// Handles one terminal event.
    pub fn event(&mut self, ev: Event) {
        let at = self.checks();
        match ev {
            Event::Key(k) if k.kind == KeyEventKind::Press => self.key(k),
            Event::Paste(text) => match self.stack.last_mut() {
                Some(Screen::Action(_, p) | Screen::Worker(p) | Screen::Form(_, p)) => {
                    p.paste(&text, at)
                }
                Some(Screen::Checklist(c)) => c.paste(&text),
                Some(Screen::Search(s)) if s.editing => s.paste(&text),
                _ => {}
            },
            Event::Resize(_, h) => self.resize(h),
            _ => {}
        }
        self.note_locked_out();
    }

    /// Fits the list pages to a terminal `h` rows high.
    pub fn resize(&mut self, h: u16) {
        let size = (h as usize).saturating_sub(8).max(3);
        if size != self.page_size {
            self.page_size = size;
            let _ = self.refresh();
        }
    }

    pub(super) fn report(&mut self, r: Result<(), StoreError>) {
        if let Err(e) = r {
            self.status = Some(crate::domain::Localized::message(&e, self.lang));
        }
    }

    /// Opens a record's detail view.
    pub fn open(&mut self, family: Family, id: &str) -> Result<(), StoreError> {
        let conn = self.store.conn();
        // A patrol still under way opens where it was left: findings reported, then finished.
        if family == Family::Patrol
            && let Some(p) = records::get::<crate::domain::patrol::Patrol>(conn, id)?
            && p.status == crate::domain::patrol::PatrolStatus::Open
            && !p.meta.deleted
        {
            let findings = lists::findings_of(conn, id)?.len();
            self.stack
                .push(Screen::PatrolRun(Box::new(super::patrol_run::PatrolRun {
                    patrol: p,
                    findings,
                })));
            return Ok(());
        }
        let shown = match family {
            Family::Hazard => Shown::Hazard(hazards::get(conn, id)?),
            Family::Finding => Shown::Finding(need(records::get(conn, id)?, family, id)?),
            Family::Petition => Shown::Petition(need(records::get(conn, id)?, family, id)?),
            Family::Inspection => Shown::Inspection(need(inspections::get(conn, id)?, family, id)?),
            Family::Patrol => Shown::Patrol(need(records::get(conn, id)?, family, id)?),
            _ => return Ok(()),
        };
        let timeline = records::timeline(conn, id)?;
        let t = |zh: &str, en: &str| self.lang.pick(zh, en).to_owned();
        // Where the record lies: the grid, village or township chosen for it.
        let mut related = vec![(
            t("所在区划", "region"),
            store::regions::path(conn, &shown.meta().region_code)?,
        )];
        let place_id = match &shown {
            Shown::Hazard(h) => h.place_id.clone(),
            Shown::Inspection(i) => Some(i.place_id.clone()),
            _ => None,
        };
        let place = match place_id {
            Some(p) => records::get::<crate::domain::place::Place>(conn, &p)?,
            None => None,
        };
        let patrol = match &shown {
            Shown::Finding(f) => match &f.patrol_id {
                Some(p) => records::get::<crate::domain::patrol::Patrol>(conn, p)?,
                None => None,
            },
            _ => None,
        };
        let mut items = std::collections::HashMap::new();
        // The related lines that open a record of their own (an inspection's hazards, a patrol's findings).
        let mut links = Vec::new();
        if let Shown::Inspection(i) = &shown {
            for item in inspections::checklist(conn, i.category)? {
                items.insert(item.code.clone(), item.text(self.lang).to_owned());
            }
            for (hazard, item, status, deadline) in lists::hazards_of(conn, &i.meta.id)? {
                links.push((related.len(), Family::Hazard, hazard));
                let status = crate::domain::hazard::HazardStatus::from_code(&status)
                    .map(|s| s.label(self.lang).to_owned())
                    .unwrap_or(status);
                related.push((
                    format!("{} {item}", t("隐患", "hazard")),
                    format!("{status}  {} {deadline}", t("期限", "due")),
                ));
            }
        }
        // A patrol's findings, one line each.
        if let Shown::Patrol(p) = &shown {
            for f in lists::findings_of(conn, &p.meta.id)? {
                links.push((related.len(), Family::Finding, f.id));
                let (found_on, code, status, location) = (f.found_on, f.code, f.status, f.location);
                let code = crate::domain::patrol::FindingCode::from_code(&code)
                    .map(|c| c.label(self.lang).to_owned())
                    .unwrap_or(code);
                let status = crate::domain::patrol::FindingStatus::from_code(&status)
                    .map(|s| s.label(self.lang).to_owned())
                    .unwrap_or(status);
                related.push((
                    format!("{} {found_on}", t("发现", "finding")),
                    format!("{code}  {status}  {location}"),
                ));
            }
        }
        let mut assignments = Vec::new();
        let mut assign_to = Vec::new();
        if matches!(family, Family::Hazard | Family::Petition) {
            for a in store::assignments::of(conn, id)? {
                let ours = a.meta.origin == self.device.id;
                let state = match (&a.status, &a.reply) {
                    (crate::domain::assignment::AssignmentStatus::Done, reply) => format!(
                        "{} {}{}{}",
                        t("已办结", "answered"),
                        a.done_on.map(|d| d.to_string()).unwrap_or_default(),
                        t("：", ": "),
                        reply.clone().unwrap_or_default()
                    ),
                    _ => t("待办结", "not yet answered"),
                };
                let to = store::regions::name(conn, &a.meta.region_code)?
                    .unwrap_or_else(|| a.meta.region_code.to_string());
                related.push((
                    t("交办", "assigned"),
                    format!(
                        "{} {} > {to}  {} {}{}{}  [{state}]",
                        a.assigned_on,
                        a.assigned_by,
                        t("期限", "due"),
                        a.deadline,
                        t("：", ": "),
                        a.note
                    ),
                ));
                assignments.push((a, ours));
            }
            assign_to = self.here.children.clone();
        }
        self.stack.push(Screen::Detail(Box::new(Detail {
            shown,
            related,
            timeline,
            revealed: false,
            scroll: 0,
            scroll_max: Default::default(),
            drawn: Default::default(),
            items,
            assignments,
            assign_to,
            place,
            patrol,
            links,
            link: None,
        })));
        Ok(())
    }
}

fn need<T>(v: Option<T>, family: Family, id: &str) -> Result<T, StoreError> {
    v.ok_or_else(|| StoreError::NoRecord {
        family,
        id: id.to_owned(),
    })
}
