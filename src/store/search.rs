//! Search across all families with Chinese queries of one or more characters: summaries, descriptions and
//! contents, place names and addresses, and petitioners' names (matched here, masked by whoever shows them).
//!
//! An FTS5 index holds each record's text as single characters and as pairs of neighbouring characters,
//! each spelled as hex so FTS5 sees plain ASCII tokens: one character is looked up among the singles, a longer
//! query is the phrase of its pairs (consecutive, so it matches exactly where the text holds the query). A
//! record's codes (category, status, …) are one tag each, and a word also finds the codes whose labels hold it. Its
//! rowid follows the record's date, so the newest hits come first without a sort. Every save keeps the index
//! current; a bulk import marks it stale in its transaction and rebuilds it in one pass afterwards, and a
//! database opened while marked is rebuilt first. `scan` is the plain `LIKE` search it replaced, kept as the
//! reference the tests and the benchmark compare against.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{Result, Store};
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
            Some(p) => format!("{} {}", crate::domain::mask::name(p), self.summary),
            None => self.summary.clone(),
        }
    }
}

/// The families the index holds.
pub const FAMILIES: [Family; 5] = [
    Family::Inspection,
    Family::Hazard,
    Family::Finding,
    Family::Petition,
    Family::Patrol,
];

/// The columns of a family's selects: 0 the id, 1 the date, `TEXTS` the searchable texts; then, as a hit or a scan
/// reads it, the summary a hit shows and the person (petitions), or, as the index reads it, the tags.
const TEXTS: std::ops::Range<usize> = 2..8;
const SUMMARY: usize = 8;
const PERSON: usize = 9;
const TAGS: usize = 8;

/// A family's two selects. As a hit or a scan reads a record: its own texts, then what a list shows of it beside
/// them: the names of its grid, village and township, the labels of its codes (both languages, from
/// `code_labels`) and `extras`. As the index reads it: the same, but each code as one tag (`t` and the hex of
/// `kind:code`) instead of its labels' words, which would otherwise be indexed again in every record; a query
/// finds the codes whose labels hold a word (`fts_query`).
macro_rules! selects {
    ($head:literal, [$($kind:literal = $column:literal),*], [$($extra:literal),*], $tail:literal, $from:literal) => {
        (
            concat!(
                "SELECT ", $head, ", concat_ws(' ', ", names!(),
                $(", (SELECT text FROM code_labels WHERE kind = '", $kind, "' AND code = ", $column, ")",)*
                $(", ", $extra,)* "), ", $tail, " FROM ", $from
            ),
            concat!(
                "SELECT ", $head, ", concat_ws(' ', ", names!(), $(", ", $extra,)* "), concat_ws(' '",
                $(", 't' || nullif(hex('", $kind, ":' || ", $column, "), '')",)* ") FROM ", $from
            ),
        )
    };
}

/// The names of a record's grid, village and township.
macro_rules! names {
    () => {
        concat!(
            "(SELECT group_concat(name, ' ') FROM regions WHERE code IN (t.region_code, ",
            "substr(t.region_code, 1, 12), substr(t.region_code, 1, 9) || '000'))"
        )
    };
}

