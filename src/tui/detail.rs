//! The detail view of one record: its fields (personal data masked until revealed), its statutory deadlines,
//! its timeline, and the lifecycle actions the domain says are legal now, each on its own key.

use chrono::NaiveDate;

use super::prompt::{Field, Prompt};
use crate::domain::Lang;
use crate::domain::deadline::days_left;
use crate::domain::hazard::{Hazard, HazardAction, HazardActionKind};
use crate::domain::inspection::Inspection;
use crate::domain::patrol::{Department, Finding, FindingAction, FindingActionKind};
use crate::domain::petition::{
    Outcome, Petition, PetitionAction, PetitionActionKind, Satisfaction,
};
use crate::domain::record::Family;
use crate::domain::validate::{mask_id, mask_name, mask_phone};
use crate::store::records::Event;

/// The record shown.
#[derive(Debug, Clone)]
pub enum Shown {
    Hazard(Hazard),
    Finding(Finding),
    Petition(Petition),
    Inspection(Inspection),
}

#[derive(Debug, Clone)]
pub struct Detail {
    pub shown: Shown,
    /// Lines about related records (the place, the hazards an inspection opened), already labelled.
    pub related: Vec<(String, String)>,
    pub timeline: Vec<Event>,
    pub revealed: bool,
    pub scroll: u16,
    /// An inspection's checklist: item code → the item's text in the current language.
    pub items: std::collections::HashMap<String, String>,
    /// Assignments (交办) of this record, and whether this device made each (then it waits for the answer).
    pub assignments: Vec<(crate::domain::assignment::Assignment, bool)>,
    /// Where this device may assign the record down to (empty: it may not).
    pub assign_to: Vec<(String, String)>,
}

/// A lifecycle action offered on a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    Hazard(HazardActionKind),
    Finding(FindingActionKind),
    Petition(PetitionActionKind),
    /// 交办: hand a hazard or petition down to a township or grid, with a deadline and a note.
    AssignDown,
    /// 办结: answer an assignment received from above.
    AnswerAssignment,
}

impl Offer {
    /// The key of each action (distinct from the global keys).
    pub fn key(self) -> char {
        use FindingActionKind as F;
        use HazardActionKind as H;
        use PetitionActionKind as P;
        match self {
            Offer::Hazard(k) => match k {
                H::Assign => 'a',
                H::Rectify => 'r',
                H::RequestReview => 'v',
                H::PassReview => 'p',
                H::FailReview => 'x',
                H::Close => 'c',
                H::Extend => 't',
            },
            Offer::Finding(k) => match k {
                F::Refer => 'm',
                F::Handle => 'h',
                F::Verify => 'p',
                F::Reject => 'x',
            },
            Offer::Petition(k) => match k {
                P::Forward => 's',
                P::Accept => 'a',
                P::NotAccept => 'u',
                P::Return => 'b',
                P::Handle => 'h',
                P::Extend => 't',
                P::Reply => 'd',
                P::Close => 'c',
                P::Evaluate => 'o',
                P::RequestReview => 'v',
                P::DecideReview => 'y',
                P::RequestReexam => 'r',
                P::DecideReexam => 'z',
                P::Finalize => 'l',
            },
            Offer::AssignDown => 'm',
            Offer::AnswerAssignment => 'f',
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Offer::Hazard(k) => k.label(lang),
            Offer::Finding(k) => k.label(lang),
            Offer::Petition(k) => k.label(lang),
            Offer::AssignDown => lang.pick("交办下级", "assign down"),
            Offer::AnswerAssignment => lang.pick("办结交办", "answer assignment"),
        }
    }
}

impl Detail {
    pub fn family(&self) -> Family {
        match self.shown {
            Shown::Hazard(_) => Family::Hazard,
            Shown::Finding(_) => Family::Finding,
            Shown::Petition(_) => Family::Petition,
            Shown::Inspection(_) => Family::Inspection,
        }
    }

    pub fn id(&self) -> &str {
        match &self.shown {
            Shown::Hazard(h) => &h.meta.id,
            Shown::Finding(f) => &f.meta.id,
            Shown::Petition(p) => &p.meta.id,
            Shown::Inspection(i) => &i.meta.id,
        }
    }

