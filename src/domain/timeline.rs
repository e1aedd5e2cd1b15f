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
    /// A record edited: the fields that changed (by name) and the reason given.
    Edited {
        fields: Vec<String>,
        reason: Option<String>,
    },
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

    /// The note in `lang`; `region` names a region code where it can (its name and code), `field` a field
    /// by its name.
    pub fn render(
        &self,
        lang: Lang,
        region: impl Fn(&RegionCode) -> Option<String>,
        field: impl Fn(&str) -> String,
    ) -> String {
        match (self, lang) {
            (Composed::Edited { fields, reason }, _) => {
                let names: Vec<String> = fields.iter().map(|f| field(f)).collect();
                let what = match lang {
                    _ if names.is_empty() => lang.pick("内容未变", "nothing changed").to_owned(),
                    Lang::Zh => format!("改了 {}", names.join("、")),
                    Lang::En => format!("changed {}", names.join(", ")),
                };
                match (reason.as_deref().filter(|r| !r.is_empty()), lang) {
                    (Some(r), Lang::Zh) => format!("{what}：{r}"),
                    (Some(r), Lang::En) => format!("{what}: {r}"),
                    (None, _) => what,
                }
            }
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

/// A timeline note as a reader sees it: composed ones in `lang` (fields named by `family`'s labels), typed
/// ones as typed.
pub fn note_text(
    note: &str,
    lang: Lang,
    family: super::record::Family,
    region: impl Fn(&RegionCode) -> Option<String>,
) -> String {
    match Composed::decode(note) {
        Some(c) => c.render(lang, region, |name| {
            super::fields::label(Some(family), name, lang)
        }),
        None => note.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Family;

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
            note_text(&stored, Lang::Zh, Family::Hazard, |_| None),
            "重大隐患，期限 2026-12-29"
        );
        assert_eq!(
            note_text(&stored, Lang::En, Family::Hazard, |_| None),
            "major hazard, due 2026-12-29"
        );
        let place = Composed::Inspected {
            category: Category::Gas,
            place: "李大山家".into(),
        }
        .encode();
        assert_eq!(
            note_text(&place, Lang::En, Family::Inspection, |_| None),
            "gas 李大山家"
        );
    }

    #[test]
    fn an_edit_names_its_fields_by_their_labels_with_its_reason() {
        let stored = Composed::Edited {
            fields: vec!["inspected_on".into(), "note".into()],
            reason: Some("日期填错".into()),
        }
        .encode();
        assert_eq!(
            note_text(&stored, Lang::Zh, Family::Inspection, |_| None),
            "改了 检查日期、备注：日期填错"
        );
        assert_eq!(
            note_text(&stored, Lang::En, Family::Inspection, |_| None),
            "changed inspected on, note: 日期填错"
        );
    }

    #[test]
    fn a_typed_note_is_shown_as_typed_even_when_it_looks_like_json() {
        assert_eq!(
            note_text("已拍照", Lang::En, Family::Finding, |_| None),
            "已拍照"
        );
        for odd in [
            r#"{"k":"unheard_of"}"#,
            r#"{"k":"hazard_opened","grade":"huge"}"#,
            "{\"k\":",
        ] {
            assert_eq!(note_text(odd, Lang::Zh, Family::Finding, |_| None), odd);
        }
    }
}
