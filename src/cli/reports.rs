//! `wangge report` (figures as a table, JSON, CSV or XLSX, to the terminal or a file) and `wangge ledger`
//! (a family's record-level ledger to a CSV or XLSX file).

use std::path::Path;

use chrono::NaiveDate;

use super::Format;
use super::commands::Result;
use super::out::{write_file, write_file_with, write_stdout};
use crate::domain::Lang;
use crate::domain::record::Family;
use crate::error::AppError;
use crate::report;
use crate::report::sheet::{CsvSink, JsonlSink, XlsxSink};
use crate::store::{self, Store, device};

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

/// Both dates, checked and in order.
fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(AppError::input(
            "--from 不能晚于 --to",
            "--from cannot be after --to",
        ));
    }
    Ok((from, to))
}

/// What a printed page says at its top: the region, the period and when the figures were taken.
fn page_head(
    store: &Store,
    region: &crate::domain::ids::RegionCode,
    (from, to): (Option<NaiveDate>, Option<NaiveDate>),
    lang: Lang,
) -> Result<String> {
    let name = store::regions::name(store.conn(), region)?.unwrap_or_default();
    let day = |d: Option<NaiveDate>| d.map_or_else(|| "..".to_owned(), |d| d.to_string());
    let period = match (from, to) {
        (None, None) => lang.pick("全部日期", "all dates").to_owned(),
        _ => format!("{} ~ {}", day(from), day(to)),
    };
    let as_of = crate::domain::clock::china_time(
        crate::domain::clock::to_ms(store.now()),
        "%Y-%m-%d %H:%M",
    );
    Ok(format!(
        "{name} {region}  {period}  {} {as_of}",
        lang.pick("截至", "as of")
    ))
}

fn xlsx_needs_file() -> AppError {
    AppError::input(
        "XLSX 是二进制文件，请用 --out 给出文件名，如 --out 报表.xlsx",
        "XLSX is a binary file; name one with --out, e.g. --out report.xlsx",
    )
}

