//! Search across all families with Chinese queries of one or more characters: summaries, descriptions and
//! contents, place names and addresses, and petitioners' names (matched here, masked by whoever shows them).
//!
//! An FTS5 index holds each record's text as single characters and as pairs of neighbouring characters,
//! each spelled as hex so FTS5 sees plain ASCII tokens: one character is looked up among the singles, a longer
//! query is the phrase of its pairs (consecutive, so it matches exactly where the text holds the query). A
//! record's codes (category, status, …) are one tag each, and a word also finds the codes whose labels hold it. Its
//! rowid follows the record's date, so the newest hits come first without a sort; a one-character query is counted
//! from FTS5's own tally of that character's documents (`count_one`). Every save keeps the index current
//! (`index`, one record through `index_keys`); a bulk import marks it stale in its transaction and rebuilds it in
//! one pass afterwards; the demo's bulk writer marks it stale and loads it a group of batches at a time
//! (`begin_loading`, `index_keys`, `end_loading`); a database opened while marked is rebuilt first. `scan` is the
//! plain `LIKE` search it replaced, kept as the reference the tests and the benchmark compare against.

mod sources;
mod tokens;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{Result, Store};
use crate::domain::record::Family;
use sources::{PERSON, SUMMARY, TAGS, TEXTS, indexed, source};
use tokens::{fts_query, grams, labels, one_character};

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

/// Day number of a `YYYY-MM-DD` date (0 for anything else).
fn day(date: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| i64::from(chrono::Datelike::num_days_from_ce(&d)))
        .unwrap_or(0)
        .max(0)
}

/// Removes a record's document, if it has one.
fn remove(tx: &Transaction, key: i64) -> Result<()> {
    let rowid: Option<i64> = tx
        .prepare_cached("SELECT rowid FROM search_docs WHERE record = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    if let Some(rowid) = rowid {
        tx.prepare_cached("DELETE FROM search_fts WHERE rowid = ?1")?
            .execute([rowid])?;
        tx.prepare_cached("DELETE FROM search_docs WHERE rowid = ?1")?
            .execute([rowid])?;
    }
    Ok(())
}

/// A record's document as the index takes it.
struct Doc {
    day: i64,
    key: i64,
    uni: String,
    bi: String,
    tags: Option<String>,
}

impl Doc {
    /// The document of the record an indexed select's row `r` reads.
    fn read(r: &rusqlite::Row) -> Result<Doc> {
        let (key, date): (i64, String) = (r.get(0)?, r.get(1)?);
        let fields: Vec<Option<String>> =
            TEXTS.map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?;
        let (uni, bi) = grams(fields.iter().flatten().map(String::as_str));
        Ok(Doc {
            day: day(&date),
            key,
            uni,
            bi,
            tags: r.get(TAGS)?,
        })
    }
}

/// How many documents one day's range of rowids holds: a day's rowids run from `day << 20` up.
const DAY: i64 = 1 << 20;

/// The statements that add documents, each as the next rowid of its day. Documents go in fastest in rowid
/// order, by day and then key: FTS5 writes what it holds pending as a segment of its own whenever a rowid comes
/// below the last one. A day whose range is used up to its end (each edit adds its record's document anew, one
/// above the day's last) takes the lowest free rowid in its range, so no document leaves its day's range or
/// lands on another's.
struct Adder<'t> {
    next: rusqlite::CachedStatement<'t>,
    free: rusqlite::CachedStatement<'t>,
    docs: rusqlite::CachedStatement<'t>,
    fts: rusqlite::CachedStatement<'t>,
    /// The day and rowid of the document added last above its day's others: the next of the same day follows.
    last: Option<(i64, i64)>,
}

