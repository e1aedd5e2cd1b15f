//! Safety inspections: one place, one category, one result per checklist item (pass / fail / not applicable),
//! and for self-built houses the 初判 verdict. Every failed item becomes a hazard.

use chrono::NaiveDate;

use super::category::{Category, Grade};
use super::ids::RecordId;
use super::record::{DomainError, Family, Meta, Record};
use super::validate;
use crate::coded_enum;

coded_enum! {
    pub enum ItemResult {
        Pass = ("pass", "合格", "pass"),
        Fail = ("fail", "不合格", "fail"),
        NotApplicable = ("na", "不适用", "n/a"),
    }
}

coded_enum! {
    /// The first judgement (初判) of a self-built house survey.
    pub enum Verdict {
        NoHazard = ("none", "未发现明显隐患", "no obvious hazard"),
        Hazard = ("hazard", "存在安全隐患", "hazard present"),
        Serious = ("serious", "存在严重安全隐患", "serious hazard: not fit for use"),
    }
}

coded_enum! {
    /// Who the inspected party is (gas: resident or commercial; otherwise the general case).
    pub enum Subject {
        Resident = ("resident", "居民用户", "resident"),
        Commercial = ("commercial", "非居民用户", "commercial"),
        Unit = ("unit", "单位场所", "unit or venue"),
    }
}

impl Verdict {
    /// The 初判 verdicts that agree with `failed` failed items: no obvious hazard when none failed, a hazard or
    /// a serious one when some did.
    pub fn agreeing(failed: u32) -> &'static [Verdict] {
        if failed == 0 {
            &[Verdict::NoHazard]
        } else {
            &[Verdict::Hazard, Verdict::Serious]
        }
    }
}

/// The result of one checklist item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemOutcome {
    pub item_code: String,
    pub result: ItemResult,
    pub note: Option<String>,
}

/// One inspection of one place.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Inspection {
    #[serde(flatten)]
    pub meta: Meta,
    pub place_id: RecordId,
    pub category: Category,
    pub subject: Subject,
    pub inspected_on: NaiveDate,
    pub inspector: String,
    pub verdict: Option<Verdict>,
    pub failed_count: u32,
    pub note: Option<String>,
    /// Stored in the inspection's row (compactly: `store::inspections::results_column`), in checklist order;
    /// travels inside the inspection.
    #[serde(default)]
    pub results: Vec<ItemOutcome>,
}

impl Record for Inspection {
    const FAMILY: Family = Family::Inspection;
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut Meta {
        &mut self.meta
    }
    fn summary(&self) -> String {
        let failed: Vec<&str> = self
            .results
            .iter()
            .filter(|r| r.result == ItemResult::Fail)
            .map(|r| r.item_code.as_str())
            .collect();
        if failed.is_empty() {
            String::from("-")
        } else {
            failed.join(" ")
        }
    }
}

/// A hazard's description when its failed item has no note: the item's wording. Stored in Chinese, the
/// language of the ledgers and of the county; a screen in English shows the English one instead.
pub fn failed_item(wording: &str, lang: super::Lang) -> String {
    match lang {
        super::Lang::Zh => format!("不合格：{wording}"),
        super::Lang::En => format!("failed: {wording}"),
    }
}

/// What a failed item turns into when the inspection is saved: grade and deadline the worker may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardDraft {
    pub item_code: String,
    pub grade: Grade,
    pub deadline: NaiveDate,
    pub description: String,
}

