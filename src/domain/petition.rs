//! Petition cases (信访) under the 2022 Regulations on Letters and Visits: channels, handling tracks, categories,
//! the case lifecycle of DOMAIN.md §1.5 and its statutory clock (§1.4), repeat-petition keys.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::deadline::{self, Calendar, DayCount};
use super::ids::RecordId;
use super::record::{DomainError, Family, Meta, Record, Step, TransitionError};
use super::validate;
use crate::coded_enum;

coded_enum! {
    pub enum Channel {
        Online = ("online", "网上信访", "online"),
        Letter = ("letter", "来信", "letter"),
        Phone = ("phone", "电话", "phone"),
        Fax = ("fax", "传真", "fax"),
        Visit = ("visit", "来访", "visit"),
    }
}

coded_enum! {
    /// The nature of the matter, which decides how it is handled.
    pub enum Track {
        Suggestion = ("suggestion", "建议意见类", "suggestion"),
        Accusation = ("accusation", "检举控告类", "accusation"),
        Claim = ("claim", "申诉求决类", "claim or appeal"),
        Litigation = ("litigation", "涉法涉诉", "law-related"),
    }
}

coded_enum! {
    /// Domain categories used in county statistics.
    pub enum PetitionCategory {
        Construction = ("construction", "城乡建设", "urban and rural construction"),
        Land = ("land", "自然资源(国土)", "land and natural resources"),
        Agriculture = ("agriculture", "农业农村", "agriculture"),
        Labour = ("labour", "劳动和社会保障", "labour and social security"),
        Legal = ("legal", "政法(涉法涉诉)", "legal affairs"),
        CivilAffairs = ("civil_affairs", "民政与应急", "civil affairs and emergencies"),
        Health = ("health", "卫生健康", "health"),
        Education = ("education", "教育文体", "education, culture, sports"),
        Environment = ("environment", "生态环境", "environment"),
        Transport = ("transport", "交通运输", "transport"),
        Market = ("market", "市场监管", "market regulation"),
        Economy = ("economy", "经济管理", "economy and enterprises"),
        Personnel = ("personnel", "组织人事", "personnel"),
        Discipline = ("discipline", "纪检监察", "discipline inspection"),
        Government = ("government", "党务政务", "party and government affairs"),
        Veterans = ("veterans", "退役军人", "veterans"),
        Technology = ("technology", "科技与信息", "science and IT"),
        Other = ("other", "其他", "other"),
    }
}

coded_enum! {
    pub enum PetitionStatus {
        Registered = ("registered", "已登记", "registered"),
        Forwarded = ("forwarded", "已转送交办", "forwarded"),
        Accepted = ("accepted", "已受理", "accepted"),
        NotAccepted = ("not_accepted", "不予受理", "not accepted"),
        Returned = ("returned", "已退回", "returned"),
        InProgress = ("in_progress", "办理中", "in progress"),
        Extended = ("extended", "已延期", "extended"),
        Replied = ("replied", "已答复", "replied"),
        Closed = ("closed", "已办结", "closed"),
        Evaluated = ("evaluated", "已评价", "evaluated"),
        ReviewRequested = ("review_requested", "申请复查", "review requested"),
        Reviewed = ("reviewed", "复查完成", "reviewed"),
        ReexamRequested = ("reexam_requested", "申请复核", "re-examination requested"),
        Reexamined = ("reexamined", "复核完成", "re-examined"),
        Finalized = ("finalized", "终结", "finalized"),
    }
}

