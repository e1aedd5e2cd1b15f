//! Aggregate queries for reports: counts only, never personal data. Deleted records never count.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use super::Result;

/// Counts of one family, all-time and as of `today`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InspectionFigures {
    pub total: i64,
    pub with_failures: i64,
    pub items_failed: i64,
    pub by_category: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HazardFigures {
    pub total: i64,
    pub open: i64,
    pub overdue: i64,
    pub closed: i64,
    pub major: i64,
    pub major_open: i64,
    /// Closed, and rectified (re-inspection requested) by the deadline in force.
    pub closed_on_time: i64,
    pub extended: i64,
    pub by_status: BTreeMap<String, i64>,
    pub by_category: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FindingFigures {
    pub total: i64,
    pub open: i64,
    pub overdue: i64,
    pub not_referred: i64,
    pub verified: i64,
    pub patrols: i64,
    pub patrols_nothing_found: i64,
    pub patrol_km: f64,
    pub by_code: BTreeMap<String, i64>,
    pub by_department: BTreeMap<String, i64>,
    pub by_status: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PetitionFigures {
    pub total: i64,
    pub open: i64,
    pub overdue: i64,
    pub closed: i64,
    pub people: i64,
    pub collective: i64,
    pub repeat: i64,
    pub extended: i64,
    /// Accepted (受理) cases, and those accepted by the acceptance deadline.
    pub accepted: i64,
    pub accepted_on_time: i64,
    /// Replied cases, and those replied by the handling deadline (extended if extended).
    pub replied: i64,
    pub replied_on_time: i64,
    pub evaluated: i64,
    pub satisfied: i64,
    pub by_status: BTreeMap<String, i64>,
    pub by_channel: BTreeMap<String, i64>,
    pub by_category: BTreeMap<String, i64>,
}

/// One township's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TownshipFigures {
    pub code: String,
    pub name: String,
    pub inspections: i64,
    pub hazards: i64,
    pub hazards_open: i64,
    pub hazards_overdue: i64,
    pub findings: i64,
    pub findings_overdue: i64,
    pub petitions: i64,
    pub petitions_open: i64,
    pub petitions_overdue: i64,
}

/// What happened between two dates (inclusive).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PeriodFigures {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub inspections: i64,
    pub hazards_found: i64,
    pub hazards_closed: i64,
    pub findings: i64,
    pub patrols: i64,
    pub petitions_received: i64,
    pub petitions_closed: i64,
}

fn one(conn: &Connection, sql: &str, params: &[&dyn rusqlite::ToSql]) -> Result<i64> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row(params, |r| r.get::<_, Option<i64>>(0))?
        .unwrap_or(0))
}

/// Statuses in which a case is open (mirrors `PetitionStatus::is_open`).
pub(super) const PETITION_OPEN: &str = "('registered','forwarded','returned','accepted','in_progress','extended','replied','review_requested','reexam_requested')";

/// A family's figures as the report counts them (one pass over its rows: see `report_pass`).
pub fn findings(conn: &Connection, today: NaiveDate) -> Result<FindingFigures> {
    Ok(super::report_pass::figures(conn, today)?.findings)
}

pub fn petitions(conn: &Connection, today: NaiveDate) -> Result<PetitionFigures> {
    Ok(super::report_pass::figures(conn, today)?.petitions)
}

/// Activity between `from` and `to` (inclusive; either may be open).
pub fn period(
    conn: &Connection,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<PeriodFigures> {
    let f = from
        .map(|d| d.to_string())
        .unwrap_or_else(|| "0000-00-00".into());
    let t = to
        .map(|d| d.to_string())
        .unwrap_or_else(|| "9999-99-99".into());
    let count = |table: &str, col: &str| -> Result<i64> {
        one(
            conn,
            &format!("SELECT count(*) FROM {table} WHERE deleted = 0 AND {col} BETWEEN ?1 AND ?2"),
            &[&f, &t],
        )
    };
    let patrols = one(
        conn,
        "SELECT count(*) FROM patrols WHERE deleted = 0
         AND date(started_at / 1000, 'unixepoch', '+8 hours') BETWEEN ?1 AND ?2",
        &[&f, &t],
    )?;
    Ok(PeriodFigures {
        from,
        to,
        inspections: count("inspections", "inspected_on")?,
        hazards_found: count("hazards", "found_on")?,
        hazards_closed: count("hazards", "closed_on")?,
        findings: count("findings", "found_on")?,
        patrols,
        petitions_received: count("petitions", "received_on")?,
        petitions_closed: count("petitions", "closed_on")?,
    })
}
