//! Tests of `domain::validate`.
use super::Invalid::*;
use super::PhoneKind::{Landline, Mobile};
use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
fn today() -> NaiveDate {
    d(2026, 5, 1)
}
fn id(s: &str) -> Result<String, Invalid> {
    id_number(s, today())
}
/// An 18-character number around a YYYYMMDD birth date, with the right check char.
fn born(date: &str) -> String {
    let s = format!("610727{date}123");
    format!("{s}{}", id_check_char(s.as_bytes().try_into().unwrap()))
}

#[test]
fn id_numbers() {
    let x = "11010519491231002X";
    assert_eq!(id_check_char(b"11010519491231002"), 'X');
    let legacy = format!("{}{}", &x[..6], &x[8..17]); // 18 -> 15 digits: drop "19" and check char
    for input in format!("{x}|  11010519491231002x \t|110105 19491231 002X|{legacy}").split('|') {
        assert_eq!(id(input).as_deref(), Ok(x), "{input}");
    }
    let y = "440524188001010014";
    assert_eq!(id(y).as_deref(), Ok(y));
    let check = |expected, got| IdCheck { expected, got };
    for (input, want) in [
        ("110105194912310023", check('X', '3')),
        ("440524188001010015", check('4', '5')),
        ("", IdLength),
        ("1101051949123100", IdLength),
        ("1101051949123100231", IdLength),
        ("1101051949X231002X", IdCharacters),
        ("11010519491231002Y", IdCharacters),
        ("11010519491231002中", IdCharacters),
        ("11010549123100X", IdCharacters),
        ("11010549123100中", IdCharacters),
        ("110105490230002", IdBirthDate),
    ] {
        assert_eq!(id(input), Err(want), "{input}");
    }
    // Leap days, the 1850-01-01 lower bound and `today` as upper bound (both inclusive).
    for good in ["20000229", "18500101", "20260501", "19491231"] {
        assert_eq!(id(&born(good)), Ok(born(good)));
    }
    for bad in "20010229 19000229 19901301 19900100 18491231 20260502".split(' ') {
        assert_eq!(id(&born(bad)), Err(IdBirthDate), "{bad}");
    }
}

#[test]
fn masks() {}

#[test]
fn phones() {
    for (input, want, kind) in [
        (" 13812341234 ", "13812341234", Mobile),
        ("+86 138 1234 1234", "13812341234", Mobile),
        ("8613812341234", "13812341234", Mobile),
        ("138-1234-1234", "13812341234", Mobile),
        ("0916-3212345", "0916-3212345", Landline),
        ("09163212345", "0916-3212345", Landline),
        ("0916 32123456", "0916-32123456", Landline),
        ("010-12345678", "010-12345678", Landline),
        ("01012345678", "010-12345678", Landline),
        ("02912345678", "029-12345678", Landline),
        ("091-63212345", "091-63212345", Landline),
    ] {
        assert_eq!(phone(input), Ok((want.into(), kind)), "{input}");
    }
    let bad = "|12812341234|1381234123|138123412345|+860916-3212345|0916-321234|0012345678\
               |0916-321234567|138１2341234|-13812341234|tel 13812341234|+8612812341234";
    for input in bad.split('|') {
        assert_eq!(phone(input), Err(Phone), "{input}");
    }
}

#[test]
fn coordinate_ranges() {
    for (lat, lon) in [(33.4, 106.1), (33.10, 105.75), (33.75, 106.55)] {
        assert_eq!(coordinates(lat, lon), Ok(None));
    }
    for (lat, lon) in [(33.09, 106.), (33.76, 106.), (33.4, 105.74), (33.4, 106.56)] {
        assert_eq!(coordinates(lat, lon), Ok(Some(Warning::OutsideLueyang)));
    }
    assert!(coordinates(90.0, 180.0).is_ok() && coordinates(-90.0, -180.0).is_ok());
    assert_eq!(coordinates(90.0001, 0.0), Err(Latitude));
    assert_eq!(coordinates(-90.0001, 0.0), Err(Latitude));
    assert_eq!(coordinates(f64::NAN, 0.0), Err(Latitude));
    assert_eq!(coordinates(0.0, -180.0001), Err(Longitude));
    assert_eq!(coordinates(0.0, f64::NAN), Err(Longitude));
    assert_eq!(coordinates(0.0, f64::INFINITY), Err(Longitude));
}

