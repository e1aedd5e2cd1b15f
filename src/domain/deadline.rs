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
            (Lang::Zh, Self::Year(y)) => format!("年份 {y} 不在 2000–2100 之间，请核对日期"),
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
mod tests {
    use super::*;
    use DayCount::{Calendar as Cal, Working};
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Real rows (State Council notices), 2025 National Day and most of 2026, as `first-date kind×days`.
    const ROWS: &str =
        "2025-09-28 W1 2025-10-01 H8 2025-10-11 W1 2026-01-01 H3 2026-01-04 W1 2026-02-14 W1
        2026-02-15 H9 2026-02-28 W1 2026-09-20 W1 2026-09-25 H3 2026-10-01 H7 2026-10-10 W1";

    fn cal(extra: &str) -> Calendar {
        let words: Vec<&str> = ROWS
            .split_whitespace()
            .chain(extra.split_whitespace())
            .collect();
        Calendar::new(words.chunks(2).flat_map(|w| {
            let kind = if w[1].starts_with('H') {
                DayKind::Holiday
            } else {
                DayKind::Workday
            };
            (0..w[1][1..].parse().unwrap()).map(move |i| (d(w[0]) + Days::new(i), kind))
        }))
    }

    /// `start days C|W -> due [missing years] | why`.
    const CASES: &str = "
        2026-11-02 15 C 2026-11-17      | weekday stays
        2026-11-13 15 C 2026-11-30      | Saturday 11-28 -> Monday
        2026-09-16 15 C 2026-10-08      | National Day 10-01 -> after the holiday run
        2026-09-25 15 C 2026-10-10      | make-up Saturday stays
        2025-09-13 15 C 2025-09-28      | make-up Sunday stays
        2026-10-05  0 C 2026-10-08      | zero days on a holiday
        2026-09-01 60 C 2026-11-02      | handling: day 60 is Saturday 10-31
        2026-12-28 30 C 2027-01-27 2027 | no 2027 table
        2026-12-17 15 C 2027-01-01 2027 | 2027 New Year unknown: weekends only
        2026-12-01 60 C 2027-02-01 2027 | Saturday 2027-01-30 -> Monday
        2026-09-28 15 W 2026-10-23      | working days across National Day and make-up 10-10
        2026-09-28 15 C 2026-10-13      | the same in calendar days
        2026-09-30  1 W 2026-10-08      | one working day over the holiday
        2026-10-01  0 W 2026-10-08      | zero working days from a holiday
        2026-12-24  5 W 2026-12-31      | stays in 2026
        2026-12-24  6 W 2027-01-01 2027 | walks into 2027";

    #[test]
    fn due_dates() {
        let cal = cal("");
        for case in CASES.lines().filter(|l| !l.trim().is_empty()) {
            let w: Vec<&str> = case.split('|').next().unwrap().split_whitespace().collect();
            let count = if w[2] == "W" { Working } else { Cal };
            let got = cal.due(d(w[0]), w[1].parse().unwrap(), count);
            let years: Vec<i32> = w[4..].iter().map(|y| y.parse().unwrap()).collect();
            assert_eq!((got.date, got.missing_years), (d(w[3]), years), "{case}");
        }
    }

    #[test]
    fn table_and_codes() {
        let cal = cal("");
        assert_eq!(cal.years(), vec![2025, 2026]);
        assert!(cal.covers_year(2026) && !cal.covers_year(2027));
        assert!(!cal.is_working_day(d("2026-10-03")) && cal.is_working_day(d("2026-01-04")));
        assert!(!cal.is_working_day(d("2026-11-28")) && cal.is_working_day(d("2026-11-27")));
        assert_eq!(cal.next_working_day(d("2026-02-14")), d("2026-02-14"));
        assert_eq!(cal.next_working_day(d("2026-02-15")), d("2026-02-24"));
        for (k, c) in [(DayKind::Holiday, "holiday"), (DayKind::Workday, "workday")] {
            assert_eq!((k.code(), DayKind::from_code(c)), (c, Some(k)));
        }
        for (k, c) in [(Cal, "calendar"), (Working, "working")] {
            assert_eq!((k.code(), DayCount::from_code(c)), (c, Some(k)));
        }
        assert_eq!((DayKind::from_code("x"), DayCount::default()), (None, Cal));
    }

