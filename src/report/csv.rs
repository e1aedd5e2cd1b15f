//! The report as CSV: UTF-8 with a BOM (Excel and WPS on Chinese Windows then show Chinese), every text cell
//! through the formula guard.

use super::{Rate, Report, guard_cell};
use crate::domain::Lang;

/// Writes the report: one long table of (section, figure, value, denominator) rows, then the townships.
pub fn write(report: &Report, lang: Lang, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    // The summary rows have 4 columns, the township rows 11.
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    w.write_record([
        t("部分", "section"),
        t("指标", "figure"),
        t("数值", "value"),
        t("分母", "denominator"),
    ])?;
    let mut count = |section: &str, figure: &str, value: i64| -> std::io::Result<()> {
        w.write_record([
            guard_cell(section),
            guard_cell(figure),
            value.to_string(),
            String::new(),
        ])?;
        Ok(())
    };
    let ins = &report.inspections;
    count(t("安全检查", "inspections"), t("总数", "total"), ins.total)?;
    count(
        t("安全检查", "inspections"),
        t("有不合格项", "with failures"),
        ins.with_failures,
    )?;
    let h = &report.hazards;
    for (zh, en, v) in [
        ("总数", "total", h.total),
        ("在办", "open", h.open),
        ("逾期", "overdue", h.overdue),
        ("已销号", "closed", h.closed),
        ("重大", "major", h.major),
        ("重大在办", "major open", h.major_open),
    ] {
        count(t("隐患", "hazards"), t(zh, en), v)?;
    }
    let f = &report.patrol_findings;
    for (zh, en, v) in [
        ("总数", "total", f.total),
        ("在办", "open", f.open),
        ("逾期", "overdue", f.overdue),
        ("待移交", "not referred", f.not_referred),
        ("巡查次数", "patrols", f.patrols),
    ] {
        count(t("巡查发现", "patrol findings"), t(zh, en), v)?;
    }
    let p = &report.petitions;
    for (zh, en, v) in [
        ("总数", "total", p.total),
        ("在办", "open", p.open),
        ("逾期", "overdue", p.overdue),
        ("重复信访", "repeat", p.repeat),
        ("集体访(5人以上)", "collective (5+)", p.collective),
    ] {
        count(t("信访", "petitions"), t(zh, en), v)?;
    }
    let r = &report.rates;
    for rate in [
        &r.hazard_rectification,
        &r.hazard_on_time,
        &r.petition_timely_acceptance,
        &r.petition_on_time_reply,
        &r.petition_evaluation,
        &r.petition_satisfaction,
    ] {
        let Rate {
            numerator,
            denominator,
            percent,
            zh,
            en,
        } = rate;
        let value = percent
            .map(|p| format!("{p}%"))
            .unwrap_or_else(|| "-".into());
        w.write_record([
            t("比率", "rate").to_owned(),
            guard_cell(lang.pick(zh, en)),
            value,
            format!("{numerator}/{denominator}"),
        ])?;
    }
    w.write_record([""; 4])?;
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
    for town in &report.by_township {
        w.write_record([
            town.code.clone(),
            guard_cell(&town.name),
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
