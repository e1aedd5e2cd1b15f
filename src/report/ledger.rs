//! The record-level ledgers (台账) a township keeps: hazards, inspections, patrol findings and petitions, one
//! row per record with Chinese headers and labels, personal data masked (names to the surname, ID numbers and
//! phones to their last digits; petitioners' addresses and case contents left out).

use std::path::Path;

use chrono::NaiveDate;
use rusqlite::{Connection, Row};

use super::sheet::{Cell, Columns, Sink};
use crate::domain::Lang;
use crate::domain::category::{Category, Grade};
use crate::domain::codes::{Labelled, label_of};
use crate::domain::hazard::HazardStatus;
use crate::domain::inspection::{Subject, Verdict};
use crate::domain::mask::{name as mask_name, tail as mask_tail};
use crate::domain::patrol::{Department, FindingCode, FindingStatus, Zone};
use crate::domain::petition::{Channel, Outcome, PetitionCategory, PetitionStatus, Satisfaction};
use crate::domain::record::Family;
use crate::store::ledger::{self, Bounds};
use crate::store::{Result, StoreError};

/// The families that have a ledger.
pub const FAMILIES: [Family; 4] = [
    Family::Hazard,
    Family::Inspection,
    Family::Finding,
    Family::Petition,
];

/// Where a ledger column's header comes from: a field of the field table (so the ledger says what the
/// detail view and the forms say), or the ledger's own (the record id, the region, overdue).
#[derive(Clone, Copy)]
enum Col {
    Field(Family, &'static str),
    /// (zh, en, key in the flat export; empty: left out of it)
    Own(&'static str, &'static str, &'static str),
}

use Col::{Field as F, Own};
use Family::{Finding as Fi, Hazard as Hz, Inspection as In, Petition as Pe, Place as Pl};

/// The record id's last 12 hex digits, up front (enough to tell records apart on paper)…
const ID: (Col, f64) = (Own("记录号", "record id", ""), 14.0);
/// …and the whole id in the last column (to find the record again).
const FULL_ID: (Col, f64) = (Own("完整记录号", "full record id", "id"), 38.0);
const REGION: (Col, f64) = (Own("区划代码", "region code", "region_code"), 16.0);
const VILLAGE: (Col, f64) = (Own("村/网格", "village/grid", "region_name"), 14.0);
const OVERDUE: (Col, f64) = (Own("逾期", "overdue", "overdue"), 6.0);

/// A family's ledger columns and their widths, in order.
fn spec(family: Family) -> &'static [(Col, f64)] {
    match family {
        Family::Hazard => &[
            ID,
            REGION,
            VILLAGE,
            (F(Hz, "place_id"), 18.0),
            (F(Pl, "address"), 20.0),
            (F(Hz, "category"), 12.0),
            (F(Hz, "item_code"), 8.0),
            (F(Hz, "grade"), 8.0),
            (F(Hz, "description"), 36.0),
            (F(Hz, "responsible"), 10.0),
            (F(Hz, "notice_no"), 14.0),
            (F(Hz, "found_on"), 11.0),
            (F(Hz, "deadline"), 11.0),
            (F(Hz, "original_deadline"), 11.0),
            (F(Hz, "extensions"), 8.0),
            (F(Hz, "status"), 10.0),
            (F(Hz, "rectified_on"), 11.0),
            (F(Hz, "closed_on"), 11.0),
            OVERDUE,
            FULL_ID,
        ],
        Family::Inspection => &[
            ID,
            REGION,
            VILLAGE,
            (F(In, "place_id"), 18.0),
            (F(Pl, "address"), 20.0),
            (F(In, "category"), 12.0),
            (F(In, "subject"), 10.0),
            (F(In, "inspected_on"), 11.0),
            (F(In, "inspector"), 10.0),
            (F(In, "verdict"), 16.0),
            (F(In, "failed_count"), 10.0),
            (Own("不合格项", "failed item codes", "failed_items"), 16.0),
            (F(In, "note"), 24.0),
            (F(Pl, "owner_name"), 10.0),
            (F(Pl, "owner_phone"), 14.0),
            FULL_ID,
        ],
        Family::Finding => &[
            ID,
            REGION,
            VILLAGE,
            (F(Fi, "found_on"), 11.0),
            (F(Fi, "code"), 18.0),
            (F(Fi, "description"), 36.0),
            (F(Fi, "location"), 18.0),
            (F(Fi, "zone"), 12.0),
            (F(Fi, "on_site_action"), 20.0),
            (F(Fi, "department"), 18.0),
            (F(Fi, "referred_on"), 11.0),
            (F(Fi, "deadline"), 11.0),
            (F(Fi, "handled_on"), 11.0),
            (F(Fi, "verified_on"), 11.0),
            (F(Fi, "status"), 10.0),
            (F(Fi, "crop"), 10.0),
            (F(Fi, "area_mu"), 9.0),
            (F(Fi, "loss_yuan"), 10.0),
            OVERDUE,
            FULL_ID,
        ],
        Family::Petition => &[
            ID,
            (F(Pe, "case_no"), 18.0),
            REGION,
            VILLAGE,
            (F(Pe, "received_on"), 11.0),
            (F(Pe, "channel"), 8.0),
            (F(Pe, "category"), 12.0),
            (F(Pe, "petitioner_name"), 8.0),
            (F(Pe, "id_number"), 20.0),
            (F(Pe, "phone"), 14.0),
            (F(Pe, "people"), 6.0),
            (F(Pe, "summary"), 36.0),
            (F(Pe, "unit"), 16.0),
            (F(Pe, "status"), 10.0),
            (F(Pe, "accept_due"), 11.0),
            (F(Pe, "accepted_on"), 11.0),
            (F(Pe, "handle_due"), 11.0),
            (F(Pe, "replied_on"), 11.0),
            (F(Pe, "outcome"), 10.0),
            (F(Pe, "satisfaction"), 10.0),
            (F(Pe, "closed_on"), 11.0),
            (F(Pe, "repeat_of"), 8.0),
            OVERDUE,
            FULL_ID,
        ],
        _ => &[],
    }
}

/// A column's header in `lang`: the field's label with its unit, or the ledger's own.
fn header(col: Col, lang: Lang) -> String {
    match col {
        Own(zh, en, _) => lang.pick(zh, en).to_owned(),
        F(family, name) => crate::domain::fields::find(family, name)
            .map_or_else(|| name.to_owned(), |d| d.heading(lang)),
    }
}

/// A column's key in the flat export: the field's own name (so the export says what the database and bundles
/// say), or the ledger's.
fn key(col: Col) -> &'static str {
    match col {
        // The place a record names, by its name; its own fields beside.
        F(_, "place_id") => "place_name",
        F(Pl, "address") => "place_address",
        F(Pl, "owner_name") => "place_owner_name",
        F(Pl, "owner_phone") => "place_owner_phone",
        // Whether the case repeats an earlier one (the earlier case's id is not exported).
        F(Pe, "repeat_of") => "is_repeat",
        F(_, name) => name,
        Own(_, _, key) => key,
    }
}