coded_enum! {
    pub enum PetitionActionKind {
        Forward = ("forward", "转送交办", "forward"),
        Accept = ("accept", "受理", "accept"),
        NotAccept = ("not_accept", "不予受理", "refuse"),
        Return = ("return", "退回", "return"),
        Handle = ("handle", "办理", "start handling"),
        Extend = ("extend", "延期", "extend"),
        Reply = ("reply", "答复", "reply"),
        Close = ("close", "办结", "close"),
        Evaluate = ("evaluate", "评价", "record evaluation"),
        RequestReview = ("request_review", "复查", "review requested"),
        DecideReview = ("decide_review", "复查意见", "review decided"),
        RequestReexam = ("request_reexam", "复核", "re-examination requested"),
        DecideReexam = ("decide_reexam", "复核意见", "re-examination decided"),
        Finalize = ("finalize", "终结", "finalize"),
    }
}

coded_enum! {
    /// The 处理意见书 outcome.
    pub enum Outcome {
        Support = ("support", "支持", "supported"),
        Explain = ("explain", "解释说明", "explained"),
        Reject = ("reject", "不予支持", "not supported"),
    }
}

coded_enum! {
    pub enum Satisfaction {
        Satisfied = ("satisfied", "满意", "satisfied"),
        Basic = ("basic", "基本满意", "mostly satisfied"),
        Unsatisfied = ("unsatisfied", "不满意", "unsatisfied"),
    }
}

/// A step in a case's life, with what the law or the ledger needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PetitionAction {
    Forward {
        unit: String,
        note: Option<String>,
    },
    Accept {
        note: Option<String>,
    },
    NotAccept {
        note: String,
    },
    Return {
        note: String,
    },
    Handle {
        note: Option<String>,
    },
    /// One extension of at most 30 days, approved, with the reason told to the petitioner.
    Extend {
        days: u32,
        note: String,
    },
    Reply {
        outcome: Outcome,
        note: String,
    },
    Close {
        note: Option<String>,
    },
    Evaluate {
        satisfaction: Satisfaction,
        note: Option<String>,
    },
    RequestReview {
        note: Option<String>,
    },
    DecideReview {
        note: String,
    },
    RequestReexam {
        note: Option<String>,
    },
    DecideReexam {
        note: String,
    },
    Finalize {
        note: Option<String>,
    },
}

impl PetitionAction {
    pub fn kind(&self) -> PetitionActionKind {
        use PetitionAction as P;
        use PetitionActionKind as K;
        match self {
            P::Forward { .. } => K::Forward,
            P::Accept { .. } => K::Accept,
            P::NotAccept { .. } => K::NotAccept,
            P::Return { .. } => K::Return,
            P::Handle { .. } => K::Handle,
            P::Extend { .. } => K::Extend,
            P::Reply { .. } => K::Reply,
            P::Close { .. } => K::Close,
            P::Evaluate { .. } => K::Evaluate,
            P::RequestReview { .. } => K::RequestReview,
            P::DecideReview { .. } => K::DecideReview,
            P::RequestReexam { .. } => K::RequestReexam,
            P::DecideReexam { .. } => K::DecideReexam,
            P::Finalize { .. } => K::Finalize,
        }
    }

    fn note(&self) -> Option<&str> {
        use PetitionAction as P;
        match self {
            P::NotAccept { note }
            | P::Return { note }
            | P::Extend { note, .. }
            | P::Reply { note, .. }
            | P::DecideReview { note }
            | P::DecideReexam { note } => Some(note),
            P::Forward { note, .. }
            | P::Accept { note }
            | P::Handle { note }
            | P::Close { note }
            | P::Evaluate { note, .. }
            | P::RequestReview { note }
            | P::RequestReexam { note }
            | P::Finalize { note } => note.as_deref(),
        }
    }
}

