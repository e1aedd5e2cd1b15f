//! `wangge report`: builds the figures and writes them as a table, JSON or CSV, to the terminal or a file.

use std::path::Path;

use chrono::NaiveDate;

use super::Format;
use super::commands::Result;
use super::out::{write_file, write_stdout};
use crate::domain::{Lang, validate};
use crate::error::AppError;
use crate::report;
use crate::store::{self, Store, device};

fn parse_day(s: Option<&str>) -> Result<Option<NaiveDate>> {
    Ok(s.map(|s| validate::parse_date("date", s)).transpose()?)
}

/// The format asked for, else the one `--out`'s extension names, else the table.
fn format_for(format: Option<Format>, out: Option<&Path>) -> Format {
    let ext = out
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match (format, ext.as_deref()) {
        (Some(f), _) => f,
        (None, Some("json")) => Format::Json,
        (None, Some("csv")) => Format::Csv,
        (None, Some("xlsx")) => Format::Xlsx,
        _ => Format::Table,
    }
}

pub fn report(
    store: &Store,
    format: Option<Format>,
    out: Option<&Path>,
    from: Option<&str>,
    to: Option<&str>,
    lang: Lang,
) -> Result<i32> {
    let (from, to) = (parse_day(from)?, parse_day(to)?);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(AppError::input(
            "--from 不能晚于 --to",
            "--from cannot be after --to",
        ));
    }
    let format = format_for(format, out);
    if format == Format::Xlsx {
        return Err(AppError::input(
            "XLSX 格式随县级汇总功能提供，目前请用 --format csv（Excel 和 WPS 可直接打开）",
            "XLSX comes with the county exchange; use --format csv for now (Excel and WPS open it)",
        ));
    }
    let dev = device::get(store.conn())?;
    let r = report::build(store.conn(), store.now(), &dev.region, from, to)?;
    let bytes = match format {
        Format::Json => {
            let mut b = serde_json::to_vec_pretty(&r).unwrap_or_default();
            b.push(b'\n');
            b
        }
        Format::Csv => {
            let mut b = Vec::new();
            report::csv::write(&r, lang, &mut b).map_err(|e| AppError::io(Path::new("csv"), e))?;
            b
        }
        Format::Table | Format::Xlsx => {
            let name = store::regions::name(store.conn(), &dev.region)?.unwrap_or_default();
            report::table::render(&r, &name, lang).into_bytes()
        }
    };
    match out {
        Some(file) => {
            write_file(file, &bytes)?;
            eprintln!("{} {}", lang.pick("已写入", "Written to"), file.display());
        }
        None => write_stdout(&bytes)?,
    }
    Ok(0)
}