/// A family's flat-export columns: (key, zh header, en header, what the value is), in order.
pub fn flat_columns(family: Family) -> Vec<(&'static str, String, String, String)> {
    use crate::domain::fields::{self, Kind};
    spec(family)
        .iter()
        .filter(|(c, _)| !key(*c).is_empty())
        .map(|(c, _)| {
            let k = key(*c);
            let what = match c {
                Own(..) if k == "overdue" => "boolean: past its deadline and not done, as of the export".into(),
                Own(..) if k == "id" => "text: the record's id (UUID), the same in every database".into(),
                Own(..) if k == "region_code" => "text: the 12- or 15-digit region code the record lies in".into(),
                Own(..) if k == "region_name" => {
                    "text: that region's name (a grid's after its village's: 竹家庄村 第3网格)".into()
                }
                Own(..) => "text: the failed checklist items' codes, separated by spaces".into(),
                F(..) if k == "is_repeat" => "boolean: the case repeats an earlier one of the same person".into(),
                F(..) if k == "place_name" => "text: the place's name".into(),
                F(f, name) => match fields::find(*f, name) {
                    Some(d) if d.personal.is_some() => {
                        "text, masked (first character and `**`; ID numbers and phones `****` and the last four)".into()
                    }
                    Some(d) => match d.kind {
                        Kind::Date => "date as ISO text (yyyy-mm-dd)".into(),
                        Kind::Choice(_) => format!("code (table below), with `{k}_label` beside it"),
                        Kind::Number { unit } => format!("number, in {}", unit.1),
                        Kind::Count => "integer".into(),
                        Kind::Flag => "boolean".into(),
                        _ => "text".into(),
                    },
                    None => "text".into(),
                },
            };
            (k, header(*c, Lang::Zh), header(*c, Lang::En), what)
        })
        .collect()
}

