//! `wangge check`: SQLite's integrity check plus the domain's invariants (legal lifecycle states, consistent
//! versions, a complete journal, an intact audit chain), and warnings about the file and the holiday table.

use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::audit::{self, AuditRow, GENESIS};
use super::{Result, holidays, records};
use crate::domain::hazard::Hazard;
use crate::domain::hazard::HazardStatus;
use crate::domain::inspection::Inspection;
use crate::domain::patrol::{Finding as PatrolFinding, Patrol};
use crate::domain::patrol::{FindingStatus, PatrolStatus};
use crate::domain::petition::Petition;
use crate::domain::petition::PetitionStatus;
use crate::domain::place::Place;
use crate::domain::record::Family;
use crate::domain::record::Record;
use crate::domain::{Lang, Localized};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One thing `check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub zh: String,
    pub en: String,
}

impl Localized for Finding {
    fn message(&self, lang: Lang) -> String {
        lang.pick(&self.zh, &self.en).to_owned()
    }
}

fn error(zh: String, en: String) -> Finding {
    Finding {
        severity: Severity::Error,
        zh,
        en,
    }
}

/// One invariant check: reads the database, adds what it finds.
type Check = fn(&Connection, NaiveDate, &mut Vec<Finding>) -> Result<()>;

/// Runs every check. A database so damaged that SQLite cannot read it is itself a finding, never a crash.
pub fn run(conn: &Connection, today: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Err(e) = integrity(conn, &mut out) {
        out.push(error(
            format!("数据库文件已损坏，无法完成检查（{e}）；请用最近的备份恢复"),
            format!("The database file is damaged and cannot be checked ({e}); restore the latest backup"),
        ));
        return out;
    }
    let checks: [Check; 9] = [
        identities,
        shared_ids,
        lifecycles,
        versions,
        journal,
        audit_chain,
        record_states,
        search_index,
        holiday_years,
    ];
    for check in checks {
        if let Err(e) = check(conn, today, &mut out) {
            out.push(error(
                format!("检查时读取数据库出错：{e}"),
                format!("Reading the database failed during the check: {e}"),
            ));
        }
    }
    out
}

fn integrity(conn: &Connection, out: &mut Vec<Finding>) -> Result<()> {
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    let rows = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for row in rows.into_iter().filter(|r| r != "ok").take(20) {
        out.push(error(
            format!("SQLite 完整性检查：{row}"),
            format!("SQLite integrity check: {row}"),
        ));
    }
    let fk = conn
        .prepare("PRAGMA foreign_key_check")?
        .query_map([], |r| r.get::<_, String>(0))?
        .count();
    if fk > 0 {
        out.push(error(
            format!("有 {fk} 条记录引用了不存在的记录"),
            format!("Rows that refer to records that do not exist: {fk}"),
        ));
    }
    Ok(())
}

/// Identities in their canonical spelling: a row that holds another (left by an earlier version that took
/// such spellings from a bundle) is named, since reading it fails.
fn identities(conn: &Connection, _today: NaiveDate, out: &mut Vec<Finding>) -> Result<()> {
    const CODE: &str = "(length({c}) NOT IN (12, 15) OR {c} GLOB '*[^0-9]*')";
    // A device or a record is named by its key in `ids`: a key that names nothing is as unreadable as a bad
    // spelling. (`ids` holds a canonical UUID as its 16 bytes, any other spelling as text.)
    const DEVICE: &str = "coalesce((SELECT typeof(i.id) <> 'blob' OR length(i.id) <> 16 FROM ids i \
                          WHERE i.key = {c}), 1)";
    const RECORD: &str = "({c} IS NOT NULL AND coalesce((SELECT typeof(i.id) <> 'blob' OR length(i.id) <> 16 \
                          FROM ids i WHERE i.key = {c}), 1))";
    // And so is each device of the version vector (a vector that is not JSON is `versions`' to name).
    const VECTOR: &str = "EXISTS (SELECT 1 FROM json_each(iif(json_valid({c}), {c}, '{}')) j \
                          WHERE NOT EXISTS (SELECT 1 FROM ids i WHERE i.key = j.key))";
    for family in Family::ALL {
        let mut conds: Vec<String> = [
            // Qualified: inside the lookups a bare `key` is `ids`'s own.
            (DEVICE, "t.key"),
            (DEVICE, "t.origin"),
            (DEVICE, "t.updated_by"),
            (VECTOR, "t.vv"),
            (CODE, "t.region_code"),
        ]
        .iter()
        .map(|(shape, column)| shape.replace("{c}", column))
        .collect();
        // The records it refers to, by their keys.
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1)")?
            .query_map([family.table()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for (_, column) in &super::keys::RECORD_COLUMNS[1..] {
            if columns.iter().any(|c| c == column) {
                conds.push(RECORD.replace("{c}", &format!("t.{column}")));
            }
        }
        let sql = format!(
            "SELECT n, {} FROM (SELECT count(*) AS n, min(t.key) AS first FROM {} t WHERE {}) x",
            super::keys::id_of("x.first"),
            family.table(),
            conds.join(" OR ")
        );
        let (n, first) = count_and_first(conn, &sql)?;
        if n > 0 {
            out.push(error(
                format!(
                    "{n} 条{}的编号、设备或区划代码写法不规范（如 {first}）：由旧版本从交换包写入，读取会失败；请用最近的备份恢复",
                    family.label(Lang::Zh)
                ),
                format!(
                    "{} records holding an id, device or region code in a non-canonical spelling (e.g. {first}), written from a bundle by an earlier version: {n}; reading them fails. Restore the latest backup",
                    family.label(Lang::En)
                ),
            ));
        }
    }
    Ok(())
}

/// A query's count and first id, the id neutralised and cut as a message may quote it.
fn count_and_first(conn: &Connection, sql: &str) -> Result<(i64, String)> {
    let (n, first): (i64, Option<String>) =
        conn.query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((n, crate::domain::text::clip(&first.unwrap_or_default(), 40)))
}

/// A record id names one record of one family: an id held by two families (taken from a bundle by an earlier
/// version) is named.
fn shared_ids(conn: &Connection, _today: NaiveDate, out: &mut Vec<Finding>) -> Result<()> {
    let union: Vec<String> = Family::ALL
        .iter()
        .map(|f| format!("SELECT key FROM {}", f.table()))
        .collect();
    let sql = format!(
        "SELECT n, {} FROM (SELECT count(*) AS n, min(k) AS first
             FROM (SELECT key AS k FROM ({}) GROUP BY key HAVING count(*) > 1)) x",
        super::keys::id_of("x.first"),
        union.join(" UNION ALL ")
    );
    let (n, first) = count_and_first(conn, &sql)?;
    if n > 0 {
        out.push(error(
            format!(
                "{n} 个记录编号同时属于两类记录（如 {first}）：由旧版本从交换包写入；请用最近的备份恢复，或请发送方更正后重发"
            ),
            format!(
                "{n} record ids belong to records of two families (e.g. {first}), taken from a bundle by an earlier version; restore the latest backup, or have the sender correct and resend"
            ),
        ));
    }
    Ok(())
}

/// The search index: current (not waiting for a rebuild) and holding one document per live record it covers.
fn search_index(conn: &Connection, _today: NaiveDate, out: &mut Vec<Finding>) -> Result<()> {
    if super::search::is_stale(conn)? {
        out.push(error(
            "搜索索引待重建（上次重建没有完成）：搜索暂时逐条查找，较慢；请运行 wangge reindex".into(),
            "The search index waits for its rebuild (the last one did not finish): search reads every record meanwhile, slowly. Run wangge reindex".into(),
        ));
        return Ok(());
    }
    let live: i64 = super::search::FAMILIES
        .iter()
        .map(|f| {
            conn.query_row(
                &format!("SELECT count(*) FROM {} WHERE deleted = 0", f.table()),
                [],
                |r| r.get::<_, i64>(0),
            )
        })
        .sum::<rusqlite::Result<i64>>()?;
    let docs: i64 = conn.query_row("SELECT count(*) FROM search_docs", [], |r| r.get(0))?;
    if docs != live {
        out.push(error(
            format!("搜索索引与记录不符（索引 {docs} 条，记录 {live} 条）；请运行 wangge reindex"),
            format!("The search index does not match the records ({docs} documents for {live} records); run wangge reindex"),
        ));
    }
    Ok(())
}

fn lifecycles(conn: &Connection, _today: NaiveDate, out: &mut Vec<Finding>) -> Result<()> {
    let families: [(Family, &[&str]); 4] = [
        (
            Family::Hazard,
            &HazardStatus::ALL
                .iter()
                .map(|s| s.code())
                .collect::<Vec<_>>(),
        ),
        (
            Family::Finding,
            &FindingStatus::ALL
                .iter()
                .map(|s| s.code())
                .collect::<Vec<_>>(),
        ),
        (
            Family::Petition,
            &PetitionStatus::ALL
                .iter()
                .map(|s| s.code())
                .collect::<Vec<_>>(),
        ),
        (
            Family::Patrol,
            &PatrolStatus::ALL
                .iter()
                .map(|s| s.code())
                .collect::<Vec<_>>(),
        ),
    ];
    for (family, legal) in families {
        let sql = format!(
            "SELECT status, count(*) FROM {} GROUP BY status",
            family.table()
        );
        let mut st = conn.prepare(&sql)?;
        for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (status, n) = row?;
            if !legal.contains(&status.as_str()) {
                out.push(error(
                    format!("{} 条{}的状态「{status}」不合法", n, family.label(Lang::Zh)),
                    format!(
                        "{} records with the illegal status '{status}': {n}",
                        family.label(Lang::En)
                    ),
                ));
            }
        }
    }
    let invariants = [
        (
            "hazards",
            "status = 'closed' AND closed_on IS NULL",
            "已销号的隐患没有销号日期",
            "closed hazards without a closing date",
        ),
        (
            "hazards",
            "deadline < found_on",
            "隐患期限早于发现日期",
            "hazards due before they were found",
        ),
        (
            "petitions",
            "status IN ('accepted','in_progress','extended','replied','closed','evaluated') AND accepted_on IS NULL",
            "已受理的信访没有受理日期",
            "accepted petitions without an acceptance date",
        ),
        (
            "petitions",
            "status = 'extended' AND extended_due IS NULL",
            "已延期的信访没有延期期限",
            "extended petitions without an extended deadline",
        ),
        (
            "findings",
            "status = 'referred' AND (department IS NULL OR deadline IS NULL)",
            "已移交的发现没有部门或期限",
            "referred findings without a department or deadline",
        ),
    ];
    for (table, cond, zh, en) in invariants {
        let n: i64 = conn.query_row(
            &format!("SELECT count(*) FROM {table} WHERE {cond}"),
            [],
            |r| r.get(0),
        )?;
        if n > 0 {
            out.push(error(
                format!("{n} 条：{zh}"),
                format!(
                    "{}: {en}",
                    crate::domain::text::count(n as u64, "row", "rows")
                ),
            ));
        }
    }
    Ok(())
}

const TRAVELLING: [Family; 6] = [
    Family::Place,
    Family::Inspection,
    Family::Hazard,
    Family::Patrol,
    Family::Finding,
    Family::Petition,
];

fn versions(conn: &Connection, _today: NaiveDate, out: &mut Vec<Finding>) -> Result<()> {
    for family in TRAVELLING {
        let sql = format!(
            "SELECT count(*) FROM {} t WHERE NOT json_valid(t.vv) OR t.version <>
                 (SELECT coalesce(sum(value), 0) FROM json_each(CASE WHEN json_valid(t.vv) THEN t.vv ELSE '{{}}' END))",
            family.table()
        );
        let n: i64 = conn.query_row(&sql, [], |r| r.get(0))?;
        if n > 0 {
            out.push(error(
                format!("{n} 条{}的版本号与版本向量不一致", family.label(Lang::Zh)),
                format!(
                    "{} records whose version does not match their version vector: {n}",
                    family.label(Lang::En)
                ),
            ));
        }
    }
    Ok(())
}

fn journal(conn: &Connection, _today: NaiveDate, out: &mut Vec<Finding>) -> Result<()> {
    for family in TRAVELLING {
        let sql = format!(
            "SELECT count(*) FROM {} t WHERE t.version <>
                 coalesce((SELECT max(j.version) FROM journal j WHERE j.record = t.key), -1)",
            family.table(),
        );
        let n: i64 = conn.query_row(&sql, [], |r| r.get(0))?;
        if n > 0 {
            out.push(error(
                format!("变更日志不完整：{n} 条{}的当前版本没有日志记录", family.label(Lang::Zh)),
                format!("The change journal is incomplete: {} records without a journal row for their version: {n}", family.label(Lang::En)),
            ));
        }
    }
    // The next number handed out must be new: one behind the numbers in use would give two changes one number,
    // and the county would take them for a fork.
    let (head, used): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT (SELECT seq FROM journal_head), (SELECT max(seq) FROM journal)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if head.is_none() || used > head {
        let (head, used) = (head.unwrap_or(0), used.unwrap_or(0));
        out.push(error(
            format!("变更日志的序号记到第 {head} 条，日志里却已有第 {used} 条：再导出会让县里误报分叉；请用最近的备份恢复"),
            format!("The change journal's counter stands at {head} while the journal already holds number {used}: the next exports would look like a fork to the county; restore the latest backup"),
        ));
    }
    Ok(())
}

fn audit_chain(conn: &Connection, _today: NaiveDate, out: &mut Vec<Finding>) -> Result<()> {
    let mut st = conn.prepare(
        "SELECT a.seq, a.at, d.id, a.actor, a.family, r.id, a.action, a.reason, a.changes, a.state_hash, a.hash
         FROM audit a LEFT JOIN ids d ON d.key = a.device LEFT JOIN ids r ON r.key = a.record ORDER BY a.seq",
    )?;
    let mut rows = st.query([])?;
    // A word's key that names nothing reads as no word: the row's hash no longer matches.
    let names = super::keys::Spelled::names(conn);
    let word = |v: ValueRef| names.word(v);
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1i64;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        // A key whose id is gone reads as no id: the row's hash no longer matches.
        let (device, record_id) = (
            super::keys::spelled(r.get_ref(2)?),
            super::keys::spelled(r.get_ref(5)?),
        );
        let (actor, family, action) = (
            word(r.get_ref(3)?)?,
            word(r.get_ref(4)?)?,
            word(r.get_ref(6)?)?,
        );
        let (device, record_id) = (device.unwrap_or_default(), record_id.unwrap_or_default());
        let (reason, changes, state_hash, hash): (
            Option<String>,
            String,
            Option<Vec<u8>>,
            Vec<u8>,
        ) = (r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?);
        let state_hash = state_hash.map(hex::encode);
        let hash = hex::encode(hash);
        let row = AuditRow {
            seq,
            at: r.get(1)?,
            device: &device,
            actor: &actor,
            family: &family,
            record_id: &record_id,
            action: &action,
            reason: reason.as_deref(),
            changes: &changes,
            state_hash: state_hash.as_deref(),
            prev_hash: &expected_prev,
        };
        let broken = if seq != expected_seq {
            Some((
                format!("第 {expected_seq} 条审计记录缺失"),
                format!("audit row {expected_seq} is missing"),
            ))
        } else if !audit::holds(&hash, &row.hash()) {
            Some((
                format!("第 {seq} 条审计记录被改动过"),
                format!("audit row {seq} was altered"),
            ))
        } else {
            None
        };
        if let Some((zh, en)) = broken {
            out.push(error(
                format!("审计链断裂：{zh}，历史可能被改写"),
                format!("The audit chain is broken: {en}; the history may have been rewritten"),
            ));
            return Ok(());
        }
        expected_prev = hash;
        expected_seq = seq + 1;
    }
    Ok(())
}

/// Every record must be exactly what the audit log says its last change left: a row edited behind the log's
/// back (even only a personal field) is found.
fn record_states(conn: &Connection, _today: NaiveDate, out: &mut Vec<Finding>) -> Result<()> {
    audit::gather_latest_states(conn)?;
    tally::<Place>(conn, out)?;
    tally::<Inspection>(conn, out)?;
    tally::<Hazard>(conn, out)?;
    tally::<Patrol>(conn, out)?;
    tally::<PatrolFinding>(conn, out)?;
    tally::<Petition>(conn, out)?;
    Ok(())
}

fn tally<R: Record>(conn: &Connection, out: &mut Vec<Finding>) -> Result<()> {
    let mut altered = 0usize;
    let mut first = None;
    records::for_each::<R>(conn, |rec| {
        let state = audit::state_hash(&records::to_map(&rec)?);
        let kept = audit::latest_state(conn, R::FAMILY, &rec.meta().id)?;
        if !kept.is_some_and(|kept| audit::holds(&kept, &state)) {
            altered += 1;
            first.get_or_insert_with(|| rec.meta().id.clone());
        }
        Ok(())
    })?;
    if let Some(id) = first {
        let family = R::FAMILY;
        out.push(error(
            format!("{altered} 条{}与审计记录不符（如 {id}），记录可能被绕过程序改动过", family.label(Lang::Zh)),
            format!(
                "{} records that differ from what the audit log recorded (e.g. {id}): {altered}; they may have been edited behind the program's back",
                family.label(Lang::En)
            ),
        ));
    }
    Ok(())
}

fn holiday_years(conn: &Connection, today: NaiveDate, out: &mut Vec<Finding>) -> Result<()> {
    let cal = holidays::calendar(conn)?;
    let mut years = vec![today.year()];
    // Deadlines set in the last two months of a year run into the next one.
    if today.month() >= 11 {
        years.push(today.year() + 1);
    }
    for y in years.into_iter().filter(|y| !cal.covers_year(*y)) {
        out.push(Finding {
            severity: Severity::Warning,
            zh: format!("{y} 年节假日未导入，期限只按周末顺延；请用 wangge holidays import 导入国务院当年放假通知"),
            en: format!("The {y} holiday table is not imported; deadlines skip weekends only. Import it with wangge holidays import"),
        });
    }
    Ok(())
}

/// A warning if the database file can be read by other users (Unix).
pub fn file_permissions(path: &std::path::Path) -> Option<Finding> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return Some(Finding {
                severity: Severity::Warning,
                zh: format!(
                    "数据库文件其他用户可读（权限 {:o}），含个人信息；请运行 chmod 600 {}",
                    mode & 0o777,
                    path.display()
                ),
                en: format!(
                    "The database file is readable by other users (mode {:o}) and holds personal data; run chmod 600 {}",
                    mode & 0o777,
                    path.display()
                ),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}
