//! Sheets of cells, and the two spreadsheet writers (CSV and XLSX) that take them row by row, so a ledger of a
//! million rows streams. Every text cell passes one guard: control characters, escapes and direction overrides
//! neutralised (as on screen), and text a spreadsheet would run as a formula kept as text.

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::domain::text::sanitize;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text a person wrote or a label.
    Text(String),
    /// Digits that are an identifier, not a number (region codes, case numbers): kept as text in XLSX.
    Code(String),
    Int(i64),
    Num(f64),
    /// A day: a date cell shown yyyy-mm-dd in XLSX, ISO text in CSV.
    Date(chrono::NaiveDate),
    /// A coded value: spreadsheets show its label; the flat export gives the code and the label side by side.
    Coded {
        code: String,
        label: String,
    },
    /// Yes or no: spreadsheets show `label` for yes and nothing for no; the flat export a boolean.
    Flag {
        yes: bool,
        label: String,
    },
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// Text when present, else an empty cell.
    pub fn opt(s: Option<impl Into<String>>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.into()))
    }
}

/// Whether a spreadsheet would run this text as a formula (or as the start of one).
pub fn is_formula_like(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// Text as a CSV cell carries it: sanitised, and prefixed with `'` when a spreadsheet would run it.
pub fn csv_text(text: &str) -> String {
    let clean = sanitize(text);
    if is_formula_like(&clean) {
        format!("'{clean}")
    } else {
        clean
    }
}

/// A table's name, column headers and the widest each column may grow (in spreadsheet character units; a
/// column is as wide as its contents up to that).
pub struct Columns<'a> {
    pub name: &'a str,
    pub header: Vec<String>,
    /// Each column's key in the flat export (JSON Lines); empty for a column it leaves out, or for a table
    /// that is never exported flat.
    pub keys: Vec<&'static str>,
    pub widths: Vec<f64>,
    /// Printed on one page (a report's cover and rates) rather than one page wide and as long as it is.
    pub one_page: bool,
}

/// Where rows go: a new sheet (or section) starts with its columns, then its rows follow.
pub trait Sink {
    fn begin(&mut self, columns: &Columns) -> std::io::Result<()>;
    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()>;
}

/// CSV: UTF-8 with a BOM (Excel and WPS on Chinese Windows then read Chinese correctly). Sections follow each
/// other, each after a blank line and a line with its name when there is more than one.
pub struct CsvSink<W: Write> {
    /// Always Some; taken for a moment to write a blank line past the csv writer.
    w: Option<csv::Writer<W>>,
    sections: usize,
    titled: bool,
}

impl<W: Write> CsvSink<W> {
    /// `titled`: write each section's name above its header (for a report of several tables).
    pub fn new(mut out: W, titled: bool) -> std::io::Result<Self> {
        out.write_all(b"\xEF\xBB\xBF")?;
        Ok(CsvSink {
            w: Some(writer(out)),
            sections: 0,
            titled,
        })
    }

    fn w(&mut self) -> std::io::Result<&mut csv::Writer<W>> {
        self.w
            .as_mut()
            .ok_or_else(|| std::io::Error::other("csv writer lost"))
    }

    /// Flushes and gives back the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        let w = self
            .w
            .take()
            .ok_or_else(|| std::io::Error::other("csv writer lost"))?;
        w.into_inner().map_err(|e| e.into_error())
    }
}

fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().flexible(true).from_writer(out)
}

impl<W: Write> Sink for CsvSink<W> {
    fn begin(&mut self, columns: &Columns) -> std::io::Result<()> {
        if self.sections > 0 {
            // A truly blank line (the csv writer would write `""` for an empty record).
            let w = self
                .w
                .take()
                .ok_or_else(|| std::io::Error::other("csv writer lost"))?;
            let mut out = w.into_inner().map_err(|e| e.into_error())?;
            out.write_all(b"\n")?;
            self.w = Some(writer(out));
        }
        if self.titled {
            self.w()?.write_record([csv_text(columns.name)])?;
        }
        self.sections += 1;
        self.w()?
            .write_record(columns.header.iter().map(|h| csv_text(h)))?;
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        self.w()?.write_record(cells.iter().map(|c| match c {
            Cell::Text(s) | Cell::Code(s) => csv_text(s),
            Cell::Int(n) => n.to_string(),
            Cell::Num(x) => x.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Coded { label, .. } => csv_text(label),
            Cell::Flag { yes: true, label } => csv_text(label),
            Cell::Flag { yes: false, .. } | Cell::Empty => String::new(),
        }))?;
        Ok(())
    }
}

