//! Inspections: the checklist of a category, and saving an inspection with its results and the hazards its
//! failed items open, all in one transaction.

use rusqlite::{Connection, Transaction};
use serde_json::Value;

use super::records::{self, add_event};
use super::{Result, StoreError, WriteCtx, hazards};
use crate::domain::Lang;
use crate::domain::category::Category;
use crate::domain::hazard::{Hazard, HazardStatus};
use crate::domain::inspection::{HazardDraft, Inspection, ItemOutcome, ItemResult, Verdict};
use crate::domain::place::Place;
use crate::domain::record::{DomainError, Family, Meta, Step};

/// One checklist item as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    pub code: String,
    pub category: Category,
    pub text_zh: String,
    pub text_en: String,
}

impl ChecklistItem {
    pub fn text(&self, lang: Lang) -> &str {
        lang.pick(&self.text_zh, &self.text_en)
    }
}

/// The items of a category's checklist, in order.
pub fn checklist(conn: &Connection, category: Category) -> Result<Vec<ChecklistItem>> {
    let mut st = conn.prepare_cached(
        "SELECT code, text_zh, text_en FROM checklist_items WHERE category = ?1 ORDER BY seq",
    )?;
    let rows = st.query_map([category.code()], |r| {
        Ok(ChecklistItem {
            code: r.get(0)?,
            category,
            text_zh: r.get(1)?,
            text_en: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// What saving an inspection wrote.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub inspection: Inspection,
    pub hazards: Vec<Hazard>,
}

/// Saves a new inspection of a place with one hazard per failed item. `drafts` are the hazards as the worker
/// set them (grade, deadline, wording); None takes the defaults. Every failed item must have its draft.
pub fn record(
    tx: &impl super::desk::Desk,
    ctx: &WriteCtx,
    mut insp: Inspection,
    drafts: Option<Vec<HazardDraft>>,
    items: &[ChecklistItem],
) -> Result<Recorded> {
    let place: Place = tx
        .record(&insp.place_id)?
        .filter(|p: &Place| !p.meta.deleted)
        .ok_or_else(|| StoreError::NoRecord {
            family: Family::Place,
            id: insp.place_id.to_string(),
        })?;
    insp.meta.region_code = place.meta.region_code.clone();
    tx.inside(ctx, &insp.meta.region_code)?;
    let codes: Vec<String> = items
        .iter()
        .filter(|i| i.category == insp.category)
        .map(|i| i.code.clone())
        .collect();
    insp.validate(&codes, ctx.today())?;
    let text = |code: &str| {
        items
            .iter()
            .find(|i| i.code == code)
            .map(|i| i.text_zh.clone())
            .unwrap_or_default()
    };
    let drafts = drafts.unwrap_or_else(|| insp.hazard_drafts(text));
    let failed: Vec<&ItemOutcome> = insp
        .results
        .iter()
        .filter(|r| r.result == ItemResult::Fail)
        .collect();
    if failed.len() != drafts.len()
        || failed
            .iter()
            .any(|f| !drafts.iter().any(|d| d.item_code == f.item_code))
    {
        return Err(DomainError::rule(
            "每个不合格项都要生成一条隐患",
            "Every failed item must open exactly one hazard",
        )
        .into());
    }
    records::save(tx, ctx, None, &mut insp, "create", None)?;
    let note = Some(
        crate::domain::timeline::Composed::Inspected {
            category: insp.category,
            place: place.name.clone(),
        }
        .encode(),
    );
    add_event(
        tx,
        ctx,
        &insp.meta.id,
        &Step {
            action: "create",
            on: insp.inspected_on,
            note,
        },
    )?;
    let mut opened = Vec::with_capacity(drafts.len());
    for d in drafts {
        let hazard = Hazard {
            meta: Meta::new(
                records::new_id(ctx),
                &ctx.device,
                ctx.now_ms(),
                &insp.meta.region_code,
            ),
            inspection_id: Some(insp.meta.id.clone()),
            item_code: Some(d.item_code),
            finding_id: None,
            place_id: Some(place.meta.id.clone()),
            category: insp.category,
            grade: d.grade,
            description: d.description,
            responsible: None,
            notice_no: None,
            found_on: insp.inspected_on,
            deadline: d.deadline,
            original_deadline: d.deadline,
            extensions: 0,
            status: HazardStatus::Found,
            rectified_on: None,
            closed_on: None,
        };
        opened.push(hazards::create(tx, ctx, hazard)?);
    }
    Ok(Recorded {
        inspection: insp,
        hazards: opened,
    })
}

/// Corrects a saved inspection: its date, who was inspected, the house's 初判 and the note, through the
/// version check, audited with `reason`. Its results and the hazards they opened are left as they are (a hazard
/// follows its own lifecycle); a 初判 that contradicts the failed items is refused.
pub fn correct(
    tx: &Transaction,
    ctx: &WriteCtx,
    edited: &Inspection,
    reason: Option<&str>,
) -> Result<Inspection> {
    let old: Inspection = records::get_for_update(tx, &edited.meta.id, edited.meta.version)?;
    let mut insp = old.clone();
    insp.inspected_on = edited.inspected_on;
    insp.subject = edited.subject;
    insp.verdict = edited.verdict;
    insp.note = edited.note.clone();
    let codes: Vec<String> = checklist(tx, insp.category)?
        .into_iter()
        .map(|i| i.code)
        .collect();
    insp.validate(&codes, ctx.today())?;
    if let Some(v) = insp.verdict
        && !Verdict::agreeing(insp.failed_count).contains(&v)
    {
        return Err(DomainError::rule(
            format!(
                "初判「{}」与检查结果不符（{} 项不合格）",
                v.label(Lang::Zh),
                insp.failed_count
            ),
            format!(
                "The verdict '{}' contradicts the results ({} failed)",
                v.label(Lang::En),
                insp.failed_count
            ),
        )
        .into());
    }
    records::save(tx, ctx, Some(&old), &mut insp, "update", reason)?;
    records::note_edit(tx, ctx, &old, &insp, reason)?;
    Ok(insp)
}

/// An inspection's results as its row holds them, in checklist order: each item as one string, its result's
/// initial (`p`ass, `f`ail, `n`a), its code and, after a space, its note if it has one: `["pG1","fG2 note",…]`
/// (a ninth of the bytes of their JSON form). An item that does not fit that form (a code with a space, another
/// result; none that this program writes or takes from a bundle) is kept as `[code, result, note]`.
pub fn results_column(results: &Value) -> String {
    let items: Vec<Value> = results
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|r| {
            let (code, note) = (&r["item_code"], &r["note"]);
            let initial = match r["result"].as_str() {
                Some("pass") => Some('p'),
                Some("fail") => Some('f'),
                Some("na") => Some('n'),
                _ => None,
            };
            match (initial, code.as_str(), note) {
                (Some(i), Some(c), Value::Null) if !c.is_empty() && !c.contains(' ') => {
                    Value::String(format!("{i}{c}"))
                }
                (Some(i), Some(c), Value::String(n)) if !c.is_empty() && !c.contains(' ') => {
                    Value::String(format!("{i}{c} {n}"))
                }
                _ => {
                    let mut item = vec![code.clone(), r["result"].clone()];
                    if !note.is_null() {
                        item.push(note.clone());
                    }
                    Value::Array(item)
                }
            }
        })
        .collect();
    Value::Array(items).to_string()
}

/// An inspection's results in their JSON form, from the column (`results_column`; rows written before schema 15
/// hold every item as `[code, result, note]`). A column that is not such a list reads as no results, an item that
/// is neither form as one without code or result (`check` then finds the inspection altered).
pub fn results_from_column(text: &[u8]) -> Value {
    let items: Vec<Value> = serde_json::from_slice(text).unwrap_or_default();
    Value::Array(
        items
            .into_iter()
            .map(|item| {
                let (code, result, note) = match &item {
                    Value::String(s) => {
                        let mut chars = s.chars();
                        let result = match chars.next() {
                            Some('p') => "pass".into(),
                            Some('f') => "fail".into(),
                            Some('n') => "na".into(),
                            _ => Value::Null,
                        };
                        let (code, note) = match chars.as_str().split_once(' ') {
                            Some((code, note)) => (code, Value::from(note)),
                            None => (chars.as_str(), Value::Null),
                        };
                        (Value::from(code), result, note)
                    }
                    _ => {
                        let field = |i: usize| item.get(i).cloned().unwrap_or(Value::Null);
                        (field(0), field(1), field(2))
                    }
                };
                serde_json::json!({"item_code": code, "result": result, "note": note})
            })
            .collect(),
    )
}

/// SQL giving the code of a failed item `r` of `json_each(<inspection>.results)`, or NULL for any other (in both of
/// the column's forms, `results_column`); a macro for `concat!` where a query is built at compile time.
macro_rules! failed_item {
    () => {
        "(CASE WHEN r.type = 'text' THEN \
          iif(substr(r.value, 1, 1) = 'f', substr(r.value, 2, instr(r.value || ' ', ' ') - 2), NULL) \
          WHEN r.value ->> 1 = 'fail' THEN r.value ->> 0 END)"
    };
}
pub(crate) use failed_item;

/// An inspection, its results in it.
pub fn get(conn: &Connection, id: &str) -> Result<Option<Inspection>> {
    records::get::<Inspection>(conn, id)
}

/// The hazard descriptions the app writes for a failed item without a note ("不合格：" and the item's
/// wording), each with its English, so that an English screen or ledger reads them in English.
pub fn composed_en(conn: &Connection) -> Result<std::collections::HashMap<String, String>> {
    use crate::domain::inspection::failed_item;
    let mut map = std::collections::HashMap::new();
    for category in crate::domain::category::Category::INSPECTED {
        for item in checklist(conn, *category)? {
            map.insert(
                failed_item(&item.text_zh, Lang::Zh),
                failed_item(&item.text_en, Lang::En),
            );
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn results_read_back_as_they_were_written_in_either_form() {
        let results = json!([
            {"item_code": "G1", "result": "pass", "note": null},
            {"item_code": "G2", "result": "fail", "note": "阀门 锈蚀"},
            {"item_code": "G3", "result": "na", "note": ""},
            {"item_code": "G 4", "result": "fail", "note": null},
            {"item_code": "G5", "result": "maybe", "note": "x"},
            {"item_code": "G6", "result": "pass", "note": 7},
        ]);
        let column = super::results_column(&results);
        assert_eq!(
            column,
            r#"["pG1","fG2 阀门 锈蚀","nG3 ",["G 4","fail"],["G5","maybe","x"],["G6","pass",7]]"#
        );
        assert_eq!(super::results_from_column(column.as_bytes()), results);
        // A row written before schema 15, and one the migration rewrote, read the same.
        let before = r#"[["G1","pass"],["G2","fail","阀门 锈蚀"],["G3","na",""],["G 4","fail"],["G5","maybe","x"],["G6","pass",7]]"#;
        assert_eq!(super::results_from_column(before.as_bytes()), results);
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE inspections (results TEXT); INSERT INTO inspections VALUES ('{before}');"
        ))
        .unwrap();
        conn.execute_batch(super::super::migrate::text(15)).unwrap();
        let migrated: String = conn
            .query_row("SELECT results FROM inspections", [], |r| r.get(0))
            .unwrap();
        assert_eq!(migrated, column);
        let failed: String = conn
            .query_row(
                concat!(
                    "SELECT group_concat(",
                    failed_item!(),
                    ", ' ') FROM inspections i, json_each(i.results) r"
                ),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(failed, "G2 G 4");
    }
}