    /// The open assignment of this record received from above, if any.
    pub fn received(&self) -> Option<&crate::domain::assignment::Assignment> {
        self.assignments
            .iter()
            .find(|(a, ours)| {
                !ours && a.status == crate::domain::assignment::AssignmentStatus::Open
            })
            .map(|(a, _)| a)
    }

    /// The actions legal now: the record's lifecycle steps, then 交办 and 办结 where they apply.
    pub fn offers(&self) -> Vec<Offer> {
        let mut offers = self.lifecycle();
        let open = match &self.shown {
            Shown::Hazard(h) => !h.status.is_closed(),
            Shown::Petition(p) => p.status.is_open(),
            _ => false,
        };
        let waiting = self.assignments.iter().any(|(a, ours)| {
            *ours && a.status == crate::domain::assignment::AssignmentStatus::Open
        });
        if open && !waiting && !self.assign_to.is_empty() {
            offers.push(Offer::AssignDown);
        }
        if self.received().is_some() {
            offers.push(Offer::AnswerAssignment);
        }
        offers
    }

    fn lifecycle(&self) -> Vec<Offer> {
        match &self.shown {
            Shown::Hazard(h) => h
                .status
                .legal_actions()
                .into_iter()
                .map(Offer::Hazard)
                .collect(),
            Shown::Finding(f) => f
                .status
                .legal_actions()
                .into_iter()
                .map(Offer::Finding)
                .collect(),
            Shown::Petition(p) => p
                .status
                .legal_actions()
                .into_iter()
                .map(Offer::Petition)
                .collect(),
            Shown::Inspection(_) => Vec::new(),
        }
    }