impl PetitionStatus {
    pub fn next(self, kind: PetitionActionKind) -> Option<PetitionStatus> {
        use PetitionActionKind as A;
        use PetitionStatus as S;
        match (self, kind) {
            (S::Registered | S::Returned, A::Forward) => Some(S::Forwarded),
            (S::Registered | S::Forwarded, A::Accept) => Some(S::Accepted),
            (S::Registered | S::Forwarded, A::NotAccept) => Some(S::NotAccepted),
            (S::Forwarded, A::Return) => Some(S::Returned),
            (S::Accepted, A::Handle) => Some(S::InProgress),
            (S::Accepted | S::InProgress, A::Extend) => Some(S::Extended),
            (S::Accepted | S::InProgress | S::Extended, A::Reply) => Some(S::Replied),
            (S::Replied, A::Close) => Some(S::Closed),
            (S::Closed, A::Evaluate) => Some(S::Evaluated),
            (S::Replied | S::Closed | S::Evaluated, A::RequestReview) => Some(S::ReviewRequested),
            (S::ReviewRequested, A::DecideReview) => Some(S::Reviewed),
            (S::Reviewed, A::RequestReexam) => Some(S::ReexamRequested),
            (S::ReexamRequested, A::DecideReexam) => Some(S::Reexamined),
            (S::Reviewed | S::Reexamined, A::Finalize) => Some(S::Finalized),
            _ => None,
        }
    }

    pub fn legal_actions(self) -> Vec<PetitionActionKind> {
        PetitionActionKind::ALL
            .iter()
            .copied()
            .filter(|k| self.next(*k).is_some())
            .collect()
    }

    /// Open: the office still owes the petitioner something (or has replied but not yet closed the case).
    pub fn is_open(self) -> bool {
        use PetitionStatus as S;
        matches!(
            self,
            S::Registered
                | S::Forwarded
                | S::Returned
                | S::Accepted
                | S::InProgress
                | S::Extended
                | S::Replied
                | S::ReviewRequested
                | S::ReexamRequested
        )
    }
}

/// Settings of the clock that the county decides.
#[derive(Debug, Clone, Copy)]
pub struct ClockRules<'a> {
    pub calendar: &'a Calendar,
    pub count: DayCount,
    pub today: NaiveDate,
}

/// A petition case. Personal fields: name, ID number, phone, address and the derived person key.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Petition {
    #[serde(flatten)]
    pub meta: Meta,
    pub case_no: String,
    pub channel: Channel,
    pub track: Track,
    pub category: PetitionCategory,
    pub petitioner_name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Hash of the normalised ID number (or name and phone): finds repeat petitions without showing who.
    pub person_key: Option<String>,
    pub people: u32,
    pub summary: String,
    pub content: String,
    pub unit: Option<String>,
    pub status: PetitionStatus,
    pub received_on: NaiveDate,
    pub accept_due: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    pub handle_due: Option<NaiveDate>,
    pub extended_days: Option<u32>,
    pub extended_due: Option<NaiveDate>,
    pub replied_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub closed_on: Option<NaiveDate>,
    pub satisfaction: Option<Satisfaction>,
    pub review_requested_on: Option<NaiveDate>,
    pub review_due: Option<NaiveDate>,
    pub reviewed_on: Option<NaiveDate>,
    pub reexam_requested_on: Option<NaiveDate>,
    pub reexam_due: Option<NaiveDate>,
    pub reexamined_on: Option<NaiveDate>,
    pub finalized_on: Option<NaiveDate>,
    /// The office's current statutory deadline, or None when it owes nothing now.
    pub office_due: Option<NaiveDate>,
    /// The earlier case this one repeats (same person, same category, within the window).
    pub repeat_of: Option<RecordId>,
}

impl Record for Petition {
    const FAMILY: Family = Family::Petition;
    const PERSONAL: &'static [&'static str] = &[
        "petitioner_name",
        "id_number",
        "phone",
        "address",
        "person_key",
    ];
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
    fn summary(&self) -> String {
        self.summary.clone()
    }
}

/// The repeat-petition key: same normalised ID number, or else the same name and phone.
pub fn person_key(id_number: Option<&str>, name: &str, phone: Option<&str>) -> Option<String> {
    let basis = match (id_number, phone) {
        (Some(id), _) => format!("id:{id}"),
        (None, Some(p)) => format!("np:{}|{p}", name.trim()),
        (None, None) => return None,
    };
    Some(hex::encode(Sha256::digest(
        format!("wangge-person-v1|{basis}").as_bytes(),
    )))
}

