//! The edit form of a record shown in the detail view (`e`): a hazard's, a finding's and a petition's descriptive
//! fields, an inspection's correction (date, subject, 初判 within what its failed items allow, note), each with
//! the reason for the change; filled with what the record holds now. Saving it goes through the store's
//! optimistic update; a save refused as stale offers Ctrl+R, which reloads the record beneath and keeps the form.

use super::checks::Check;
use super::field_key::FieldKey as Fk;
use super::forms::choices;
use super::prompt::{Field, Prompt};
use crate::domain::Lang;
use crate::domain::inspection::Subject;
use crate::domain::patrol::Zone;
use crate::domain::petition::{Channel, PetitionCategory, Track};
use crate::domain::record::Family::{
    Finding as Fi, Hazard as Hz, Inspection as In, Petition as Pe,
};

/// The edit form of a record: its descriptive fields, filled with what it holds now.
pub fn edit(lang: Lang, shown: &super::detail::Shown) -> Option<Prompt> {
    use super::detail::Shown;
    use crate::domain::category::Grade;
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    // A field's label from the field table: the form says what the detail view says.
    let lbl = |family, name: &str| crate::domain::fields::label(Some(family), name, lang);
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = match shown {
        Shown::Hazard(h) => vec![
            Field::note(
                Fk::Description,
                lbl(Hz, "description"),
                true,
                &h.description,
            ),
            Field::chosen(
                Fk::Grade,
                lbl(Hz, "grade"),
                choices(Grade::ALL, |c| c.code(), |c| c.label(lang)),
                h.grade.code(),
            ),
            Field::filled(
                Fk::Responsible,
                lbl(Hz, "responsible"),
                false,
                &opt(&h.responsible),
            )
            .limit(100),
            Field::filled(Fk::Notice, lbl(Hz, "notice_no"), false, &opt(&h.notice_no)).limit(50),
            Field::note(Fk::Reason, t("修改原因", "why the change"), false, ""),
        ],
        Shown::Finding(f) => vec![
            Field::note(
                Fk::Description,
                lbl(Fi, "description"),
                true,
                &f.description,
            ),
            Field::filled(Fk::Location, lbl(Fi, "location"), true, &f.location),
            Field::chosen(
                Fk::Zone,
                lbl(Fi, "zone"),
                choices(Zone::ALL, |c| c.code(), |c| c.label(lang)),
                f.zone.code(),
            ),
            Field::note(
                Fk::Action,
                lbl(Fi, "on_site_action"),
                false,
                &opt(&f.on_site_action),
            ),
            Field::note(Fk::Reason, t("修改原因", "why the change"), false, ""),
        ],
        Shown::Petition(p) => vec![
            Field::chosen(
                Fk::Channel,
                lbl(Pe, "channel"),
                choices(Channel::ALL, |c| c.code(), |c| c.label(lang)),
                p.channel.code(),
            ),
            Field::chosen(
                Fk::Track,
                lbl(Pe, "track"),
                choices(Track::ALL, |c| c.code(), |c| c.label(lang)),
                p.track.code(),
            ),
            Field::chosen(
                Fk::Category,
                lbl(Pe, "category"),
                choices(PetitionCategory::ALL, |c| c.code(), |c| c.label(lang)),
                p.category.code(),
            ),
            Field::filled(Fk::Phone, lbl(Pe, "phone"), false, &opt(&p.phone))
                .check(Check::Phone)
                .limit(20),
            Field::filled(Fk::Address, lbl(Pe, "address"), false, &opt(&p.address)),
            Field::filled(Fk::People, lbl(Pe, "people"), true, &p.people.to_string())
                .check(Check::Whole { min: 1 })
                .limit(6),
            Field::filled(Fk::Summary, lbl(Pe, "summary"), true, &p.summary).limit(100),
            Field::multi(Fk::Content, lbl(Pe, "content"), true, &p.content),
            Field::filled(Fk::Unit, lbl(Pe, "unit"), false, &opt(&p.unit)).limit(100),
            Field::note(Fk::Reason, t("修改原因", "why the change"), false, ""),
        ],
        Shown::Inspection(i) => {
            use crate::domain::inspection::Verdict;
            let mut fields = vec![
                Field::date(Fk::Date, lbl(In, "inspected_on"), Some(i.inspected_on)),
                Field::chosen(
                    Fk::Subject,
                    lbl(In, "subject"),
                    choices(Subject::ALL, |c| c.code(), |c| c.label(lang)),
                    i.subject.code(),
                ),
            ];
            if let Some(v) = i.verdict {
                // Only the verdicts the failed items allow: 初判 never contradicts the results.
                let agreeing = Verdict::agreeing(i.failed_count);
                let current = if agreeing.contains(&v) {
                    v
                } else {
                    agreeing[0]
                };
                fields.push(Field::chosen(
                    Fk::Verdict,
                    lbl(In, "verdict"),
                    choices(agreeing, |c| c.code(), |c| c.label(lang)),
                    current.code(),
                ));
            }
            fields.push(Field::note(Fk::Note, lbl(In, "note"), false, &opt(&i.note)).limit(2000));
            fields.push(Field::note(
                Fk::Reason,
                t("修改原因", "why the change"),
                false,
                "",
            ));
            return Some(Prompt::new(
                t(
                    "更正检查（各项结果和隐患不变）",
                    "Correct the inspection (results and hazards stay)",
                ),
                fields,
            ));
        }
        Shown::Patrol(_) => return None,
    };
    Some(Prompt::new(t("修改", "Edit"), fields))
}