    /// The fields to show, as (label, value) lines.
    /// `holiday_years`: the years the holiday table covers; a deadline in another year says so.
    pub fn fields(
        &self,
        lang: Lang,
        today: NaiveDate,
        holiday_years: &[i32],
    ) -> Vec<(String, String)> {
        let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
        let opt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
        let due = |d: Option<NaiveDate>| match d {
            None => "-".to_owned(),
            Some(d) => {
                let year = chrono::Datelike::year(&d);
                let missing = if holiday_years.contains(&year) {
                    String::new()
                } else {
                    match lang {
                        Lang::Zh => format!("  {year} 年节假日表未导入，只按周末顺延"),
                        Lang::En => format!("  {year} holidays not imported: weekends only"),
                    }
                };
                format!("{d}  {}{missing}", days_text(days_left(today, d), lang))
            }
        };
        // A statutory deadline that fell on a non-working day and moved says so.
        let moved = |from: NaiveDate, days: u64, due: NaiveDate| {
            if from + chrono::Days::new(days) == due {
                String::new()
            } else {
                t("（遇休顺延）", " (moved past a day off)")
            }
        };
        match &self.shown {
            Shown::Hazard(h) => vec![
                (t("状态", "status"), h.status.label(lang).into()),
                (
                    t("类别/等级", "category/grade"),
                    format!("{} {}", h.category.label(lang), h.grade.label(lang)),
                ),
                (t("问题", "problem"), h.description.clone()),
                (
                    t("责任人", "responsible"),
                    h.responsible.clone().unwrap_or_else(|| "-".into()),
                ),
                (t("发现日期", "found"), h.found_on.to_string()),
                (
                    t("整改期限", "deadline"),
                    if h.status.is_closed() {
                        h.deadline.to_string()
                    } else {
                        due(Some(h.deadline))
                    },
                ),
                (t("延期次数", "extensions"), h.extensions.to_string()),
            ],
            Shown::Finding(f) => vec![
                (t("状态", "status"), f.status.label(lang).into()),
                (
                    t("类别", "code"),
                    format!("{} {}", f.code.code(), f.code.label(lang)),
                ),
                (t("问题", "finding"), f.description.clone()),
                (
                    t("位置", "location"),
                    format!("{}（{}）", f.location, f.zone.label(lang)),
                ),
                (
                    t("移交部门", "department"),
                    f.department
                        .map(|d| d.label(lang).to_owned())
                        .unwrap_or_else(|| "-".into()),
                ),
                (
                    t("处置期限", "deadline"),
                    if f.status == crate::domain::patrol::FindingStatus::Referred {
                        due(f.deadline)
                    } else {
                        opt(f.deadline)
                    },
                ),
            ],
            Shown::Inspection(i) => {
                let mut v = vec![
                    (
                        t("类别/对象", "category/subject"),
                        format!("{} {}", i.category.label(lang), i.subject.label(lang)),
                    ),
                    (t("检查日期", "date"), i.inspected_on.to_string()),
                    (t("检查人", "inspector"), i.inspector.clone()),
                    (t("不合格项", "failed items"), i.failed_count.to_string()),
                ];
                if let Some(v2) = i.verdict {
                    v.push((t("初判", "verdict"), v2.label(lang).into()));
                }
                for r in &i.results {
                    let note = r
                        .note
                        .as_deref()
                        .map(|n| format!("  {n}"))
                        .unwrap_or_default();
                    v.push((
                        format!("  {} {}", r.item_code, r.result.label(lang)),
                        format!(
                            "{}{note}",
                            self.items
                                .get(&r.item_code)
                                .map(String::as_str)
                                .unwrap_or("")
                        ),
                    ));
                }
                v
            }
            Shown::Petition(p) => {
                let id = p.id_number.as_deref().map(|s| {
                    if self.revealed {
                        s.to_owned()
                    } else {
                        mask_id(s)
                    }
                });
                let phone = p.phone.as_deref().map(|s| {
                    if self.revealed {
                        s.to_owned()
                    } else {
                        mask_phone(s)
                    }
                });
                let name = if self.revealed {
                    p.petitioner_name.clone()
                } else {
                    mask_name(&p.petitioner_name)
                };
                let mut v = vec![
                    (
                        t("案号/状态", "case/status"),
                        format!("{}  {}", p.case_no, p.status.label(lang)),
                    ),
                    (
                        t("信访人", "petitioner"),
                        format!(
                            "{name}  {} {}  {} {}  {} {}",
                            t("证件", "ID"),
                            id.unwrap_or_else(|| "-".into()),
                            t("电话", "phone"),
                            phone.unwrap_or_else(|| "-".into()),
                            p.people,
                            if p.people == 1 {
                                t("人", "person")
                            } else {
                                t("人", "people")
                            }
                        ),
                    ),
                    (
                        t("类别", "category"),
                        format!(
                            "{} {} {}",
                            p.category.label(lang),
                            p.track.label(lang),
                            p.channel.label(lang)
                        ),
                    ),
                    (t("反映", "summary"), p.summary.clone()),
                    (t("内容", "content"), p.content.replace('\n', " / ")),
                    (
                        t("责任单位", "unit"),
                        p.unit.clone().unwrap_or_else(|| "-".into()),
                    ),
                    (
                        t("受理告知期限", "acceptance due"),
                        match p.accepted_on {
                            Some(a) => format!("{}  {} {a}", p.accept_due, t("已受理", "accepted")),
                            None => format!(
                                "{}{}",
                                due(Some(p.accept_due)),
                                moved(p.received_on, 15, p.accept_due)
                            ),
                        },
                    ),
                ];
                if let Some(h) = p.handle_due {
                    let done = p
                        .replied_on
                        .map(|r| format!("{}  {} {r}", h, t("已答复", "replied")));
                    v.push((
                        t("办理期限(60日)", "handling (60 d)"),
                        done.clone().unwrap_or_else(|| due(Some(h))),
                    ));
                    if let Some(e) = p.extended_due {
                        v.push((
                            t("延期后期限", "extended to"),
                            done.unwrap_or_else(|| due(Some(e))),
                        ));
                    }
                }
                if let Some(r) = p.review_due {
                    v.push((t("复查意见期限", "review due"), due(Some(r))));
                }
                if let Some(r) = p.reexam_due {
                    v.push((t("复核意见期限", "re-examination due"), due(Some(r))));
                }
                if p.repeat_of.is_some() {
                    v.push((
                        t("重复信访", "repeat"),
                        t("是（同一人同类事项）", "yes (same person, same matter)"),
                    ));
                }
                v
            }
        }
    }
}