impl<'t> Adder<'t> {
    fn new(tx: &'t Transaction) -> Result<Adder<'t>> {
        Ok(Adder {
            next: tx.prepare_cached(
                "SELECT coalesce(max(rowid), ?1) + 1 FROM search_docs WHERE rowid > ?1 AND rowid < ?1 + 1048576",
            )?,
            free: tx.prepare_cached(
                "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM search_docs WHERE rowid = ?1 + 1) THEN ?1 + 1
                 ELSE (SELECT min(d.rowid) + 1 FROM search_docs d
                       WHERE d.rowid > ?1 AND d.rowid < ?1 + 1048575
                         AND NOT EXISTS (SELECT 1 FROM search_docs e WHERE e.rowid = d.rowid + 1)) END",
            )?,
            // A record id held by two families (a database damaged by an earlier version) is indexed once.
            docs: tx.prepare_cached(
                "INSERT INTO search_docs (rowid, record) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?,
            fts: tx.prepare_cached(
                "INSERT INTO search_fts (rowid, uni, bi, tag) VALUES (?1, ?2, ?3, ?4)",
            )?,
            last: None,
        })
    }

    fn add(&mut self, d: Doc) -> Result<()> {
        let base = d.day << 20;
        let mut rowid = match self.last {
            Some((day, rowid)) if day == d.day => rowid + 1,
            _ => self.next.query_row([base], |r| r.get(0))?,
        };
        self.last = Some((d.day, rowid));
        if rowid >= base + DAY {
            self.last = None;
            rowid = self
                .free
                .query_row([base], |r| r.get::<_, Option<i64>>(0))?
                .ok_or_else(|| {
                    super::StoreError::refused(
                        format!("同一天的记录超过 {} 条，搜索索引放不下；请联系县级中心", DAY - 1),
                        format!(
                            "more than {} records on one day: the search index cannot hold them; contact the county centre",
                            DAY - 1
                        ),
                    )
                })?;
        }
        if self.docs.execute(params![rowid, d.key])? > 0 {
            self.fts.execute(params![rowid, d.uni, d.bi, d.tags])?;
        }
        Ok(())
    }
}

/// The records whose documents show a record of `family` (a place's name and address, a patrol's route).
fn shown_by(family: Family) -> &'static [(Family, &'static str)] {
    match family {
        Family::Place => &[
            (
                Family::Inspection,
                "SELECT key FROM inspections WHERE place_key = ?1",
            ),
            (
                Family::Hazard,
                "SELECT key FROM hazards WHERE place_key = ?1",
            ),
        ],
        Family::Patrol => &[(
            Family::Finding,
            "SELECT key FROM findings WHERE patrol_key = ?1",
        )],
        _ => &[],
    }
}

/// Brings one record's document up to date (a deleted or missing record has none). A place's change
/// re-indexes the inspections and hazards that show its name and address; a patrol's re-indexes the findings
/// that show its route, and the patrol itself.
pub fn index(tx: &Transaction, family: Family, id: &str) -> Result<()> {
    match super::keys::find(tx, id)? {
        Some(key) => index_keys(tx, [(family, key)], true),
        None => Ok(()),
    }
}

/// `index` of many records at once, by key: a batch of the demo's bulk writer, or the records of a region.
/// With `shown`, the records that show a place or a patrol among them are brought up to date too.
pub fn index_keys(
    tx: &Transaction,
    records: impl IntoIterator<Item = (Family, i64)>,
    shown: bool,
) -> Result<()> {
    let mut todo: Vec<(Family, i64)> = records.into_iter().collect();
    if shown {
        let mut dependents = Vec::new();
        for (family, key) in &todo {
            for (f, sql) in shown_by(*family) {
                let mut st = tx.prepare_cached(sql)?;
                for row in st.query_map([key], |r| r.get::<_, i64>(0))? {
                    dependents.push((*f, row?));
                }
            }
        }
        todo.append(&mut dependents);
    }
    let mut docs = Vec::new();
    for family in FAMILIES {
        let Some(select) = indexed(family) else {
            continue;
        };
        let mut keys: Vec<i64> = todo
            .iter()
            .filter(|(f, _)| *f == family)
            .map(|(_, k)| *k)
            .collect();
        if keys.is_empty() {
            continue;
        }
        keys.sort_unstable();
        keys.dedup();
        for key in &keys {
            remove(tx, *key)?;
        }
        let list: Vec<String> = keys.iter().map(i64::to_string).collect();
        let list = format!("[{}]", list.join(","));
        let mut st = tx.prepare_cached(&format!(
            "{select} WHERE t.key IN (SELECT value FROM json_each(?1)) AND t.deleted = 0"
        ))?;
        let mut rows = st.query([list])?;
        while let Some(r) = rows.next()? {
            docs.push(Doc::read(r)?);
        }
    }
    docs.sort_unstable_by_key(|d| (d.day, d.key));
    let mut adder = Adder::new(tx)?;
    for d in docs {
        adder.add(d)?;
    }
    Ok(())
}

/// Brings the documents of every record lying in `region` up to date (its name is part of their text).
pub fn index_region(tx: &Transaction, region: &crate::domain::ids::RegionCode) -> Result<()> {
    let mut found: Vec<(Family, i64)> = Vec::new();
    for family in FAMILIES {
        let mut st = tx.prepare_cached(&format!(
            "SELECT key FROM {} WHERE region_code >= ?1 AND region_code < ?1 || 'a'",
            family.table()
        ))?;
        for key in st.query_map([region.prefix()], |r| r.get::<_, i64>(0))? {
            found.push((family, key?));
        }
    }
    index_keys(tx, found, false)
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
    // Emptied at once ('delete-all'; a DELETE would remove each document's tokens one by one).
    tx.execute_batch(
        "INSERT INTO search_fts (search_fts) VALUES ('delete-all');
         DELETE FROM search_docs;",
    )?;
    begin_loading(tx)?;
    let union: Vec<String> = FAMILIES
        .iter()
        .filter_map(|f| indexed(*f).map(|s| format!("{s} WHERE t.deleted = 0")))
        .collect();
    // In rowid order: the documents go in as the index keeps them.
    let mut st = tx.prepare(&format!("{} ORDER BY 2, 1", union.join(" UNION ALL ")))?;
    let mut rows = st.query([])?;
    let mut adder = Adder::new(tx)?;
    while let Some(r) = rows.next()? {
        adder.add(Doc::read(r)?)?;
    }
    end_loading(tx)
}

