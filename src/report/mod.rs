//! What the county reads: figures built from `store::report` queries, with every rate stating its
//! denominator, rendered as a table, JSON, CSV or XLSX; and the record-level ledgers (台账). No personal data
//! ever enters a report; ledgers show it masked.

pub mod export_doc;
pub mod ledger;
pub mod sections;
pub mod sheet;
pub mod table;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;

use crate::store::Result;
use crate::store::report::{
    self, FindingFigures, HazardFigures, InspectionFigures, PeriodFigures, PetitionFigures,
    TownshipFigures,
};

/// A rate with its numerator and denominator, and what they count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    pub numerator: i64,
    pub denominator: i64,
    /// Percent with one decimal, or None when the denominator is 0.
    pub percent: Option<f64>,
    pub zh: &'static str,
    pub en: &'static str,
}

fn rate(numerator: i64, denominator: i64, zh: &'static str, en: &'static str) -> Rate {
    let percent =
        (denominator > 0).then(|| (numerator as f64 * 1000.0 / denominator as f64).round() / 10.0);
    Rate {
        numerator,
        denominator,
        percent,
        zh,
        en,
    }
}

/// The rates of the county report, by key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rates {
    pub hazard_rectification: Rate,
    pub hazard_on_time: Rate,
    pub petition_timely_acceptance: Rate,
    pub petition_on_time_reply: Rate,
    pub petition_evaluation: Rate,
    pub petition_satisfaction: Rate,
}

impl Rates {
    /// Every rate with its name (zh, en), in report order.
    pub fn named(&self) -> [((&'static str, &'static str), &Rate); 6] {
        [
            (
                ("隐患整改率", "hazard rectification"),
                &self.hazard_rectification,
            ),
            (("按期整改率", "rectified on time"), &self.hazard_on_time),
            (
                ("及时受理率", "timely acceptance"),
                &self.petition_timely_acceptance,
            ),
            (
                ("按期办结率", "on-time reply"),
                &self.petition_on_time_reply,
            ),
            (("群众参评率", "evaluation rate"), &self.petition_evaluation),
            (("满意率", "satisfaction"), &self.petition_satisfaction),
        ]
    }
}

/// The whole report: counts under the five fixed keys, everything else beside them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub inspections: InspectionFigures,
    pub hazards: HazardFigures,
    pub patrol_findings: FindingFigures,
    pub petitions: PetitionFigures,
    pub by_township: Vec<TownshipFigures>,
    /// Records registered at the county itself (they count in the totals and in no township).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county_level: Option<TownshipFigures>,
    /// When the figures were taken (the "as of" of every overdue count), China time.
    pub as_of: DateTime<FixedOffset>,
    pub region: String,
    pub rates: Rates,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodFigures>,
}

/// Builds the report as of `now`, with period figures when a date bound is given.
pub fn build(
    conn: &Connection,
    now: DateTime<Utc>,
    region: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Report> {
    let today = crate::domain::clock::china_date(now);
    let figures = crate::store::report_pass::figures(conn, today)?;
    let (hazards, petitions) = (figures.hazards, figures.petitions);
    let rates = Rates {
        hazard_rectification: rate(
            hazards.closed,
            hazards.total,
            "销号隐患数 / 发现隐患总数",
            "closed / all hazards",
        ),
        hazard_on_time: rate(
            hazards.closed_on_time,
            hazards.closed,
            "按期整改的销号隐患 / 销号隐患数",
            "closed hazards rectified by their deadline / closed hazards",
        ),
        petition_timely_acceptance: rate(
            petitions.accepted_on_time,
            petitions.accepted,
            "15 日内受理告知的件数 / 已受理件数",
            "accepted within 15 days / accepted",
        ),
        petition_on_time_reply: rate(
            petitions.replied_on_time,
            petitions.replied,
            "按期（含延期）答复件数 / 已答复件数",
            "replied by the (extended) handling deadline / replied",
        ),
        petition_evaluation: rate(
            petitions.evaluated,
            petitions.replied,
            "参评件数 / 已答复件数",
            "evaluated / replied",
        ),
        petition_satisfaction: rate(
            petitions.satisfied,
            petitions.evaluated,
            "满意和基本满意件数 / 参评件数",
            "satisfied or mostly satisfied / evaluated",
        ),
    };
    let (county_level, by_township): (Vec<_>, Vec<_>) = figures
        .by_township
        .into_iter()
        .partition(|t| t.code.ends_with("000000"));
    let period = if from.is_some() || to.is_some() {
        Some(report::period(conn, from, to)?)
    } else {
        None
    };
    Ok(Report {
        inspections: figures.inspections,
        hazards,
        patrol_findings: figures.findings,
        petitions,
        by_township,
        county_level: county_level.into_iter().next(),
        as_of: now.with_timezone(&crate::domain::clock::china()),
        region: region.to_owned(),
        rates,
        period,
    })
}