use super::app::{App, Screen};
use super::detail::Shown;
use crate::store::{self, StoreError, device, hazards, holidays, patrols, petitions};

impl App {
    /// Saves an edit: the record as read, with the form's fields, through the store's optimistic update.
    pub(super) fn save_edit(&mut self, prompt: &Prompt) {
        let n = self.stack.len();
        let Some(Screen::Detail(d)) = n.checked_sub(2).and_then(|i| self.stack.get(i)) else {
            return;
        };
        let reason = prompt.opt(Fk::Reason);
        let (family, id) = (d.family(), d.id().to_owned());
        let r = match &d.shown {
            Shown::Hazard(h) => {
                let mut e = h.clone();
                e.description = prompt.get(Fk::Description);
                e.grade = prompt.choice(Fk::Grade).unwrap_or(e.grade);
                e.responsible = prompt.opt(Fk::Responsible);
                e.notice_no = prompt.opt(Fk::Notice);
                self.store
                    .write(|tx, c| hazards::update(tx, c, &e, reason.as_deref()).map(|_| ()))
            }
            Shown::Finding(f) => {
                let mut e = f.clone();
                e.description = prompt.get(Fk::Description);
                e.location = prompt.get(Fk::Location);
                e.zone = prompt.choice(Fk::Zone).unwrap_or(e.zone);
                e.on_site_action = prompt.opt(Fk::Action);
                self.store.write(|tx, c| {
                    patrols::update_finding(tx, c, &e, reason.as_deref()).map(|_| ())
                })
            }
            Shown::Petition(p) => {
                let mut e = p.clone();
                let Ok(people) = prompt.get(Fk::People).trim().parse() else {
                    return self
                        .form_error(self.t("人数应为数字", "people must be a number").into());
                };
                e.people = people;
                e.channel = prompt.choice(Fk::Channel).unwrap_or(e.channel);
                e.track = prompt.choice(Fk::Track).unwrap_or(e.track);
                e.category = prompt.choice(Fk::Category).unwrap_or(e.category);
                e.phone = prompt.opt(Fk::Phone);
                e.address = prompt.opt(Fk::Address);
                e.summary = prompt.get(Fk::Summary);
                e.content = prompt.get(Fk::Content);
                e.unit = prompt.opt(Fk::Unit);
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
            Shown::Inspection(i) => {
                let mut e = i.clone();
                e.inspected_on = match prompt.date(Fk::Date, self.today, self.lang) {
                    Ok(d) => d,
                    Err(msg) => return self.form_error(msg),
                };
                e.subject = prompt.choice(Fk::Subject).unwrap_or(e.subject);
                e.verdict = prompt
                    .get_if_present(Fk::Verdict)
                    .and_then(|v| crate::domain::inspection::Verdict::from_code(&v))
                    .or(e.verdict);
                e.note = prompt.opt(Fk::Note);
                self.store.write(|tx, c| {
                    store::inspections::correct(tx, c, &e, reason.as_deref()).map(|_| ())
                })
            }
            Shown::Patrol(_) => Ok(()),
        };
        match r {
            Ok(()) => {
                self.stack.truncate(n - 2);
                let opened = self.open(family, &id);
                self.report(opened);
                self.status = Some(self.t("已保存", "Saved").into());
            }
            Err(e) => self.form_error(self.refusal(&e)),
        }
    }

    /// Why a save over a record was refused; when someone changed the record meanwhile, how to go on.
    pub(super) fn refusal(&self, e: &StoreError) -> String {
        let msg = crate::domain::Localized::message(e, self.lang);
        if !matches!(e, StoreError::Stale { .. }) {
            return msg;
        }
        let hint = self.t(
            "按 Ctrl+R 载入最新版本（已填的内容保留）",
            "Ctrl+R loads the newest version (what you typed stays)",
        );
        format!("{msg}。{hint}")
    }

    /// Ctrl+R over an edit or a step refused as stale: the record beneath is read again (its newest version,
    /// shown behind the form), the form keeps what was typed, and the next save goes against that version.
    pub(super) fn reload_beneath(&mut self) {
        let n = self.stack.len();
        let Some(Screen::Detail(d)) = n.checked_sub(2).and_then(|i| self.stack.get(i)) else {
            return;
        };
        let (family, id) = (d.family(), d.id().to_owned());
        if let Err(e) = self.open(family, &id) {
            return self.form_error(crate::domain::Localized::message(&e, self.lang));
        }
        // [.., old detail, form, new detail] becomes [.., new detail, form].
        let fresh = self.stack.pop();
        let form = self.stack.pop();
        self.stack.pop();
        self.stack.extend(fresh.into_iter().chain(form));
        let msg = self
            .t(
                "已载入最新版本，已填的内容保留：核对后再保存",
                "The newest version is loaded and what you typed stays: check it, then save",
            )
            .to_owned();
        if let Some(Screen::Form(_, p) | Screen::Action(_, p)) = self.stack.last_mut() {
            p.error = Some(msg);
        }
    }
}
