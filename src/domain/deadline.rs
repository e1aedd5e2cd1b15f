//! Deadline rules: the holiday/make-up-day table (调休), working days, statutory petition periods, extensions,
//! days left and overdue, and parsing the holiday CSV. Periods count calendar days (or working days, a setting),
//! the start day is not counted, and a deadline on a non-working day moves to the next working day. A year the
//! table lacks counts only weekends as non-working, and every deadline that touched it says so.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::{Lang, Localized};

/// Acceptance notice (受理告知), from receipt.
pub const ACCEPT_DAYS: u32 = 15;
/// Handling (办结), from acceptance.
pub const HANDLE_DAYS: u32 = 60;
/// One extension at most this long, counted from the handling deadline.
pub const MAX_EXTENSION_DAYS: u32 = 30;
/// 复查 request, from receipt of the written reply.
pub const REVIEW_REQUEST_DAYS: u32 = 30;
/// 复查 decision, from receipt of the request.
pub const REVIEW_DECISION_DAYS: u32 = 30;
/// 复核 request, from receipt of the 复查 reply.
pub const REEXAM_REQUEST_DAYS: u32 = 30;
/// 复核 decision, from receipt of the request (hearing time not counted: the caller moves the start).
pub const REEXAM_DECISION_DAYS: u32 = 30;

/// A row of the holiday table: a day off (`holiday`) or a make-up working day (`workday`, 调休).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    Holiday,
    Workday,
}

impl DayKind {
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// Whether periods count calendar days (the law's default) or working days (some local systems): a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DayCount {
    #[default]
    Calendar,
    Working,
}

impl DayCount {
    pub fn code(self) -> &'static str {
        match self {
            DayCount::Calendar => "calendar",
            DayCount::Working => "working",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "calendar" => Some(DayCount::Calendar),
            "working" => Some(DayCount::Working),
            _ => None,
        }
    }
}

/// The holiday table in memory: dates → kind, and the set of years it covers.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, DayKind>,
    years: BTreeSet<i32>,
}

impl Calendar {
    /// A table from (date, kind) rows; a year is covered when at least one row is dated in it.
    /// A date given twice keeps its last kind.
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        let days: BTreeMap<_, _> = days.into_iter().collect();
        let years = days.keys().map(|d| d.year()).collect();
        Calendar { days, years }
    }

    pub fn covers_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The covered years, sorted.
    pub fn years(&self) -> Vec<i32> {
        self.years.iter().copied().collect()
    }

    /// A make-up `workday` row works, a `holiday` row rests; any other day rests on Saturday and Sunday.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.days.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The first working day on or after d (d itself at the end of chrono's range).
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        self.roll(d, &mut BTreeSet::new())
    }

    /// A deadline `days` after `start` (start day not counted), moved to the next working day if it falls on a
    /// non-working day. With `DayCount::Working`, each of the `days` skips non-working days (0 days: the first
    /// working day on or after `start`). Saturates at the end of chrono's date range instead of panicking.
    pub fn due(&self, start: NaiveDate, days: u32, count: DayCount) -> Deadline {
        let mut missing = BTreeSet::new();
        let date = match count {
            DayCount::Calendar => {
                let raw = start
                    .checked_add_days(Days::new(days.into()))
                    .unwrap_or(NaiveDate::MAX);
                self.roll(raw, &mut missing)
            }
            DayCount::Working if days == 0 => self.roll(start, &mut missing),
            DayCount::Working => {
                let mut d = start;
                for _ in 0..days {
                    match d.succ_opt() {
                        Some(next) => d = self.roll(next, &mut missing),
                        None => break,
                    }
                }
                d
            }
        };
        Deadline {
            date,
            missing_years: missing.into_iter().collect(),
        }
    }

    /// Walks forward from d to a working day, noting every year looked at that the table lacks.
    fn roll(&self, mut d: NaiveDate, missing: &mut BTreeSet<i32>) -> NaiveDate {
        loop {
            if !self.covers_year(d.year()) {
                missing.insert(d.year());
            }
            if self.is_working_day(d) {
                return d;
            }
            match d.succ_opt() {
                Some(next) => d = next,
                None => return d,
            }
        }
    }
}

