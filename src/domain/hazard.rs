//! Hazards (事故隐患): grade, responsible party, their own deadline, and the closed loop
//! 发现 → 交办 → 整改中 → 申请复查 → 复查通过 → 销号 (复查不通过 → 整改中 again), with extensions.

use chrono::NaiveDate;

use super::category::{Category, Grade};
use super::ids::RecordId;
use super::record::{DomainError, Family, Meta, Record, Step, TransitionError};
use super::validate;
use crate::coded_enum;

coded_enum! {
    pub enum HazardStatus {
        Found = ("found", "已发现", "found"),
        Assigned = ("assigned", "已交办", "assigned"),
        Rectifying = ("rectifying", "整改中", "rectifying"),
        ReviewRequested = ("review_requested", "待复查", "awaiting re-inspection"),
        ReviewPassed = ("review_passed", "复查通过", "re-inspection passed"),
        Closed = ("closed", "已销号", "closed"),
    }
}

coded_enum! {
    pub enum HazardActionKind {
        Assign = ("assign", "交责任人", "assign responsible party"),
        Rectify = ("rectify", "整改", "start rectifying"),
        RequestReview = ("request_review", "申请复查", "request re-inspection"),
        PassReview = ("pass_review", "复查通过", "pass re-inspection"),
        FailReview = ("fail_review", "复查不通过", "fail re-inspection"),
        Close = ("close", "销号", "close"),
        Extend = ("extend", "延期", "extend"),
    }
}

/// A step in a hazard's life, with what the ledger needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HazardAction {
    /// 交办 with a rectification notice: who must fix it, the notice number, and the requirement.
    Assign {
        responsible: String,
        notice_no: Option<String>,
        note: String,
    },
    Rectify {
        note: Option<String>,
    },
    RequestReview {
        note: Option<String>,
    },
    PassReview {
        note: Option<String>,
    },
    /// The re-inspection failed: why, and optionally a new deadline.
    FailReview {
        note: String,
        new_deadline: Option<NaiveDate>,
    },
    Close {
        note: Option<String>,
    },
    /// A later deadline and the reason for it.
    Extend {
        new_deadline: NaiveDate,
        note: String,
    },
}

impl HazardAction {
    pub fn kind(&self) -> HazardActionKind {
        match self {
            HazardAction::Assign { .. } => HazardActionKind::Assign,
            HazardAction::Rectify { .. } => HazardActionKind::Rectify,
            HazardAction::RequestReview { .. } => HazardActionKind::RequestReview,
            HazardAction::PassReview { .. } => HazardActionKind::PassReview,
            HazardAction::FailReview { .. } => HazardActionKind::FailReview,
            HazardAction::Close { .. } => HazardActionKind::Close,
            HazardAction::Extend { .. } => HazardActionKind::Extend,
        }
    }
}

impl HazardStatus {
    /// Where `kind` leads from here, or None if the lifecycle forbids it.
    pub fn next(self, kind: HazardActionKind) -> Option<HazardStatus> {
        use HazardActionKind as A;
        use HazardStatus as S;
        match (self, kind) {
            (S::Found, A::Assign) => Some(S::Assigned),
            (S::Assigned, A::Rectify) => Some(S::Rectifying),
            (S::Rectifying, A::RequestReview) => Some(S::ReviewRequested),
            (S::ReviewRequested, A::PassReview) => Some(S::ReviewPassed),
            (S::ReviewRequested, A::FailReview) => Some(S::Rectifying),
            (S::ReviewPassed, A::Close) => Some(S::Closed),
            (S::Found | S::Assigned | S::Rectifying, A::Extend) => Some(self),
            _ => None,
        }
    }

    /// The actions legal now, for the UI's keys.
    pub fn legal_actions(self) -> Vec<HazardActionKind> {
        HazardActionKind::ALL
            .iter()
            .copied()
            .filter(|k| self.next(*k).is_some())
            .collect()
    }

    pub fn is_closed(self) -> bool {
        self == HazardStatus::Closed
    }

    /// Whether the rectification deadline still runs: until the hazard passes re-inspection (then it waits for
    /// 销号 and counts no more days). The store's SQL rule `DEADLINE_RUNS` says the same.
    pub fn deadline_runs(self) -> bool {
        matches!(
            self,
            HazardStatus::Found
                | HazardStatus::Assigned
                | HazardStatus::Rectifying
                | HazardStatus::ReviewRequested
        )
    }
}

