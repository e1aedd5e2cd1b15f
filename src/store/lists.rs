//! The pages of the worker's lists: one family at a time, newest first (or, under a due filter, the most urgent
//! deadline first), filtered, paged by key (never by OFFSET), with the deadline that decides "days left /
//! overdue". Personal data stays out of the rows except the petitioner's name, which the screen masks.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::Result;
use crate::domain::record::Family;

/// What a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub family: Family,
    /// A status code of the family, or None for all.
    pub status: Option<String>,
    /// Only open records past their deadline.
    pub overdue_only: bool,
    /// Only records inside this region (a prefix test on the code).
    pub region: Option<crate::domain::ids::RegionCode>,
    /// A category code (hazards, inspections, petitions) or finding code.
    pub category: Option<String>,
    /// Only open records due between today and this date (inclusive).
    pub due_by: Option<NaiveDate>,
    /// Only records dated (found, inspected, received) on or after / on or before these days.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only records with an open assignment (交办 not yet answered): hazards and petitions.
    pub assigned: bool,
}

impl Filter {
    pub fn new(family: Family) -> Filter {
        Filter {
            family,
            status: None,
            overdue_only: false,
            region: None,
            category: None,
            due_by: None,
            from: None,
            to: None,
            assigned: false,
        }
    }

    /// Whether the list runs by deadline, the most urgent first: under a due filter (overdue, due within days) of a
    /// family whose records have one. Otherwise it runs by date, newest first.
    pub fn by_deadline(&self) -> bool {
        (self.overdue_only || self.due_by.is_some()) && shape(self.family).due_index.is_some()
    }
}

/// One line of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    /// The date the list is sorted by (found, inspected, received).
    pub date: String,
    pub category: String,
    pub status: String,
    /// Place, location or case number.
    pub place: String,
    /// Description or summary; for an inspection the codes of its failed items.
    pub text: String,
    /// For petitions the petitioner's name (to be masked); for inspections the inspector.
    pub person: Option<String>,
    /// The deadline that matters now (None when nothing is due).
    pub due: Option<NaiveDate>,
    /// A patrol's findings (None for other families).
    pub findings: Option<i64>,
    pub region: String,
    /// Where the row stands in its list: (date or deadline, the record's key in this database).
    pub key: Key,
}

/// The key a page continues from: (date, record key) of its last (or first) row, or (deadline, record key) by
/// deadline.
pub type Key = (String, i64);

/// Which page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    First,
    /// The page after (further down than) this key.
    After(Key),
    /// The page before (above) this key.
    Before(Key),
    Last,
}

struct Shape {
    /// The family's table, as `t`: a page's keys are taken from it (and its indexes) alone.
    table: &'static str,
    /// The table with what its rows show joined.
    from: &'static str,
    date: &'static str,
    /// What a by-date page is ordered and keyed by, when not `date` itself (an indexed column it derives from).
    order: Option<&'static str>,
    /// Category, status, place, text, person, due, findings.
    select: &'static str,
    open: &'static str,
    due: &'static str,
    /// The partial index of open records in deadline order that a due filter's page walks (see schema.sql).
    due_index: Option<&'static str>,
}