    #[test]
    fn day_60_is_due_and_day_61_is_overdue() {
        let due = cal("").due(d("2026-09-01"), HANDLE_DAYS, Cal);
        assert_eq!(
            (due.date, due.warning()),
            (d("2026-11-02"), None),
            "10-31 is a Saturday"
        );
        assert!(!is_overdue(d("2026-11-02"), due.date) && is_overdue(d("2026-11-03"), due.date));
        let left = |today| days_left(d(today), due.date);
        assert_eq!(
            [left("2026-10-31"), left("2026-11-02"), left("2026-11-03")],
            [2, 0, -1]
        );
    }

    #[test]
    fn missing_years_and_extremes() {
        let span = cal("2026-12-31 H1").due(d("2026-12-16"), 15, Cal);
        assert_eq!(
            (span.date, span.missing_years),
            (d("2027-01-01"), vec![2027])
        );
        let two = Calendar::default().due(d("2026-12-30"), 5, Working);
        assert_eq!(two.warning(), Some(MissingYears(vec![2026, 2027])));
        let (cal, max) = (cal(""), NaiveDate::MAX);
        assert_eq!(cal.due(max, u32::MAX, Cal).date, max);
        assert_eq!(cal.due(max - Days::new(3), 9, Working).date, max);
        assert!(days_left(NaiveDate::MIN, max) > 0);
    }

    #[test]
    fn extensions() {
        let (cal, due) = (cal(""), d("2026-12-28"));
        let ok = extend(&cal, due, 30, due, Cal).unwrap();
        assert_eq!((ok.date, ok.missing_years), (d("2027-01-27"), vec![2027]));
        let early = extend(&cal, due, 1, d("2026-11-01"), Cal);
        assert_eq!(early.map(|x| x.date), Ok(d("2026-12-29")));
        let err = |days, today| extend(&cal, due, days, d(today), Cal).unwrap_err();
        assert_eq!(err(31, "2026-12-28"), ExtensionError::TooLong { days: 31 });
        assert_eq!(err(0, "2026-12-28"), ExtensionError::Zero);
        assert_eq!(err(10, "2026-12-29"), ExtensionError::AfterDeadline { due });
    }

