//! The rows of the record-level ledgers (台账): one query per family, in date order, bounded by dates and a
//! region, streamed to a callback so a county ledger of a million rows never sits in memory.

use chrono::NaiveDate;
use rusqlite::{Connection, Row};

use super::Result;
use crate::domain::record::Family;

/// Which records a ledger holds.
#[derive(Debug, Clone, Default)]
pub struct Bounds {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only records inside this region (a county, township, village or grid code).
    pub region: Option<crate::domain::ids::RegionCode>,
}

/// The columns each family's query yields, in order (the ledger's writer reads them by position).
fn sql(family: Family) -> Option<(&'static str, &'static str)> {
    Some(match family {
        Family::Hazard => (
            concat!(
                "SELECT ",
                super::keys::spelled_id!("h.key"),
                ", h.region_code, CASE WHEN r.level = 'grid' THEN coalesce(v.name || ' ', '') || r.name ELSE r.name END, p.name, p.address, h.category, h.grade, h.description,
                    h.responsible, h.notice_no, h.found_on, h.deadline, h.original_deadline, h.extensions,
                    h.status, h.rectified_on, h.closed_on, h.item_code,
                    ",
            super::hazards::deadline_runs!(),
            " AND h.deadline < ?4
             FROM hazards h LEFT JOIN regions r ON r.code = h.region_code
                                LEFT JOIN regions v ON v.code = r.parent
                            LEFT JOIN places p ON p.key = h.place_key"
            ),
            "h.found_on",
        ),
        Family::Inspection => (
            concat!(
                "SELECT ",
                super::keys::spelled_id!("i.key"),
                ", i.region_code, CASE WHEN r.level = 'grid' THEN coalesce(v.name || ' ', '') || r.name ELSE r.name END, p.name, p.address, i.category, i.subject, i.inspected_on,
                    i.inspector, i.verdict, i.failed_count,
                    (SELECT group_concat(item_code, ' ') FROM
                        (SELECT ",
                super::inspections::failed_item!(),
                " AS item_code FROM json_each(i.results) r
                         WHERE item_code IS NOT NULL ORDER BY item_code)),
                    i.note, p.owner_name, p.owner_phone, ?4 IS NULL -- never overdue (and ?4 is used)
             FROM inspections i LEFT JOIN regions r ON r.code = i.region_code
                                LEFT JOIN regions v ON v.code = r.parent
                                LEFT JOIN places p ON p.key = i.place_key"
            ),
            "i.inspected_on",
        ),
        Family::Finding => (
            concat!(
                "SELECT ",
                super::keys::spelled_id!("f.key"),
                ", f.region_code, CASE WHEN r.level = 'grid' THEN coalesce(v.name || ' ', '') || r.name ELSE r.name END, f.found_on, f.code, f.description, f.location, f.zone,
                    f.on_site_action, f.department, f.referred_on, f.deadline, f.handled_on, f.verified_on,
                    f.status, f.crop, f.area_mu, f.loss_yuan, f.status = 'referred' AND f.deadline < ?4
             FROM findings f LEFT JOIN regions r ON r.code = f.region_code
                                LEFT JOIN regions v ON v.code = r.parent"
            ),
            "f.found_on",
        ),
        Family::Petition => (
            concat!(
                "SELECT ",
                super::keys::spelled_id!("t.key"),
                ", t.case_no, t.region_code, CASE WHEN r.level = 'grid' THEN coalesce(v.name || ' ', '') || r.name ELSE r.name END, t.received_on, t.channel, t.category,
                    t.petitioner_name, t.id_number, t.phone, t.people, t.summary, t.unit, t.status,
                    t.accept_due, t.accepted_on, coalesce(t.extended_due, t.handle_due), t.replied_on,
                    t.outcome, t.satisfaction, t.closed_on, t.repeat_key IS NOT NULL,
                    coalesce(t.office_due < ?4, 0)
             FROM petitions t LEFT JOIN regions r ON r.code = t.region_code
                                LEFT JOIN regions v ON v.code = r.parent"
            ),
            "t.received_on",
        ),
        _ => return None,
    })
}

/// Calls `each` with every live record of `family` within `bounds`, in date order, the last column saying
/// whether it is overdue on `today` (inspections: always 0); returns how many. Families without a ledger yield
/// nothing.
pub fn each(
    conn: &Connection,
    family: Family,
    bounds: &Bounds,
    today: NaiveDate,
    mut each: impl FnMut(&Row) -> Result<()>,
) -> Result<u64> {
    let Some((select, date)) = sql(family) else {
        return Ok(0);
    };
    let alias = &date[..1];
    let query = format!(
        "{select}
         WHERE {alias}.deleted = 0
           AND (?1 IS NULL OR {date} >= ?1) AND (?2 IS NULL OR {date} <= ?2)
           AND (?3 IS NULL OR {alias}.region_code LIKE ?3 || '%')
         ORDER BY {date}, {alias}.key"
    );
    let prefix = bounds.region.as_ref().map(|r| r.prefix());
    let mut st = conn.prepare(&query)?;
    let mut rows = st.query(rusqlite::params![
        bounds.from.map(|d| d.to_string()),
        bounds.to.map(|d| d.to_string()),
        prefix,
        today.to_string(),
    ])?;
    let mut n = 0;
    while let Some(row) = rows.next()? {
        each(row)?;
        n += 1;
    }
    Ok(n)
}