fn shape(family: Family) -> Shape {
    match family {
        Family::Hazard => Shape {
            table: "hazards t",
            from: "hazards t LEFT JOIN places p ON p.key = t.place_key",
            date: "t.found_on",
            // `status` is the hazard's (places have none): the same test as the dashboard and report.
            order: None,
            select: concat!(
                "t.category, t.status, coalesce(p.name, ''), t.description, NULL, CASE WHEN ",
                super::hazards::deadline_runs!(),
                " THEN t.deadline END, NULL"
            ),
            open: super::hazards::deadline_runs!(),
            due: "t.deadline",
            due_index: Some("hazards_running_due"),
        },
        Family::Inspection => Shape {
            table: "inspections t",
            from: "inspections t LEFT JOIN places p ON p.key = t.place_key",
            date: "t.inspected_on",
            select: concat!(
                "t.category, coalesce(t.verdict, CASE WHEN t.failed_count > 0 THEN 'fail' ELSE 'pass' END), \
                 coalesce(p.name, ''), (SELECT group_concat(",
                super::inspections::failed_item!(),
                ", ' ') FROM json_each(t.results) r), t.inspector, NULL, NULL"
            ),
            order: None,
            open: "0",
            due: "NULL",
            due_index: None,
        },
        Family::Finding => Shape {
            table: "findings t",
            from: "findings t",
            date: "t.found_on",
            order: None,
            select: "t.code, t.status, t.location, t.description, NULL, \
                     CASE WHEN t.status = 'referred' THEN t.deadline END, NULL",
            open: "t.status = 'referred'",
            due: "t.deadline",
            due_index: Some("findings_referred_due"),
        },
        Family::Petition => Shape {
            table: "petitions t",
            from: "petitions t",
            date: "t.received_on",
            order: None,
            select: "t.category, t.status, t.case_no, t.summary, t.petitioner_name, t.office_due, NULL",
            open: "t.office_due IS NOT NULL",
            due: "t.office_due",
            due_index: Some("petitions_open_due"),
        },
        Family::Place => Shape {
            table: "places t",
            from: "places t",
            date: "date(t.created_at / 1000, 'unixepoch', '+8 hours')",
            order: None,
            select: "t.kind, '', t.name, t.address, NULL, NULL, NULL",
            open: "0",
            due: "NULL",
            due_index: None,
        },
        Family::Assignment => Shape {
            table: "assignments t",
            from: "assignments t",
            date: "t.assigned_on",
            order: None,
            select: "t.target_family, t.status, t.assigned_by, t.note, NULL, \
                     CASE WHEN t.status = 'open' THEN t.deadline END, NULL",
            open: "t.status = 'open'",
            due: "t.deadline",
            due_index: Some("assignments_open_due"),
        },
        Family::Patrol => Shape {
            table: "patrols t",
            from: "patrols t",
            date: "date(t.started_at / 1000, 'unixepoch', '+8 hours')",
            // Newest first by when it started (indexed); the row shows the day.
            order: Some("t.started_at"),
            select: "t.zone, t.status, t.route, coalesce(printf('%g', t.distance_km), ''), t.worker, NULL, \
                     (SELECT count(*) FROM findings f WHERE f.patrol_key = t.key AND f.deleted = 0)",
            open: "t.status = 'open'",
            due: "NULL",
            due_index: None,
        },
    }
}

fn where_clause(f: &Filter, s: &Shape, today: NaiveDate, params: &mut Vec<String>) -> String {
    let mut w = vec!["t.deleted = 0".to_owned()];
    if let Some(st) = &f.status {
        params.push(st.clone());
        w.push(format!("t.status = ?{}", params.len()));
    }
    if let Some(c) = &f.category {
        params.push(c.clone());
        let col = match f.family {
            Family::Finding => "t.code",
            Family::Patrol => "t.zone",
            _ => "t.category",
        };
        w.push(format!("{col} = ?{}", params.len()));
    }
    if let Some(r) = &f.region {
        params.push(r.prefix().to_owned());
        w.push(format!(
            "t.region_code >= ?{n} AND t.region_code < ?{n} || 'a'",
            n = params.len()
        ));
    }
    if f.overdue_only {
        params.push(today.to_string());
        w.push(format!("{} AND {} < ?{}", s.open, s.due, params.len()));
    }
    if f.assigned {
        w.push(
            "t.key IN (SELECT target_key FROM assignments WHERE status = 'open' AND deleted = 0)"
                .to_owned(),
        );
    }
    if let Some(from) = f.from {
        params.push(from.to_string());
        w.push(format!("{} >= ?{}", s.date, params.len()));
    }
    if let Some(to) = f.to {
        params.push(to.to_string());
        w.push(format!("{} <= ?{}", s.date, params.len()));
    }
    if let Some(by) = f.due_by {
        params.push(today.to_string());
        params.push(by.to_string());
        w.push(format!(
            "{} AND {} BETWEEN ?{} AND ?{}",
            s.open,
            s.due,
            params.len() - 1,
            params.len()
        ));
    }
    w.join(" AND ")
}

