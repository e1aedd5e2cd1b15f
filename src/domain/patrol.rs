//! Qinling ecological patrols and their findings: codes Q1–Q8 and the extra items, zones, referral departments,
//! and the finding lifecycle reported → referred → handled → verified (销号).

use chrono::NaiveDate;

use super::ids::RecordId;
use super::record::{DomainError, Family, Meta, Record, Step, TransitionError};
use super::validate;
use crate::coded_enum;

coded_enum! {
    /// Protection zone of the Shaanxi Qinling regulation.
    pub enum Zone {
        Core = ("core", "核心保护区", "core zone"),
        Key = ("key", "重点保护区", "key zone"),
        General = ("general", "一般保护区", "general zone"),
    }
}

coded_enum! {
    /// What a patrol found: the five 乱 and the other patrol items.
    pub enum FindingCode {
        Q1 = ("Q1", "乱搭乱建", "illegal building"),
        Q2 = ("Q2", "乱砍乱伐", "illegal felling"),
        Q3 = ("Q3", "乱采乱挖", "illegal mining or digging"),
        Q4 = ("Q4", "乱排乱放", "illegal discharge or dumping"),
        Q5 = ("Q5", "乱捕乱猎", "poaching"),
        Q6 = ("Q6", "文物古迹破坏", "damage to relics or old trees"),
        Q7 = ("Q7", "其他生态破坏", "other ecological damage"),
        Q8 = ("Q8", "地形地貌改变(待研判)", "unexplained terrain change"),
        Fire = ("FIRE", "森林火险", "forest fire risk"),
        Pest = ("PEST", "林业有害生物", "forest pests"),
        Boar = ("BOAR", "野猪致害", "wild-boar damage"),
        Tailings = ("TAILINGS", "尾矿库隐患", "tailings dam risk"),
    }
}

coded_enum! {
    /// Departments a finding is referred to (2019 institutional reform names).
    pub enum Department {
        NaturalResources = ("natural_resources", "自然资源和规划局", "Natural Resources and Planning Bureau"),
        Forestry = ("forestry", "林业局(林长办)", "Forestry Bureau"),
        ForestPolice = ("forest_police", "森林公安", "forest police"),
        Emergency = ("emergency", "应急管理局", "Emergency Management Bureau"),
        Water = ("water", "水利局(河长办)", "Water Resources Bureau"),
        Ecology = ("ecology", "生态环境局略阳分局", "Ecology and Environment Bureau"),
        Agriculture = ("agriculture", "农业农村局", "Agriculture and Rural Affairs Bureau"),
        Housing = ("housing", "住建局", "Housing and Construction Bureau"),
        PublicSecurity = ("public_security", "公安局", "Public Security Bureau"),
        Culture = ("culture", "文化和旅游局", "Culture and Tourism Bureau"),
        TownEnforcement = ("town_enforcement", "镇综合执法", "township enforcement"),
        QinlingOffice = ("qinling_office", "县秦岭办", "county Qinling office"),
    }
}

impl FindingCode {
    /// The lead department by default (DOMAIN.md §7.3) and the days it has to handle the finding.
    pub fn default_referral(self) -> (Department, u32) {
        match self {
            FindingCode::Q1 => (Department::NaturalResources, 15),
            FindingCode::Q2 | FindingCode::Pest => (Department::Forestry, 15),
            FindingCode::Q3 => (Department::NaturalResources, 15),
            FindingCode::Q4 => (Department::Ecology, 15),
            FindingCode::Q5 => (Department::Forestry, 7),
            FindingCode::Q6 => (Department::Culture, 15),
            FindingCode::Q7 => (Department::QinlingOffice, 15),
            FindingCode::Q8 => (Department::NaturalResources, 30),
            FindingCode::Fire => (Department::Forestry, 3),
            FindingCode::Boar => (Department::Forestry, 10),
            FindingCode::Tailings => (Department::Emergency, 15),
        }
    }
}

coded_enum! {
    pub enum PatrolStatus {
        Open = ("open", "巡查中", "in progress"),
        Closed = ("closed", "已结束", "finished"),
    }
}

/// One patrol of a route or section. "Nothing found" is a valid patrol.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Patrol {
    #[serde(flatten)]
    pub meta: Meta,
    pub worker: String,
    pub route: String,
    pub zone: Zone,
    /// UTC milliseconds.
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub distance_km: Option<f64>,
    pub weather: Option<String>,
    pub status: PatrolStatus,
    pub nothing_found: bool,
    pub note: Option<String>,
}

impl Record for Patrol {
    const FAMILY: Family = Family::Patrol;
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
    fn summary(&self) -> String {
        self.route.clone()
    }
}