/// The ledger's sheet name.
pub fn title(family: Family, lang: Lang) -> &'static str {
    match family {
        Family::Hazard => lang.pick("隐患台账", "hazards"),
        Family::Inspection => lang.pick("安全检查台账", "inspections"),
        Family::Finding => lang.pick("巡查发现台账", "patrol findings"),
        Family::Petition => lang.pick("信访台账", "petitions"),
        _ => "",
    }
}

/// Writes the ledger of `family` within `bounds` to `sink` (bound for `path`, named in errors); returns the
/// number of records written.
pub fn write(
    conn: &Connection,
    family: Family,
    bounds: &Bounds,
    today: NaiveDate,
    lang: Lang,
    (sink, path): (&mut dyn Sink, &Path),
) -> Result<u64> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let cols = spec(family);
    sink.begin(&Columns {
        name: title(family, lang),
        header: cols.iter().map(|c| header(c.0, lang)).collect(),
        keys: cols.iter().map(|c| key(c.0)).collect(),
        widths: cols.iter().map(|c| c.1).collect(),
        one_page: false,
    })
    .map_err(io)?;
    // The columns that hold a day: written as date cells.
    let days: Vec<bool> = cols
        .iter()
        .map(|(c, _)| match c {
            F(f, name) => crate::domain::fields::find(*f, name)
                .is_some_and(|d| matches!(d.kind, crate::domain::fields::Kind::Date)),
            Own(..) => false,
        })
        .collect();
    // A hazard description the app composed from a failed item, told in the ledger's language.
    let composed = match (family, lang) {
        (Family::Hazard, Lang::En) => crate::store::inspections::composed_en(conn)?,
        _ => Default::default(),
    };
    let described = cols
        .iter()
        .position(|(c, _)| matches!(c, F(Hz, "description")));
    let mut cells = Vec::with_capacity(cols.len());
    ledger::each(conn, family, bounds, today, |row| {
        cells.clear();
        let read = Cells { row, lang };
        read.fill(family, &mut cells)?;
        // The short id up front, the whole one last.
        let full = read.code(0)?;
        if let Some(Cell::Code(id)) = cells.first_mut() {
            let cut = id.len().saturating_sub(12);
            *id = id.get(cut..).unwrap_or(id).to_owned();
        }
        cells.push(full);
        if let Some(Cell::Text(t)) = described.and_then(|i| cells.get_mut(i))
            && let Some(en) = composed.get(t.as_str())
        {
            *t = en.clone();
        }
        for (cell, day) in cells.iter_mut().zip(&days) {
            if let (true, Cell::Text(t)) = (day, &*cell)
                && let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
            {
                *cell = Cell::Date(d);
            }
        }
        sink.row(&cells).map_err(io)
    })
}

/// Reads one row's columns as cells, by position.
struct Cells<'r, 'a> {
    row: &'r Row<'a>,
    lang: Lang,
}

impl Cells<'_, '_> {
    fn s(&self, i: usize) -> rusqlite::Result<Option<String>> {
        self.row.get(i)
    }

    fn text(&self, i: usize) -> rusqlite::Result<Cell> {
        Ok(Cell::opt(self.s(i)?))
    }

    fn code(&self, i: usize) -> rusqlite::Result<Cell> {
        Ok(self.s(i)?.map_or(Cell::Empty, Cell::Code))
    }

    fn label<T: Labelled>(&self, i: usize) -> rusqlite::Result<Cell> {
        Ok(self.s(i)?.map_or(Cell::Empty, |code| Cell::Coded {
            label: label_of::<T>(&code, self.lang),
            code,
        }))
    }

