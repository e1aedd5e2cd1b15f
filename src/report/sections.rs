//! The report as spreadsheet tables (a cover, the rates with their denominators, townships, one table per
//! family, the period), written through a `Sink`: one sheet each in XLSX, one section each in CSV.
//! Only counts, codes and labels: no personal data enters a table.

use std::collections::BTreeMap;

use super::Report;
use super::sheet::{Cell, Columns, Sink};
use crate::domain::Lang;
use crate::domain::category::Category;
use crate::domain::codes::{Labelled, label_of};
use crate::domain::hazard::HazardStatus;
use crate::domain::patrol::{Department, FindingCode, FindingStatus};
use crate::domain::petition::{Channel, PetitionCategory, PetitionStatus};

type Io = std::io::Result<()>;

/// Writes every table of the report; `region_name` names the database's region on the cover.
pub fn write(r: &Report, region_name: &str, lang: Lang, sink: &mut dyn Sink) -> Io {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_owned();
    cover(r, region_name, lang, sink)?;
    rates(r, lang, sink)?;
    townships(r, lang, sink)?;

    let mut family = Family::begin(sink, t("安全检查", "inspections"), lang)?;
    let i = &r.inspections;
    family.counts(
        &t("合计", "totals"),
        &[
            (t("检查总数", "inspections"), i.total),
            (t("有不合格项的检查", "with failed items"), i.with_failures),
            (t("不合格项总数", "failed items"), i.items_failed),
        ],
    )?;
    family.grouped::<Category>(&t("按类别", "by category"), &i.by_category)?;

    let mut family = Family::begin(sink, t("隐患", "hazards"), lang)?;
    let h = &r.hazards;
    family.counts(
        &t("合计", "totals"),
        &[
            (t("隐患总数", "hazards"), h.total),
            (t("在办", "open"), h.open),
            (t("逾期未整改", "overdue"), h.overdue),
            (t("已销号", "closed"), h.closed),
            (
                t("按期整改的销号隐患", "closed, rectified on time"),
                h.closed_on_time,
            ),
            (t("延期过", "extended"), h.extended),
            (t("重大隐患", "major"), h.major),
            (t("重大隐患在办", "major open"), h.major_open),
        ],
    )?;
    family.grouped::<HazardStatus>(&t("按状态", "by status"), &h.by_status)?;
    family.grouped::<Category>(&t("按类别", "by category"), &h.by_category)?;

    let mut family = Family::begin(sink, t("巡查发现", "patrol findings"), lang)?;
    let f = &r.patrol_findings;
    family.counts(
        &t("合计", "totals"),
        &[
            (t("发现总数", "findings"), f.total),
            (t("在办", "open"), f.open),
            (t("逾期", "overdue"), f.overdue),
            (t("待移交", "not yet referred"), f.not_referred),
            (t("已核实", "verified"), f.verified),
            (t("巡查次数", "patrols"), f.patrols),
            (
                t("无发现的巡查", "patrols with nothing found"),
                f.patrols_nothing_found,
            ),
        ],
    )?;
    family.row(
        &t("合计", "totals"),
        t("巡查里程（公里）", "patrol distance (km)"),
        Cell::Num(f.patrol_km),
    )?;
    family.grouped_with_code::<FindingCode>(&t("按问题类别", "by kind"), &f.by_code)?;
    family.grouped::<Department>(&t("按移交部门", "by department"), &f.by_department)?;
    family.grouped::<FindingStatus>(&t("按状态", "by status"), &f.by_status)?;

    let mut family = Family::begin(sink, t("信访", "petitions"), lang)?;
    let p = &r.petitions;
    family.counts(
        &t("合计", "totals"),
        &[
            (t("信访件总数", "cases"), p.total),
            (t("在办", "open"), p.open),
            (t("逾期", "overdue"), p.overdue),
            (t("已办结", "closed"), p.closed),
            (t("涉及人数", "people"), p.people),
            (t("集体访（5人以上）", "collective (5+)"), p.collective),
            (t("重复信访", "repeat petitions"), p.repeat),
            (t("延期办理", "extended"), p.extended),
            (t("已受理", "accepted"), p.accepted),
            (t("已答复", "replied"), p.replied),
            (t("参评", "evaluated"), p.evaluated),
            (t("满意和基本满意", "satisfied"), p.satisfied),
        ],
    )?;
    family.grouped::<PetitionStatus>(&t("按状态", "by status"), &p.by_status)?;
    family.grouped::<Channel>(&t("按渠道", "by channel"), &p.by_channel)?;
    family.grouped::<PetitionCategory>(&t("按类别", "by category"), &p.by_category)?;

    if let Some(period) = &r.period {
        let span = period_text(r, lang);
        let mut family = Family::begin(sink, format!("{} {span}", t("统计期", "period")), lang)?;
        family.counts(
            &span,
            &[
                (t("安全检查", "inspections"), period.inspections),
                (t("新增隐患", "hazards found"), period.hazards_found),
                (t("隐患销号", "hazards closed"), period.hazards_closed),
                (t("巡查", "patrols"), period.patrols),
                (t("巡查发现", "findings"), period.findings),
                (
                    t("收到信访", "petitions received"),
                    period.petitions_received,
                ),
                (t("信访办结", "petitions closed"), period.petitions_closed),
            ],
        )?;
    }
    Ok(())
}

