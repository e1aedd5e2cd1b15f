//! The report's figures in one pass over each family's live rows (it took some fifty queries: about 4 s at 1M
//! records with a warm cache). Each pass reads, per row, its township, the codes the report breaks down by and
//! a 0/1 (or a number) per figure, and sums them by township and codes as the rows stream; the family's figures
//! and its township columns are sums over those groups.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::Connection;

use super::Result;
use super::hazards::DEADLINE_RUNS;
use super::report::{
    FindingFigures, HazardFigures, InspectionFigures, PETITION_OPEN, PetitionFigures,
    TownshipFigures,
};

/// One group of a pass: its township, its codes (up to three), and its sums in the pass's order.
struct Group {
    town: String,
    keys: [String; 3],
    sums: Vec<i64>,
}

/// Runs `SELECT region_code, k1, k2, k3, figure… FROM table WHERE deleted = 0` (`?1`, where named, is today) and
/// sums each figure by township and codes here, as the rows stream: grouping in SQL sorted every row through a
/// temporary b-tree, several times slower than the read itself.
fn pass(
    conn: &Connection,
    keys: [&str; 3],
    sums: &[&str],
    table: &str,
    today: &str,
) -> Result<Vec<Group>> {
    use rusqlite::types::ValueRef;
    use rustc_hash::FxHashMap as HashMap;
    let sql = format!(
        "SELECT region_code, {}, {}, {}, {} FROM {table} WHERE deleted = 0",
        keys[0],
        keys[1],
        keys[2],
        sums.iter()
            .map(|s| format!("coalesce({s}, 0)"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut st = conn.prepare_cached(&sql)?;
    let params: &[&dyn rusqlite::ToSql] = if sql.contains("?1") { &[&today] } else { &[] };
    let mut rows = st.query(params)?;
    // Codes and townships interned: a row costs no allocation once its values have been seen.
    let mut names: HashMap<String, u32> = HashMap::default();
    let mut intern = |v: ValueRef| -> u32 {
        let text = match v {
            ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or(""),
            _ => "",
        };
        if let Some(&i) = names.get(text) {
            return i;
        }
        let i = names.len() as u32;
        names.insert(text.to_owned(), i);
        i
    };
    let mut groups: HashMap<[u32; 4], Vec<i64>> = HashMap::default();
    while let Some(r) = rows.next()? {
        // The township: the region's first 9 digits (a county-level record's end in 000000).
        let town = match r.get_ref(0)? {
            ValueRef::Text(t) => {
                let nine = &t[..t.len().min(9)];
                intern(ValueRef::Text(nine))
            }
            _ => intern(ValueRef::Null),
        };
        let key = [
            town,
            intern(r.get_ref(1)?),
            intern(r.get_ref(2)?),
            intern(r.get_ref(3)?),
        ];
        let group = groups.entry(key).or_insert_with(|| vec![0; sums.len()]);
        for (i, sum) in group.iter_mut().enumerate() {
            *sum += r.get::<_, i64>(4 + i)?;
        }
    }
    let mut text = vec![String::new(); names.len()];
    for (name, i) in names {
        text[i as usize] = name;
    }
    Ok(groups
        .into_iter()
        .map(|(k, sums)| Group {
            town: format!("{}000", text[k[0] as usize]),
            keys: [
                text[k[1] as usize].clone(),
                text[k[2] as usize].clone(),
                text[k[3] as usize].clone(),
            ],
            sums,
        })
        .collect())
}

/// Sums column `i` over the groups that `keep` keeps.
fn total(groups: &[Group], i: usize, keep: impl Fn(&Group) -> bool) -> i64 {
    groups.iter().filter(|g| keep(g)).map(|g| g.sums[i]).sum()
}

/// Column `i` summed by the group's `k`th code (groups whose code is NULL left out when `skip_empty`).
fn by(groups: &[Group], k: usize, i: usize, skip_empty: bool) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for g in groups
        .iter()
        .filter(|g| !(skip_empty && g.keys[k].is_empty()))
    {
        *out.entry(g.keys[k].clone()).or_insert(0) += g.sums[i];
    }
    out
}

/// Column `i` summed by township.
fn by_town(groups: &[Group], i: usize, keep: impl Fn(&Group) -> bool) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for g in groups.iter().filter(|g| keep(g)) {
        *out.entry(g.town.clone()).or_insert(0) += g.sums[i];
    }
    out
}

/// Every family's figures and the township rows, each family read once.
pub struct Figures {
    pub inspections: InspectionFigures,
    pub hazards: HazardFigures,
    pub findings: FindingFigures,
    pub petitions: PetitionFigures,
    /// Per township with data (by code), then the county-level row (code ending in 000000).
    pub by_township: Vec<TownshipFigures>,
}

pub fn figures(conn: &Connection, today: NaiveDate) -> Result<Figures> {
    let t = today.to_string();
    let all = |_: &Group| true;
    let mut towns: BTreeMap<String, TownshipFigures> = BTreeMap::new();
    let mut put = |column: BTreeMap<String, i64>, set: fn(&mut TownshipFigures, i64)| {
        for (town, n) in column {
            let row = towns
                .entry(town.clone())
                .or_insert_with(|| TownshipFigures {
                    code: town,
                    ..Default::default()
                });
            set(row, n);
        }
    };

    let g = pass(
        conn,
        ["category", "NULL", "NULL"],
        &["1", "failed_count > 0", "failed_count"],
        "inspections",
        &t,
    )?;
    let inspections = InspectionFigures {
        total: total(&g, 0, all),
        with_failures: total(&g, 1, all),
        items_failed: total(&g, 2, all),
        by_category: by(&g, 0, 0, false),
    };
    put(by_town(&g, 0, all), |r, n| r.inspections = n);

    let overdue = format!("{DEADLINE_RUNS} AND deadline < ?1");
    let g = pass(
        conn,
        ["status", "category", "grade"],
        &[
            "1",
            &overdue,
            "status = 'closed' AND rectified_on <= deadline",
            "extensions > 0",
        ],
        "hazards",
        &t,
    )?;
    let closed = |g: &Group| g.keys[0] == "closed";
    let major = |g: &Group| g.keys[2] == "major";
    let hazards = HazardFigures {
        total: total(&g, 0, all),
        open: total(&g, 0, |g| !closed(g)),
        overdue: total(&g, 1, all),
        closed: total(&g, 0, closed),
        major: total(&g, 0, major),
        major_open: total(&g, 0, |g| major(g) && !closed(g)),
        closed_on_time: total(&g, 2, all),
        extended: total(&g, 3, all),
        by_status: by(&g, 0, 0, false),
        by_category: by(&g, 1, 0, false),
    };
    put(by_town(&g, 0, all), |r, n| r.hazards = n);
    put(by_town(&g, 0, |g| !closed(g)), |r, n| r.hazards_open = n);
    put(by_town(&g, 1, all), |r, n| r.hazards_overdue = n);

    let g = pass(
        conn,
        ["status", "code", "department"],
        &["1", "status = 'referred' AND deadline < ?1"],
        "findings",
        &t,
    )?;
    let status = |s: &'static str| move |g: &Group| g.keys[0] == s;
    let one = |sql: &str| -> Result<i64> {
        Ok(conn
            .prepare_cached(sql)?
            .query_row([], |r| r.get::<_, Option<i64>>(0))?
            .unwrap_or(0))
    };
    let findings = FindingFigures {
        total: total(&g, 0, all),
        open: total(&g, 0, |g| g.keys[0] != "verified"),
        overdue: total(&g, 1, all),
        not_referred: total(&g, 0, status("reported")),
        verified: total(&g, 0, status("verified")),
        patrols: one("SELECT count(*) FROM patrols WHERE deleted = 0")?,
        patrols_nothing_found: one(
            "SELECT count(*) FROM patrols WHERE deleted = 0 AND status = 'closed' AND nothing_found = 1",
        )?,
        patrol_km: conn
            .prepare_cached(
                "SELECT round(coalesce(sum(distance_km), 0), 1) FROM patrols WHERE deleted = 0",
            )?
            .query_row([], |r| r.get(0))?,
        by_code: by(&g, 1, 0, false),
        by_department: by(&g, 2, 0, true),
        by_status: by(&g, 0, 0, false),
    };
    put(by_town(&g, 0, all), |r, n| r.findings = n);
    put(by_town(&g, 1, all), |r, n| r.findings_overdue = n);

    let g = pass(
        conn,
        ["status", "channel", "category"],
        &[
            "1",
            "office_due < ?1",
            "people",
            "people >= 5",
            "repeat_key IS NOT NULL",
            "extended_due IS NOT NULL",
            "accepted_on IS NOT NULL",
            "accepted_on IS NOT NULL AND accepted_on <= accept_due",
            "replied_on IS NOT NULL",
            "replied_on IS NOT NULL AND replied_on <= coalesce(extended_due, handle_due)",
            "satisfaction IS NOT NULL",
            "satisfaction IN ('satisfied', 'basic')",
        ],
        "petitions",
        &t,
    )?;
    let open_statuses: Vec<&str> = PETITION_OPEN
        .trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(|s| s.trim_matches('\''))
        .collect();
    let open = |g: &Group| open_statuses.contains(&g.keys[0].as_str());
    let petitions = PetitionFigures {
        total: total(&g, 0, all),
        open: total(&g, 0, open),
        overdue: total(&g, 1, all),
        closed: total(&g, 0, |g| !g.keys[0].is_empty() && !open(g)),
        people: total(&g, 2, all),
        collective: total(&g, 3, all),
        repeat: total(&g, 4, all),
        extended: total(&g, 5, all),
        accepted: total(&g, 6, all),
        accepted_on_time: total(&g, 7, all),
        replied: total(&g, 8, all),
        replied_on_time: total(&g, 9, all),
        evaluated: total(&g, 10, all),
        satisfied: total(&g, 11, all),
        by_status: by(&g, 0, 0, false),
        by_channel: by(&g, 1, 0, false),
        by_category: by(&g, 2, 0, false),
    };
    put(by_town(&g, 0, all), |r, n| r.petitions = n);
    put(by_town(&g, 0, open), |r, n| r.petitions_open = n);
    put(by_town(&g, 1, all), |r, n| r.petitions_overdue = n);

    // Townships by code, the county-level row last; each named as the region table names it.
    let mut name = conn.prepare_cached("SELECT name FROM regions WHERE code = ?1")?;
    let mut by_township: Vec<TownshipFigures> = towns.into_values().collect();
    for row in &mut by_township {
        use rusqlite::OptionalExtension;
        row.name = name
            .query_row([&row.code], |r| r.get::<_, String>(0))
            .optional()?
            .unwrap_or_else(|| row.code.clone());
    }
    by_township.sort_by_key(|r| (r.code.ends_with("000000"), r.code.clone()));
    Ok(Figures {
        inspections,
        hazards,
        findings,
        petitions,
        by_township,
    })
}
