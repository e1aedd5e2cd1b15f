//! Saving what the worker filled in: new-record forms, the checklist, edits — each through the store's one
//! write path, with errors shown in the form that caused them.

use super::field_key::FieldKey as Fk;
use chrono::NaiveDate;

use crate::domain::Lang;
use crate::domain::ids::RegionCode;
use crate::domain::record::Family;
use crate::store::lists::{At, Filter};
use crate::store::{self, StoreError, device, holidays, inspections, patrols, petitions, records};

use super::app::{App, Screen, Tab};

impl App {
    /// Opens the new-record form of the current tab.
    pub(super) fn new_record(&mut self) {
        use super::forms::{self, FormKind};
        let form = match self.tab {
            Tab::Inspections => (
                FormKind::Inspection(None),
                forms::inspection(self.lang, self.today, &self.here.grids),
            ),
            Tab::Qinling => (FormKind::Patrol, forms::patrol(self.lang, &self.here.grids)),
            Tab::Petitions => (
                FormKind::Petition {
                    confirmed_repeat: false,
                },
                forms::petition(self.lang, self.today, &self.here.offices),
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

    /// Quits, or first asks when a form (or one beneath it) holds unsaved changes.
    pub(super) fn ask_quit(&mut self, changed: bool) {
        // A form beneath counts too (the place form under a checklist with nothing marked yet).
        let beneath = self.stack.iter().any(|s| match s {
            Screen::Form(_, p) | Screen::Action(_, p) | Screen::Worker(p) => p.changed,
            Screen::Checklist(c) => c.changed,
            _ => false,
        });
        if changed || beneath {
            self.stack.push(Screen::ConfirmQuit);
        } else {
            self.quit = true;
        }
    }

    /// Opens the edit form of the record in the detail view on top.
    pub(super) fn edit(&mut self) {
        let Some(Screen::Detail(d)) = self.stack.last() else {
            return;
        };
        match super::edit_form::edit(self.lang, &d.shown) {
            Some(form) => self
                .stack
                .push(Screen::Form(super::forms::FormKind::Edit, form)),
            None => {
                self.status = Some(
                    self.t(
                        "巡查记录不在这里修改：发现逐条打开后按 e 修改",
                        "A patrol is not edited here: open each finding and press e",
                    )
                    .into(),
                )
            }
        }
    }

    pub(super) fn form_error(&mut self, msg: String) {
        if let Some(Screen::Form(_, p)) = self.stack.last_mut() {
            p.error = Some(msg);
        }
    }

    /// Saves a new-record form.
    pub(super) fn submit_form(&mut self, kind: super::forms::FormKind) {
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
                let received = match prompt.date(Fk::Received, self.today, lang) {
                    Ok(d) => d,
                    Err(e) => return self.form_error(e),
                };
                let record = match forms::petition_record(&prompt, &ctx, received, lang) {
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
                        // Short, so that the steps possible next stay beside it; the deadlines are on screen.
                        self.status = Some(match lang {
                            Lang::Zh => format!("已登记 {}", p.case_no),
                            Lang::En => format!("Registered {}", p.case_no),
                        });
                    }
                    Err(e) => self.form_error(msg(e)),
                }
            }
            FormKind::Inspection(_) => {
                let date = match prompt.date(Fk::Date, self.today, lang) {
                    Ok(d) => d,
                    Err(e) => return self.form_error(e),
                };
                let place = match forms::place_record(&prompt, &ctx, lang) {
                    Ok(p) => p,
                    Err(e) => return self.form_error(e),
                };
                let category = prompt
                    .choice(Fk::Category)
                    .unwrap_or(crate::domain::category::Category::Gas);
                let subject = prompt
                    .choice(Fk::Subject)
                    .unwrap_or(crate::domain::inspection::Subject::Resident);
                // The place is checked now, and saved together with the inspection.
                let mut check = place.clone();
                if let Err(e) = check.validate(chrono::Datelike::year(&self.today)) {
                    return self.form_error(crate::domain::Localized::message(&e, lang));
                }
                match inspections::checklist(self.store.conn(), category) {
                    Ok(items) => {
                        // A place already on file with this name and address is inspected again, not re-created.
                        let conn = self.store.conn();
                        let known = store::lists::find_place(
                            conn,
                            &check.meta.region_code,
                            &check.name,
                            &check.address,
                        )
                        .map(|id| {
                            id.and_then(|id: String| {
                                records::get::<crate::domain::place::Place>(conn, &id)
                                    .ok()
                                    .flatten()
                            })
                        });
                        let known = match known {
                            Ok(k) => k,
                            Err(e) => return self.form_error(msg(e)),
                        };
                        let mut c =
                            super::checklist::Checklist::new(check, category, subject, date, items);
                        if let Some(place) = known {
                            c.place = place;
                            c.known_place = true;
                        }
                        // Back from the checklist and on again: its answers come along.
                        if let Some(Screen::Form(FormKind::Inspection(kept), _)) =
                            self.stack.last_mut()
                            && let Some(before) = kept.take()
                        {
                            c.take_answers(&before);
                        }
                        // The form stays beneath: Esc on the checklist comes back to it.
                        self.stack.push(Screen::Checklist(Box::new(c)));
                    }
                    Err(e) => self.form_error(msg(e)),
                }
            }
            FormKind::Patrol => {
                let patrol = match forms::patrol_record(&prompt, &ctx, lang) {
                    Ok(p) => p,
                    Err(e) => return self.form_error(e),
                };
                match self.store.write(|tx, c| patrols::start(tx, c, patrol)) {
                    Ok(p) => {
                        self.stack.pop();
                        self.stack.push(Screen::PatrolRun(Box::new(
                            super::patrol_run::PatrolRun {
                                patrol: p,
                                findings: 0,
                            },
                        )));
                    }
                    Err(e) => self.form_error(msg(e)),
                }
            }
            FormKind::Finding { patrol_id } => {
                let date = match prompt.date(Fk::Date, self.today, lang) {
                    Ok(d) => d,
                    Err(e) => return self.form_error(e),
                };
                let f = match forms::finding_record(&prompt, &ctx, &patrol_id, date, lang) {
                    Ok(f) => f,
                    Err(e) => return self.form_error(e),
                };
                match self.store.write(|tx, c| patrols::report(tx, c, f)) {
                    Ok(_) => {
                        self.stack.pop();
                        if let Some(Screen::PatrolRun(run)) = self.stack.last_mut() {
                            run.findings += 1;
                        }
                        self.status = Some(self.t("已上报", "Reported").into());
                    }
                    Err(e) => self.form_error(msg(e)),
                }
            }
            FormKind::Export => {
                let dir = prompt.get(Fk::Dir).trim().to_owned();
                let to = RegionCode::parse(&prompt.get(Fk::To)).ok();
                self.stack.pop();
                self.start_export(dir, to);
            }
            FormKind::Card => {
                let path = std::path::PathBuf::from(prompt.get(Fk::Card).trim());
                match crate::sync::seal::add_card(&mut self.store, &path) {
                    Ok(card) => {
                        self.stack.pop();
                        self.status = Some(match lang {
                            crate::domain::Lang::Zh => format!(
                                "已登记县级名片（签名公钥前 16 位 {}，请电话核对）；以后的交换包都加密",
                                &card.public_key[..16]
                            ),
                            crate::domain::Lang::En => format!(
                                "County card registered (signing key starts {}; confirm by phone); bundles are now encrypted",
                                &card.public_key[..16]
                            ),
                        });
                        let r = self.sync_refresh();
                        self.report(r);
                    }
                    Err(e) => self.form_error(msg(e)),
                }
            }
            FormKind::Import => {
                let path = prompt.get(Fk::Path);
                self.stack.pop();
                self.start_import(path);
            }
            FormKind::AddRegion { parent } => {
                let n = prompt.get(Fk::Number).trim().parse::<u16>().unwrap_or(0);
                self.save_region(|tx, c| {
                    store::regions::add(tx, c, &parent, n, &prompt.get(Fk::Name)).map(|r| r.code)
                });
            }
            FormKind::RenameRegion { code } => {
                self.save_region(|tx, c| {
                    store::regions::rename(tx, c, &code, &prompt.get(Fk::Name))
                        .map(|()| code.clone())
                });
            }
            FormKind::Decide(decision) => {
                if let Err(e) = self.decide(decision, &prompt.get(Fk::Note)) {
                    self.form_error(msg(e));
                }
            }
            FormKind::Filter { list } => {
                let day = |k: Fk| -> Result<Option<NaiveDate>, String> {
                    match prompt.get(k).trim() {
                        "" => Ok(None),
                        _ => prompt.date(k, self.today, lang).map(Some),
                    }
                };
                let (from, to) = match (day(Fk::From), day(Fk::To)) {
                    (Ok(f), Ok(t)) => (f, t),
                    (Err(e), _) | (_, Err(e)) => return self.form_error(e),
                };
                let some = |k: Fk| Some(prompt.get(k)).filter(|v| !v.is_empty());
                let l = &mut self.lists[list];
                l.filter = Filter {
                    family: l.filter.family,
                    status: some(Fk::Status),
                    overdue_only: prompt.get(Fk::Overdue) == "yes",
                    region: some(Fk::Region).and_then(|r| RegionCode::parse(&r).ok()),
                    category: some(Fk::Category),
                    due_by: None,
                    from,
                    to,
                    assigned: prompt
                        .get_if_present(Fk::Assigned)
                        .is_some_and(|v| v == "yes"),
                };
                l.selected = 0;
                self.stack.pop();
                let r = self.load_page(list, At::First);
                self.report(r);
            }
            FormKind::Edit => self.save_edit(&prompt),
            FormKind::ClosePatrol { patrol_id, version } => {
                let km = prompt.get(Fk::Km);
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
    pub(super) fn repeat_warning(&self, p: &crate::domain::petition::Petition) -> Option<String> {
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
                "Note: {} of this person in this category (latest {} {}); Ctrl+S again saves it as a repeat",
                crate::domain::text::count(earlier.len() as u64, "earlier case", "earlier cases"),
                first.case_no,
                first.received_on
            ),
        })
    }
}
