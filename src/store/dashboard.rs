//! The dashboard's queries (今日待办): what is overdue or due soon, what waits for referral, the week's trend and
//! the counts per village — each within this device's jurisdiction.

use chrono::{Days, NaiveDate};
use rusqlite::Connection;

use super::Result;
use super::hazards::DEADLINE_RUNS;

/// The figures of the dashboard: what is due (read first, for the first frame), and the totals (read when the
/// screen is up: they count every open case and the month's work).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dashboard {
    pub hazards_overdue: i64,
    /// Days the longest-overdue open hazard is late, with its description.
    pub oldest_overdue: Option<(i64, String)>,
    /// Open hazards due within 7 days (re-inspections to plan).
    pub hazards_due_7: i64,
    pub petitions_overdue: i64,
    pub petitions_due_3: i64,
    pub petitions_due_7: i64,
    pub findings_unreferred: i64,
    /// Hazards and petitions with an open assignment (交办 not yet answered).
    pub hazards_assigned: i64,
    pub petitions_assigned: i64,
    pub findings_overdue: i64,
    /// None until read.
    pub totals: Option<Totals>,
}

/// The dashboard's totals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub inspections_month: i64,
    pub hazards_open: i64,
    pub hazards_major_open: i64,
    pub petitions_open: i64,
    pub patrols_month: i64,
    pub patrol_km_month: f64,
    /// New hazards per week, oldest first, the last entry being the current week.
    pub weekly_hazards: Vec<u64>,
    /// (region name, open hazards, open petitions) per village or community, busiest first.
    pub by_village: Vec<(String, i64, i64)>,
}

fn scalar<T: rusqlite::types::FromSql + Default>(
    conn: &Connection,
    sql: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<T> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row(p, |r| r.get::<_, Option<T>>(0))?
        .unwrap_or_default())
}

const ASSIGNED_HAZARDS: &str = "SELECT count(*) FROM hazards WHERE deleted = 0 AND key IN
    (SELECT target_key FROM assignments WHERE status = 'open' AND deleted = 0)";
const ASSIGNED_PETITIONS: &str = "SELECT count(*) FROM petitions WHERE deleted = 0 AND key IN
    (SELECT target_key FROM assignments WHERE status = 'open' AND deleted = 0)";
/// A hazard not yet 销号, and a petition not yet concluded (the status index answers both). The hazards' test is
/// the WHERE of the partial index `hazards_open_region`, word for word (equalities joined by OR: see
/// `hazards::DEADLINE_RUNS`).
const HAZARD_OPEN: &str = "(status = 'found' OR status = 'assigned' OR status = 'rectifying' \
     OR status = 'review_requested' OR status = 'review_passed')";
const PETITION_OPEN: &str =
    "status IN ('registered','forwarded','returned','accepted','in_progress','extended',
    'replied','review_requested','reexam_requested')";

/// Builds the dashboard as of `today`. Every record in a database lies inside its device's jurisdiction (writes
/// and imports check it), so nothing here tests the region: each figure is read from an index that holds it.
pub fn load(conn: &Connection, today: NaiveDate) -> Result<Dashboard> {
    let t = today.to_string();
    let d3 = (today + Days::new(3)).to_string();
    let d7 = (today + Days::new(7)).to_string();
    let q = |sql: &str| format!("{sql} AND deleted = 0");
    let mut d = Dashboard {
        hazards_overdue: scalar(
            conn,
            &q(&format!(
                "SELECT count(*) FROM hazards WHERE {DEADLINE_RUNS} AND deadline < ?1"
            )),
            &[&t],
        )?,
        hazards_due_7: scalar(
            conn,
            &q(&format!(
                "SELECT count(*) FROM hazards WHERE {DEADLINE_RUNS} AND deadline BETWEEN ?1 AND ?2"
            )),
            &[&t, &d7],
        )?,
        petitions_overdue: scalar(
            conn,
            &q("SELECT count(*) FROM petitions WHERE office_due < ?1"),
            &[&t],
        )?,
        petitions_due_3: scalar(
            conn,
            &q("SELECT count(*) FROM petitions WHERE office_due BETWEEN ?1 AND ?2"),
            &[&t, &d3],
        )?,
        petitions_due_7: scalar(
            conn,
            &q("SELECT count(*) FROM petitions WHERE office_due BETWEEN ?1 AND ?2"),
            &[&t, &d7],
        )?,
        findings_unreferred: scalar(
            conn,
            &q("SELECT count(*) FROM findings WHERE status = 'reported'"),
            &[],
        )?,
        hazards_assigned: scalar(conn, ASSIGNED_HAZARDS, &[])?,
        petitions_assigned: scalar(conn, ASSIGNED_PETITIONS, &[])?,
        findings_overdue: scalar(
            conn,
            &q("SELECT count(*) FROM findings WHERE status = 'referred' AND deadline < ?1"),
            &[&t],
        )?,
        oldest_overdue: None,
        totals: None,
    };
    // The key of the longest-overdue hazard from the index first, then its one row.
    d.oldest_overdue = conn
        .prepare_cached(&format!(
            "SELECT julianday(?1) - julianday(deadline), description FROM hazards WHERE key =
                (SELECT key FROM hazards WHERE {DEADLINE_RUNS} AND deadline < ?1 AND deleted = 0
                 ORDER BY deadline LIMIT 1)"
        ))?
        .query_row(rusqlite::params![t], |r| {
            Ok((r.get::<_, f64>(0)? as i64, r.get::<_, String>(1)?))
        })
        .ok();
    Ok(d)
}

