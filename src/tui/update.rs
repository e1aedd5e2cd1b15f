//! `App`'s update: a key becomes an action in the context of what has focus, and the action changes state
//! (calling the store for lifecycle steps).

use super::field_key::FieldKey as Fk;
use ratatui::crossterm::event::KeyEvent;

use super::keymap::{Action, resolve};
use super::offers::{self, Offer, Request};
use super::prompt::{Field, Outcome, Prompt};
use crate::store::search::{self};
use crate::store::{self, StoreError, device, hazards, holidays, patrols, petitions};

use super::app::{App, LIST_FAMILIES, Screen, Tab};

/// Ctrl+R: load the newest version of the record under a form.
fn is_reload(key: KeyEvent) -> bool {
    key.code == ratatui::crossterm::event::KeyCode::Char('r')
        && key
            .modifiers
            .contains(ratatui::crossterm::event::KeyModifiers::CONTROL)
}

impl App {
    pub fn key(&mut self, key: KeyEvent) {
        self.status = None;
        let at = self.checks();
        // Forms and the search field take every key as text first.
        // F1: the form's keys (in a form `?` is text).
        if key.code == ratatui::crossterm::event::KeyCode::F(1)
            && matches!(
                self.stack.last(),
                Some(Screen::Action(..) | Screen::Form(..) | Screen::Worker(_))
            )
        {
            return self.stack.push(Screen::Help);
        }
        match self.stack.last_mut() {
            Some(Screen::Action(..) | Screen::Form(..)) if is_reload(key) => {
                return self.reload_beneath();
            }
            Some(Screen::Action(offer, prompt)) => {
                let offer = *offer;
                match prompt.key(key, at) {
                    Outcome::Editing | Outcome::Pick(_) => {}
                    Outcome::Cancel if prompt.changed || self.waits_on_screen() => {
                        self.stack.push(Screen::ConfirmDiscard)
                    }
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
                match prompt.key(key, at) {
                    Outcome::Editing => {
                        if matches!(kind, super::forms::FormKind::Inspection(_)) {
                            self.suggest_places();
                        }
                    }
                    Outcome::Pick(n) => self.pick_place(n),
                    Outcome::Cancel if prompt.changed || self.waits_on_screen() => {
                        self.stack.push(Screen::ConfirmDiscard)
                    }
                    Outcome::Cancel => {
                        self.stack.pop();
                    }
                    Outcome::Submit => self.submit_form(kind),
                }
                return;
            }
            Some(Screen::Checklist(c)) => {
                use super::checklist::Step;
                match c.key(key) {
                    Step::Editing => {}
                    Step::Back => self.back_from_checklist(),
                    Step::Save => self.save_checklist(),
                    Step::Help => self.stack.push(Screen::Help),
                    Step::Quit => {
                        let changed = c.changed;
                        self.ask_quit(changed);
                    }
                }
                return;
            }
            _ => {}
        }
        if self.prompt_key(key) {
            return;
        }
        let Some(action) = resolve(self.context(), key) else {
            return;
        };
        self.act(action);
    }

    /// A patrol under way: `a` reports a finding, `c` finishes the patrol.
    fn patrol_action(&mut self, action: Action) {
        use super::forms::{self, FormKind};
        use super::patrol_run::Next;
        let Some(Screen::PatrolRun(run)) = self.stack.last() else {
            return;
        };
        match run.act(action) {
            Next::Stay => {}
            Next::Report { patrol_id, zone } => {
                let form = forms::finding(self.lang, self.today, zone);
                self.stack
                    .push(Screen::Form(FormKind::Finding { patrol_id }, form));
            }
            Next::Finish { patrol_id, version } => {
                let form = forms::close_patrol(self.lang);
                self.stack.push(Screen::Form(
                    FormKind::ClosePatrol { patrol_id, version },
                    form,
                ));
            }
        }
    }

    /// The keys of a small prompt, the search field, a confirmation or the help overlay; false when none of
    /// them has focus.
    fn prompt_key(&mut self, key: KeyEvent) -> bool {
        let at = self.checks();
        match self.stack.last_mut() {
            Some(Screen::Worker(prompt)) => {
                match prompt.key(key, at) {
                    Outcome::Editing | Outcome::Pick(_) => {}
                    Outcome::Cancel => {
                        self.stack.pop();
                    }
                    Outcome::Submit => {
                        let name = prompt.get(Fk::Name);
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
                return true;
            }
            Some(Screen::Search(s)) if s.editing => {
                let next = s.type_key(key);
                self.search_next(next);
                return true;
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
                        // A waiting save is set aside, not thrown away: the worker reads meanwhile.
                        if self.waits_on_screen() {
                            self.park();
                        }
                    }
                }
                return true;
            }
            Some(Screen::ConfirmQuit) => {
                use ratatui::crossterm::event::KeyCode;
                self.stack.pop();
                if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                    self.quit = true;
                }
                return true;
            }
            Some(Screen::Help) => {
                self.stack.pop();
                return true;
            }
            _ => {}
        }
        false
    }