/// A computed deadline and the years it relied on that the table lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub date: NaiveDate,
    /// Sorted, deduplicated; empty when the table covered every day the computation looked at.
    pub missing_years: Vec<i32>,
}

impl Deadline {
    /// What to show beside the date when the table lacked a year; `None` when complete.
    pub fn warning(&self) -> Option<MissingYears> {
        (!self.missing_years.is_empty()).then(|| MissingYears(self.missing_years.clone()))
    }
}

/// The years a deadline relied on without a holiday table ("2027 年节假日未导入").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingYears(pub Vec<i32>);

impl Localized for MissingYears {
    fn message(&self, lang: Lang) -> String {
        let years: Vec<String> = self.0.iter().map(i32::to_string).collect();
        match lang {
            Lang::Zh => format!("{} 年节假日未导入，期限只按周末顺延", years.join("、")),
            Lang::En => {
                let table = if years.len() > 1 {
                    "tables are"
                } else {
                    "table is"
                };
                let years = years.join(", ");
                format!("The {years} holiday {table} not imported; only weekends were skipped")
            }
        }
    }
}

/// Days from today to due: positive = days left, 0 = due today, negative = days overdue.
pub fn days_left(today: NaiveDate, due: NaiveDate) -> i64 {
    due.signed_duration_since(today).num_days()
}

/// Whether `due` has passed (today is after due). Due today is NOT overdue.
pub fn is_overdue(today: NaiveDate, due: NaiveDate) -> bool {
    today > due
}

/// An extension: only before the handling deadline has passed (on the deadline day itself is still allowed),
/// 1..=30 days, counted from the handling deadline, then moved to a working day. That a case is extended only
/// once is the lifecycle's rule, not checked here.
pub fn extend(
    cal: &Calendar,
    handle_due: NaiveDate,
    days: u32,
    today: NaiveDate,
    count: DayCount,
) -> Result<Deadline, ExtensionError> {
    if is_overdue(today, handle_due) {
        Err(ExtensionError::AfterDeadline { due: handle_due })
    } else if days == 0 {
        Err(ExtensionError::Zero)
    } else if days > MAX_EXTENSION_DAYS {
        Err(ExtensionError::TooLong { days })
    } else {
        Ok(cal.due(handle_due, days, count))
    }
}

/// Why an extension was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    #[error("An extension may not exceed 30 days ({days} days asked)")]
    TooLong { days: u32 },
    #[error("An extension must be at least 1 day")]
    Zero,
    #[error("The handling deadline {due} has passed; the case can no longer be extended")]
    AfterDeadline { due: NaiveDate },
}

impl Localized for ExtensionError {
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Zh, ExtensionError::TooLong { days }) => {
                format!("延期不得超过 30 日（填写了 {days} 日）")
            }
            (Lang::Zh, ExtensionError::Zero) => "延期天数至少为 1 日".to_string(),
            (Lang::Zh, ExtensionError::AfterDeadline { due }) => {
                format!("办理期限 {due} 已过，不能再延期")
            }
        }
    }
}

/// One row of the holiday CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayRow {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name_zh: String,
    pub name_en: String,
}

/// Why the holiday CSV was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HolidayCsvError {
    #[error("The first line of the holiday file must be the header date,kind,name_zh,name_en")]
    Header,
    #[error("Holiday file line {line}: {reason}")]
    Row { line: usize, reason: RowReason },
}

/// What is wrong with one row of the holiday CSV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowReason {
    #[error("expected 4 columns (date,kind,name_zh,name_en), found {0}")]
    Columns(usize),
    #[error("the date {0:?} is not a real date written YYYY-MM-DD")]
    Date(String),
    #[error("the kind {0:?} must be holiday (a day off) or workday (a make-up working day)")]
    Kind(String),
    #[error("the date {0} is already listed on line {1}; list each date once")]
    Duplicate(NaiveDate, usize),
    #[error("the year {0} is outside 2000-2100; check the date")]
    Year(i32),
    #[error("the Chinese name is empty or holds control characters")]
    Name,
}

