//! The report as a plain-text table for the terminal, aligned by display width (a Han character is two cells).

use std::fmt::Write as _;

use super::Report;
use crate::domain::Lang;

pub use crate::domain::text::{clip, pad, pad_left, width};

/// Renders the report.
pub fn render(r: &Report, region_name: &str, lang: Lang) -> String {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let mut s = String::new();
    let as_of = r.as_of.format("%Y-%m-%d %H:%M");
    let _ = writeln!(
        s,
        "{region_name} {}  {} {as_of} ({})",
        t("汇总报表", "report"),
        t("截至", "as of"),
        t("北京时间", "China time")
    );
    if let Some(p) = &r.period {
        let f = p.from.map(|d| d.to_string()).unwrap_or_else(|| "..".into());
        let to = p.to.map(|d| d.to_string()).unwrap_or_else(|| "..".into());
        let _ = writeln!(
            s,
            "{} {f} ~ {to}: {} {}  {} {}  {} {}  {} {}  {} {}  {} {}",
            t("期间", "period"),
            t("检查", "inspections"),
            p.inspections,
            t("新增隐患", "hazards found"),
            p.hazards_found,
            t("销号", "closed"),
            p.hazards_closed,
            t("巡查发现", "findings"),
            p.findings,
            t("收到信访", "petitions received"),
            p.petitions_received,
            t("办结", "closed"),
            p.petitions_closed
        );
    }
    s.push('\n');
    let line = |s: &mut String, head: &str, cells: &[(&str, i64)]| {
        let _ = write!(s, "{}", pad(head, 10));
        for (k, v) in cells {
            let _ = write!(s, "{} {}  ", k, v);
        }
        s.push('\n');
    };
    let i = &r.inspections;
    line(
        &mut s,
        t("安全检查", "Inspect."),
        &[
            (t("总数", "total"), i.total),
            (t("有不合格项", "with failures"), i.with_failures),
        ],
    );
    let h = &r.hazards;
    line(
        &mut s,
        t("隐患", "Hazards"),
        &[
            (t("总数", "total"), h.total),
            (t("在办", "open"), h.open),
            (t("逾期", "overdue"), h.overdue),
            (t("已销号", "closed"), h.closed),
            (t("重大在办", "major open"), h.major_open),
        ],
    );
    let f = &r.patrol_findings;
    line(
        &mut s,
        t("巡查发现", "Findings"),
        &[
            (t("总数", "total"), f.total),
            (t("在办", "open"), f.open),
            (t("逾期", "overdue"), f.overdue),
            (t("待移交", "not referred"), f.not_referred),
            (t("巡查", "patrols"), f.patrols),
        ],
    );
    let p = &r.petitions;
    line(
        &mut s,
        t("信访", "Petitions"),
        &[
            (t("总数", "total"), p.total),
            (t("在办", "open"), p.open),
            (t("逾期", "overdue"), p.overdue),
            (t("重复", "repeat"), p.repeat),
            (t("集体访", "collective"), p.collective),
        ],
    );
    let _ = writeln!(
        s,
        "\n{}",
        t("比率（分子/分母）", "Rates (numerator/denominator)")
    );
    for ((zh, en), rate) in r.rates.named() {
        let pct = rate
            .percent
            .map(|p| format!("{p:.1}%"))
            .unwrap_or_else(|| "-".into());
        // The definition on the same line when it fits 80 columns, else on its own line below.
        let figures = format!(
            "  {}{}  {}/{}",
            pad(lang.pick(zh, en), 22),
            pad_left(&pct, 6),
            rate.numerator,
            rate.denominator,
        );
        let definition = lang.pick(rate.zh, rate.en);
        let sep = if width(&figures) + 2 + width(definition) <= 80 {
            "  ".to_owned()
        } else {
            format!("\n{}", " ".repeat(4))
        };
        let _ = writeln!(s, "{figures}{sep}{definition}");
    }
    let towns: Vec<_> = r
        .by_township
        .iter()
        .chain(r.county_level.as_ref())
        .collect();
    if !towns.is_empty() {
        s.push('\n');
        let groups = [
            (t("检查", "insp."), 1),
            (t("隐患", "hazards"), 3),
            (t("巡查发现", "findings"), 2),
            (t("信访", "petitions"), 3),
        ];
        let _ = write!(s, "{}", pad("", 14));
        for (name, cols) in groups {
            let _ = write!(s, "{}", pad_left(name, 7 * cols));
        }
        s.push('\n');
        let heads = [
            t("总数", "total"),
            t("总数", "total"),
            t("在办", "open"),
            t("逾期", "late"),
            t("总数", "total"),
            t("逾期", "late"),
            t("总数", "total"),
            t("在办", "open"),
            t("逾期", "late"),
        ];
        let _ = write!(s, "{}", pad(t("乡镇", "township"), 14));
        for h in heads {
            let _ = write!(s, "{}", pad_left(h, 7));
        }
        s.push('\n');
        for town in towns {
            let name = if town.code.ends_with("000000") {
                t("县本级", "county level").to_owned()
            } else {
                clip(&town.name, 13)
            };
            let _ = write!(s, "{}", pad(&name, 14));
            for v in [
                town.inspections,
                town.hazards,
                town.hazards_open,
                town.hazards_overdue,
                town.findings,
                town.findings_overdue,
                town.petitions,
                town.petitions_open,
                town.petitions_overdue,
            ] {
                let _ = write!(s, "{}", pad_left(&v.to_string(), 7));
            }
            s.push('\n');
        }
    }
    s
}