/// "2026-11-01 ~ 2026-11-30", or "全部记录" without a period.
fn period_text(r: &Report, lang: Lang) -> String {
    match &r.period {
        Some(p) => {
            let day =
                |d: Option<chrono::NaiveDate>| d.map_or_else(|| "..".into(), |d| d.to_string());
            format!("{} ~ {}", day(p.from), day(p.to))
        }
        None => lang.pick("全部记录", "all records").to_owned(),
    }
}

fn cover(r: &Report, region_name: &str, lang: Lang, sink: &mut dyn Sink) -> Io {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_owned();
    sink.begin(&Columns {
        keys: Vec::new(),
        name: lang.pick("封面", "cover"),
        header: vec![t("项目", "item"), t("内容", "value")],
        widths: vec![14.0, 60.0],
        one_page: true,
    })?;
    let rows = [
        (
            t("报表", "report"),
            Cell::text(format!(
                "{region_name} {}",
                t("网格工作汇总报表", "grid work report")
            )),
        ),
        (t("区划代码", "region code"), Cell::Code(r.region.clone())),
        (t("统计期", "period"), Cell::text(period_text(r, lang))),
        (
            t("数据截至", "as of"),
            Cell::text(format!(
                "{} ({})",
                r.as_of.format("%Y-%m-%d %H:%M"),
                t("北京时间", "China time")
            )),
        ),
        (
            t("说明", "note"),
            Cell::text(t(
                "汇总数据，不含任何个人信息（姓名、证件号、电话）。总数和比率按截至时间的全部记录计算；统计期表只计该期间内发生的事项。",
                "Aggregates only, no personal data (names, ID numbers, phones). Totals and rates cover every record as of the cut-off; the period table counts what happened in the period.",
            )),
        ),
        (
            t("比率", "rates"),
            Cell::text(t(
                "每个比率都列出分子和分母；分母为 0 时比率为空。",
                "Every rate lists its numerator and denominator; with a denominator of 0 the rate is left empty.",
            )),
        ),
        (
            t("生成", "made by"),
            Cell::text(format!("wangge {}", env!("CARGO_PKG_VERSION"))),
        ),
    ];
    for (k, v) in rows {
        sink.row(&[Cell::Text(k), v])?;
    }
    Ok(())
}

fn rates(r: &Report, lang: Lang, sink: &mut dyn Sink) -> Io {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_owned();
    sink.begin(&Columns {
        keys: Vec::new(),
        name: lang.pick("比率", "rates"),
        header: vec![
            t("指标", "rate"),
            t("数值（%）", "value (%)"),
            t("分子", "numerator"),
            t("分母", "denominator"),
            t(
                "口径（分子 / 分母）",
                "definition (numerator / denominator)",
            ),
        ],
        widths: vec![14.0, 10.0, 8.0, 8.0, 50.0],
        one_page: true,
    })?;
    for (name, rate) in r.rates.named() {
        sink.row(&[
            Cell::text(lang.pick(name.0, name.1)),
            rate.percent.map_or(Cell::Empty, Cell::Num),
            Cell::Int(rate.numerator),
            Cell::Int(rate.denominator),
            Cell::text(lang.pick(rate.zh, rate.en)),
        ])?;
    }
    Ok(())
}