impl Localized for HolidayCsvError {
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Zh, Self::Header) => "节假日文件第一行应为表头 date,kind,name_zh,name_en".into(),
            (Lang::Zh, Self::Row { line, reason }) => {
                format!("节假日文件第 {line} 行有误：{}", reason.message(lang))
            }
        }
    }
}

impl Localized for RowReason {
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Zh, Self::Columns(n)) => {
                format!("应有 4 列（date,kind,name_zh,name_en），实际 {n} 列")
            }
            (Lang::Zh, Self::Date(v)) => format!("日期 {v} 无效，应为 YYYY-MM-DD 格式的真实日期"),
            (Lang::Zh, Self::Kind(v)) => {
                format!("类型 {v} 无效，应为 holiday（放假）或 workday（调休上班）")
            }
            (Lang::Zh, Self::Duplicate(date, first)) => {
                format!("日期 {date} 与第 {first} 行重复，每个日期只能出现一次")
            }
            (Lang::Zh, Self::Year(y)) => format!("年份 {y} 不在 2000-2100 之间，请核对日期"),
            (Lang::Zh, Self::Name) => "中文名称为空或含有控制字符".into(),
        }
    }
}

/// Parses the holiday CSV (header `date,kind,name_zh,name_en`; kind holiday|workday; date YYYY-MM-DD, also
/// accepting Excel's re-saved forms 2026/1/1 and 2026-1-1; UTF-8, an optional BOM). Splits lines on ','
/// (names never contain commas), trims fields, skips blank lines. A bad row is reported with its 1-based
/// line number; nothing partial is returned.
pub fn parse_holiday_csv(text: &str) -> Result<Vec<HolidayRow>, HolidayCsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().zip(1..).filter(|(l, _)| !l.trim().is_empty());
    let header = ["date", "kind", "name_zh", "name_en"];
    let fields = |l: &str| {
        l.split(',')
            .map(|f| f.trim().to_ascii_lowercase())
            .collect::<Vec<_>>()
    };
    if lines.next().is_none_or(|(l, _)| fields(l) != header) {
        return Err(HolidayCsvError::Header);
    }
    let mut first_seen = BTreeMap::new();
    let mut rows = Vec::new();
    for (text, line) in lines {
        let row = parse_row(text).map_err(|reason| HolidayCsvError::Row { line, reason })?;
        if let Some(&first) = first_seen.get(&row.date) {
            let reason = RowReason::Duplicate(row.date, first);
            return Err(HolidayCsvError::Row { line, reason });
        }
        first_seen.insert(row.date, line);
        rows.push(row);
    }
    Ok(rows)
}

fn parse_row(text: &str) -> Result<HolidayRow, RowReason> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    let [date, kind, name_zh, name_en] = fields[..] else {
        return Err(RowReason::Columns(fields.len()));
    };
    let date = parse_date(date).ok_or_else(|| RowReason::Date(date.into()))?;
    if !(2000..=2100).contains(&date.year()) {
        return Err(RowReason::Year(date.year()));
    }
    let clean = |s: &str| super::validate::line("name", s, 50).is_ok();
    if !clean(name_zh) || !(name_en.is_empty() || clean(name_en)) {
        return Err(RowReason::Name);
    }
    Ok(HolidayRow {
        date,
        kind: DayKind::from_code(&kind.to_ascii_lowercase())
            .ok_or_else(|| RowReason::Kind(kind.into()))?,
        name_zh: name_zh.into(),
        name_en: name_en.into(),
    })
}

/// YYYY-MM-DD, or YYYY/M/D and YYYY-M-D as Excel re-saves them; ASCII digits only, and a real date.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let sep = if s.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = s.split(sep).collect();
    let ok =
        |p: &str, max: usize| (1..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    match parts[..] {
        [y, m, d] if y.len() == 4 && ok(y, 4) && ok(m, 2) && ok(d, 2) => {
            NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "deadline_tests.rs"]
mod tests;
