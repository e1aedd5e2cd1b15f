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
use crate::domain::patrol::{Department, FindingCode, FindingStatus, Zone};
use crate::domain::petition::{Channel, Outcome, PetitionCategory, PetitionStatus, Satisfaction};
use crate::domain::record::Family;
use crate::domain::validate::{mask_id, mask_name, mask_phone};
use crate::store::ledger::{self, Bounds};
use crate::store::{Result, StoreError};

/// The families that have a ledger.
pub const FAMILIES: [Family; 4] = [
    Family::Hazard,
    Family::Inspection,
    Family::Finding,
    Family::Petition,
];

/// Column headers (zh, en) and widths of a family's ledger.
fn columns(family: Family) -> &'static [(&'static str, &'static str, f64)] {
    match family {
        Family::Hazard => &[
            ("记录号", "record id", 12.0),
            ("区划代码", "region code", 16.0),
            ("村/网格", "village/grid", 14.0),
            ("场所", "place", 18.0),
            ("地址", "address", 20.0),
            ("类别", "category", 12.0),
            ("检查项", "item", 8.0),
            ("等级", "grade", 8.0),
            ("隐患描述", "description", 36.0),
            ("整改责任人", "responsible", 10.0),
            ("整改通知书号", "notice no.", 14.0),
            ("发现日期", "found on", 11.0),
            ("整改期限", "deadline", 11.0),
            ("原定期限", "original deadline", 11.0),
            ("延期次数", "extensions", 8.0),
            ("状态", "status", 10.0),
            ("整改完成", "rectified on", 11.0),
            ("销号日期", "closed on", 11.0),
            ("逾期", "overdue", 6.0),
        ],
        Family::Inspection => &[
            ("记录号", "record id", 12.0),
            ("区划代码", "region code", 16.0),
            ("村/网格", "village/grid", 14.0),
            ("场所", "place", 18.0),
            ("地址", "address", 20.0),
            ("检查类别", "category", 12.0),
            ("检查对象", "subject", 10.0),
            ("检查日期", "inspected on", 11.0),
            ("检查人", "inspector", 10.0),
            ("结论", "verdict", 16.0),
            ("不合格项数", "failed items", 10.0),
            ("不合格项", "failed item codes", 16.0),
            ("备注", "note", 24.0),
            ("负责人", "owner", 10.0),
            ("负责人电话", "owner phone", 14.0),
        ],
        Family::Finding => &[
            ("记录号", "record id", 12.0),
            ("区划代码", "region code", 16.0),
            ("村/网格", "village/grid", 14.0),
            ("发现日期", "found on", 11.0),
            ("问题类别", "kind", 18.0),
            ("问题描述", "description", 36.0),
            ("地点", "location", 18.0),
            ("保护区", "zone", 12.0),
            ("现场处置", "on-site action", 20.0),
            ("移交部门", "department", 18.0),
            ("移交日期", "referred on", 11.0),
            ("办理期限", "deadline", 11.0),
            ("办结日期", "handled on", 11.0),
            ("核实日期", "verified on", 11.0),
            ("状态", "status", 10.0),
            ("受损作物", "crop", 10.0),
            ("面积（亩）", "area (mu)", 9.0),
            ("损失（元）", "loss (yuan)", 10.0),
            ("逾期", "overdue", 6.0),
        ],
        Family::Petition => &[
            ("记录号", "record id", 12.0),
            ("信访编号", "case no.", 18.0),
            ("区划代码", "region code", 16.0),
            ("村/网格", "village/grid", 14.0),
            ("登记日期", "received on", 11.0),
            ("渠道", "channel", 8.0),
            ("类别", "category", 12.0),
            ("信访人", "petitioner", 8.0),
            ("身份证号", "ID number", 20.0),
            ("电话", "phone", 14.0),
            ("人数", "people", 6.0),
            ("事项摘要", "summary", 36.0),
            ("承办单位", "handling unit", 16.0),
            ("状态", "status", 10.0),
            ("受理期限", "acceptance due", 11.0),
            ("受理日期", "accepted on", 11.0),
            ("办理期限", "handling due", 11.0),
            ("答复日期", "replied on", 11.0),
            ("办理结果", "outcome", 10.0),
            ("满意度", "satisfaction", 10.0),
            ("办结日期", "closed on", 11.0),
            ("重复信访", "repeat", 8.0),
            ("逾期", "overdue", 6.0),
        ],
        _ => &[],
    }
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
    let cols = columns(family);
    sink.begin(&Columns {
        name: title(family, lang),
        header: cols
            .iter()
            .map(|c| lang.pick(c.0, c.1).to_owned())
            .collect(),
        widths: cols.iter().map(|c| c.2).collect(),
    })
    .map_err(io)?;
    let mut cells = Vec::with_capacity(cols.len());
    ledger::each(conn, family, bounds, today, |row| {
        cells.clear();
        Cells { row, lang }.fill(family, &mut cells)?;
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
        Ok(self
            .s(i)?
            .map_or(Cell::Empty, |c| Cell::Text(label_of::<T>(&c, self.lang))))
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
        let yes = self.row.get::<_, Option<i64>>(i)?.unwrap_or(0) != 0;
        Ok(if yes {
            Cell::text(self.lang.pick("是", "yes"))
        } else {
            Cell::Empty
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
                self.masked(14, mask_phone)?,
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
                self.masked(8, mask_id)?,
                self.masked(9, mask_phone)?,
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