/// "剩 5 天" / "今天到期" / "逾期 3 天".
pub fn days_text(days: i64, lang: Lang) -> String {
    match (days, lang) {
        (0, Lang::Zh) => "今天到期".into(),
        (0, Lang::En) => "due today".into(),
        (d, Lang::Zh) if d > 0 => format!("剩 {d} 天"),
        (d, Lang::En) if d > 0 => format!("{d} days left"),
        (d, Lang::Zh) => format!("逾期 {} 天", -d),
        (d, Lang::En) => format!("{} days overdue", -d),
    }
}

/// The form an action needs (its note, and what the law or the ledger asks for).
pub fn prompt_for(offer: Offer, lang: Lang, today: NaiveDate, detail: &Detail) -> Prompt {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    let note = |required: bool| Field::text("note", t("说明", "note"), required);
    let mut fields = Vec::new();
    match offer {
        Offer::AssignDown => {
            fields.push(Field::choice(
                "to",
                t("交办给", "assign to"),
                detail.assign_to.clone(),
            ));
            fields.push(Field::date(
                "deadline",
                t("办理期限", "deadline"),
                Some(today + chrono::Days::new(15)),
            ));
            fields.push(Field::text("note", t("交办要求", "what to do"), true));
        }
        Offer::AnswerAssignment => {
            fields.push(Field::text("note", t("办理情况", "what was done"), true));
        }
        Offer::Hazard(HazardActionKind::Assign) => {
            fields.push(Field::text(
                "responsible",
                t("责任人", "responsible party"),
                true,
            ));
            fields.push(Field::text(
                "notice",
                t("整改通知书编号", "notice number"),
                false,
            ));
            fields.push(Field::text("note", t("整改要求", "requirement"), true));
        }
        Offer::Hazard(HazardActionKind::Extend) => {
            let current = match &detail.shown {
                Shown::Hazard(h) => h.deadline,
                _ => today,
            };
            fields.push(Field::date(
                "deadline",
                t("新期限", "new deadline"),
                Some(current + chrono::Days::new(15)),
            ));
            fields.push(note(true));
        }
        Offer::Hazard(HazardActionKind::FailReview) => {
            fields.push(Field::date(
                "deadline",
                t("新期限", "new deadline"),
                Some(today + chrono::Days::new(15)),
            ));
            fields.push(Field::text("note", t("不通过原因", "why it failed"), true));
        }
        Offer::Finding(FindingActionKind::Refer) => {
            let default = match &detail.shown {
                Shown::Finding(f) => f.code.default_referral().0,
                _ => Department::QinlingOffice,
            };
            let mut opts: Vec<(String, String)> = Department::ALL
                .iter()
                .map(|d| (d.code().to_owned(), d.label(lang).to_owned()))
                .collect();
            let at = opts.iter().position(|o| o.0 == default.code()).unwrap_or(0);
            opts.rotate_left(at);
            fields.push(Field::choice(
                "department",
                t("移交部门", "department"),
                opts,
            ));
            fields.push(note(false));
        }
        Offer::Finding(FindingActionKind::Handle | FindingActionKind::Reject) => {
            fields.push(note(true))
        }
        Offer::Petition(PetitionActionKind::Forward) => {
            fields.push(Field::text("unit", t("转送/交办单位", "unit"), true));
            fields.push(note(false));
        }
        Offer::Petition(PetitionActionKind::Extend) => {
            fields.push(Field::number(
                "days",
                t("延期天数(≤30)", "days (<= 30)"),
                30,
            ));
            fields.push(Field::text(
                "note",
                t(
                    "延期理由（须告知信访人）",
                    "reason (told to the petitioner)",
                ),
                true,
            ));
        }
        Offer::Petition(PetitionActionKind::Reply) => {
            let opts = Outcome::ALL
                .iter()
                .map(|o| (o.code().to_owned(), o.label(lang).to_owned()))
                .collect();
            fields.push(Field::choice("outcome", t("处理意见", "outcome"), opts));
            fields.push(Field::text("note", t("答复内容", "reply"), true));
        }
        Offer::Petition(PetitionActionKind::Evaluate) => {
            let opts = Satisfaction::ALL
                .iter()
                .map(|o| (o.code().to_owned(), o.label(lang).to_owned()))
                .collect();
            fields.push(Field::choice("satisfaction", t("评价", "evaluation"), opts));
            fields.push(note(false));
        }
        Offer::Petition(
            PetitionActionKind::NotAccept
            | PetitionActionKind::Return
            | PetitionActionKind::DecideReview
            | PetitionActionKind::DecideReexam,
        ) => fields.push(note(true)),
        _ => fields.push(note(false)),
    }
    Prompt::new(offer.label(lang).to_owned(), fields)
}