/// Open hazards and open petitions per village or community, busiest first (six at most). Each family's open
/// cases are read in region order from a partial index that holds only them, counted per grid without a sort,
/// then summed per village here.
fn by_village(conn: &Connection) -> Result<Vec<(String, i64, i64)>> {
    let mut per: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for (i, sql) in [
        format!(
            "SELECT region_code, count(*) FROM hazards INDEXED BY hazards_open_region
             WHERE {HAZARD_OPEN} AND deleted = 0 GROUP BY region_code"
        ),
        "SELECT region_code, count(*) FROM petitions INDEXED BY petitions_open_region
         WHERE office_due IS NOT NULL AND deleted = 0 GROUP BY region_code"
            .to_owned(),
    ]
    .iter()
    .enumerate()
    {
        let mut st = conn.prepare_cached(sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let code: String = r.get(0)?;
            let n: i64 = r.get(1)?;
            // A village's code is the first 12 digits of its grids'; township-level cases have none.
            let Some(village) = code.get(..12).filter(|v| !v.ends_with("000")) else {
                continue;
            };
            let e = per.entry(village.to_owned()).or_default();
            if i == 0 { e.0 += n } else { e.1 += n }
        }
    }
    let mut top: Vec<(String, i64, i64)> = per.into_iter().map(|(v, (h, p))| (v, h, p)).collect();
    top.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then_with(|| a.0.cmp(&b.0)));
    top.truncate(6);
    for (code, _, _) in &mut top {
        if let Some(name) = super::regions::name(conn, code)? {
            *code = name;
        }
    }
    Ok(top)
}

/// The dashboard's totals as of `today`.
pub fn totals(conn: &Connection, today: NaiveDate) -> Result<Totals> {
    let t = today.to_string();
    let month = format!("{}-01", &t[..7]);
    let q = |sql: &str| format!("{sql} AND deleted = 0");
    let mut d = Totals {
        inspections_month: scalar(
            conn,
            &q("SELECT count(*) FROM inspections WHERE inspected_on >= ?1"),
            &[&month],
        )?,
        hazards_open: scalar(
            conn,
            &q(&format!("SELECT count(*) FROM hazards WHERE {HAZARD_OPEN}")),
            &[],
        )?,
        hazards_major_open: scalar(
            conn,
            &q(&format!(
                "SELECT count(*) FROM hazards WHERE grade = 'major' AND {HAZARD_OPEN}"
            )),
            &[],
        )?,
        petitions_open: scalar(
            conn,
            &q(&format!(
                "SELECT count(*) FROM petitions WHERE {PETITION_OPEN}"
            )),
            &[],
        )?,
        ..Totals::default()
    };
    let start_ms = chrono::NaiveDate::parse_from_str(&month, "%Y-%m-%d")
        .map(|m| {
            m.and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp_millis()
                - 8 * 3_600_000
        })
        .unwrap_or(0);
    d.patrols_month = scalar(
        conn,
        &q("SELECT count(*) FROM patrols WHERE started_at >= ?1"),
        &[&start_ms],
    )?;
    d.patrol_km_month = scalar(
        conn,
        &q("SELECT sum(distance_km) FROM patrols WHERE started_at >= ?1"),
        &[&start_ms],
    )?;
    // Eight weeks of new hazards, Monday to Sunday, the current week last.
    let monday = today
        - Days::new(u64::from(
            chrono::Datelike::weekday(&today).num_days_from_monday(),
        ));
    for w in (0..8).rev() {
        let start = monday - Days::new(7 * w);
        let end = start + Days::new(6);
        let n: i64 = scalar(
            conn,
            &q("SELECT count(*) FROM hazards WHERE found_on BETWEEN ?1 AND ?2"),
            &[&start.to_string(), &end.to_string()],
        )?;
        d.weekly_hazards.push(n.max(0) as u64);
    }
    d.by_village = by_village(conn)?;
    Ok(d)
}

#[cfg(test)]
mod tests {
    use crate::domain::hazard::HazardStatus;

    #[test]
    fn open_hazards_are_every_status_but_closed() {
        for s in HazardStatus::ALL {
            let listed = super::HAZARD_OPEN.contains(&format!("'{}'", s.code()));
            assert_eq!(listed, *s != HazardStatus::Closed, "{s:?}");
        }
    }
}