/// A hazard found by an inspection item or a patrol finding.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hazard {
    #[serde(flatten)]
    pub meta: Meta,
    pub inspection_id: Option<RecordId>,
    pub item_code: Option<String>,
    pub finding_id: Option<RecordId>,
    pub place_id: Option<RecordId>,
    pub category: Category,
    pub grade: Grade,
    pub description: String,
    pub responsible: Option<String>,
    pub notice_no: Option<String>,
    pub found_on: NaiveDate,
    /// The current deadline (moved by extensions).
    pub deadline: NaiveDate,
    pub original_deadline: NaiveDate,
    pub extensions: u32,
    pub status: HazardStatus,
    pub rectified_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
}

impl Record for Hazard {
    const FAMILY: Family = Family::Hazard;
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
    fn summary(&self) -> String {
        self.description.clone()
    }
}

impl Hazard {
    /// Checks the fields a person typed.
    pub fn validate(&mut self, today: NaiveDate) -> Result<(), DomainError> {
        self.description = validate::required("description", &self.description, 500)?;
        self.responsible = validate::optional(
            "responsible",
            self.responsible.as_deref().unwrap_or(""),
            100,
        )?;
        validate::past_date("found_on", self.found_on, today)?;
        if self.deadline < self.found_on {
            return Err(DomainError::rule(
                "整改期限不能早于发现日期",
                "The deadline cannot be before the date the hazard was found",
            ));
        }
        Ok(())
    }

