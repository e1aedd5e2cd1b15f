//! Aggregate queries for reports: counts only, never personal data. Deleted records never count.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use super::Result;
use super::hazards::DEADLINE_RUNS;

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

fn grouped(conn: &Connection, sql: &str) -> Result<BTreeMap<String, i64>> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?.unwrap_or_default(),
            r.get::<_, i64>(1)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<BTreeMap<_, _>>>()?)
}

pub fn inspections(conn: &Connection) -> Result<InspectionFigures> {
    Ok(InspectionFigures {
        total: one(
            conn,
            "SELECT count(*) FROM inspections WHERE deleted = 0",
            &[],
        )?,
        with_failures: one(
            conn,
            "SELECT count(*) FROM inspections WHERE deleted = 0 AND failed_count > 0",
            &[],
        )?,
        items_failed: one(
            conn,
            "SELECT sum(failed_count) FROM inspections WHERE deleted = 0",
            &[],
        )?,
        by_category: grouped(
            conn,
            "SELECT category, count(*) FROM inspections WHERE deleted = 0 GROUP BY 1",
        )?,
    })
}

pub fn hazards(conn: &Connection, today: NaiveDate) -> Result<HazardFigures> {
    let t = today.to_string();
    Ok(HazardFigures {
        total: one(conn, "SELECT count(*) FROM hazards WHERE deleted = 0", &[])?,
        open: one(
            conn,
            "SELECT count(*) FROM hazards WHERE deleted = 0 AND status <> 'closed'",
            &[],
        )?,
        overdue: one(
            conn,
            &format!(
                "SELECT count(*) FROM hazards WHERE deleted = 0 AND {DEADLINE_RUNS} AND deadline < ?1"
            ),
            &[&t],
        )?,
        closed: one(
            conn,
            "SELECT count(*) FROM hazards WHERE deleted = 0 AND status = 'closed'",
            &[],
        )?,
        major: one(
            conn,
            "SELECT count(*) FROM hazards WHERE deleted = 0 AND grade = 'major'",
            &[],
        )?,
        major_open: one(
            conn,
            "SELECT count(*) FROM hazards WHERE deleted = 0 AND grade = 'major' AND status <> 'closed'",
            &[],
        )?,
        closed_on_time: one(
            conn,
            "SELECT count(*) FROM hazards WHERE deleted = 0 AND status = 'closed' AND rectified_on <= deadline",
            &[],
        )?,
        extended: one(
            conn,
            "SELECT count(*) FROM hazards WHERE deleted = 0 AND extensions > 0",
            &[],
        )?,
        by_status: grouped(
            conn,
            "SELECT status, count(*) FROM hazards WHERE deleted = 0 GROUP BY 1",
        )?,
        by_category: grouped(
            conn,
            "SELECT category, count(*) FROM hazards WHERE deleted = 0 GROUP BY 1",
        )?,
    })
}

pub fn findings(conn: &Connection, today: NaiveDate) -> Result<FindingFigures> {
    let t = today.to_string();
    Ok(FindingFigures {
        total: one(conn, "SELECT count(*) FROM findings WHERE deleted = 0", &[])?,
        open: one(
            conn,
            "SELECT count(*) FROM findings WHERE deleted = 0 AND status <> 'verified'",
            &[],
        )?,
        overdue: one(
            conn,
            "SELECT count(*) FROM findings WHERE deleted = 0 AND status = 'referred' AND deadline < ?1",
            &[&t],
        )?,
        not_referred: one(
            conn,
            "SELECT count(*) FROM findings WHERE deleted = 0 AND status = 'reported'",
            &[],
        )?,
        verified: one(
            conn,
            "SELECT count(*) FROM findings WHERE deleted = 0 AND status = 'verified'",
            &[],
        )?,
        patrols: one(conn, "SELECT count(*) FROM patrols WHERE deleted = 0", &[])?,
        patrols_nothing_found: one(
            conn,
            "SELECT count(*) FROM patrols WHERE deleted = 0 AND status = 'closed' AND nothing_found = 1",
            &[],
        )?,
        patrol_km: conn
            .prepare_cached(
                "SELECT round(coalesce(sum(distance_km), 0), 1) FROM patrols WHERE deleted = 0",
            )?
            .query_row([], |r| r.get(0))?,
        by_code: grouped(
            conn,
            "SELECT code, count(*) FROM findings WHERE deleted = 0 GROUP BY 1",
        )?,
        by_department: grouped(
            conn,
            "SELECT department, count(*) FROM findings WHERE deleted = 0 AND department IS NOT NULL GROUP BY 1",
        )?,
        by_status: grouped(
            conn,
            "SELECT status, count(*) FROM findings WHERE deleted = 0 GROUP BY 1",
        )?,
    })
}

/// Statuses in which a case is open (mirrors `PetitionStatus::is_open`).
const PETITION_OPEN: &str = "('registered','forwarded','returned','accepted','in_progress','extended','replied','review_requested','reexam_requested')";