    pub(super) fn act(&mut self, action: Action) {
        if self.parked_action(action) {
            return;
        }
        match action {
            Action::Quit if self.busy() => {
                self.status = Some(
                    self.t(
                        "正在导出或导入，完成后才能退出",
                        "An export or import is running; quit when it is done",
                    )
                    .into(),
                )
            }
            Action::Quit => self.quit = true,
            Action::Help => self.stack.push(Screen::Help),
            Action::Tab(n) => {
                let Some(tab) = Tab::from_number(n) else {
                    return;
                };
                self.tab = tab;
                self.stack.clear();
                let r = self.refresh();
                self.report(r);
            }
            Action::Search => {
                if matches!(self.stack.last(), Some(Screen::Search(_))) {
                    self.stack.pop();
                }
                self.stack.push(Screen::Search(Box::new(
                    super::search_view::SearchView::new(),
                )));
            }
            Action::SwitchWorker => self.stack.push(Screen::Worker(Prompt::new(
                self.t("切换网格员", "Switch worker").to_owned(),
                vec![Field::text(Fk::Name, self.t("姓名", "name").to_owned(), true).limit(50)],
            ))),
            Action::Back if self.stack.is_empty() && self.tab == Tab::Home => {
                self.dash_action(action)
            }
            Action::Back => {
                self.stack.pop();
                let mut r = self.refresh();
                // The record beneath may have changed meanwhile (its hazard closed, its finding referred).
                if r.is_ok() {
                    r = self.reload_detail();
                }
                self.report(r);
            }
            Action::Regions => {
                let r = self.open_regions();
                self.report(r);
            }
            _ => match self.stack.last() {
                Some(Screen::Conflict(_)) => self.conflict_action(action),
                Some(Screen::Regions(_)) => self.regions_action(action),
                Some(Screen::PatrolRun(_)) => self.patrol_action(action),
                Some(Screen::Detail(_)) => self.detail_action(action),
                Some(Screen::Search(_)) => self.search_action(action),
                _ => self.tab_action(action),
            },
        }
    }

    pub(super) fn tab_action(&mut self, action: Action) {
        if self.tab == Tab::Home {
            return self.dash_action(action);
        }
        if self.tab == Tab::Sync {
            return self.sync_action(action);
        }
        if action == Action::SwitchList {
            if self.tab != Tab::Qinling {
                self.status = Some(
                    self.t(
                        "v 在 4 秦岭巡查 页切换巡查记录和发现",
                        "v switches between patrols and findings on tab 4",
                    )
                    .into(),
                );
                return;
            }
            self.patrols_shown = !self.patrols_shown;
            let r = self.refresh();
            return self.report(r);
        }
        let Some(i) = self.list() else {
            return;
        };
        use super::list_view::{Next, Pager};
        let pager = Pager {
            conn: self.store.conn(),
            today: self.today,
            size: self.page_size,
        };
        let r = match self.lists[i].act(action, pager) {
            Ok(Next::Stay) => Ok(()),
            Ok(Next::Open(id)) => self.open(LIST_FAMILIES[i], &id),
            Ok(Next::Edit(id)) => self.open(LIST_FAMILIES[i], &id).map(|_| self.edit()),
            Ok(Next::New) => {
                self.new_record();
                Ok(())
            }
            Ok(Next::Filter) => {
                let form =
                    super::list_view::filter(self.lang, &self.lists[i].filter, &self.here.grids);
                self.stack.push(Screen::Form(
                    super::forms::FormKind::Filter { list: i },
                    form,
                ));
                Ok(())
            }
            Err(e) => Err(e),
        };
        self.report(r);
    }

    /// Reads the record of the detail view on top again, where it stood (its scroll and selected link kept).
    fn reload_detail(&mut self) -> Result<(), StoreError> {
        let Some(Screen::Detail(d)) = self.stack.last() else {
            return Ok(());
        };
        let (family, id, scroll, link) = (d.family(), d.id().to_string(), d.scroll, d.link);
        self.stack.pop();
        self.open(family, &id)?;
        if let Some(Screen::Detail(d)) = self.stack.last_mut() {
            d.scroll = scroll;
            d.link = link.filter(|l| *l < d.links.len());
        }
        Ok(())
    }

    pub(super) fn search_action(&mut self, action: Action) {
        let Some(Screen::Search(s)) = self.stack.last_mut() else {
            return;
        };
        let next = s.act(action);
        self.search_next(next);
    }