#[test]
fn dates() {
    let (field, t, date) = ("found_on", today(), d(2026, 5, 2));
    assert_eq!(past_date(field, t, t), Ok(()));
    assert_eq!(past_date(field, date, t), Err(FutureDate { field, date }));
    // A mistyped year (1926 for 2026) is caught; 2000-01-01 itself is fine.
    let old = d(1926, 11, 28);
    assert_eq!(
        past_date(field, old, t),
        Err(AncientDate { field, date: old })
    );
    assert_eq!(past_date(field, d(2000, 1, 1), t), Ok(()));
    for s in "2026-11-28| 2026/11/28 |2026.11.28|2026年11月28日|2026-11-28\n".split('|') {
        assert_eq!(parse_date("date", s), Ok(d(2026, 11, 28)), "{s}");
    }
    assert_eq!(parse_date("date", "2026-1-5"), Ok(d(2026, 1, 5)));
    let bad = "|garbage|2026-02-30|2026-13-01|26-11-28|2026-11|2026-11-28-1|2026-+1-28";
    for s in bad.split('|') {
        let (field, input) = ("date", s.to_string());
        assert_eq!(parse_date(field, s), Err(Date { field, input }));
    }
}

#[test]
fn text_fields() {
    let five = "五个汉字呀";
    for (input, want) in [("  漏水  ", Ok("漏水")), (" 五个汉字呀\t", Ok(five))] {
        assert_eq!(required("summary", input, 5).as_deref(), want);
        assert_eq!(optional("summary", input, 5).unwrap().as_deref(), want.ok());
    }
    let field = "summary";
    assert_eq!(required(field, " \t ", 5), Err(Required { field }));
    assert_eq!(optional(field, " \t ", 5), Ok(None));
    assert_eq!(
        required(field, "六个汉字呀呀", 5),
        Err(TooLong { field, max: 5 })
    );
    assert_eq!(
        optional(field, "六个汉字呀呀", 5),
        Err(TooLong { field, max: 5 })
    );
}

#[test]
fn messages() {
    let e = id("110105194912310023").unwrap_err();
    assert_eq!(
        e.message(Lang::Zh),
        "身份证号校验位不对（应为 X，实际为 3），请核对号码"
    );
    let en =
        "The ID number's check character is wrong (expected X, got 3); please check the number";
    assert_eq!(e.to_string(), en);
    let r = required("petitioner_name", " ", 9).unwrap_err();
    assert!(r.message(Lang::Zh).starts_with("信访人姓名"));
    assert!(r.to_string().contains("petitioner name"));
    assert_eq!(field_label("mystery", Lang::En), "mystery");
    assert!(Warning::OutsideLueyang.message(Lang::Zh).contains("略阳县"));
    let all = [
        required("note", "abcd", 3).unwrap_err(),
        past_date("deadline", d(2030, 1, 1), today()).unwrap_err(),
        parse_date("found_on", "x").unwrap_err(),
        IdLength,
        IdCharacters,
        IdBirthDate,
        Phone,
        Latitude,
        Longitude,
    ];
    for e in all {
        let (zh, en) = (e.message(Lang::Zh), e.to_string());
        assert!(zh.contains('，') && !zh.contains([',', ';', '(']), "{zh}");
        assert!(en.contains("; ") && en.is_ascii(), "{en}");
    }
}

fn digits(n: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(b'0'..=b'9', n).prop_map(|v| String::from_utf8_lossy(&v).into())
}

proptest! {
    #[test]
    fn check_char_round_trip(addr in digits(6), days in 0u64..65_000, seq in digits(3), k in 0usize..10) {
        let birth = (d(1850, 1, 1) + chrono::Days::new(days)).min(today());
        let s = format!("{addr}{}{seq}", birth.format("%Y%m%d"));
        let check = id_check_char(s.as_bytes().try_into().unwrap());
        prop_assert_eq!(id(&format!("{s}{check}")), Ok(format!("{s}{check}")));
        let got = "0123456789X".chars().filter(|&c| c != check).nth(k).unwrap();
        prop_assert_eq!(id(&format!("{s}{got}")), Err(IdCheck { expected: check, got }));
    }

    #[test]
    fn any_17_digits_accepted_iff_date_valid(s in digits(17)) {
        let n = format!("{s}{}", id_check_char(s.as_bytes().try_into().unwrap()));
        let birth = NaiveDate::parse_from_str(&n[6..14], "%Y%m%d").ok();
        let valid = birth.is_some_and(|b| b >= d(1850, 1, 1) && b <= today());
        prop_assert_eq!(id(&n), if valid { Ok(n.clone()) } else { Err(IdBirthDate) });
    }

    #[test]
    fn never_panics(s in "\\PC{0,24}") {
        let _ = (id(&s), phone(&s), parse_date("date", &s));
    }
}