pub fn petitions(conn: &Connection, today: NaiveDate) -> Result<PetitionFigures> {
    let t = today.to_string();
    let open =
        format!("SELECT count(*) FROM petitions WHERE deleted = 0 AND status IN {PETITION_OPEN}");
    Ok(PetitionFigures {
        total: one(
            conn,
            "SELECT count(*) FROM petitions WHERE deleted = 0",
            &[],
        )?,
        open: one(conn, &open, &[])?,
        overdue: one(
            conn,
            "SELECT count(*) FROM petitions WHERE deleted = 0 AND office_due < ?1",
            &[&t],
        )?,
        closed: one(
            conn,
            &format!(
                "SELECT count(*) FROM petitions WHERE deleted = 0 AND status NOT IN {PETITION_OPEN}"
            ),
            &[],
        )?,
        people: one(
            conn,
            "SELECT sum(people) FROM petitions WHERE deleted = 0",
            &[],
        )?,
        collective: one(
            conn,
            "SELECT count(*) FROM petitions WHERE deleted = 0 AND people >= 5",
            &[],
        )?,
        repeat: one(
            conn,
            "SELECT count(*) FROM petitions WHERE deleted = 0 AND repeat_of IS NOT NULL",
            &[],
        )?,
        extended: one(
            conn,
            "SELECT count(*) FROM petitions WHERE deleted = 0 AND extended_due IS NOT NULL",
            &[],
        )?,
        accepted: one(
            conn,
            "SELECT count(*) FROM petitions WHERE deleted = 0 AND accepted_on IS NOT NULL",
            &[],
        )?,
        accepted_on_time: one(
            conn,
            "SELECT count(*) FROM petitions WHERE deleted = 0 AND accepted_on IS NOT NULL AND accepted_on <= accept_due",
            &[],
        )?,
        replied: one(
            conn,
            "SELECT count(*) FROM petitions WHERE deleted = 0 AND replied_on IS NOT NULL",
            &[],
        )?,
        replied_on_time: one(
            conn,
            "SELECT count(*) FROM petitions WHERE deleted = 0 AND replied_on IS NOT NULL
             AND replied_on <= coalesce(extended_due, handle_due)",
            &[],
        )?,
        evaluated: one(
            conn,
            "SELECT count(*) FROM petitions WHERE deleted = 0 AND satisfaction IS NOT NULL",
            &[],
        )?,
        satisfied: one(
            conn,
            "SELECT count(*) FROM petitions WHERE deleted = 0 AND satisfaction IN ('satisfied', 'basic')",
            &[],
        )?,
        by_status: grouped(
            conn,
            "SELECT status, count(*) FROM petitions WHERE deleted = 0 GROUP BY 1",
        )?,
        by_channel: grouped(
            conn,
            "SELECT channel, count(*) FROM petitions WHERE deleted = 0 GROUP BY 1",
        )?,
        by_category: grouped(
            conn,
            "SELECT category, count(*) FROM petitions WHERE deleted = 0 GROUP BY 1",
        )?,
    })
}

/// Per township (only those with data, by code), then county-level records (registered at the county itself)
/// as a last row whose code ends in 000000.
pub fn by_township(conn: &Connection, today: NaiveDate) -> Result<Vec<TownshipFigures>> {
    let t = today.to_string();
    let town = "substr(region_code, 1, 9) || '000'";
    let sql = format!(
        "WITH x(town, ins, haz, haz_open, haz_over, fin, fin_over, pet, pet_open, pet_over) AS (
            SELECT {town}, 1, 0, 0, 0, 0, 0, 0, 0, 0 FROM inspections WHERE deleted = 0
            UNION ALL SELECT {town}, 0, 1, status <> 'closed', {DEADLINE_RUNS} AND deadline < ?1, 0, 0, 0, 0, 0
                FROM hazards WHERE deleted = 0
            UNION ALL SELECT {town}, 0, 0, 0, 0, 1, status = 'referred' AND deadline < ?1, 0, 0, 0
                FROM findings WHERE deleted = 0
            UNION ALL SELECT {town}, 0, 0, 0, 0, 0, 0, 1, status IN {PETITION_OPEN}, coalesce(office_due < ?1, 0)
                FROM petitions WHERE deleted = 0)
         SELECT x.town, coalesce(r.name, x.town), sum(ins), sum(haz), sum(haz_open), sum(haz_over), sum(fin),
                sum(fin_over), sum(pet), sum(pet_open), sum(pet_over)
         FROM x LEFT JOIN regions r ON r.code = x.town
         GROUP BY x.town ORDER BY x.town LIKE '%000000', x.town"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map([&t], |r| {
        Ok(TownshipFigures {
            code: r.get(0)?,
            name: r.get(1)?,
            inspections: r.get(2)?,
            hazards: r.get(3)?,
            hazards_open: r.get(4)?,
            hazards_overdue: r.get(5)?,
            findings: r.get(6)?,
            findings_overdue: r.get(7)?,
            petitions: r.get(8)?,
            petitions_open: r.get(9)?,
            petitions_overdue: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
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
