//! The actions offered on a record: their keys and labels, the form each needs, and the request a filled
//! form becomes (a lifecycle step, or an assignment down or its answer).

use super::field_key::FieldKey as Fk;
use chrono::NaiveDate;

use super::checks::Check;
use super::detail::{Detail, Shown};
use super::prompt::{Field, Prompt};
use crate::domain::Lang;
use crate::domain::hazard::{HazardAction, HazardActionKind};
use crate::domain::patrol::{Department, FindingAction, FindingActionKind};
use crate::domain::petition::{Outcome, PetitionAction, PetitionActionKind, Satisfaction};

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

/// The form an action needs (its note, and what the law or the ledger asks for).
pub fn prompt_for(offer: Offer, lang: Lang, today: NaiveDate, detail: &Detail) -> Prompt {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_owned();
    let note = |required: bool| Field::note(Fk::Note, t("说明", "note"), required, "");
    let mut fields = Vec::new();
    match offer {
        Offer::AssignDown => {
            fields.push(Field::choice(
                Fk::To,
                t("交办给", "assign to"),
                detail.assign_to.clone(),
            ));
            fields.push(
                Field::date(
                    Fk::Deadline,
                    t("办理期限", "deadline"),
                    Some(today + chrono::Days::new(15)),
                )
                .check(Check::Day),
            );
            fields.push(Field::note(Fk::Note, t("交办要求", "what to do"), true, ""));
        }
        Offer::AnswerAssignment => {
            fields.push(Field::note(
                Fk::Note,
                t("办理情况", "what was done"),
                true,
                "",
            ));
        }
        Offer::Hazard(HazardActionKind::Assign) => {
            // The inspected place's owner, as a start: most often the one who must put it right.
            let owner = detail
                .place
                .as_ref()
                .and_then(|p| p.owner_name.clone())
                .unwrap_or_default();
            fields.push(
                Field::suggested(
                    Fk::Responsible,
                    t("责任人", "responsible party"),
                    true,
                    &owner,
                )
                .limit(100),
            );
            fields.push(
                Field::text(Fk::Notice, t("整改通知书编号", "notice number"), false).limit(50),
            );
            fields.push(Field::note(
                Fk::Note,
                t("整改要求", "requirement"),
                true,
                "",
            ));
        }
        Offer::Hazard(HazardActionKind::Extend) => {
            let current = match &detail.shown {
                Shown::Hazard(h) => h.deadline,
                _ => today,
            };
            fields.push(
                Field::date(
                    Fk::Deadline,
                    t("新期限", "new deadline"),
                    Some(current + chrono::Days::new(15)),
                )
                .check(Check::Day),
            );
            fields.push(note(true));
        }
        Offer::Hazard(HazardActionKind::FailReview) => {
            fields.push(
                Field::date(
                    Fk::Deadline,
                    t("新期限", "new deadline"),
                    Some(today + chrono::Days::new(15)),
                )
                .check(Check::Day),
            );
            fields.push(Field::note(
                Fk::Note,
                t("不通过原因", "why it failed"),
                true,
                "",
            ));
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
                Fk::Department,
                t("移交部门", "department"),
                opts,
            ));
            fields.push(note(false));
        }
        Offer::Finding(FindingActionKind::Handle | FindingActionKind::Reject) => {
            fields.push(note(true))
        }
        Offer::Petition(PetitionActionKind::Forward) => {
            fields.push(Field::text(Fk::Unit, t("转送/交办单位", "unit"), true).limit(100));
            fields.push(note(false));
        }
        Offer::Petition(PetitionActionKind::Extend) => {
            fields.push(
                Field::number(Fk::Days, t("延期天数(≤30)", "days (<= 30)"), 30)
                    .check(Check::Whole { min: 1 })
                    .limit(2),
            );
            fields.push(Field::note(
                Fk::Note,
                t(
                    "延期理由（须告知信访人）",
                    "reason (told to the petitioner)",
                ),
                true,
                "",
            ));
        }
        Offer::Petition(PetitionActionKind::Reply) => {
            let opts = Outcome::ALL
                .iter()
                .map(|o| (o.code().to_owned(), o.label(lang).to_owned()))
                .collect();
            fields.push(Field::choice(Fk::Outcome, t("处理意见", "outcome"), opts));
            fields.push(Field::note(Fk::Note, t("答复内容", "reply"), true, ""));
        }
        Offer::Petition(PetitionActionKind::Evaluate) => {
            let opts = Satisfaction::ALL
                .iter()
                .map(|o| (o.code().to_owned(), o.label(lang).to_owned()))
                .collect();
            fields.push(Field::choice(
                Fk::Satisfaction,
                t("评价", "evaluation"),
                opts,
            ));
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
        to: crate::domain::ids::RegionCode,
        deadline: NaiveDate,
        note: String,
    },
    /// The reply to the open assignment received.
    Answer(String),
}

/// Turns a filled form into the action, or says what is missing.
pub fn request(offer: Offer, p: &Prompt, lang: Lang, today: NaiveDate) -> Result<Request, String> {
    let note = p.get(Fk::Note);
    let opt_note = Some(note.clone()).filter(|n| !n.trim().is_empty());
    Ok(match offer {
        Offer::AssignDown => Request::AssignDown {
            to: crate::domain::ids::RegionCode::parse(&p.get(Fk::To))
                .map_err(|e| crate::domain::Localized::message(&e, lang))?,
            deadline: p.date(Fk::Deadline, today, lang)?,
            note,
        },
        Offer::AnswerAssignment => Request::Answer(note),
        Offer::Hazard(k) => Request::Hazard(match k {
            HazardActionKind::Assign => HazardAction::Assign {
                responsible: p.get(Fk::Responsible),
                notice_no: p.opt(Fk::Notice),
                note,
            },
            HazardActionKind::Rectify => HazardAction::Rectify { note: opt_note },
            HazardActionKind::RequestReview => HazardAction::RequestReview { note: opt_note },
            HazardActionKind::PassReview => HazardAction::PassReview { note: opt_note },
            HazardActionKind::FailReview => HazardAction::FailReview {
                note,
                new_deadline: Some(p.date(Fk::Deadline, today, lang)?),
            },
            HazardActionKind::Close => HazardAction::Close { note: opt_note },
            HazardActionKind::Extend => HazardAction::Extend {
                new_deadline: p.date(Fk::Deadline, today, lang)?,
                note,
            },
        }),
        Offer::Finding(k) => Request::Finding(match k {
            FindingActionKind::Refer => FindingAction::Refer {
                department: p
                    .choice(Fk::Department)
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
                    unit: p.get(Fk::Unit),
                    note: opt_note,
                },
                K::Accept => PetitionAction::Accept { note: opt_note },
                K::NotAccept => PetitionAction::NotAccept { note },
                K::Return => PetitionAction::Return { note },
                K::Handle => PetitionAction::Handle { note: opt_note },
                K::Extend => PetitionAction::Extend {
                    days: p.get(Fk::Days).trim().parse().map_err(|_| {
                        lang.pick("延期天数应为数字", "days must be a number")
                            .to_owned()
                    })?,
                    note,
                },
                K::Reply => PetitionAction::Reply {
                    outcome: p.choice(Fk::Outcome).unwrap_or(Outcome::Explain),
                    note,
                },
                K::Close => PetitionAction::Close { note: opt_note },
                K::Evaluate => PetitionAction::Evaluate {
                    satisfaction: p
                        .choice(Fk::Satisfaction)
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