impl Inspection {
    /// Checks the inspection against its category's checklist (`items`: the item codes of the category).
    pub fn validate(&mut self, items: &[String], today: NaiveDate) -> Result<(), DomainError> {
        self.inspector = validate::required("worker", &self.inspector, 50)?;
        self.note = validate::optional("note", self.note.as_deref().unwrap_or(""), 2000)?;
        validate::past_date("inspected_on", self.inspected_on, today)?;
        if !Category::INSPECTED.contains(&self.category) {
            return Err(DomainError::rule(
                format!(
                    "「{}」没有检查表，不能作为检查类别",
                    self.category.label(super::Lang::Zh)
                ),
                format!(
                    "'{}' has no checklist and cannot be inspected",
                    self.category.label(super::Lang::En)
                ),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for r in &mut self.results {
            if !items.contains(&r.item_code) {
                return Err(DomainError::rule(
                    format!(
                        "检查项 {} 不属于「{}」检查表",
                        r.item_code,
                        self.category.label(super::Lang::Zh)
                    ),
                    format!(
                        "Item {} is not on the {} checklist",
                        r.item_code,
                        self.category.label(super::Lang::En)
                    ),
                ));
            }
            if !seen.insert(r.item_code.clone()) {
                return Err(DomainError::rule(
                    format!("检查项 {} 填了两次", r.item_code),
                    format!("Item {} is given twice", r.item_code),
                ));
            }
            r.note = validate::optional("note", r.note.as_deref().unwrap_or(""), 500)?;
        }
        // In checklist order, whatever order they came in.
        self.results
            .sort_by_key(|r| items.iter().position(|c| *c == r.item_code));
        if self.results.is_empty() {
            return Err(DomainError::rule(
                "检查表至少要填一项",
                "Fill in at least one checklist item",
            ));
        }
        if (self.category == Category::House) != self.verdict.is_some() {
            return Err(DomainError::rule(
                "自建房排查必须给出初判结论，其他检查不填初判",
                "A self-built house survey needs a first judgement; other inspections have none",
            ));
        }
        self.failed_count = self
            .results
            .iter()
            .filter(|r| r.result == ItemResult::Fail)
            .count() as u32;
        Ok(())
    }

    /// The hazards the failed items open, with default grade and deadline (`text` gives each item's wording).
    pub fn hazard_drafts(&self, text: impl Fn(&str) -> String) -> Vec<HazardDraft> {
        let grade = if self.verdict == Some(Verdict::Serious) {
            Grade::Major
        } else {
            Grade::General
        };
        let days = u64::from(self.category.default_hazard_days(grade));
        self.results
            .iter()
            .filter(|r| r.result == ItemResult::Fail)
            .map(|r| HazardDraft {
                item_code: r.item_code.clone(),
                grade,
                deadline: self.inspected_on + chrono::Days::new(days),
                description: match r.note.as_deref() {
                    Some(n) if !n.is_empty() => n.to_owned(),
                    _ => failed_item(&text(&r.item_code), super::Lang::Zh),
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn inspection(category: Category, results: &[(&str, ItemResult)]) -> Inspection {
        Inspection {
            meta: Meta::sample(2),
            place_id: crate::domain::ids::RecordId::sample(4),
            category,
            subject: Subject::Resident,
            inspected_on: day("2026-11-28"),
            inspector: "张伟".into(),
            verdict: None,
            failed_count: 0,
            note: None,
            results: results
                .iter()
                .map(|(c, r)| ItemOutcome {
                    item_code: c.to_string(),
                    result: *r,
                    note: None,
                })
                .collect(),
        }
    }

    fn gas_items() -> Vec<String> {
        (1..=12).map(|i| format!("G{i}")).collect()
    }

    #[test]
    fn the_checklist_is_checked_item_by_item() {
        let today = day("2026-11-28");
        let mut ok = inspection(
            Category::Gas,
            &[("G1", ItemResult::Pass), ("G2", ItemResult::Fail)],
        );
        ok.validate(&gas_items(), today).unwrap();
        assert_eq!(ok.failed_count, 1);
        let mut shuffled = inspection(
            Category::Gas,
            &[
                ("G10", ItemResult::Pass),
                ("G2", ItemResult::Fail),
                ("G1", ItemResult::NotApplicable),
            ],
        );
        shuffled.validate(&gas_items(), today).unwrap();
        let order: Vec<&str> = shuffled
            .results
            .iter()
            .map(|r| r.item_code.as_str())
            .collect();
        assert_eq!(order, ["G1", "G2", "G10"], "kept in checklist order");
        let mut foreign = inspection(Category::Gas, &[("F1", ItemResult::Pass)]);
        assert!(foreign.validate(&gas_items(), today).is_err());
        let mut twice = inspection(
            Category::Gas,
            &[("G1", ItemResult::Pass), ("G1", ItemResult::Fail)],
        );
        assert!(twice.validate(&gas_items(), today).is_err());
        let mut empty = inspection(Category::Gas, &[]);
        assert!(empty.validate(&gas_items(), today).is_err());
        let mut future = inspection(Category::Gas, &[("G1", ItemResult::Pass)]);
        future.inspected_on = day("2026-11-29");
        assert!(future.validate(&gas_items(), today).is_err());
        let mut fire = inspection(Category::ForestFire, &[]);
        assert!(
            fire.validate(&[], today).is_err(),
            "no checklist, no inspection"
        );
    }

    #[test]
    fn a_house_survey_needs_its_first_judgement_and_a_serious_one_opens_major_hazards() {
        let today = day("2026-11-28");
        let items: Vec<String> = (1..=10).map(|i| format!("S{i}")).collect();
        let mut house = inspection(
            Category::House,
            &[("S2", ItemResult::Fail), ("S7", ItemResult::Fail)],
        );
        assert!(house.validate(&items, today).is_err());
        house.verdict = Some(Verdict::Serious);
        house.validate(&items, today).unwrap();
        let drafts = house.hazard_drafts(|code| format!("{code} 项"));
        assert_eq!(drafts.len(), 2);
        assert!(
            drafts
                .iter()
                .all(|d| d.grade == Grade::Major && d.deadline == day("2027-01-27"))
        );
        let mut gas = inspection(Category::Gas, &[("G2", ItemResult::Fail)]);
        gas.verdict = Some(Verdict::Hazard);
        assert!(
            gas.validate(&gas_items(), today).is_err(),
            "only house surveys carry a verdict"
        );
    }

    #[test]
    fn drafts_default_by_category() {
        let mut ebike = inspection(
            Category::Ebike,
            &[("E1", ItemResult::Fail), ("E2", ItemResult::Pass)],
        );
        ebike.results[0].note = Some("楼道充电".into());
        let drafts = ebike.hazard_drafts(|_| "停放充电".into());
        assert_eq!(drafts.len(), 1);
        assert_eq!(drafts[0].deadline, day("2026-12-05"), "e-bike: 7 days");
        assert_eq!(drafts[0].description, "楼道充电");
    }
}
