//! Regions: the built-in county and townships, villages and grids imported from CSV (UTF-8 or GBK) or added
//! and renamed on screen inside the device's jurisdiction, and the jurisdiction check every write makes.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{Result, StoreError, WriteCtx, audit};
use crate::domain::ids::RegionCode;
use crate::domain::region::Level;
use crate::domain::{Lang, Localized};

/// One region row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: Level,
    pub parent: Option<RegionCode>,
}

/// Every region, or those inside `within`, by code.
pub fn list(conn: &Connection, within: Option<&RegionCode>) -> Result<Vec<Region>> {
    let prefix = within.map(RegionCode::prefix).unwrap_or("");
    let mut st = conn.prepare_cached(
        "SELECT code, name, level, parent FROM regions WHERE code >= ?1 AND code < ?1 || 'a' ORDER BY code",
    )?;
    let rows = st.query_map([prefix], |r| {
        Ok((
            r.get::<_, RegionCode>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<RegionCode>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (code, name, level, parent) = row?;
        if let Some(level) = Level::from_code(&level) {
            out.push(Region {
                code,
                name,
                level,
                parent,
            });
        }
    }
    Ok(out)
}

/// The name of a region, if known.
pub fn name(conn: &Connection, code: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT name FROM regions WHERE code = ?1")?
        .query_row([code], |r| r.get(0))
        .optional()?)
}

/// Refuses a region that is unknown or lies outside this device's jurisdiction.
pub fn check_inside(conn: &Connection, ctx: &WriteCtx, code: &RegionCode) -> Result<()> {
    judge_inside(name(conn, code)?.is_some(), ctx, code)
}

/// `check_inside` for a region the caller found `known` or not.
pub fn judge_inside(known: bool, ctx: &WriteCtx, code: &RegionCode) -> Result<()> {
    if !known {
        return Err(StoreError::UnknownRegion(code.to_string()));
    }
    if !ctx.region.contains(code) {
        return Err(StoreError::OutsideJurisdiction {
            code: code.to_string(),
            region: ctx.region.to_string(),
        });
    }
    Ok(())
}

/// Inserts or renames regions by code (`source`: import, demo or bundle). Parents must exist or come first.
pub fn upsert(tx: &Transaction, rows: &[Region], source: &str) -> Result<usize> {
    let mut st = tx.prepare_cached(
        "INSERT INTO regions (code, name, level, parent, source) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(code) DO UPDATE SET name = excluded.name",
    )?;
    for r in rows {
        st.execute(params![r.code, r.name, r.level.code(), r.parent, source])?;
    }
    Ok(rows.len())
}

/// Reads a region CSV (`code,name,level,parent`, UTF-8 or GBK as Excel on Chinese Windows saves it) and checks
/// every row against the code structure. A bad row is reported by line number and nothing is returned.
pub fn parse_csv(
    path: &Path,
    bytes: &[u8],
    known: &dyn Fn(&RegionCode) -> bool,
) -> Result<Vec<Region>> {
    let text = decode(bytes).ok_or_else(|| not_text(path))?;
    let bad = |line: usize, zh: String, en: String| StoreError::bad_file(path, Some(line), zh, en);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| {
            bad(
                1,
                format!("无法读取表头（{e}）"),
                format!("cannot read the header ({e})"),
            )
        })?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect::<Vec<_>>();
    if headers != ["code", "name", "level", "parent"] {
        return Err(bad(
            1,
            "表头应为 code,name,level,parent".into(),
            "the header must be code,name,level,parent".into(),
        ));
    }
    let mut rows: Vec<Region> = Vec::new();
    let mut seen: std::collections::HashSet<RegionCode> = std::collections::HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| {
            bad(
                line,
                format!("格式不对（{e}）"),
                format!("malformed row ({e})"),
            )
        })?;
        let field = |n: usize| record.get(n).unwrap_or("").trim().to_owned();
        let code = RegionCode::typed(&field(0))
            .map_err(|e| bad(line, e.message(Lang::Zh), e.message(Lang::En)))?;
        let level = code.level();
        let name = crate::domain::validate::line("region_name", &field(1), 50)
            .map_err(|e| bad(line, e.message(Lang::Zh), e.message(Lang::En)))?;
        if Level::from_code(&field(2)) != Some(level) {
            return Err(bad(
                line,
                format!("级别「{}」与代码不符，应为 {}", field(2), level.code()),
                format!(
                    "level '{}' does not match the code; it should be {}",
                    field(2),
                    level.code()
                ),
            ));
        }
        let parent = code.parent();
        let given = Some(field(3)).filter(|s| !s.is_empty());
        let same = match (&given, &parent) {
            (None, None) => true,
            (Some(g), Some(p)) => RegionCode::typed(g).is_ok_and(|g| g == *p),
            _ => false,
        };
        if !same {
            return Err(bad(
                line,
                format!(
                    "上级「{}」与代码不符，应为 {}",
                    field(3),
                    parent.as_deref().unwrap_or("-")
                ),
                format!(
                    "parent '{}' does not match the code; it should be {}",
                    field(3),
                    parent.as_deref().unwrap_or("-")
                ),
            ));
        }
        if let Some(p) = &parent
            && !known(p)
            && !seen.contains(p)
        {
            return Err(bad(
                line,
                format!("上级 {p} 不存在，请先导入上级区划（上级行要排在前面）"),
                format!(
                    "parent {p} does not exist; import it first (parents must come before children)"
                ),
            ));
        }
        if !seen.insert(code.clone()) {
            return Err(bad(
                line,
                format!("代码 {code} 重复"),
                format!("code {code} appears twice"),
            ));
        }
        rows.push(Region {
            code,
            name,
            level,
            parent,
        });
    }
    Ok(rows)
}