impl Petition {
    /// A case just received, with every later field empty; callers fill in who, what and how with struct
    /// update syntax (`Petition { summary, ..Petition::new(meta, day) }`).
    pub fn new(meta: Meta, received_on: NaiveDate) -> Petition {
        Petition {
            meta,
            case_no: String::new(),
            channel: Channel::Visit,
            track: Track::Claim,
            category: PetitionCategory::Other,
            petitioner_name: String::new(),
            id_number: None,
            phone: None,
            address: None,
            person_key: None,
            people: 1,
            summary: String::new(),
            content: String::new(),
            unit: None,
            status: PetitionStatus::Registered,
            received_on,
            accept_due: received_on,
            accepted_on: None,
            handle_due: None,
            extended_days: None,
            extended_due: None,
            replied_on: None,
            outcome: None,
            closed_on: None,
            satisfaction: None,
            review_requested_on: None,
            review_due: None,
            reviewed_on: None,
            reexam_requested_on: None,
            reexam_due: None,
            reexamined_on: None,
            finalized_on: None,
            office_due: None,
            repeat_of: None,
        }
    }

    /// Checks and normalises what a person typed at registration; sets the acceptance deadline and person key.
    pub fn validate(&mut self, rules: ClockRules) -> Result<(), DomainError> {
        self.petitioner_name = validate::required("petitioner_name", &self.petitioner_name, 50)?;
        if let Some(id) = self.id_number.as_deref().filter(|s| !s.trim().is_empty()) {
            self.id_number = Some(validate::id_number(id, rules.today)?);
        } else {
            self.id_number = None;
        }
        if let Some(p) = self.phone.as_deref().filter(|s| !s.trim().is_empty()) {
            self.phone = Some(validate::phone(p)?.0);
        } else {
            self.phone = None;
        }
        self.address = validate::optional("address", self.address.as_deref().unwrap_or(""), 200)?;
        self.summary = validate::required("summary", &self.summary, 100)?;
        self.content = validate::required("content", &self.content, 5000)?;
        self.unit = validate::optional("unit", self.unit.as_deref().unwrap_or(""), 100)?;
        if self.people == 0 || self.people > 10_000 {
            return Err(DomainError::rule(
                "信访人数应在 1 到 10000 之间",
                "The number of people must be 1 to 10,000",
            ));
        }
        validate::past_date("received_on", self.received_on, rules.today)?;
        self.accept_due = rules
            .calendar
            .due(self.received_on, deadline::ACCEPT_DAYS, rules.count)
            .date;
        self.person_key = person_key(
            self.id_number.as_deref(),
            &self.petitioner_name,
            self.phone.as_deref(),
        );
        self.office_due = self.current_office_due();
        Ok(())
    }

    /// The deadline the office must meet now: acceptance before acceptance, handling (extended if extended)
    /// after it, the review or re-examination decision during one. The petitioner's request windows never count.
    pub fn current_office_due(&self) -> Option<NaiveDate> {
        use PetitionStatus as S;
        match self.status {
            S::Registered | S::Forwarded | S::Returned => Some(self.accept_due),
            S::Accepted | S::InProgress | S::Extended => self.extended_due.or(self.handle_due),
            S::ReviewRequested => self.review_due,
            S::ReexamRequested => self.reexam_due,
            _ => None,
        }
    }

