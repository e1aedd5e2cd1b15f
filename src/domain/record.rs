//! What every record that travels shares: its family, its identity and version columns, and the domain error.

use super::codes::Labelled;
use super::deadline::ExtensionError;
use super::ids::{DeviceId, RecordId, RegionCode};
use super::validate::Invalid;
use super::version::VersionVector;
use super::{Lang, Localized};
use crate::coded_enum;

coded_enum! {
    /// The kinds of record that travel between devices.
    pub enum Family {
        Place = ("place", "场所", "place"),
        Inspection = ("inspection", "安全检查", "inspection"),
        Hazard = ("hazard", "隐患", "hazard"),
        Patrol = ("patrol", "巡查", "patrol"),
        Finding = ("finding", "巡查发现", "patrol finding"),
        Petition = ("petition", "信访", "petition"),
        Assignment = ("assignment", "交办", "assignment"),
    }
}

impl Family {
    /// The table that holds this family.
    pub fn table(self) -> &'static str {
        match self {
            Family::Place => "places",
            Family::Inspection => "inspections",
            Family::Hazard => "hazards",
            Family::Patrol => "patrols",
            Family::Finding => "findings",
            Family::Petition => "petitions",
            Family::Assignment => "assignments",
        }
    }
}

/// Identity and version columns of DESIGN.md, plus the region the record belongs to.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    /// UUIDv7, made where the record is born; unique across every family.
    pub id: RecordId,
    /// Device that created the record.
    pub origin: DeviceId,
    pub vv: VersionVector,
    /// Sum of `vv`: for display and the optimistic check of an edit.
    pub version: u64,
    /// UTC milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    /// Device of the last change.
    pub updated_by: DeviceId,
    pub deleted: bool,
    /// The region (grid, village, township or county code) the record belongs to.
    pub region_code: RegionCode,
}

impl Meta {
    /// A record not yet written: version 0, the store bumps it on its first write.
    pub fn new(id: RecordId, device: &DeviceId, now_ms: i64, region_code: &RegionCode) -> Meta {
        Meta {
            id,
            origin: device.clone(),
            vv: VersionVector::default(),
            version: 0,
            created_at: now_ms,
            updated_at: now_ms,
            updated_by: device.clone(),
            deleted: false,
            region_code: region_code.clone(),
        }
    }
}

#[cfg(test)]
impl Meta {
    /// A record not yet written, of a fixed id, device and grid (for the domain's own tests).
    pub fn sample(n: u8) -> Meta {
        Meta::new(
            super::ids::RecordId::sample(n),
            &DeviceId::parse("0190a1b2-0000-7000-8000-0000000000d1").unwrap(),
            0,
            &RegionCode::parse("610727101201001").unwrap(),
        )
    }
}

/// A record of one family.
pub trait Record: Clone + serde::Serialize + serde::de::DeserializeOwned {
    const FAMILY: Family;
    /// Fields holding personal data: audit rows record that they changed, never their values.
    const PERSONAL: &'static [&'static str] = &[];
    fn meta(&self) -> &Meta;
    fn meta_mut(&mut self) -> &mut Meta;
    /// A short line for lists, timelines and search results (no personal data).
    fn summary(&self) -> String;
}

/// A move the lifecycle does not allow from the current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    pub family: Family,
    pub from: (&'static str, &'static str),
    pub action: (&'static str, &'static str),
    /// The actions that are legal now, zh and en.
    pub legal: Vec<(&'static str, &'static str)>,
}

impl TransitionError {
    /// The refusal of `action` from `from`, listing what is legal instead.
    pub fn refuse<S: Labelled, K: Labelled>(
        family: Family,
        from: S,
        action: K,
        legal: Vec<K>,
    ) -> DomainError {
        let both = |zh: &'static str, en: &'static str| (zh, en);
        DomainError::Transition(TransitionError {
            family,
            from: both(from.label(Lang::Zh), from.label(Lang::En)),
            action: both(action.label(Lang::Zh), action.label(Lang::En)),
            legal: legal
                .into_iter()
                .map(|k| both(k.label(Lang::Zh), k.label(Lang::En)))
                .collect(),
        })
    }
}

impl Localized for TransitionError {
    fn message(&self, lang: Lang) -> String {
        let legal: Vec<&str> = self
            .legal
            .iter()
            .map(|(zh, en)| lang.pick(zh, en))
            .collect();
        match lang {
            Lang::Zh => format!(
                "{}当前状态为「{}」，不能「{}」；现在可以：{}",
                self.family.label(lang),
                self.from.0,
                self.action.0,
                if legal.is_empty() {
                    "无（已办结）".to_owned()
                } else {
                    legal.join("、")
                }
            ),
            Lang::En => format!(
                "This {} is '{}' and cannot '{}'; possible now: {}",
                self.family.label(lang),
                self.from.1,
                self.action.1,
                if legal.is_empty() {
                    "nothing (closed)".to_owned()
                } else {
                    legal.join(", ")
                }
            ),
        }
    }
}

/// Why the domain refused a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("illegal transition")]
    Transition(TransitionError),
    #[error("{0}")]
    Extension(#[from] ExtensionError),
    /// A rule about dates or amounts between fields, already phrased in both languages.
    #[error("{en}")]
    Rule { zh: String, en: String },
}

impl DomainError {
    pub fn rule(zh: impl Into<String>, en: impl Into<String>) -> DomainError {
        DomainError::Rule {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl Localized for DomainError {
    fn message(&self, lang: Lang) -> String {
        match self {
            DomainError::Invalid(e) => e.message(lang),
            DomainError::Transition(e) => e.message(lang),
            DomainError::Extension(e) => e.message(lang),
            DomainError::Rule { zh, en } => lang.pick(zh, en).to_owned(),
        }
    }
}

/// A lifecycle step as it enters the timeline: what was done, on which day, with which note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: &'static str,
    pub on: chrono::NaiveDate,
    pub note: Option<String>,
}