    /// Overdue: past its (extended) deadline while the deadline still runs. Derived, never stored.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.deadline_runs() && today > self.deadline
    }

    /// Applies one lifecycle step on `today`, or refuses it with the legal alternatives.
    pub fn apply(&mut self, action: &HazardAction, today: NaiveDate) -> Result<Step, DomainError> {
        // All or nothing: a refused step leaves the record as it was.
        let mut next = self.clone();
        let step = next.apply_in_place(action, today)?;
        *self = next;
        Ok(step)
    }

    fn apply_in_place(
        &mut self,
        action: &HazardAction,
        today: NaiveDate,
    ) -> Result<Step, DomainError> {
        let kind = action.kind();
        let Some(next) = self.status.next(kind) else {
            return Err(TransitionError::refuse(
                Family::Hazard,
                self.status,
                kind,
                self.status.legal_actions(),
            ));
        };
        let note = match action {
            HazardAction::Assign {
                responsible,
                notice_no,
                note,
            } => {
                self.responsible = Some(validate::required("responsible", responsible, 100)?);
                self.notice_no =
                    validate::optional("note", notice_no.as_deref().unwrap_or(""), 50)?;
                Some(validate::required("note", note, 1000)?)
            }
            HazardAction::FailReview { note, new_deadline } => {
                if let Some(d) = new_deadline {
                    if *d < today {
                        return Err(DomainError::rule(
                            "新的整改期限不能早于今天",
                            "The new deadline cannot be in the past",
                        ));
                    }
                    self.deadline = *d;
                }
                self.rectified_on = None;
                Some(validate::required("note", note, 1000)?)
            }
            HazardAction::Extend { new_deadline, note } => {
                if *new_deadline <= self.deadline {
                    return Err(DomainError::rule(
                        format!("延期后的期限必须晚于当前期限 {}", self.deadline),
                        format!(
                            "The extended deadline must be later than the current one, {}",
                            self.deadline
                        ),
                    ));
                }
                self.deadline = *new_deadline;
                self.extensions += 1;
                Some(validate::required("note", note, 1000)?)
            }
            HazardAction::RequestReview { note } => {
                self.rectified_on = Some(today);
                validate::optional("note", note.as_deref().unwrap_or(""), 1000)?
            }
            HazardAction::Close { note } => {
                self.closed_on = Some(today);
                validate::optional("note", note.as_deref().unwrap_or(""), 1000)?
            }
            HazardAction::Rectify { note } | HazardAction::PassReview { note } => {
                validate::optional("note", note.as_deref().unwrap_or(""), 1000)?
            }
        };
        self.status = next;
        Ok(Step {
            action: kind.code(),
            on: today,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Lang, Localized};

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn hazard() -> Hazard {
        Hazard {
            meta: Meta::sample(1),
            inspection_id: None,
            item_code: Some("G2".into()),
            finding_id: None,
            place_id: None,
            category: Category::Gas,
            grade: Grade::General,
            description: "软管老化".into(),
            responsible: None,
            notice_no: None,
            found_on: day("2026-11-01"),
            deadline: day("2026-12-01"),
            original_deadline: day("2026-12-01"),
            extensions: 0,
            status: HazardStatus::Found,
            rectified_on: None,
            closed_on: None,
        }
    }

    #[test]
    fn each_state_offers_exactly_its_legal_actions() {
        use HazardActionKind as A;
        assert_eq!(HazardStatus::Found.legal_actions(), [A::Assign, A::Extend]);
        assert_eq!(
            HazardStatus::Assigned.legal_actions(),
            [A::Rectify, A::Extend]
        );
        assert_eq!(
            HazardStatus::Rectifying.legal_actions(),
            [A::RequestReview, A::Extend]
        );
        assert_eq!(
            HazardStatus::ReviewRequested.legal_actions(),
            [A::PassReview, A::FailReview]
        );
        assert_eq!(HazardStatus::ReviewPassed.legal_actions(), [A::Close]);
        assert!(HazardStatus::Closed.legal_actions().is_empty());
    }

    #[test]
    fn a_failed_review_goes_back_to_rectifying_with_a_new_deadline() {
        let mut h = hazard();
        let today = day("2026-11-20");
        h.apply(
            &HazardAction::Assign {
                responsible: "王".into(),
                notice_no: None,
                note: "整改".into(),
            },
            today,
        )
        .unwrap();
        h.apply(&HazardAction::Rectify { note: None }, today)
            .unwrap();
        h.apply(&HazardAction::RequestReview { note: None }, today)
            .unwrap();
        assert_eq!(h.rectified_on, Some(today));
        let step = h
            .apply(
                &HazardAction::FailReview {
                    note: "仍漏气".into(),
                    new_deadline: Some(day("2026-12-10")),
                },
                today,
            )
            .unwrap();
        assert_eq!(step.action, "fail_review");
        assert_eq!(h.status, HazardStatus::Rectifying);
        assert_eq!(h.deadline, day("2026-12-10"));
        assert_eq!(h.rectified_on, None);
        let past = HazardAction::FailReview {
            note: "x".into(),
            new_deadline: Some(day("2026-11-19")),
        };
        h.status = HazardStatus::ReviewRequested;
        assert!(h.apply(&past, today).is_err());
    }

    #[test]
    fn extension_must_move_the_deadline_later_and_needs_a_reason() {
        let mut h = hazard();
        let today = day("2026-11-20");
        let same = HazardAction::Extend {
            new_deadline: day("2026-12-01"),
            note: "x".into(),
        };
        assert!(
            h.apply(&same, today)
                .unwrap_err()
                .message(Lang::Zh)
                .contains("必须晚于")
        );
        let no_reason = HazardAction::Extend {
            new_deadline: day("2026-12-20"),
            note: " ".into(),
        };
        assert!(h.apply(&no_reason, today).is_err());
        assert_eq!(
            h.deadline,
            day("2026-12-01"),
            "a refused step changes nothing"
        );
        h.apply(
            &HazardAction::Extend {
                new_deadline: day("2026-12-20"),
                note: "缺材料".into(),
            },
            today,
        )
        .unwrap();
        assert_eq!(
            (h.deadline, h.extensions, h.original_deadline),
            (day("2026-12-20"), 1, day("2026-12-01"))
        );
    }

    #[test]
    fn overdue_is_derived_from_the_deadline() {
        let mut h = hazard();
        assert!(!h.is_overdue(day("2026-12-01")), "due today is not overdue");
        assert!(h.is_overdue(day("2026-12-02")));
        h.status = HazardStatus::ReviewPassed;
        assert!(
            !h.is_overdue(day("2027-01-01")),
            "passed re-inspection: waits for 销号"
        );
        h.status = HazardStatus::Closed;
        assert!(!h.is_overdue(day("2027-01-01")));
    }
}