impl Patrol {
    pub fn validate(&mut self) -> Result<(), DomainError> {
        self.worker = validate::required("worker", &self.worker, 50)?;
        self.route = validate::required("route", &self.route, 200)?;
        if let Some(km) = self.distance_km
            && !(0.0..=200.0).contains(&km)
        {
            return Err(DomainError::rule(
                "巡查里程应在 0 到 200 公里之间",
                "The patrol distance must be between 0 and 200 km",
            ));
        }
        if let Some(end) = self.ended_at
            && end < self.started_at
        {
            return Err(DomainError::rule(
                "结束时间不能早于开始时间",
                "The end cannot be before the start",
            ));
        }
        Ok(())
    }

    /// Ends the patrol; with no findings it is recorded as "nothing found".
    pub fn close(
        &mut self,
        ended_at: i64,
        distance_km: Option<f64>,
        findings: usize,
    ) -> Result<(), DomainError> {
        if self.status == PatrolStatus::Closed {
            return Err(DomainError::rule(
                "这次巡查已经结束",
                "This patrol has already finished",
            ));
        }
        self.ended_at = Some(ended_at);
        if distance_km.is_some() {
            self.distance_km = distance_km;
        }
        self.nothing_found = findings == 0;
        self.status = PatrolStatus::Closed;
        self.validate()
    }
}

coded_enum! {
    pub enum FindingStatus {
        Reported = ("reported", "已上报", "reported"),
        Referred = ("referred", "已移交", "referred"),
        Handled = ("handled", "已处置", "handled"),
        Verified = ("verified", "已核查销号", "verified and closed"),
    }
}