/// UTF-8 (with or without BOM), else GBK/GB18030 as Excel saves CSV on Chinese Windows; None when the bytes are
/// neither (a binary file, or text in another encoding), rather than text with replacement characters.
pub fn decode(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s.to_owned()),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|s| s.into_owned()),
    }
}

/// The error for a file that is neither UTF-8 nor GBK text.
pub fn not_text(path: &Path) -> StoreError {
    StoreError::bad_file(
        path,
        None,
        "不是 UTF-8 或 GBK 编码的文本文件（请在 Excel 里另存为“CSV UTF-8”）",
        "not UTF-8 or GBK text (save it from Excel as \"CSV UTF-8\")",
    )
}

/// Imports parsed rows in the caller's transaction, with one audit row.
pub fn import(tx: &Transaction, ctx: &WriteCtx, rows: &[Region]) -> Result<usize> {
    let n = upsert(tx, rows, "import")?;
    audit::append(
        tx,
        ctx,
        "region",
        "-",
        "import",
        None,
        &serde_json::json!({ "rows": n }),
    )?;
    Ok(n)
}

/// Adds region `n` under `parent` (a village under a township, a grid under a village) inside this device's
/// jurisdiction, audited. It travels to the county with the records that lie in it, as region lines do.
pub fn add(
    tx: &Transaction,
    ctx: &WriteCtx,
    parent: &RegionCode,
    n: u16,
    name: &str,
) -> Result<Region> {
    use crate::domain::record::DomainError;
    let name = region_name(name)?;
    check_inside(tx, ctx, parent)?;
    let Some(code) = parent.child(n) else {
        return Err(DomainError::rule(
            format!("{parent} 之下不能再分（村之下是网格，网格之下不再分），编号应为 1 到 999"),
            format!("Nothing can be added under {parent} with number {n} (villages hold grids, grids nothing; numbers run 1 to 999)"),
        )
        .into());
    };
    if let Some(known) = name_of(tx, &code)? {
        return Err(DomainError::rule(
            format!("{code} 已有：{known}；请换一个编号"),
            format!("{code} exists already ({known}); choose another number"),
        )
        .into());
    }
    let region = Region {
        level: code.level(),
        code,
        name,
        parent: Some(parent.clone()),
    };
    upsert(tx, std::slice::from_ref(&region), "import")?;
    audit::append(
        tx,
        ctx,
        "region",
        &region.code,
        "add",
        None,
        &serde_json::json!({ "name": region.name, "parent": parent }),
    )?;
    Ok(region)
}

