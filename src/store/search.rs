//! Search across all families with Chinese queries of one or more characters: summaries, descriptions and
//! contents, place names and addresses, and petitioners' names (matched here, masked by whoever shows them).
//! Correct first; issue 6 makes it fast at a million records.

use rusqlite::Connection;

use super::Result;
use crate::domain::record::Family;

/// One search hit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hit {
    pub family: Family,
    pub id: String,
    pub date: String,
    pub summary: String,
    /// A petition's petitioner (personal data: whoever shows it masks it).
    #[serde(skip)]
    pub person: Option<String>,
}

impl Hit {
    /// The line a person reads: the summary, and for a petition the petitioner's surname.
    pub fn shown(&self) -> String {
        match &self.person {
            Some(p) => format!("{} {}", crate::domain::validate::mask_name(p), self.summary),
            None => self.summary.clone(),
        }
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern.
pub(super) fn like(q: &str) -> String {
    let mut s = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// The newest `limit` hits for `query` inside `region`, and the total number of hits.
pub fn search(
    conn: &Connection,
    region: &str,
    query: &str,
    limit: usize,
) -> Result<(i64, Vec<Hit>)> {
    let q = query.trim();
    if q.is_empty() {
        return Ok((0, Vec::new()));
    }
    let pattern = like(q);
    let prefix = crate::domain::region::prefix(region).to_owned();
    let inside = "t.region_code >= ?2 AND t.region_code < ?2 || 'a' AND t.deleted = 0";
    let union = format!(
        "SELECT 'inspection' AS f, t.id, t.inspected_on AS d, coalesce(p.name, '') || ' ' || coalesce(t.note, '') AS s,
                NULL AS person
           FROM inspections t LEFT JOIN places p ON p.id = t.place_id
           WHERE {inside} AND (p.name LIKE ?1 ESCAPE '\\' OR p.address LIKE ?1 ESCAPE '\\' OR t.note LIKE ?1 ESCAPE '\\')
         UNION ALL
         SELECT 'hazard', t.id, t.found_on, t.description, NULL FROM hazards t LEFT JOIN places p ON p.id = t.place_id
           WHERE {inside} AND (t.description LIKE ?1 ESCAPE '\\' OR p.name LIKE ?1 ESCAPE '\\' OR p.address LIKE ?1 ESCAPE '\\')
         UNION ALL
         SELECT 'finding', t.id, t.found_on, t.description, NULL FROM findings t
           WHERE {inside} AND (t.description LIKE ?1 ESCAPE '\\' OR t.location LIKE ?1 ESCAPE '\\')
         UNION ALL
         SELECT 'petition', t.id, t.received_on, t.case_no || ' ' || t.summary, t.petitioner_name FROM petitions t
           WHERE {inside} AND (t.summary LIKE ?1 ESCAPE '\\' OR t.content LIKE ?1 ESCAPE '\\'
                OR t.petitioner_name LIKE ?1 ESCAPE '\\' OR t.address LIKE ?1 ESCAPE '\\')"
    );
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM ({union})"))?
        .query_row([&pattern, &prefix], |r| r.get(0))?;
    let mut st = conn.prepare_cached(&format!(
        "SELECT f, id, d, s, person FROM ({union}) ORDER BY d DESC, id DESC LIMIT {limit}"
    ))?;
    let hits = st
        .query_map([&pattern, &prefix], |r| {
            let f: String = r.get(0)?;
            Ok(Hit {
                family: Family::from_code(&f).unwrap_or(Family::Inspection),
                id: r.get(1)?,
                date: r.get(2)?,
                summary: r.get(3)?,
                person: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((total, hits))
}
