//! The reference part of docs/data-export.md, made from the ledgers' own column lists and the coded enums, so
//! the document names every column and every code the export writes (a test compares them).

use super::ledger::{FAMILIES, flat_columns, title};
use crate::domain::Lang;
use crate::domain::codes::Labelled;

/// A code table: (what it is, the columns that use it, its codes with their zh and en labels).
type Table = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str, &'static str)>,
);

fn table<T: Labelled>(name: &'static str, used_by: &'static str) -> Table {
    let rows = T::every()
        .iter()
        .map(|v| (v.code_of(), v.label(Lang::Zh), v.label(Lang::En)))
        .collect();
    (name, used_by, rows)
}

fn tables() -> Vec<Table> {
    use crate::domain::category::{Category, Grade};
    use crate::domain::hazard::HazardStatus;
    use crate::domain::inspection::{Subject, Verdict};
    use crate::domain::patrol::{Department, FindingCode, FindingStatus, Zone};
    use crate::domain::petition::{
        Channel, Outcome, PetitionCategory, PetitionStatus, Satisfaction,
    };
    vec![
        table::<Category>(
            "inspection category",
            "hazards.category, inspections.category",
        ),
        table::<Grade>("hazard grade", "hazards.grade"),
        table::<HazardStatus>("hazard status", "hazards.status"),
        table::<Subject>("inspected subject", "inspections.subject"),
        table::<Verdict>("self-built house verdict (初判)", "inspections.verdict"),
        table::<FindingCode>("finding code", "findings.code"),
        table::<Zone>("Qinling protection zone", "findings.zone"),
        table::<Department>("department referred to", "findings.department"),
        table::<FindingStatus>("finding status", "findings.status"),
        table::<Channel>("petition channel", "petitions.channel"),
        table::<PetitionCategory>("petition category", "petitions.category"),
        table::<PetitionStatus>("petition status", "petitions.status"),
        table::<Outcome>("petition outcome", "petitions.outcome"),
        table::<Satisfaction>("petitioner's evaluation", "petitions.satisfaction"),
    ]
}

/// The columns of every family's flat export and every code table, as Markdown.
pub fn markdown() -> String {
    let mut out = String::new();
    for family in FAMILIES {
        use crate::domain::record::Family;
        let flag = match family {
            Family::Hazard => "hazards",
            Family::Inspection => "inspections",
            Family::Finding => "findings",
            _ => "petitions",
        };
        out.push_str(&format!(
            "### {} (`--family {flag}`, {})\n\n| key | 列名 | column | value |\n|---|---|---|---|\n",
            title(family, Lang::En),
            title(family, Lang::Zh)
        ));
        for (key, zh, en, what) in flat_columns(family) {
            out.push_str(&format!("| `{key}` | {zh} | {en} | {what} |\n"));
        }
        out.push('\n');
    }
    for (name, used_by, rows) in tables() {
        out.push_str(&format!(
            "### Codes: {name} ({used_by})\n\n| code | 中文 | English |\n|---|---|---|\n"
        ));
        for (code, zh, en) in rows {
            out.push_str(&format!("| `{code}` | {zh} | {en} |\n"));
        }
        out.push('\n');
    }
    out
}