/// One page of `limit` rows at `at`, in list order.
pub fn page(
    conn: &Connection,
    f: &Filter,
    today: NaiveDate,
    at: &At,
    limit: usize,
) -> Result<Vec<Row>> {
    let s = shape(f.family);
    let mut params = Vec::new();
    let mut w = where_clause(f, &s, today, &mut params);
    // By date the list runs down from the newest; by deadline down from the earliest.
    let (sort, down, table) = match (f.by_deadline(), s.due_index) {
        // Overdue cases are a few among many open ones: the open ones in deadline order give a page at once,
        // where the planner, not knowing how few there are, might read every key and sort.
        (true, Some(ix)) => (s.due, "ASC", format!("{} INDEXED BY {ix}", s.table)),
        _ => (s.order.unwrap_or(s.date), "DESC", s.table.to_owned()),
    };
    let (further, up) = if down == "ASC" {
        (">", "DESC")
    } else {
        ("<", "ASC")
    };
    let (against, order) = match at {
        At::First => (false, down),
        At::Last => (true, up),
        At::After(key) => {
            params.extend([key.0.clone(), key.1.to_string()]);
            let n = params.len();
            w.push_str(&format!(
                " AND ({sort}, t.key) {further} (?{}, CAST(?{n} AS INTEGER))",
                n - 1
            ));
            (false, down)
        }
        At::Before(key) => {
            params.extend([key.0.clone(), key.1.to_string()]);
            let n = params.len();
            let nearer = if further == ">" { "<" } else { ">" };
            w.push_str(&format!(
                " AND ({sort}, t.key) {nearer} (?{}, CAST(?{n} AS INTEGER))",
                n - 1
            ));
            (true, up)
        }
    };
    // The page's keys first, from the table and its indexes (the due filters' indexes hold the sort key, so they
    // read no row they will not show); then only those rows, joined with what they show.
    let sql = format!(
        "SELECT {id}, {date}, {select}, t.region_code, CAST({sort} AS TEXT), t.key FROM {from} \
         WHERE t.key IN (SELECT t.key FROM {table} WHERE {w} ORDER BY {sort} {order}, t.key {order} LIMIT {limit}) \
         ORDER BY {sort} {order}, t.key {order}",
        id = super::keys::id_of("t.key"),
        date = s.date,
        select = s.select,
        from = s.from,
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(rusqlite::params_from_iter(params.iter()), |r| {
        let id: String = r.get(0)?;
        Ok(Row {
            date: r.get(1)?,
            category: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            status: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            place: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            text: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            person: r.get(6)?,
            due: r.get::<_, Option<String>>(7)?.and_then(|d| d.parse().ok()),
            findings: r.get(8)?,
            region: r.get(9)?,
            key: (
                r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                r.get(11)?,
            ),
            id,
        })
    })?;
    let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    if against {
        out.reverse();
    }
    Ok(out)
}

/// Past this many, a list's count stops and the screen says "more than" (counting a million rows would hold up
/// every page); the exact figure is counted only when asked for (the last page).
pub const COUNT_CAP: i64 = 1_000;

/// How many records the filter matches, counting no further than `cap` + 1 (None: all of them).
pub fn count(conn: &Connection, f: &Filter, today: NaiveDate, cap: Option<i64>) -> Result<i64> {
    let s = shape(f.family);
    let mut params = Vec::new();
    let w = where_clause(f, &s, today, &mut params);
    let sql = match cap {
        Some(cap) => format!(
            "SELECT count(*) FROM (SELECT 1 FROM {} WHERE {w} LIMIT {})",
            s.table,
            cap.saturating_add(1)
        ),
        None => format!("SELECT count(*) FROM {} WHERE {w}", s.table),
    };
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?)
}