    fn masked(&self, i: usize, mask: fn(&str) -> String) -> rusqlite::Result<Cell> {
        Ok(self
            .s(i)?
            .filter(|s| !s.is_empty())
            .map_or(Cell::Empty, |s| Cell::Text(mask(&s))))
    }

    fn int(&self, i: usize) -> rusqlite::Result<Cell> {
        Ok(self
            .row
            .get::<_, Option<i64>>(i)?
            .map_or(Cell::Empty, Cell::Int))
    }

    fn num(&self, i: usize) -> rusqlite::Result<Cell> {
        Ok(self
            .row
            .get::<_, Option<f64>>(i)?
            .map_or(Cell::Empty, Cell::Num))
    }

    fn yes(&self, i: usize) -> rusqlite::Result<Cell> {
        Ok(Cell::Flag {
            yes: self.row.get::<_, Option<i64>>(i)?.unwrap_or(0) != 0,
            label: self.lang.pick("是", "yes").to_owned(),
        })
    }

    fn fill(&self, family: Family, out: &mut Vec<Cell>) -> rusqlite::Result<()> {
        match family {
            Family::Hazard => out.extend([
                self.code(0)?,
                self.code(1)?,
                self.text(2)?,
                self.text(3)?,
                self.text(4)?,
                self.label::<Category>(5)?,
                self.code(17)?,
                self.label::<Grade>(6)?,
                self.text(7)?,
                self.masked(8, mask_name)?,
                self.code(9)?,
                self.text(10)?,
                self.text(11)?,
                self.text(12)?,
                self.int(13)?,
                self.label::<HazardStatus>(14)?,
                self.text(15)?,
                self.text(16)?,
                self.yes(18)?,
            ]),
            Family::Inspection => out.extend([
                self.code(0)?,
                self.code(1)?,
                self.text(2)?,
                self.text(3)?,
                self.text(4)?,
                self.label::<Category>(5)?,
                self.label::<Subject>(6)?,
                self.text(7)?,
                self.text(8)?,
                self.label::<Verdict>(9)?,
                self.int(10)?,
                self.text(11)?,
                self.text(12)?,
                self.masked(13, mask_name)?,
                self.masked(14, mask_tail)?,
            ]),
            Family::Finding => out.extend([
                self.code(0)?,
                self.code(1)?,
                self.text(2)?,
                self.text(3)?,
                self.label::<FindingCode>(4)?,
                self.text(5)?,
                self.text(6)?,
                self.label::<Zone>(7)?,
                self.text(8)?,
                self.label::<Department>(9)?,
                self.text(10)?,
                self.text(11)?,
                self.text(12)?,
                self.text(13)?,
                self.label::<FindingStatus>(14)?,
                self.text(15)?,
                self.num(16)?,
                self.num(17)?,
                self.yes(18)?,
            ]),
            Family::Petition => out.extend([
                self.code(0)?,
                self.code(1)?,
                self.code(2)?,
                self.text(3)?,
                self.text(4)?,
                self.label::<Channel>(5)?,
                self.label::<PetitionCategory>(6)?,
                self.masked(7, mask_name)?,
                self.masked(8, mask_tail)?,
                self.masked(9, mask_tail)?,
                self.int(10)?,
                self.text(11)?,
                self.text(12)?,
                self.label::<PetitionStatus>(13)?,
                self.text(14)?,
                self.text(15)?,
                self.text(16)?,
                self.text(17)?,
                self.label::<Outcome>(18)?,
                self.label::<Satisfaction>(19)?,
                self.text(20)?,
                self.yes(21)?,
                self.yes(22)?,
            ]),
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ledger_column_of_a_field_is_named_by_the_field_table() {
        for family in FAMILIES {
            for (col, _) in spec(family) {
                if let F(f, name) = col {
                    assert!(
                        crate::domain::fields::find(*f, name).is_some(),
                        "{family:?} ledger: no field {name} of {f:?}"
                    );
                }
            }
        }
        assert_eq!(header(F(Fi, "area_mu"), Lang::Zh), "受损面积（亩）");
        assert_eq!(header(F(Hz, "description"), Lang::En), "problem");
    }
}