pub fn report(
    store: &Store,
    format: Option<Format>,
    out: Option<&Path>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    lang: Lang,
) -> Result<i32> {
    let (from, to) = period(from, to)?;
    let format = format_for(format, out);
    let dev = device::get(store.conn())?;
    let r = report::build(store.conn(), store.now(), &dev.region, from, to)?;
    let region_name = store::regions::name(store.conn(), &dev.region)?.unwrap_or_default();
    let bytes = match format {
        Format::Json => {
            let mut b = serde_json::to_vec_pretty(&r).unwrap_or_default();
            b.push(b'\n');
            b
        }
        Format::Csv => {
            let fail = |e| AppError::io(Path::new("csv"), e);
            let mut sink = CsvSink::new(Vec::new(), true).map_err(fail)?;
            report::sections::write(&r, &region_name, lang, &mut sink).map_err(fail)?;
            sink.finish().map_err(fail)?
        }
        Format::Xlsx => {
            let file = out.ok_or_else(xlsx_needs_file)?;
            let mut sink = XlsxSink::new(page_head(store, &dev.region, (from, to), lang)?, lang);
            report::sections::write(&r, &region_name, lang, &mut sink)
                .map_err(|e| AppError::io(file, e))?;
            write_file_with(file, |f| sink.save(f))?;
            eprintln!("{} {}", lang.pick("已写入", "Written to"), file.display());
            return Ok(0);
        }
        Format::Table => report::table::render(&r, &region_name, lang).into_bytes(),
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

/// What `ledger` was asked for.
pub struct LedgerArgs<'a> {
    pub family: Family,
    pub format: Option<super::LedgerFormat>,
    /// None: standard output.
    pub out: Option<&'a Path>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub region: Option<&'a crate::domain::ids::RegionCode>,
}

pub fn ledger(store: &Store, args: LedgerArgs, lang: Lang) -> Result<i32> {
    use super::LedgerFormat;
    let (from, to) = period(args.from, args.to)?;
    let region = args
        .region
        .map(|code| -> Result<_> {
            if !store::regions::exists(store.conn(), code)? {
                return Err(store::StoreError::UnknownRegion(code.to_string()).into());
            }
            Ok(code.clone())
        })
        .transpose()?;
    let bounds = store::ledger::Bounds { from, to, region };
    let ext = args
        .out
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let format = match (args.format, ext.as_deref(), args.out) {
        (Some(f), _, _) => f,
        (None, Some("xlsx"), _) => LedgerFormat::Xlsx,
        (None, Some("csv"), _) => LedgerFormat::Csv,
        (None, Some("jsonl" | "ndjson"), _) => LedgerFormat::Jsonl,
        (None, _, None) => LedgerFormat::Csv,
        (None, _, Some(_)) => {
            return Err(AppError::input(
                "台账文件名须以 .xlsx、.csv 或 .jsonl 结尾（或用 --format 指定），如 --out 隐患台账.xlsx",
                "the ledger file must end in .xlsx, .csv or .jsonl (or say --format), e.g. --out hazards.xlsx",
            ));
        }
    };
    let (conn, family, today) = (store.conn(), args.family, store.today());
    let mut written = 0;
    // A store error inside a stream is kept whole, to be told as itself.
    let mut failed = None;
    let mut stream = |sink: &mut dyn report::sheet::Sink, named: &Path| -> std::io::Result<()> {
        match report::ledger::write(conn, family, &bounds, today, lang, (sink, named)) {
            Ok(n) => {
                written = n;
                Ok(())
            }
            Err(e) => {
                failed = Some(e);
                Err(std::io::Error::other("ledger"))
            }
        }
    };
    let done = match (format, args.out) {
        (LedgerFormat::Xlsx, None) => return Err(xlsx_needs_file()),
        (LedgerFormat::Xlsx, Some(file)) => {
            let dev = device::get(conn)?;
            let region = bounds.region.as_ref().unwrap_or(&dev.region);
            let mut sink = XlsxSink::new(page_head(store, region, (from, to), lang)?, lang);
            match stream(&mut sink, file) {
                Ok(()) => write_file_with(file, |f| sink.save(f)),
                Err(e) => Err(AppError::io(file, e)),
            }
        }
        (LedgerFormat::Csv, Some(file)) => write_file_with(file, |f| {
            let mut sink = CsvSink::new(std::io::BufWriter::new(f), false)?;
            stream(&mut sink, file)?;
            std::io::Write::flush(&mut sink.finish()?)
        }),
        (LedgerFormat::Jsonl, Some(file)) => write_file_with(file, |f| {
            let mut sink = JsonlSink::new(std::io::BufWriter::new(f));
            stream(&mut sink, file)?;
            sink.finish().map(|_| ())
        }),
        (format, None) => {
            let stdout = Path::new("stdout");
            let out = std::io::BufWriter::new(std::io::stdout().lock());
            let r = if format == LedgerFormat::Csv {
                CsvSink::new(out, false).and_then(|mut sink| {
                    stream(&mut sink, stdout)?;
                    std::io::Write::flush(&mut sink.finish()?)
                })
            } else {
                let mut sink = JsonlSink::new(out);
                stream(&mut sink, stdout).and_then(|()| sink.finish().map(|_| ()))
            };
            match r {
                // `wangge ledger … | head`: the reader has all it wanted.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
                r => r.map_err(|e| AppError::io(stdout, e)),
            }
        }
    };
    match failed {
        // `wangge ledger … | head`: the reader has all it wanted.
        Some(store::StoreError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            return Ok(0);
        }
        Some(e) => return Err(e.into()),
        None => done?,
    }
    if let Some(file) = args.out {
        eprintln!(
            "{} {}: {} {written} {}",
            lang.pick("已写入", "Written to"),
            file.display(),
            report::ledger::title(family, lang),
            lang.pick("条", "records")
        );
    }
    Ok(0)
}