    #[test]
    fn csv_good_text_with_bom_crlf_blank_lines_and_excel_dates() {
        let text = "\u{feff}date,kind,name_zh,name_en\r\n2026-10-01,holiday,国庆节,National Day\r\n\r\n\
                    2026/10/10 , Workday ,国庆节,National Day\r\n";
        let rows = parse_holiday_csv(text).unwrap();
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.date, r.kind, &*r.name_zh, &*r.name_en))
            .collect();
        let (h, w, zh, en) = (DayKind::Holiday, DayKind::Workday, "国庆节", "National Day");
        assert_eq!(
            got,
            [(d("2026-10-01"), h, zh, en), (d("2026-10-10"), w, zh, en)]
        );
        assert_eq!(parse_holiday_csv("date,kind,name_zh,name_en\n"), Ok(vec![]));
    }

    fn bad_csv(row: &str) -> HolidayCsvError {
        let head = "date,kind,name_zh,name_en\n2026-01-01,holiday,元旦,New Year's Day\n\n";
        parse_holiday_csv(&format!("{head}{row}\n")).unwrap_err()
    }

    #[test]
    fn csv_errors() {
        for bad in [
            "26-02-14",
            "2026-02-14T00:00",
            "２026-02-14",
            "+2026-2-14",
            "2026-002-1",
            "",
        ] {
            let reason = RowReason::Date(bad.into());
            assert_eq!(
                bad_csv(&format!("{bad},holiday,a,b")),
                HolidayCsvError::Row { line: 4, reason }
            );
        }
        let reason = RowReason::Kind("work".into());
        assert_eq!(
            bad_csv("2026-02-14,work,a,b"),
            HolidayCsvError::Row { line: 4, reason }
        );
        for text in [
            "",
            "date,kind,name\n2026-01-01,holiday,元旦",
            "2026-01-01,holiday,元旦,x",
        ] {
            assert_eq!(parse_holiday_csv(text), Err(HolidayCsvError::Header));
        }
    }

    /// Every sentence a person may read, in both languages.
    const MESSAGES: &str = "\
        2027 年节假日未导入，期限只按周末顺延
        The 2027 holiday table is not imported; only weekends were skipped
        2026、2027 年节假日未导入，期限只按周末顺延
        The 2026, 2027 holiday tables are not imported; only weekends were skipped
        延期不得超过 30 日（填写了 31 日）
        An extension may not exceed 30 days (31 days asked)
        延期天数至少为 1 日
        办理期限 2026-12-28 已过，不能再延期
        The handling deadline 2026-12-28 has passed; the case can no longer be extended
        节假日文件第一行应为表头 date,kind,name_zh,name_en
        节假日文件第 4 行有误：日期 2026-02-30 无效，应为 YYYY-MM-DD 格式的真实日期
        Holiday file line 4: the date \"2026-02-30\" is not a real date written YYYY-MM-DD
        节假日文件第 4 行有误：类型 work 无效，应为 holiday（放假）或 workday（调休上班）
        Holiday file line 4: the kind \"work\" must be holiday (a day off) or workday (a make-up working day)
        节假日文件第 4 行有误：应有 4 列（date,kind,name_zh,name_en），实际 2 列
        节假日文件第 4 行有误：日期 2026-01-01 与第 2 行重复，每个日期只能出现一次
        Holiday file line 4: the date 2026-01-01 is already listed on line 2; list each date once";

    #[test]
    fn messages() {
        let both = |m: &dyn Localized| [m.message(Lang::Zh), m.message(Lang::En)];
        let after = ExtensionError::AfterDeadline {
            due: d("2026-12-28"),
        };
        let got = [
            both(&MissingYears(vec![2027])).to_vec(),
            both(&MissingYears(vec![2026, 2027])).to_vec(),
            both(&ExtensionError::TooLong { days: 31 }).to_vec(),
            vec![ExtensionError::Zero.message(Lang::Zh)],
            both(&after).to_vec(),
            vec![HolidayCsvError::Header.message(Lang::Zh)],
            both(&bad_csv("2026-02-30,holiday,a,b")).to_vec(),
            both(&bad_csv("2026-02-14,work,a,b")).to_vec(),
            vec![bad_csv("2026-02-14,workday").message(Lang::Zh)],
            both(&bad_csv("2026-1-1,holiday,a,b")).to_vec(),
        ];
        let want: Vec<&str> = MESSAGES.lines().map(str::trim).collect();
        assert_eq!(got.concat(), want);
    }

    proptest! {
        #[test]
        fn calendar_due_is_the_first_working_day_from_start_plus_days(off in 0u64..3287, days in 0u32..120) {
            let (cal, start) = (cal(""), d("2018-01-01") + Days::new(off));
            let raw = start + Days::new(days.into());
            let due = cal.due(start, days, Cal);
            prop_assert!(cal.is_working_day(due.date) && due.date >= raw);
            prop_assert!(raw.iter_days().take_while(|&x| x < due.date).all(|x| !cal.is_working_day(x)));
            let missing: Vec<i32> = (raw.year()..=due.date.year()).filter(|&y| !cal.covers_year(y)).collect();
            prop_assert_eq!(due.missing_years, missing);
        }

        #[test]
        fn working_due_is_the_nth_working_day_after_start(off in 0u64..3287, days in 1u32..60) {
            let (cal, start) = (cal(""), d("2018-01-01") + Days::new(off));
            let due = cal.due(start, days, Working);
            let worked = start.iter_days().skip(1).take_while(|&x| x <= due.date);
            prop_assert_eq!(worked.filter(|&x| cal.is_working_day(x)).count(), days as usize);
            prop_assert!(cal.is_working_day(due.date));
        }
    }
}
