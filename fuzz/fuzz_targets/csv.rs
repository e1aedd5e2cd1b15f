//! The CSV imports: regions (`code,name,level,parent`, UTF-8 or GBK) and the holiday table.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = wangge::store::regions::parse_csv(std::path::Path::new("fuzz.csv"), data, &|_| true);
    if let Some(text) = wangge::store::regions::decode(data) {
        let _ = wangge::domain::deadline::parse_holiday_csv(&text);
    }
});