/// JSON Lines for analysts (DuckDB, PostgreSQL, ClickHouse): one flat object per row, keyed by the columns'
/// keys; a coded value as its code and, beside it under `<key>_label`, its label; days as ISO text; yes/no as
/// booleans; nothing as null. Text is neutralised as in CSV, but no formula guard (no spreadsheet reads it).
pub struct JsonlSink<W: Write> {
    out: W,
    keys: Vec<&'static str>,
}

impl<W: Write> JsonlSink<W> {
    pub fn new(out: W) -> Self {
        JsonlSink {
            out,
            keys: Vec::new(),
        }
    }

    /// Flushes and gives back the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Sink for JsonlSink<W> {
    fn begin(&mut self, columns: &Columns) -> std::io::Result<()> {
        self.keys = columns.keys.clone();
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        use serde_json::Value;
        // Keys in the columns' order (a map would sort them), a label right after its code.
        let mut fields: Vec<(String, Value)> = Vec::with_capacity(self.keys.len() + 8);
        for (key, cell) in self.keys.iter().zip(cells) {
            if key.is_empty() {
                continue;
            }
            let value = match cell {
                Cell::Text(s) | Cell::Code(s) => Value::String(sanitize(s)),
                Cell::Int(n) => Value::from(*n),
                Cell::Num(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
                Cell::Date(d) => Value::String(d.to_string()),
                Cell::Coded { code, label } => {
                    fields.push(((*key).to_owned(), Value::String(code.clone())));
                    fields.push((format!("{key}_label"), Value::String(label.clone())));
                    continue;
                }
                Cell::Flag { yes, .. } => Value::Bool(*yes),
                Cell::Empty => Value::Null,
            };
            // The id first: the key an engine joins and de-duplicates by.
            if *key == "id" {
                fields.insert(0, ((*key).to_owned(), value));
            } else {
                fields.push(((*key).to_owned(), value));
            }
        }
        self.out.write_all(b"{")?;
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            serde_json::to_writer(&mut self.out, key)?;
            self.out.write_all(b":")?;
            serde_json::to_writer(&mut self.out, value)?;
        }
        self.out.write_all(b"}\n")
    }
}

/// Excel's limit of rows on one sheet; a longer table continues on a sheet named "…(2)".
const MAX_ROWS: u32 = 1_048_576;
/// Excel's limit of characters in one cell.
const MAX_CELL: usize = 32_767;

/// XLSX: one sheet per table, header bold and frozen, codes as text, days as date cells, formula-like text with
/// Excel's own quote prefix (shown as typed, kept as text when edited). Every sheet is set up for paper: A4
/// landscape, one page wide, the header row printed on every page, an autofilter over the table, the page
/// header naming what the sheet covers and the footer its page numbers. Columns are as wide as their
/// contents (CJK characters two), capped. Sheets are written in constant memory.
pub struct XlsxSink {
    book: Workbook,
    sheet: Option<usize>,
    columns: Option<(String, Vec<String>, Vec<f64>, bool)>,
    parts: u32,
    row: u32,
    /// The widest cell of each column of the current sheet so far, in display cells.
    seen: Vec<usize>,
    /// The page header's text: region, period, as-of time.
    page_head: String,
    lang: crate::domain::Lang,
    head: Format,
    quoted: Format,
    plain_code: Format,
    number: Format,
    date: Format,
}