/// Renames a village or grid inside this device's jurisdiction (not the device's own region, nor a built-in
/// one), audited; the records that lie in it are indexed again, so that search finds them by the new name.
pub fn rename(tx: &Transaction, ctx: &WriteCtx, code: &RegionCode, name: &str) -> Result<()> {
    use crate::domain::record::DomainError;
    let name = region_name(name)?;
    check_inside(tx, ctx, code)?;
    let source: String = tx
        .prepare_cached("SELECT source FROM regions WHERE code = ?1")?
        .query_row([code], |r| r.get(0))?;
    if *code == ctx.region || source == "builtin" {
        return Err(DomainError::rule(
            "县、乡镇和本设备自己的区划名称不在这里修改",
            "The county's, the townships' and this device's own names are not changed here",
        )
        .into());
    }
    let old = name_of(tx, code)?.unwrap_or_default();
    tx.prepare_cached("UPDATE regions SET name = ?2, source = 'import' WHERE code = ?1")?
        .execute(params![code, name])?;
    audit::append(
        tx,
        ctx,
        "region",
        code,
        "rename",
        None,
        &serde_json::json!({ "from": old, "to": name }),
    )?;
    super::search::index_region(tx, code)
}

/// The first number not yet taken under `parent` (villages from 201, as NBS numbers 村委会; grids from 1).
pub fn next_free(conn: &Connection, parent: &RegionCode) -> Result<Option<u16>> {
    let start = if parent.level() == Level::Township {
        201
    } else {
        1
    };
    for n in (start..=999).chain(1..start) {
        match parent.child(n) {
            Some(code) if name_of(conn, &code)?.is_none() => return Ok(Some(n)),
            _ => {}
        }
    }
    Ok(None)
}

/// The villages and grids inside `own` named on this device (imported from CSV or added on screen).
pub fn named_here(conn: &Connection, own: &RegionCode) -> Result<Vec<RegionCode>> {
    let mut st = conn.prepare_cached(
        "SELECT code FROM regions WHERE source = 'import' AND code >= ?1 AND code < ?1 || 'a' AND code <> ?2",
    )?;
    let rows = st.query_map(params![own.prefix(), own], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A region's name as typed: one line, not empty, at most 50 characters.
fn region_name(name: &str) -> Result<String> {
    use crate::domain::record::DomainError;
    use crate::domain::validate::{Invalid, line};
    let name = line("region_name", name, 50).map_err(DomainError::from)?;
    if name.is_empty() {
        return Err(DomainError::from(Invalid::Required {
            field: "region_name",
        })
        .into());
    }
    Ok(name)
}

fn name_of(conn: &Connection, code: &RegionCode) -> Result<Option<String>> {
    name(conn, code)
}

/// A region as a person names it: its township, village and grid names from the top down (the county left
/// out), then its code.
pub fn path(conn: &Connection, code: &RegionCode) -> Result<String> {
    let mut names = Vec::new();
    let mut at = Some(code.clone());
    while let Some(c) = at {
        if c.level() == Level::County {
            break;
        }
        let row = super::exchange::region_row(conn, c.as_str())?;
        match row {
            Some(r) => {
                names.push(r.name);
                at = r.parent;
            }
            None => break,
        }
    }
    names.reverse();
    names.push(code.to_string());
    Ok(names.join(" "))
}

/// Whether a code is known.
pub fn exists(conn: &Connection, code: &str) -> Result<bool> {
    Ok(name(conn, code)?.is_some())
}

/// The built-in county and townships, without any database (for the first-run screen).
pub fn builtin() -> Result<Vec<Region>> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch(super::migrate::SCHEMA)?;
    list(&conn, None)
}