fn townships(r: &Report, lang: Lang, sink: &mut dyn Sink) -> Io {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_owned();
    let header = vec![
        t("乡镇代码", "township code"),
        t("乡镇", "township"),
        t("检查", "inspections"),
        t("隐患", "hazards"),
        t("隐患在办", "hazards open"),
        t("隐患逾期", "hazards overdue"),
        t("巡查发现", "findings"),
        t("发现逾期", "findings overdue"),
        t("信访", "petitions"),
        t("信访在办", "petitions open"),
        t("信访逾期", "petitions overdue"),
    ];
    let mut widths = vec![14.0, 14.0];
    widths.resize(header.len(), 9.0);
    sink.begin(&Columns {
        keys: Vec::new(),
        name: lang.pick("分乡镇", "by township"),
        header,
        widths,
        one_page: false,
    })?;
    for town in r.by_township.iter().chain(r.county_level.as_ref()) {
        let name = if town.code.ends_with("000000") {
            t("县本级", "county level")
        } else {
            town.name.clone()
        };
        let mut row = vec![Cell::Code(town.code.clone()), Cell::Text(name)];
        row.extend(
            [
                town.inspections,
                town.hazards,
                town.hazards_open,
                town.hazards_overdue,
                town.findings,
                town.findings_overdue,
                town.petitions,
                town.petitions_open,
                town.petitions_overdue,
            ]
            .map(Cell::Int),
        );
        sink.row(&row)?;
    }
    Ok(())
}

/// A family's table: group, item, count.
struct Family<'a> {
    sink: &'a mut dyn Sink,
    lang: Lang,
}

impl<'a> Family<'a> {
    fn begin(sink: &'a mut dyn Sink, name: String, lang: Lang) -> std::io::Result<Self> {
        let t = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_owned();
        sink.begin(&Columns {
            keys: Vec::new(),
            name: &name,
            header: vec![t("分组", "group"), t("项目", "item"), t("数量", "count")],
            widths: vec![28.0, 30.0, 10.0],
            one_page: false,
        })?;
        Ok(Family { sink, lang })
    }

    fn row(&mut self, group: &str, item: String, value: Cell) -> Io {
        self.sink.row(&[Cell::text(group), Cell::Text(item), value])
    }

    fn counts(&mut self, group: &str, items: &[(String, i64)]) -> Io {
        for (item, n) in items {
            self.row(group, item.clone(), Cell::Int(*n))?;
        }
        Ok(())
    }

    /// One row per stored code, labelled in the reader's language; a code not known stays as sent.
    fn grouped<T: Labelled>(&mut self, group: &str, by: &BTreeMap<String, i64>) -> Io {
        self.grouped_as::<T>(group, by, false)
    }

    /// As `grouped`, the code in front of the label ("Q1 乱搭乱建").
    fn grouped_with_code<T: Labelled>(&mut self, group: &str, by: &BTreeMap<String, i64>) -> Io {
        self.grouped_as::<T>(group, by, true)
    }

    /// Rows in the domain's order (Q1 before FIRE), codes this program does not know last.
    fn grouped_as<T: Labelled>(
        &mut self,
        group: &str,
        by: &BTreeMap<String, i64>,
        code_too: bool,
    ) -> Io {
        let mut rows: Vec<_> = by.iter().collect();
        rows.sort_by_key(|(code, _)| (T::parse(code).is_none(), T::parse(code)));
        for (code, n) in rows {
            let item = match (code.is_empty(), code_too) {
                (true, _) => self.lang.pick("（未填）", "(none)").to_owned(),
                (false, true) if T::parse(code).is_some() => {
                    format!("{code} {}", label_of::<T>(code, self.lang))
                }
                (false, _) => label_of::<T>(code, self.lang),
            };
            self.row(group, item, Cell::Int(*n))?;
        }
        Ok(())
    }
}
