//! The report as CSV: UTF-8 with a BOM (Excel and WPS on Chinese Windows then show Chinese), every text cell
//! through the formula guard. One long table of figures, then one row per township.

use super::{Report, guard_cell};
use crate::domain::Lang;

/// Writes the report.
pub fn write(report: &Report, lang: Lang, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    // The figure rows have 5 columns, the township rows 11.
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_owned();
    let as_of = report.as_of.format("%Y-%m-%d %H:%M").to_string();
    w.write_record([
        t("数据截至", "as of"),
        as_of,
        String::new(),
        String::new(),
        String::new(),
    ])?;
    w.write_record([
        t("部分", "section"),
        t("指标", "figure"),
        t("数值", "value"),
        t("分子", "numerator"),
        t("分母", "denominator"),
    ])?;
    let mut rows: Vec<(String, String, String, String, String)> = Vec::new();
    let mut count = |section: &str, figure: String, value: i64| {
        rows.push((
            section.to_owned(),
            figure,
            value.to_string(),
            String::new(),
            String::new(),
        ));
    };
    let (i, h, f, p) = (
        &report.inspections,
        &report.hazards,
        &report.patrol_findings,
        &report.petitions,
    );
    let s = t("安全检查", "inspections");
    count(&s, t("总数", "total"), i.total);
    count(&s, t("有不合格项", "with failures"), i.with_failures);
    let s = t("隐患", "hazards");
    for (zh, en, v) in [
        ("总数", "total", h.total),
        ("在办", "open", h.open),
        ("逾期", "overdue", h.overdue),
        ("已销号", "closed", h.closed),
        ("重大", "major", h.major),
        ("重大在办", "major open", h.major_open),
    ] {
        count(&s, t(zh, en), v);
    }
    let s = t("巡查发现", "patrol findings");
    for (zh, en, v) in [
        ("总数", "total", f.total),
        ("在办", "open", f.open),
        ("逾期", "overdue", f.overdue),
        ("待移交", "not referred", f.not_referred),
        ("巡查次数", "patrols", f.patrols),
    ] {
        count(&s, t(zh, en), v);
    }
    let s = t("信访", "petitions");
    for (zh, en, v) in [
        ("总数", "total", p.total),
        ("在办", "open", p.open),
        ("逾期", "overdue", p.overdue),
        ("重复信访", "repeat", p.repeat),
        ("集体访(5人以上)", "collective (5+)", p.collective),
    ] {
        count(&s, t(zh, en), v);
    }
    if let Some(period) = &report.period {
        let from = period
            .from
            .map(|d| d.to_string())
            .unwrap_or_else(|| "..".into());
        let to = period
            .to
            .map(|d| d.to_string())
            .unwrap_or_else(|| "..".into());
        let s = format!("{} {from}~{to}", t("统计期", "period"));
        for (zh, en, v) in [
            ("安全检查", "inspections", period.inspections),
            ("新增隐患", "hazards found", period.hazards_found),
            ("隐患销号", "hazards closed", period.hazards_closed),
            ("巡查", "patrols", period.patrols),
            ("巡查发现", "findings", period.findings),
            ("收到信访", "petitions received", period.petitions_received),
            ("信访办结", "petitions closed", period.petitions_closed),
        ] {
            count(&s, t(zh, en), v);
        }
    }
    for (name, rate) in report.rates.named() {
        let value = rate
            .percent
            .map(|p| format!("{p}%"))
            .unwrap_or_else(|| "-".into());
        let figure = format!(
            "{}（{}）",
            lang.pick(name.0, name.1),
            lang.pick(rate.zh, rate.en)
        );
        rows.push((
            t("比率", "rate"),
            figure,
            value,
            rate.numerator.to_string(),
            rate.denominator.to_string(),
        ));
    }
    for (a, b, c, d, e) in rows {
        w.write_record([guard_cell(&a), guard_cell(&b), c, d, e])?;
    }
    w.write_record([""])?;
    w.write_record([
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
    ])?;
    for town in report
        .by_township
        .iter()
        .chain(report.county_level.as_ref())
    {
        let name = if town.code.ends_with("000000") {
            t("县本级", "county level")
        } else {
            town.name.clone()
        };
        w.write_record([
            town.code.clone(),
            guard_cell(&name),
            town.inspections.to_string(),
            town.hazards.to_string(),
            town.hazards_open.to_string(),
            town.hazards_overdue.to_string(),
            town.findings.to_string(),
            town.findings_overdue.to_string(),
            town.petitions.to_string(),
            town.petitions_open.to_string(),
            town.petitions_overdue.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