coded_enum! {
    pub enum FindingActionKind {
        Refer = ("refer", "移交", "refer"),
        Handle = ("handle", "处置", "record handling"),
        Verify = ("verify", "核查通过", "verify"),
        Reject = ("reject", "核查不通过", "verification failed"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingAction {
    /// Refer to a department with a handling deadline (None: the default for the finding's code).
    Refer {
        department: Department,
        deadline: Option<NaiveDate>,
        note: Option<String>,
    },
    Handle {
        note: String,
    },
    Verify {
        note: Option<String>,
    },
    Reject {
        note: String,
    },
}

impl FindingAction {
    pub fn kind(&self) -> FindingActionKind {
        match self {
            FindingAction::Refer { .. } => FindingActionKind::Refer,
            FindingAction::Handle { .. } => FindingActionKind::Handle,
            FindingAction::Verify { .. } => FindingActionKind::Verify,
            FindingAction::Reject { .. } => FindingActionKind::Reject,
        }
    }
}

impl FindingStatus {
    pub fn next(self, kind: FindingActionKind) -> Option<FindingStatus> {
        use FindingActionKind as A;
        use FindingStatus as S;
        match (self, kind) {
            (S::Reported, A::Refer) => Some(S::Referred),
            (S::Referred, A::Handle) => Some(S::Handled),
            (S::Handled, A::Verify) => Some(S::Verified),
            (S::Handled, A::Reject) => Some(S::Referred),
            _ => None,
        }
    }

    pub fn legal_actions(self) -> Vec<FindingActionKind> {
        FindingActionKind::ALL
            .iter()
            .copied()
            .filter(|k| self.next(*k).is_some())
            .collect()
    }
}

/// Something a patrol found on the ground.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    #[serde(flatten)]
    pub meta: Meta,
    pub patrol_id: Option<RecordId>,
    pub code: FindingCode,
    pub description: String,
    pub location: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub found_on: NaiveDate,
    pub zone: Zone,
    pub on_site_action: Option<String>,
    /// Wild-boar damage: crop, area in mu, estimated loss in yuan.
    pub crop: Option<String>,
    pub area_mu: Option<f64>,
    pub loss_yuan: Option<f64>,
    pub department: Option<Department>,
    pub referred_on: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub handled_on: Option<NaiveDate>,
    pub verified_on: Option<NaiveDate>,
    pub status: FindingStatus,
}

impl Record for Finding {
    const FAMILY: Family = Family::Finding;
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

impl Finding {
    /// Checks the fields; returns a warning for coordinates outside Lueyang.
    pub fn validate(&mut self, today: NaiveDate) -> Result<Option<validate::Warning>, DomainError> {
        self.description = validate::required("description", &self.description, 1000)?;
        self.location = validate::required("location", &self.location, 200)?;
        validate::past_date("found_on", self.found_on, today)?;
        for (v, zh, en) in [
            (self.area_mu, "受损面积", "area"),
            (self.loss_yuan, "损失金额", "loss"),
        ] {
            if let Some(v) = v
                && !(0.0..=1.0e9).contains(&v)
            {
                return Err(DomainError::rule(
                    format!("{zh}超出合理范围"),
                    format!("The {en} is out of range"),
                ));
            }
        }
        match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => Ok(validate::coordinates(lat, lon)?),
            (None, None) => Ok(None),
            _ => Err(DomainError::rule(
                "经纬度要么都填，要么都不填",
                "Give both latitude and longitude, or neither",
            )),
        }
    }

    /// Overdue: referred, not yet handled, past its handling deadline.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == FindingStatus::Referred && self.deadline.is_some_and(|d| today > d)
    }

    /// Applies one lifecycle step on `today`, or refuses it with the legal alternatives.
    pub fn apply(&mut self, action: &FindingAction, today: NaiveDate) -> Result<Step, DomainError> {
        // All or nothing: a refused step leaves the record as it was.
        let mut next = self.clone();
        let step = next.apply_in_place(action, today)?;
        *self = next;
        Ok(step)
    }

    fn apply_in_place(
        &mut self,
        action: &FindingAction,
        today: NaiveDate,
    ) -> Result<Step, DomainError> {
        let kind = action.kind();
        let Some(next) = self.status.next(kind) else {
            return Err(TransitionError::refuse(
                Family::Finding,
                self.status,
                kind,
                self.status.legal_actions(),
            ));
        };
        let note = match action {
            FindingAction::Refer {
                department,
                deadline,
                note,
            } => {
                let (_, days) = self.code.default_referral();
                let due = deadline.unwrap_or(today + chrono::Days::new(u64::from(days)));
                if due < today {
                    return Err(DomainError::rule(
                        "处置期限不能早于今天",
                        "The handling deadline cannot be in the past",
                    ));
                }
                self.department = Some(*department);
                self.referred_on = Some(today);
                self.deadline = Some(due);
                validate::optional("note", note.as_deref().unwrap_or(""), 1000)?
            }
            FindingAction::Handle { note } => {
                self.handled_on = Some(today);
                Some(validate::required("note", note, 1000)?)
            }
            FindingAction::Verify { note } => {
                self.verified_on = Some(today);
                validate::optional("note", note.as_deref().unwrap_or(""), 1000)?
            }
            FindingAction::Reject { note } => {
                self.handled_on = None;
                Some(validate::required("note", note, 1000)?)
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

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn finding(code: FindingCode) -> Finding {
        Finding {
            meta: Meta::sample(3),
            patrol_id: None,
            code,
            description: "河滩采砂".into(),
            location: "3 组".into(),
            lat: None,
            lon: None,
            found_on: day("2026-11-01"),
            zone: Zone::General,
            on_site_action: None,
            crop: None,
            area_mu: None,
            loss_yuan: None,
            department: None,
            referred_on: None,
            deadline: None,
            handled_on: None,
            verified_on: None,
            status: FindingStatus::Reported,
        }
    }

    #[test]
    fn referral_takes_the_default_deadline_and_verification_can_fail() {
        let mut f = finding(FindingCode::Fire);
        let today = day("2026-11-02");
        f.apply(
            &FindingAction::Refer {
                department: Department::Forestry,
                deadline: None,
                note: None,
            },
            today,
        )
        .unwrap();
        assert_eq!(f.deadline, Some(day("2026-11-05")), "fire risk: 3 days");
        assert!(!f.is_overdue(day("2026-11-05")) && f.is_overdue(day("2026-11-06")));
        f.apply(
            &FindingAction::Handle {
                note: "已扑灭".into(),
            },
            today,
        )
        .unwrap();
        assert!(
            !f.is_overdue(day("2026-12-01")),
            "handled findings are not overdue"
        );
        f.apply(
            &FindingAction::Reject {
                note: "余火未清".into(),
            },
            today,
        )
        .unwrap();
        assert_eq!((f.status, f.handled_on), (FindingStatus::Referred, None));
        assert!(
            f.apply(&FindingAction::Verify { note: None }, today)
                .is_err()
        );
        assert_eq!(
            FindingStatus::Referred.legal_actions(),
            [FindingActionKind::Handle]
        );
        assert!(FindingStatus::Verified.legal_actions().is_empty());
    }

    #[test]
    fn coordinates_must_come_in_pairs_and_outside_lueyang_warns() {
        let mut f = finding(FindingCode::Q1);
        f.lat = Some(33.3);
        assert!(f.validate(day("2026-11-02")).is_err());
        f.lon = Some(106.1);
        assert_eq!(f.validate(day("2026-11-02")).unwrap(), None);
        f.lat = Some(39.9);
        f.lon = Some(116.4);
        assert!(f.validate(day("2026-11-02")).unwrap().is_some());
        f.found_on = day("2026-11-03");
        assert!(f.validate(day("2026-11-02")).is_err(), "not in the future");
    }

    #[test]
    fn every_finding_code_has_a_department() {
        for code in FindingCode::ALL {
            let (_, days) = code.default_referral();
            assert!((1..=30).contains(&days), "{code:?}");
        }
    }
}