fn xerr(e: XlsxError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl XlsxSink {
    /// A workbook whose pages say `page_head` at their top (the region, the period, the time of the figures)
    /// and number themselves in `lang`.
    pub fn new(page_head: impl Into<String>, lang: crate::domain::Lang) -> Self {
        XlsxSink {
            book: Workbook::new(),
            sheet: None,
            columns: None,
            parts: 0,
            row: 0,
            seen: Vec::new(),
            page_head: page_head.into(),
            lang,
            head: Format::new().set_bold().set_background_color(0xDDEBF7),
            quoted: Format::new().set_quote_prefix(),
            plain_code: Format::new().set_num_format("@"),
            number: Format::new().set_num_format("0.0"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        }
    }

    fn current(&mut self) -> std::io::Result<&mut Worksheet> {
        let i = self
            .sheet
            .ok_or_else(|| std::io::Error::other("no sheet begun"))?;
        self.book.worksheet_from_index(i).map_err(xerr)
    }

    /// Finishes the current sheet: its columns as wide as their contents (capped), the autofilter over what
    /// was written.
    fn close_sheet(&mut self) -> std::io::Result<()> {
        let (Some(_), Some((_, header, caps, _))) = (self.sheet, self.columns.clone()) else {
            return Ok(());
        };
        let (seen, last) = (std::mem::take(&mut self.seen), self.row.saturating_sub(1));
        let sheet = self.current()?;
        for (c, cap) in caps.iter().enumerate() {
            let wide = seen.get(c).copied().unwrap_or(0) as f64 + 2.0;
            sheet
                .set_column_width(c as u16, wide.clamp(4.0, cap.max(4.0)))
                .map_err(xerr)?;
        }
        if !header.is_empty() {
            sheet
                .autofilter(0, 0, last.max(1), header.len() as u16 - 1)
                .map_err(xerr)?;
        }
        Ok(())
    }

    /// Starts a sheet with the current columns (the first, or a continuation when the last one is full).
    fn open_sheet(&mut self) -> std::io::Result<()> {
        self.close_sheet()?;
        let (name, header, _, one_page) = self
            .columns
            .clone()
            .ok_or_else(|| std::io::Error::other("no columns"))?;
        self.parts += 1;
        let name = if self.parts > 1 {
            format!("{name}({})", self.parts)
        } else {
            name
        };
        let head = self.head.clone();
        let page_head = format!("&L{}&R{}", header_text(&name), header_text(&self.page_head));
        let footer = match self.lang {
            crate::domain::Lang::Zh => "&C第 &P 页，共 &N 页",
            crate::domain::Lang::En => "&CPage &P of &N",
        };
        let sheet = self
            .book
            .add_worksheet_with_constant_memory()
            .map_err(xerr)?;
        sheet.set_name(sheet_name(&name)).map_err(xerr)?;
        for (c, h) in header.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, sanitize(h), &head)
                .map_err(xerr)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(xerr)?;
        // Paper: A4 landscape, one page wide (and one page tall for a cover), the header on every page.
        sheet.set_paper_size(9).set_landscape();
        sheet.set_print_fit_to_pages(1, u16::from(one_page));
        sheet.set_repeat_rows(0, 0).map_err(xerr)?;
        sheet.set_header(page_head).set_footer(footer);
        self.seen = header
            .iter()
            .map(|h| crate::domain::text::width(h))
            .collect();
        self.sheet = Some(self.book.worksheets().len() - 1);
        self.row = 1;
        Ok(())
    }

    /// Writes the workbook to `out`.
    pub fn save(mut self, out: &mut (impl Write + std::io::Seek + Send)) -> std::io::Result<()> {
        self.close_sheet()?;
        if self.book.worksheets().is_empty() {
            self.book.add_worksheet();
        }
        self.book.save_to_writer(out).map_err(xerr)
    }
}

/// Text for a page header: `&` doubled (Excel reads `&` as the start of a code), cut to what a header holds.
fn header_text(s: &str) -> String {
    sanitize(s).replace('&', "&&").chars().take(100).collect()
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    name.chars()
        .map(|c| if "[]:*?/\\'".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}

/// Sanitised text cut to what one cell holds.
fn cell_text(s: &str) -> String {
    let mut t = sanitize(s);
    if t.len() > MAX_CELL {
        let mut end = MAX_CELL;
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        t.truncate(end);
    }
    t
}

impl Sink for XlsxSink {
    fn begin(&mut self, columns: &Columns) -> std::io::Result<()> {
        self.close_sheet()?;
        self.sheet = None;
        self.columns = Some((
            columns.name.to_owned(),
            columns.header.clone(),
            columns.widths.clone(),
            columns.one_page,
        ));
        self.parts = 0;
        self.open_sheet()
    }

    fn row(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        if self.row >= MAX_ROWS {
            self.open_sheet()?;
        }
        for (c, cell) in cells.iter().enumerate() {
            let w = match cell {
                Cell::Text(s) | Cell::Code(s) | Cell::Coded { label: s, .. } => {
                    crate::domain::text::width(s).min(200)
                }
                Cell::Flag { label, .. } => crate::domain::text::width(label),
                Cell::Int(n) => n.to_string().len(),
                Cell::Num(_) => 8,
                Cell::Date(_) => 10,
                Cell::Empty => 0,
            };
            if let Some(seen) = self.seen.get_mut(c) {
                *seen = (*seen).max(w);
            }
        }
        let (row, quoted, code, number, date) = (
            self.row,
            self.quoted.clone(),
            self.plain_code.clone(),
            self.number.clone(),
            self.date.clone(),
        );
        let sheet = self.current()?;
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            let done = match cell {
                Cell::Text(s)
                | Cell::Coded { label: s, .. }
                | Cell::Flag {
                    yes: true,
                    label: s,
                } => {
                    let t = cell_text(s);
                    if is_formula_like(&t) {
                        sheet.write_string_with_format(row, col, t, &quoted)
                    } else {
                        sheet.write_string(row, col, t)
                    }
                }
                Cell::Code(s) => sheet.write_string_with_format(row, col, cell_text(s), &code),
                Cell::Int(n) => sheet.write_number(row, col, *n as f64),
                Cell::Num(x) => sheet.write_number_with_format(row, col, *x, &number),
                Cell::Date(d) => {
                    use chrono::Datelike;
                    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(
                        d.year().clamp(1900, 9999) as u16,
                        d.month() as u8,
                        d.day() as u8,
                    );
                    match day {
                        Ok(day) => sheet.write_date_with_format(row, col, &day, &date),
                        Err(_) => sheet.write_string(row, col, d.to_string()),
                    }
                }
                Cell::Flag { yes: false, .. } | Cell::Empty => continue,
            };
            done.map_err(xerr)?;
        }
        self.row += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_guarded_in_csv() {
        assert_eq!(csv_text("=1+1"), "'=1+1");
        assert_eq!(csv_text("-3"), "'-3");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("燃气"), "燃气");
        // A direction override or zero-width space in front does not hide a formula.
        assert_eq!(csv_text("\u{200B}=cmd"), "'=cmd");
        assert_eq!(csv_text("\u{1b}[31mred"), "?[31mred");
    }

    #[test]
    fn csv_sections_have_titles_and_a_bom() {
        let mut sink = CsvSink::new(Vec::new(), true).unwrap();
        let cols = |name| Columns {
            name,
            header: vec!["a".into(), "b".into()],
            keys: vec![],
            widths: vec![],
            one_page: false,
        };
        sink.begin(&cols("一")).unwrap();
        sink.row(&[Cell::text("x"), Cell::Int(3)]).unwrap();
        sink.begin(&cols("二")).unwrap();
        sink.row(&[Cell::Code("610727".into()), Cell::Empty])
            .unwrap();
        let out = String::from_utf8(sink.finish().unwrap()).unwrap();
        assert_eq!(out, "\u{feff}一\na,b\nx,3\n\n二\na,b\n610727,\n");
    }

    #[test]
    fn sheet_names_fit_excel() {
        assert_eq!(sheet_name("a/b:c"), "a_b_c");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
    }
}