/// Per family: (as a hit or a scan reads it, as the index reads it).
fn selects(family: Family) -> Option<(&'static str, &'static str)> {
    Some(match family {
        Family::Inspection => selects!(
            "t.id, t.inspected_on, p.name, p.address, t.note, t.inspector, NULL",
            [
                "category" = "t.category",
                "subject" = "t.subject",
                "verdict" = "t.verdict"
            ],
            [],
            "coalesce(p.name, '') || ' ' || coalesce(t.note, ''), NULL",
            "inspections t LEFT JOIN places p ON p.id = t.place_id"
        ),
        Family::Hazard => selects!(
            "t.id, t.found_on, t.description, p.name, p.address, t.responsible, NULL",
            [
                "category" = "t.category",
                "grade" = "t.grade",
                "hazard_status" = "t.status"
            ],
            [],
            "t.description, NULL",
            "hazards t LEFT JOIN places p ON p.id = t.place_id"
        ),
        Family::Finding => selects!(
            "t.id, t.found_on, t.description, t.location, pa.route, NULL, NULL",
            [
                "finding_code" = "t.code",
                "zone" = "t.zone",
                "department" = "t.department",
                "finding_status" = "t.status"
            ],
            ["t.code"],
            "t.description, NULL",
            "findings t LEFT JOIN patrols pa ON pa.id = t.patrol_id"
        ),
        Family::Petition => selects!(
            "t.id, t.received_on, t.case_no, t.summary, t.content, t.petitioner_name, t.address",
            [
                "petition_category" = "t.category",
                "channel" = "t.channel",
                "track" = "t.track",
                "petition_status" = "t.status"
            ],
            ["t.unit"],
            "t.case_no || ' ' || t.summary, t.petitioner_name",
            "petitions t"
        ),
        Family::Patrol => selects!(
            "t.id, date(t.started_at / 1000, 'unixepoch', '+8 hours'), t.route, t.worker, t.weather, t.note, NULL",
            ["zone" = "t.zone", "patrol_status" = "t.status"],
            [],
            "t.route, NULL",
            "patrols t"
        ),
        _ => return None,
    })
}

/// As a hit or a scan reads a family's records.
fn source(family: Family) -> Option<&'static str> {
    selects(family).map(|s| s.0)
}

/// As the index reads a family's records.
fn indexed(family: Family) -> Option<&'static str> {
    selects(family).map(|s| s.1)
}

/// The characters that count, lowered: whitespace and control characters break the text into runs.
fn runs(text: &str) -> Vec<Vec<char>> {
    let mut out = vec![Vec::new()];
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_whitespace() || c.is_control() {
            if out.last().is_some_and(|r| !r.is_empty()) {
                out.push(Vec::new());
            }
        } else if let Some(r) = out.last_mut() {
            r.push(c);
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

fn uni(c: char) -> String {
    let mut s = String::new();
    push_uni(&mut s, c);
    s
}

fn bi(a: char, b: char) -> String {
    let mut s = String::new();
    push_bi(&mut s, a, b);
    s
}

/// Appends a character's token: `u` and its code point in hex.
fn push_uni(s: &mut String, c: char) {
    s.push('u');
    push_hex(s, c as u32);
}

/// Appends a pair's token: `b`, the first code point, `x`, the second (hex).
fn push_bi(s: &mut String, a: char, b: char) {
    s.push('b');
    push_hex(s, a as u32);
    s.push('x');
    push_hex(s, b as u32);
}

/// Lower-case hex without leading zeros, as `{:x}` writes it (the rebuild spells millions of these).
fn push_hex(s: &mut String, n: u32) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let width = (32 - n.leading_zeros()).div_ceil(4).max(1);
    for i in (0..width).rev() {
        s.push(char::from(DIGITS[((n >> (i * 4)) & 0xf) as usize]));
    }
}

/// The two columns of a document: its characters, and its neighbouring pairs with a break token between runs
/// (so no phrase matches across two fields or words).
fn grams<'a>(fields: impl Iterator<Item = &'a str>) -> (String, String) {
    let (mut u, mut b) = (String::new(), String::new());
    for field in fields {
        for run in runs(field) {
            for c in &run {
                push_uni(&mut u, *c);
                u.push(' ');
            }
            for w in run.windows(2) {
                push_bi(&mut b, w[0], w[1]);
                b.push(' ');
            }
            b.push_str("zz ");
        }
    }
    (u, b)
}

/// A code's label, as `code_labels` holds it.
struct Label {
    kind: String,
    code: String,
    text: String,
}