    /// Overdue: open and past the office's current statutory deadline.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.office_due.is_some_and(|d| today > d)
    }

    /// Applies one lifecycle step on `rules.today`, or refuses it with the legal alternatives.
    pub fn apply(
        &mut self,
        action: &PetitionAction,
        rules: ClockRules,
    ) -> Result<Step, DomainError> {
        // All or nothing: a refused step leaves the record as it was.
        let mut next = self.clone();
        let step = next.apply_in_place(action, rules)?;
        *self = next;
        Ok(step)
    }

    fn apply_in_place(
        &mut self,
        action: &PetitionAction,
        rules: ClockRules,
    ) -> Result<Step, DomainError> {
        use PetitionAction as P;
        let kind = action.kind();
        let today = rules.today;
        let Some(next) = self.status.next(kind) else {
            return Err(TransitionError::refuse(
                Family::Petition,
                self.status,
                kind,
                self.status.legal_actions(),
            ));
        };
        let required_note = matches!(
            action,
            P::NotAccept { .. }
                | P::Return { .. }
                | P::Extend { .. }
                | P::Reply { .. }
                | P::DecideReview { .. }
                | P::DecideReexam { .. }
        );
        let note = match action.note() {
            Some(n) if required_note => Some(validate::required("note", n, 2000)?),
            Some(n) => validate::optional("note", n, 2000)?,
            None => None,
        };
        match action {
            P::Forward { unit, .. } => self.unit = Some(validate::required("unit", unit, 100)?),
            P::Accept { .. } => {
                self.accepted_on = Some(today);
                self.handle_due = Some(
                    rules
                        .calendar
                        .due(today, deadline::HANDLE_DAYS, rules.count)
                        .date,
                );
            }
            P::Extend { days, .. } => {
                let Some(due) = self.handle_due else {
                    return Err(DomainError::rule(
                        "尚未受理，没有办理期限可延",
                        "Not accepted yet: no handling deadline to extend",
                    ));
                };
                let ext = deadline::extend(rules.calendar, due, *days, today, rules.count)?;
                self.extended_days = Some(*days);
                self.extended_due = Some(ext.date);
            }
            P::Reply { outcome, .. } => {
                self.replied_on = Some(today);
                self.outcome = Some(*outcome);
            }
            P::Close { .. } => self.closed_on = Some(today),
            P::Evaluate { satisfaction, .. } => self.satisfaction = Some(*satisfaction),
            P::RequestReview { .. } => {
                let replied = self.replied_on.unwrap_or(today);
                let window = replied + chrono::Days::new(u64::from(deadline::REVIEW_REQUEST_DAYS));
                if today > window {
                    return Err(DomainError::rule(
                        format!("复查申请应在答复后 30 日内提出（截至 {window}），已超过"),
                        format!(
                            "A review must be requested within 30 days of the reply (by {window}); that has passed"
                        ),
                    ));
                }
                self.review_requested_on = Some(today);
                self.review_due = Some(
                    rules
                        .calendar
                        .due(today, deadline::REVIEW_DECISION_DAYS, rules.count)
                        .date,
                );
            }
            P::DecideReview { .. } => self.reviewed_on = Some(today),
            P::RequestReexam { .. } => {
                let reviewed = self.reviewed_on.unwrap_or(today);
                let window = reviewed + chrono::Days::new(u64::from(deadline::REEXAM_REQUEST_DAYS));
                if today > window {
                    return Err(DomainError::rule(
                        format!("复核申请应在复查意见后 30 日内提出（截至 {window}），已超过"),
                        format!(
                            "A re-examination must be requested within 30 days of the review (by {window}); that has passed"
                        ),
                    ));
                }
                self.reexam_requested_on = Some(today);
                self.reexam_due = Some(
                    rules
                        .calendar
                        .due(today, deadline::REEXAM_DECISION_DAYS, rules.count)
                        .date,
                );
            }
            P::DecideReexam { .. } => self.reexamined_on = Some(today),
            P::Finalize { .. } => self.finalized_on = Some(today),
            P::NotAccept { .. } | P::Return { .. } | P::Handle { .. } => {}
        }
        self.status = next;
        self.office_due = self.current_office_due();
        Ok(Step {
            action: kind.code(),
            on: today,
            note,
        })
    }
}

#[cfg(test)]
#[path = "petition_tests.rs"]
mod tests;