/// Before a load of many documents (a rebuild, the demo's batches), in the index's marked-stale state: segments
/// are not merged as they come ('automerge' 0), as one merge at the end is cheaper than merging every few
/// flushes, and larger flushes ('hashsize') make fewer segments to merge. Kept in the index's own settings, so
/// a load cut short leaves them until the rebuild the stale mark asks for.
pub fn begin_loading(tx: &Transaction) -> Result<()> {
    Ok(tx.execute_batch(
        "INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 0);
         INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 33554432);",
    )?)
}

/// After the load: back to the defaults every save works with, the segments merged into one, and the stale
/// mark cleared.
pub fn end_loading(tx: &Transaction) -> Result<()> {
    tx.execute_batch(
        "INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 1048576);
         INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 4);
         INSERT INTO search_fts (search_fts) VALUES ('optimize');",
    )?;
    super::device::set_setting(tx, "search_stale", "0")
}

/// The family of a document's record: the one among the families the index holds whose table has its key live.
fn family_of_doc(conn: &Connection, key: i64) -> Result<Option<Family>> {
    for family in FAMILIES {
        let sql = format!(
            "SELECT 1 FROM {} WHERE key = ?1 AND deleted = 0",
            family.table()
        );
        if conn.prepare_cached(&sql)?.exists([key])? {
            return Ok(Some(family));
        }
    }
    Ok(None)
}

/// The summary and person a hit shows, of the record `key` names.
fn hit(conn: &Connection, family: Family, key: i64) -> Result<Option<Hit>> {
    let Some(select) = source(family) else {
        return Ok(None);
    };
    Ok(conn
        .prepare_cached(&format!("{select} WHERE t.key = ?1"))?
        .query_row([key], |r| {
            Ok(Hit {
                family,
                id: r.get(0)?,
                date: r.get(1)?,
                summary: r.get::<_, Option<String>>(SUMMARY)?.unwrap_or_default(),
                person: r.get(PERSON)?,
            })
        })
        .optional()?)
}

/// The newest `limit` hits for `query`, and the exact number of hits.
pub fn search(conn: &Connection, query: &str, limit: usize) -> Result<(i64, Vec<Hit>)> {
    let labels = labels(conn)?;
    let Some(q) = fts_query(query, &labels) else {
        return Ok((0, Vec::new()));
    };
    if is_stale(conn)? {
        return search_unindexed(conn, query, limit);
    }
    let total = match one_character(query, &labels) {
        Some((token, tags)) => count_one(conn, &token, &tags)?,
        None => count(conn, &q)?,
    };
    let mut st = conn.prepare_cached(
        "SELECT d.record FROM search_fts f CROSS JOIN search_docs d ON d.rowid = f.rowid
         WHERE search_fts MATCH ?1 ORDER BY f.rowid DESC LIMIT ?2",
    )?;
    let found: Vec<i64> = st
        .query_map(params![q, limit as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut hits = Vec::with_capacity(found.len());
    // A document names its record; the record's table tells its family.
    for key in found {
        if let Some(family) = family_of_doc(conn, key)?
            && let Some(h) = hit(conn, family, key)?
        {
            hits.push(h);
        }
    }
    Ok((total, hits))
}

/// The number of documents `q` matches, each match walked.
fn count(conn: &Connection, q: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?1")?
        .query_row([q], |r| r.get(0))?)
}

/// The number of documents holding a character's `token` or one of `tags` (query terms), exactly what
/// `count` gives for the query of that character, without walking each match through SQLite's row loop: the
/// documents FTS5 counts for the token in its posting list (its vocabulary table, which skips deleted
/// documents as a match does), plus those a tag finds without the character. A character in a million records
/// is counted in under 60% of the time (2026-12-03: 村 at 1M, 42 ms against 73 ms). The first call on a
/// connection creates the vocabulary table in `temp`, which makes SQLite re-prepare the connection's statements
/// (none of them is mid-iteration when a search runs).
fn count_one(conn: &Connection, token: &str, tags: &[String]) -> Result<i64> {
    conn.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, search_fts, row)",
    )?;
    let own: i64 = conn
        .prepare_cached("SELECT doc FROM temp.search_vocab WHERE term = ?1")?
        .query_row([token], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    if tags.is_empty() {
        return Ok(own);
    }
    Ok(own + count(conn, &format!("({}) NOT uni : {token}", tags.join(" OR ")))?)
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
        let Some(key) = super::keys::find(conn, &id)? else {
            continue;
        };
        if let Some(h) = hit(conn, family, key)? {
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