/// What the store is asked to do.
pub enum Request {
    Hazard(HazardAction),
    Finding(FindingAction),
    Petition(PetitionAction),
    AssignDown {
        to: String,
        deadline: NaiveDate,
        note: String,
    },
    /// The reply to the open assignment received.
    Answer(String),
}

/// Turns a filled form into the action, or says what is missing.
pub fn request(offer: Offer, p: &Prompt, lang: Lang, today: NaiveDate) -> Result<Request, String> {
    let note = p.get("note");
    let opt_note = Some(note.clone()).filter(|n| !n.trim().is_empty());
    Ok(match offer {
        Offer::AssignDown => Request::AssignDown {
            to: p.get("to"),
            deadline: p.date("deadline", today, lang)?,
            note,
        },
        Offer::AnswerAssignment => Request::Answer(note),
        Offer::Hazard(k) => Request::Hazard(match k {
            HazardActionKind::Assign => HazardAction::Assign {
                responsible: p.get("responsible"),
                notice_no: Some(p.get("notice")).filter(|s| !s.trim().is_empty()),
                note,
            },
            HazardActionKind::Rectify => HazardAction::Rectify { note: opt_note },
            HazardActionKind::RequestReview => HazardAction::RequestReview { note: opt_note },
            HazardActionKind::PassReview => HazardAction::PassReview { note: opt_note },
            HazardActionKind::FailReview => HazardAction::FailReview {
                note,
                new_deadline: Some(p.date("deadline", today, lang)?),
            },
            HazardActionKind::Close => HazardAction::Close { note: opt_note },
            HazardActionKind::Extend => HazardAction::Extend {
                new_deadline: p.date("deadline", today, lang)?,
                note,
            },
        }),
        Offer::Finding(k) => Request::Finding(match k {
            FindingActionKind::Refer => FindingAction::Refer {
                department: Department::from_code(&p.get("department"))
                    .unwrap_or(Department::QinlingOffice),
                deadline: None,
                note: opt_note,
            },
            FindingActionKind::Handle => FindingAction::Handle { note },
            FindingActionKind::Verify => FindingAction::Verify { note: opt_note },
            FindingActionKind::Reject => FindingAction::Reject { note },
        }),
        Offer::Petition(k) => {
            use PetitionActionKind as K;
            Request::Petition(match k {
                K::Forward => PetitionAction::Forward {
                    unit: p.get("unit"),
                    note: opt_note,
                },
                K::Accept => PetitionAction::Accept { note: opt_note },
                K::NotAccept => PetitionAction::NotAccept { note },
                K::Return => PetitionAction::Return { note },
                K::Handle => PetitionAction::Handle { note: opt_note },
                K::Extend => PetitionAction::Extend {
                    days: p.get("days").trim().parse().map_err(|_| {
                        lang.pick("延期天数应为数字", "days must be a number")
                            .to_owned()
                    })?,
                    note,
                },
                K::Reply => PetitionAction::Reply {
                    outcome: Outcome::from_code(&p.get("outcome")).unwrap_or(Outcome::Explain),
                    note,
                },
                K::Close => PetitionAction::Close { note: opt_note },
                K::Evaluate => PetitionAction::Evaluate {
                    satisfaction: Satisfaction::from_code(&p.get("satisfaction"))
                        .unwrap_or(Satisfaction::Satisfied),
                    note: opt_note,
                },
                K::RequestReview => PetitionAction::RequestReview { note: opt_note },
                K::DecideReview => PetitionAction::DecideReview { note },
                K::RequestReexam => PetitionAction::RequestReexam { note: opt_note },
                K::DecideReexam => PetitionAction::DecideReexam { note },
                K::Finalize => PetitionAction::Finalize { note: opt_note },
            })
        }
    })
}
