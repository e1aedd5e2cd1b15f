//! Tests of `domain::deadline`.
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