/// Every code's label (a hundred or so: read for each query).
fn labels(conn: &Connection) -> Result<Vec<Label>> {
    let mut st = conn.prepare_cached("SELECT kind, code, text FROM code_labels")?;
    let rows = st.query_map([], |r| {
        Ok(Label {
            kind: r.get(0)?,
            code: r.get(1)?,
            text: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A code's tag, as the index's select spells it: `t` and the hex of `kind:code`.
fn tag(kind: &str, code: &str) -> String {
    let mut s = String::from("t");
    for b in format!("{kind}:{code}").bytes() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The FTS5 query for `query`: each word (all required) as its phrase of pairs (a word of one character: that
/// character), or the tag of a code one of whose `labels` holds the word inside one of its runs, as the word
/// would match that label's text were it indexed in every record.
fn fts_query(query: &str, labels: &[Label]) -> Option<String> {
    let parts: Vec<String> = runs(query)
        .into_iter()
        .map(|run| {
            let own = match run.as_slice() {
                [c] => format!("uni : {}", uni(*c)),
                _ => {
                    let pairs: Vec<String> = run.windows(2).map(|w| bi(w[0], w[1])).collect();
                    format!("bi : \"{}\"", pairs.join(" "))
                }
            };
            let tags: Vec<String> = labels
                .iter()
                .filter(|l| {
                    runs(&l.text)
                        .iter()
                        .any(|r| r.windows(run.len()).any(|w| w == run.as_slice()))
                })
                .map(|l| format!("tag : {}", tag(&l.kind, &l.code)))
                .collect();
            if tags.is_empty() {
                own
            } else {
                format!("({own} OR {})", tags.join(" OR "))
            }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// Day number of a `YYYY-MM-DD` date (0 for anything else).
fn day(date: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| i64::from(chrono::Datelike::num_days_from_ce(&d)))
        .unwrap_or(0)
        .max(0)
}

/// Removes a record's document, if it has one.
fn remove(tx: &Transaction, id: &str) -> Result<()> {
    let rowid: Option<i64> = tx
        .prepare_cached(
            "SELECT rowid FROM search_docs WHERE record = (SELECT key FROM ids WHERE id = ?1)",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if let Some(rowid) = rowid {
        tx.prepare_cached("DELETE FROM search_fts WHERE rowid = ?1")?
            .execute([rowid])?;
        tx.prepare_cached("DELETE FROM search_docs WHERE rowid = ?1")?
            .execute([rowid])?;
    }
    Ok(())
}

/// Adds a document: the next rowid of its day.
fn add(
    tx: &Transaction,
    family: Family,
    id: &str,
    date: &str,
    (u, b): (String, String),
    tags: Option<String>,
) -> Result<()> {
    let base = day(date) << 20;
    let rowid: i64 = tx
        .prepare_cached(
            "SELECT coalesce(max(rowid), ?1) + 1 FROM search_docs WHERE rowid > ?1 AND rowid < ?1 + 1048576",
        )?
        .query_row([base], |r| r.get(0))?;
    tx.prepare_cached("INSERT INTO search_docs (rowid, record, family) VALUES (?1, ?2, ?3)")?
        .execute(params![rowid, super::keys::key(tx, id)?, family.code()])?;
    tx.prepare_cached("INSERT INTO search_fts (rowid, uni, bi, tag) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![rowid, u, b, tags])?;
    Ok(())
}

/// Brings one record's document up to date (a deleted or missing record has none). A place's change
/// re-indexes the inspections and hazards that show its name and address; a patrol's re-indexes the findings
/// that show its route, and the patrol itself.
pub fn index(tx: &Transaction, family: Family, id: &str) -> Result<()> {
    let shown_by: &[(Family, &str)] = match family {
        Family::Place => &[
            (
                Family::Inspection,
                "SELECT id FROM inspections WHERE place_id = ?1",
            ),
            (Family::Hazard, "SELECT id FROM hazards WHERE place_id = ?1"),
        ],
        Family::Patrol => &[(
            Family::Finding,
            "SELECT id FROM findings WHERE patrol_id = ?1",
        )],
        _ => &[],
    };
    if !shown_by.is_empty() {
        let mut dependents: Vec<(Family, String)> = Vec::new();
        for (f, sql) in shown_by.iter().copied() {
            let mut st = tx.prepare_cached(sql)?;
            for row in st.query_map([id], |r| r.get::<_, String>(0))? {
                dependents.push((f, row?));
            }
        }
        for (f, d) in dependents {
            index(tx, f, &d)?;
        }
    }
    let Some(select) = indexed(family) else {
        return Ok(());
    };
    remove(tx, id)?;
    let row = tx
        .prepare_cached(&format!("{select} WHERE t.id = ?1 AND t.deleted = 0"))?
        .query_row([id], |r| {
            let fields: Vec<Option<String>> =
                TEXTS.map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?;
            Ok((r.get::<_, String>(1)?, fields, r.get(TAGS)?))
        })
        .optional()?;
    if let Some((date, fields, tags)) = row {
        add(
            tx,
            family,
            id,
            &date,
            grams(fields.iter().flatten().map(String::as_str)),
            tags,
        )?;
    }
    Ok(())
}

/// Brings the documents of every record lying in `region` up to date (its name is part of their text).
pub fn index_region(tx: &Transaction, region: &crate::domain::ids::RegionCode) -> Result<()> {
    let mut found: Vec<(Family, String)> = Vec::new();
    for family in Family::ALL.iter().copied() {
        if source(family).is_none() {
            continue;
        }
        let mut st = tx.prepare_cached(&format!(
            "SELECT id FROM {} WHERE region_code >= ?1 AND region_code < ?1 || 'a'",
            family.table()
        ))?;
        for id in st.query_map([region.prefix()], |r| r.get::<_, String>(0))? {
            found.push((family, id?));
        }
    }
    for (family, id) in found {
        index(tx, family, &id)?;
    }
    Ok(())
}

/// How many documents the index holds.
pub fn documents(conn: &Connection) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM search_docs")?
        .query_row([], |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

/// Whether the index waits for its rebuild.
pub fn is_stale(conn: &Connection) -> Result<bool> {
    Ok(super::device::setting(conn, "search_stale")?.as_deref() == Some("1"))
}

/// Marks the index stale, inside a bulk write's transaction (the rebuild clears it).
pub fn mark_stale(tx: &Transaction) -> Result<()> {
    super::device::set_setting(tx, "search_stale", "1")
}

/// Rebuilds the whole index in one transaction and one pass over every record in date order (streamed: SQLite
/// sorts on disk), and clears the stale mark.
pub fn rebuild(store: &mut Store) -> Result<()> {
    store.bulk(|store| store.write_raw(rebuild_in))
}

/// Rebuilds the whole index inside the caller's transaction (an import commits its records and their index
/// together). A record id held by two families (a database damaged by an earlier version) is indexed once:
/// the rebuild never fails on it, and `check` names it.
pub fn rebuild_in(tx: &Transaction) -> Result<()> {
    {
        // Emptied at once ('delete-all'; a DELETE would remove each document's tokens one by one). While
        // loading, segments are not merged as they come ('automerge' 0); one merge at the end is cheaper than
        // merging every few flushes, and larger flushes ('hashsize') make fewer segments to merge.
        tx.execute_batch(
            "INSERT INTO search_fts (search_fts) VALUES ('delete-all');
             DELETE FROM search_docs;
             INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 0);
             INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 33554432);",
        )?;
        // In front of each family's columns: its code, and the record's key in `ids` (every record has one, from
        // its journal rows; one made here otherwise).
        let union: Vec<String> = FAMILIES
            .iter()
            .filter_map(|f| {
                indexed(*f).map(|s| {
                    format!(
                        "SELECT '{}', (SELECT key FROM ids WHERE id = s.id), s.* FROM ({s} WHERE t.deleted = 0) s",
                        f.code()
                    )
                })
            })
            .collect();
        let mut st = tx.prepare(&format!("{} ORDER BY 4, 3", union.join(" UNION ALL ")))?;
        let mut rows = st.query([])?;
        let mut docs = tx.prepare(
            "INSERT INTO search_docs (rowid, record, family) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        )?;
        let mut fts =
            tx.prepare("INSERT INTO search_fts (rowid, uni, bi, tag) VALUES (?1, ?2, ?3, ?4)")?;
        let (mut last_day, mut n) = (-1, 0i64);
        while let Some(r) = rows.next()? {
            let (family, key, id, date): (String, Option<i64>, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            let key = match key {
                Some(k) => k,
                None => super::keys::key(tx, &id)?,
            };
            let fields: Vec<Option<String>> = TEXTS
                .map(|i| r.get(i + 2))
                .collect::<rusqlite::Result<_>>()?;
            let d = day(&date);
            (last_day, n) = if d == last_day { (d, n + 1) } else { (d, 1) };
            let rowid = (d << 20) + n;
            let (u, b) = grams(fields.iter().flatten().map(String::as_str));
            let tags: Option<String> = r.get(TAGS + 2)?;
            if docs.execute(params![rowid, key, family])? > 0 {
                fts.execute(params![rowid, u, b, tags])?;
            }
        }
        // Back to the defaults every save works with, and the segments merged into one.
        tx.execute_batch(
            "INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 1048576);
             INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 4);
             INSERT INTO search_fts (search_fts) VALUES ('optimize');",
        )?;
        super::device::set_setting(tx, "search_stale", "0")
    }
}

/// The summary and person a hit shows.
fn hit(conn: &Connection, family: Family, id: &str) -> Result<Option<Hit>> {
    let Some(select) = source(family) else {
        return Ok(None);
    };
    Ok(conn
        .prepare_cached(&format!("{select} WHERE t.id = ?1"))?
        .query_row([id], |r| {
            Ok(Hit {
                family,
                id: id.to_owned(),
                date: r.get(1)?,
                summary: r.get::<_, Option<String>>(SUMMARY)?.unwrap_or_default(),
                person: r.get(PERSON)?,
            })
        })
        .optional()?)
}

/// The newest `limit` hits for `query`, and the exact number of hits.
pub fn search(conn: &Connection, query: &str, limit: usize) -> Result<(i64, Vec<Hit>)> {
    let Some(q) = fts_query(query, &labels(conn)?) else {
        return Ok((0, Vec::new()));
    };
    if is_stale(conn)? {
        return search_unindexed(conn, query, limit);
    }
    let total: i64 = conn
        .prepare_cached("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?1")?
        .query_row([&q], |r| r.get(0))?;
    let mut st = conn.prepare_cached(
        "SELECT d.family, i.id FROM search_fts f CROSS JOIN search_docs d ON d.rowid = f.rowid
             CROSS JOIN ids i ON i.key = d.record
         WHERE search_fts MATCH ?1 ORDER BY f.rowid DESC LIMIT ?2",
    )?;
    let found: Vec<(String, String)> = st
        .query_map(params![q, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut hits = Vec::with_capacity(found.len());
    for (f, id) in found {
        if let Some(family) = Family::from_code(&f)
            && let Some(h) = hit(conn, family, &id)?
        {
            hits.push(h);
        }
    }
    Ok((total, hits))
}

/// The same answer without the index, reading every record (while the index waits for its rebuild, or could
/// not be rebuilt): slow, but never wrong.
fn search_unindexed(conn: &Connection, query: &str, limit: usize) -> Result<(i64, Vec<Hit>)> {
    let words: Vec<String> = query.split_whitespace().map(like).collect();
    let mut found: Vec<(String, Family, String)> = Vec::new();
    for family in FAMILIES {
        let Some(select) = source(family) else {
            continue;
        };
        let conds: Vec<String> = (1..=words.len())
            .map(|w| {
                let any: Vec<String> = TEXTS
                    .map(|i| format!("coalesce(c{i}, '') LIKE ?{w} ESCAPE '\\'"))
                    .collect();
                format!("({})", any.join(" OR "))
            })
            .collect();
        let sql = format!(
            "WITH x(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9) AS ({select} WHERE t.deleted = 0)
             SELECT c0, c1 FROM x WHERE {}",
            conds.join(" AND ")
        );
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(&words), |r| {
            Ok((r.get::<_, String>(1)?, family, r.get::<_, String>(0)?))
        })?;
        for row in rows {
            found.push(row?);
        }
    }
    found.sort_by(|a, b| b.cmp(a));
    let total = found.len() as i64;
    let mut hits = Vec::new();
    for (_, family, id) in found.into_iter().take(limit) {
        if let Some(h) = hit(conn, family, &id)? {
            hits.push(h);
        }
    }
    Ok((total, hits))
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

/// The same search as a `LIKE` scan of every searchable column (one word, as typed): the reference for tests
/// and the baseline of the benchmark. Returns the number of hits and their ids.
pub fn scan(conn: &Connection, query: &str) -> Result<(i64, Vec<String>)> {
    let q = query.trim();
    if q.is_empty() {
        return Ok((0, Vec::new()));
    }
    let pattern = like(q);
    let mut ids = Vec::new();
    for family in FAMILIES {
        let Some(select) = source(family) else {
            continue;
        };
        let cond: Vec<String> = TEXTS
            .map(|i| format!("coalesce(c{i}, '') LIKE ?1 ESCAPE '\\'"))
            .collect();
        let sql = format!(
            "WITH x(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9) AS ({select} WHERE t.deleted = 0)
             SELECT c0 FROM x WHERE {}",
            cond.join(" OR ")
        );
        let mut st = conn.prepare_cached(&sql)?;
        for row in st.query_map([&pattern], |r| r.get::<_, String>(0))? {
            ids.push(row?);
        }
    }
    Ok((ids.len() as i64, ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_spell_code_points_as_hex_does() {
        for n in [
            0,
            1,
            0xf,
            0x10,
            0xff,
            0x4e00,
            0x9fa5,
            0x1_0000,
            0x10_ffff,
            u32::MAX,
        ] {
            let mut s = String::new();
            push_hex(&mut s, n);
            assert_eq!(s, format!("{n:x}"));
        }
        assert_eq!(
            bi('燃', '气'),
            format!("b{:x}x{:x}", '燃' as u32, '气' as u32)
        );
    }

    #[test]
    fn text_becomes_characters_and_pairs_per_run() {
        let (u, b) = grams(["燃气 漏", "Ab"].into_iter());
        assert_eq!(u.split_whitespace().count(), 5);
        assert_eq!(
            b.split_whitespace().collect::<Vec<_>>(),
            vec![&bi('燃', '气')[..], "zz", "zz", &bi('a', 'b')[..], "zz"]
        );
    }

    #[test]
    fn a_query_is_each_words_phrase() {
        assert_eq!(fts_query("  ", &[]), None);
        assert_eq!(
            fts_query("气", &[]).unwrap(),
            format!("uni : {}", uni('气'))
        );
        assert_eq!(
            fts_query("燃气灶 漏", &[]).unwrap(),
            format!(
                "bi : \"{} {}\" AND uni : {}",
                bi('燃', '气'),
                bi('气', '灶'),
                uni('漏')
            )
        );
        // Quotes and operators in a query are only characters.
        let q = fts_query("\"a\" OR b*", &[]).unwrap();
        assert!(q.contains(&bi('b', '*')) && q.contains(&bi('o', 'r')) && !q.contains(" OR "));
    }

    #[test]
    fn a_word_inside_a_run_of_a_label_finds_its_code() {
        let gas = Label {
            kind: "category".into(),
            code: "gas".into(),
            text: "燃气 燃气 gas gas".into(),
        };
        let chem = Label {
            kind: "category".into(),
            code: "chem".into(),
            text: "危险化学品 危化品 Hazardous chemicals chem".into(),
        };
        let labels = [gas, chem];
        assert_eq!(tag("category", "gas"), "t63617465676f72793a676173");
        assert_eq!(
            fts_query("燃", &labels).unwrap(),
            format!("(uni : {} OR tag : {})", uni('燃'), tag("category", "gas"))
        );
        // Lowered, inside one run: "chemicals" holds "chem"; no label holds a word across two runs.
        let q = fts_query("CHEM", &labels).unwrap();
        assert!(
            q.ends_with(&format!("OR tag : {})", tag("category", "chem"))),
            "{q}"
        );
        assert!(!q.contains(&tag("category", "gas")), "{q}");
        assert!(!fts_query("品危", &labels).unwrap().contains("tag"));
    }
}