    /// What the search screen asked for: run its query, open a hit, or leave.
    fn search_next(&mut self, next: super::search_view::Next) {
        use super::search_view::Next;
        match next {
            Next::Stay => {}
            Next::Back => {
                self.stack.pop();
            }
            Next::Run(q) => match search::search(self.store.conn(), &q, 200) {
                Ok((n, hits)) => {
                    if let Some(Screen::Search(s)) = self.stack.last_mut() {
                        s.found(n, hits);
                    }
                }
                Err(e) => self.report(Err(e)),
            },
            Next::Open(h) => {
                // The header names the tab the record is listed on.
                self.tab = Tab::of(h.family);
                self.patrols_shown = h.family == crate::domain::record::Family::Patrol;
                let r = self.open(h.family, &h.id);
                self.report(r);
            }
        }
    }

    /// What a key on a record's detail view leads to.
    pub(super) fn detail_action(&mut self, action: Action) {
        use super::detail::Next;
        let lang = self.lang;
        let Some(Screen::Detail(d)) = self.stack.last_mut() else {
            return;
        };
        match d.act(action, lang) {
            Next::Stay => {}
            Next::Edit => self.edit(),
            Next::Say(msg) => self.status = Some(msg),
            Next::Open(family, id) => {
                let r = self.open(family, &id);
                self.report(r);
            }
            Next::Reveal { family, id, fields } => {
                if self.audit_reveal(family, &id, None, &fields)
                    && let Some(Screen::Detail(d)) = self.stack.last_mut()
                {
                    d.revealed = true;
                }
            }
            Next::Offer(offer) => {
                let prompt = offers::prompt_for(offer, self.lang, self.today, d);
                // A form that offers the place owner's name (as the responsible party) shows what the detail
                // masks: that is a reveal, and audited as one.
                let owner = d.place.as_ref().and_then(|p| p.owner_name.as_ref());
                let prefilled = prompt.get_if_present(Fk::Responsible).is_some()
                    && owner.is_some_and(|o| !o.is_empty())
                    && !d.revealed;
                let (family, id) = (d.family(), d.id().clone());
                self.stack.push(Screen::Action(offer, prompt));
                if prefilled {
                    self.audit_reveal(family, &id, Some("prefill"), &["owner_name"]);
                }
            }
        }
    }

    /// Records in the audit log that personal `fields` of a record were shown; false (and said) when the
    /// log could not be written.
    fn audit_reveal(
        &mut self,
        family: crate::domain::record::Family,
        id: &str,
        reason: Option<&str>,
        fields: &[&str],
    ) -> bool {
        let r = self.store.write(|tx, c| {
            store::audit::append(
                tx,
                c,
                family.code(),
                id,
                "reveal",
                reason,
                &serde_json::json!({ "fields": fields }),
            )
        });
        let ok = r.is_ok();
        self.report(r);
        ok
    }

    /// Saves a lifecycle action: one transaction, then the detail reloads with its new timeline.
    pub(super) fn submit(&mut self, offer: Offer) {
        let n = self.stack.len();
        let (Some(Screen::Action(_, prompt)), Some(Screen::Detail(d))) =
            (self.stack.get(n - 1), self.stack.get(n.wrapping_sub(2)))
        else {
            return;
        };
        let request = offers::request(offer, prompt, self.lang, self.today);
        let id = d.id().clone();
        let family = d.family();
        let version = d.shown.meta().version;
        let received = d.received().map(|a| (a.meta.id.clone(), a.meta.version));
        let result = match request {
            Err(msg) => Err(msg),
            Ok(Request::AssignDown { to, deadline, note }) => {
                let order = store::assignments::Order {
                    target_family: family,
                    target_id: id.clone(),
                    assignee: to,
                    deadline,
                    note,
                };
                self.store
                    .write(|tx, c| store::assignments::create(tx, c, &order).map(|_| ()))
                    .map_err(|e| crate::domain::Localized::message(&e, self.lang))
            }
            Ok(Request::Answer(reply)) => match received {
                Some((aid, version)) => self
                    .store
                    .write(|tx, c| {
                        store::assignments::answer(tx, c, &aid, version, &reply).map(|_| ())
                    })
                    .map_err(|e| crate::domain::Localized::message(&e, self.lang)),
                None => Ok(()),
            },
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
                    (Request::AssignDown { .. } | Request::Answer(_), _, _) => Ok(()),
                    (Request::Petition(a), Ok(cal), Ok(count)) => self.store.write(|tx, c| {
                        let rules = crate::domain::petition::ClockRules {
                            calendar: &cal,
                            count,
                            today: c.today(),
                        };
                        petitions::act(tx, c, &id, version, &a, rules).map(|_| ())
                    }),
                };
                r.map_err(|e| self.refusal(&e))
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