/// One finding as its patrol's detail lists it.
pub struct FindingLine {
    pub id: String,
    pub found_on: String,
    pub code: String,
    pub status: String,
    pub location: String,
}

/// A patrol's findings, in the order they were found.
pub fn findings_of(conn: &Connection, patrol_id: &str) -> Result<Vec<FindingLine>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {}, found_on, code, status, location FROM findings t \
         WHERE patrol_key = (SELECT key FROM ids WHERE id = ?1) AND deleted = 0 ORDER BY found_on, t.key",
        super::keys::id_of("t.key")
    ))?;
    let rows = st.query_map([super::keys::stored(patrol_id)], |r| {
        Ok(FindingLine {
            id: r.get(0)?,
            found_on: r.get(1)?,
            code: r.get(2)?,
            status: r.get(3)?,
            location: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A place's name and address (for the detail views of what was found there).
pub fn place_of(conn: &Connection, place_id: &str) -> Result<Option<(String, String)>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(
            "SELECT name, address FROM places WHERE key = (SELECT key FROM ids WHERE id = ?1)",
        )?
        .query_row([super::keys::stored(place_id)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

/// The hazards an inspection opened: (id, item code, status code, deadline).
pub fn hazards_of(
    conn: &Connection,
    inspection_id: &str,
) -> Result<Vec<(String, String, String, String)>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {}, coalesce(item_code, ''), status, deadline FROM hazards t
         WHERE inspection_key = (SELECT key FROM ids WHERE id = ?1) AND deleted = 0
         ORDER BY item_code",
        super::keys::id_of("t.key")
    ))?;
    let rows = st.query_map([super::keys::stored(inspection_id)], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A place already on file in `region` with this name and address (so a re-inspection reuses it).
pub fn find_place(
    conn: &Connection,
    region: &str,
    name: &str,
    address: &str,
) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {} FROM places t WHERE region_code = ?1 AND name = ?2 AND address = ?3 AND deleted = 0
             ORDER BY updated_at DESC LIMIT 1",
            super::keys::id_of("t.key")
        ))?
        .query_row([region, name.trim(), address.trim()], |r| r.get(0))
        .optional()?)
}

/// A place on file offered while typing a new inspection's place.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceHit {
    pub id: String,
    pub name: String,
    pub address: String,
}

/// Up to `limit` places whose name or address contains `text`, the most recently touched first.
pub fn places_matching(conn: &Connection, text: &str, limit: usize) -> Result<Vec<PlaceHit>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let like = super::search::like(text);
    let mut st = conn.prepare_cached(&format!(
        "SELECT {}, name, address FROM places t
         WHERE deleted = 0 AND (name LIKE ?1 ESCAPE '\\' OR address LIKE ?1 ESCAPE '\\')
         LIMIT ?2",
        super::keys::id_of("t.key")
    ))?;
    let rows = st.query_map(rusqlite::params![like, limit as i64], |r| {
        Ok(PlaceHit {
            id: r.get(0)?,
            name: r.get(1)?,
            address: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    /// A partial index serves a query only when the query's WHERE holds the index's own: the due filters'
    /// indexes are written with the lists' tests word for word (their latest definition; spaces and line
    /// breaks aside).
    #[test]
    fn the_due_indexes_carry_the_lists_own_test() {
        use super::Family as F;
        let schema = crate::store::migrate::SCHEMA;
        for family in [F::Hazard, F::Finding, F::Petition, F::Assignment] {
            let s = super::shape(family);
            let ix = s.due_index.expect("a due index");
            let at = schema
                .rfind(&format!("INDEX {ix} "))
                .expect("the index in schema.sql");
            let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            let text = squash(&schema[at..at + schema[at..].find(';').unwrap_or(0)]);
            let test = squash(&s.open.replace("t.", ""));
            assert!(
                text.contains(&format!("WHERE {test} AND deleted = 0")),
                "{text}"
            );
            let order = format!("({}, key,", s.due.replace("t.", ""));
            assert!(text.contains(&order), "{text} runs by deadline");
        }
    }
}
