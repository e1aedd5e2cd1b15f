//! What the app itself writes on a timeline (a hazard's grade and deadline as it opens, an inspection's category
//! and place, a patrol that found nothing, a repeat petition's earlier case, a case handed down): stored as codes
//! and values, never as words, and told in the reader's language. A note a person typed is shown as typed.

use chrono::NaiveDate;

use super::Lang;
use super::category::{Category, Grade};
use super::ids::RegionCode;

/// A note the app composed, as stored (compact JSON, tagged by `k`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "k", rename_all = "snake_case", deny_unknown_fields)]
pub enum Composed {
    /// A hazard opened with this grade and deadline.
    HazardOpened { grade: Grade, due: NaiveDate },
    /// An inspection of this category at this place.
    Inspected { category: Category, place: String },
    /// A patrol finished without a finding.
    NothingFound,
    /// A petition registered again: the earlier case.
    RepeatOf { case_no: String },
    /// A case handed down to a region, due then, with what to do.
    AssignedDown {
        to: RegionCode,
        due: NaiveDate,
        note: String,
    },
}

impl Composed {
    /// The text stored in the timeline's note.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored note read back, if the app composed it.
    pub fn decode(note: &str) -> Option<Composed> {
        note.starts_with("{\"k\":")
            .then(|| serde_json::from_str(note).ok())
            .flatten()
    }

    /// The note in `lang`; `region` names a region code where it can (its name and code).
    pub fn render(&self, lang: Lang, region: impl Fn(&RegionCode) -> Option<String>) -> String {
        match (self, lang) {
            (Composed::HazardOpened { grade, due }, Lang::Zh) => {
                format!("{}隐患，期限 {due}", grade.label(lang))
            }
            (Composed::HazardOpened { grade, due }, Lang::En) => {
                format!("{} hazard, due {due}", grade.label(lang))
            }
            (Composed::Inspected { category, place }, _) => {
                format!("{} {place}", category.label(lang))
            }
            (Composed::NothingFound, _) => lang.pick("未发现问题", "nothing found").to_owned(),
            (Composed::RepeatOf { case_no }, Lang::Zh) => format!("重复信访，前案 {case_no}"),
            (Composed::RepeatOf { case_no }, Lang::En) => {
                format!("repeat petition; earlier case {case_no}")
            }
            (Composed::AssignedDown { to, due, note }, _) => {
                let to = region(to).unwrap_or_else(|| to.to_string());
                match lang {
                    Lang::Zh => format!("交办 {to}，期限 {due}：{note}"),
                    Lang::En => format!("to {to}, due {due}: {note}"),
                }
            }
        }
    }
}

/// A timeline note as a reader sees it: composed ones in `lang`, typed ones as typed.
pub fn note_text(note: &str, lang: Lang, region: impl Fn(&RegionCode) -> Option<String>) -> String {
    match Composed::decode(note) {
        Some(c) => c.render(lang, region),
        None => note.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_composed_note_is_stored_as_codes_and_told_in_either_language() {
        let c = Composed::HazardOpened {
            grade: Grade::Major,
            due: NaiveDate::from_ymd_opt(2026, 12, 29).unwrap(),
        };
        let stored = c.encode();
        assert_eq!(
            stored,
            r#"{"k":"hazard_opened","grade":"major","due":"2026-12-29"}"#
        );
        assert_eq!(
            note_text(&stored, Lang::Zh, |_| None),
            "重大隐患，期限 2026-12-29"
        );
        assert_eq!(
            note_text(&stored, Lang::En, |_| None),
            "major hazard, due 2026-12-29"
        );
        let place = Composed::Inspected {
            category: Category::Gas,
            place: "李大山家".into(),
        }
        .encode();
        assert_eq!(note_text(&place, Lang::En, |_| None), "gas 李大山家");
    }

    #[test]
    fn a_typed_note_is_shown_as_typed_even_when_it_looks_like_json() {
        assert_eq!(note_text("已拍照", Lang::En, |_| None), "已拍照");
        for odd in [
            r#"{"k":"unheard_of"}"#,
            r#"{"k":"hazard_opened","grade":"huge"}"#,
            "{\"k\":",
        ] {
            assert_eq!(note_text(odd, Lang::Zh, |_| None), odd);
        }
    }
}
