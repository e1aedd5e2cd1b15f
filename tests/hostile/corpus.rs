//! The corpus generator: a township's real bundle, the county's card and acknowledgement, and every bad file
//! made from them, each added with what must happen to it.

use super::*;

pub type Add<'a> = dyn FnMut(&str, &str, Expect, &str, &[u8]) + 'a;

/// A signed bundle of `lines` (the header's counts fixed up to match).
fn bundle(good: &Path, lines: &[String]) -> Vec<u8> {
    let payload = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    let mut counts = serde_json::Map::new();
    for l in lines {
        if let Ok(v) = serde_json::from_str::<Value>(l) {
            let k = match v["kind"].as_str() {
                Some("region") => "region".to_owned(),
                _ => v["family"].as_str().unwrap_or("?").to_owned(),
            };
            let n = counts.get(&k).and_then(Value::as_u64).unwrap_or(0);
            counts.insert(k, Value::from(n + 1));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let p = forge(
        good,
        &dir.path().join("f.wgb"),
        &SigningKey::from_bytes(&[1u8; 32]),
        payload.as_bytes(),
        |h| h["counts"] = Value::Object(counts.clone()),
    );
    std::fs::read(p).unwrap()
}

pub fn bundles(add: &mut Add) {
    let mut town = db(JIEGUAN, 1, 12);
    let good = send(&mut town, None);
    let bytes = std::fs::read(&good).unwrap();
    add(
        "bundle-good.wgb",
        "import",
        Expect::Taken,
        "a good bundle (the base of the others)",
        &bytes,
    );
    let (header, sig, payload) = parts(&good);
    let text = String::from_utf8(payload.clone()).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // The first record of a family, as JSON, and the bundle with it changed by `f`.
    let nth = |family: &str| {
        lines
            .iter()
            .position(|l| l.contains(&format!("\"family\":\"{family}\"")))
            .unwrap()
    };
    let with = |k: usize, f: &dyn Fn(&mut Value)| {
        let mut v: Value = serde_json::from_str(&lines[k]).unwrap();
        f(&mut v);
        let mut l = lines.clone();
        l[k] = v.to_string();
        bundle(&good, &l)
    };
    add(
        "bundle-empty.wgb",
        "import",
        Expect::Refused,
        "zero bytes",
        b"",
    );
    add(
        "bundle-png.wgb",
        "import",
        Expect::Refused,
        "a picture named .wgb",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    );
    let mut flipped = bytes.clone();
    let at = bytes.len() - 50;
    flipped[at] ^= 0x20;
    add(
        "bundle-flipped.wgb",
        "import",
        Expect::Refused,
        "one flipped byte in the payload",
        &flipped,
    );
    add(
        "bundle-truncated.wgb",
        "import",
        Expect::Refused,
        "cut in half (a pulled USB stick)",
        &bytes[..bytes.len() / 2],
    );
    let claimed = header.replace(
        &common::exchange::device_id(1),
        &common::exchange::device_id(7),
    );
    add(
        "bundle-claims-another-device.wgb",
        "import",
        Expect::Refused,
        "header edited to claim another device (signature no longer matches)",
        &[claimed.as_bytes(), b"\n", sig.as_bytes(), b"\n", &payload].concat(),
    );
    let mut unsigned = bytes.clone();
    let sig_at = header.len() + 1;
    unsigned[sig_at] = if unsigned[sig_at] == b'0' { b'1' } else { b'0' };
    add(
        "bundle-bad-signature.wgb",
        "import",
        Expect::Refused,
        "signature altered",
        &unsigned,
    );
    let key = SigningKey::from_bytes(&[1u8; 32]);
    let dir = tempfile::tempdir().unwrap();
    let forged = |edit: &dyn Fn(&mut Value), payload: &[u8]| {
        std::fs::read(forge(&good, &dir.path().join("x.wgb"), &key, payload, edit)).unwrap()
    };
    add(
        "bundle-version-9.wgb",
        "import",
        Expect::Refused,
        "an unknown major format version",
        &forged(&|h| h["version"] = Value::from("9.0"), &payload),
    );
    add(
        "bundle-counts-off.wgb",
        "import",
        Expect::Refused,
        "header counts that do not match the payload",
        &forged(&|h| h["counts"]["place"] = Value::from(999), &payload),
    );
    add(
        "bundle-nested.wgb",
        "import",
        Expect::Refused,
        "deeply nested JSON (10,000 levels)",
        &bundle(
            &good,
            &[format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))],
        ),
    );
    add(
        "bundle-malformed.wgb",
        "import",
        Expect::Refused,
        "a line of broken JSON",
        &bundle(&good, &["{\"kind\":\"record\",\"family\":".to_owned()]),
    );
    let mut utf8 = payload.clone();
    utf8.extend_from_slice(b"\xff\xfe\x00\n");
    add(
        "bundle-invalid-utf8.wgb",
        "import",
        Expect::Refused,
        "bytes that are not UTF-8",
        &forged(&|_| {}, &utf8),
    );
    let place = nth("place");
    let mut twice = lines.clone();
    twice.insert(place + 1, lines[place].clone());
    add(
        "bundle-duplicate-id.wgb",
        "import",
        Expect::Refused,
        "the same record twice in one bundle",
        &bundle(&good, &twice),
    );
    let mut differs: Value = serde_json::from_str(&lines[place]).unwrap();
    differs["record"]["name"] = Value::from("同号异文");
    twice[place + 1] = differs.to_string();
    add(
        "bundle-duplicate-id-differs.wgb",
        "import",
        Expect::Refused,
        "one record id twice in one bundle, with two contents under the same change numbers",
        &bundle(&good, &twice),
    );
    add(
        "bundle-no-such-grid.wgb",
        "import",
        Expect::Refused,
        "a record in a grid nobody has heard of",
        &with(place, &|v| {
            v["record"]["region_code"] = Value::from("610727101099001")
        }),
    );
    add(
        "bundle-unknown-family.wgb",
        "import",
        Expect::Refused,
        "a family the program does not know",
        &with(place, &|v| v["family"] = Value::from("weapon")),
    );
    let hazard = nth("hazard");
    add(
        "bundle-date-1900.wgb",
        "import",
        Expect::Quarantined,
        "a hazard found in 1900",
        &with(hazard, &|v| {
            v["record"]["found_on"] = Value::from("1900-01-01")
        }),
    );
    add(
        "bundle-date-2999.wgb",
        "import",
        Expect::Quarantined,
        "a hazard found in 2999",
        &with(hazard, &|v| {
            v["record"]["found_on"] = Value::from("2999-12-31")
        }),
    );
    add(
        "bundle-date-nonsense.wgb",
        "import",
        Expect::Refused,
        "a date that is no date (2026-02-30)",
        &with(hazard, &|v| {
            v["record"]["found_on"] = Value::from("2026-02-30")
        }),
    );
    let petition = nth("petition");
    add(
        "bundle-people-negative.wgb",
        "import",
        Expect::Refused,
        "a petition by -5 people",
        &with(petition, &|v| v["record"]["people"] = Value::from(-5)),
    );
    add(
        "bundle-people-huge.wgb",
        "import",
        Expect::Refused,
        "a petition by 1e30 people",
        &with(petition, &|v| {
            v["record"]["people"] = serde_json::json!(1e30)
        }),
    );
    add(
        "bundle-version-huge.wgb",
        "import",
        Expect::Refused,
        "a version number past i64",
        &with(place, &|v| {
            v["record"]["version"] = serde_json::json!(u64::MAX)
        }),
    );
    for (name, what, text) in [
        ("bundle-nul.wgb", "NUL bytes in a name", "王\u{0}五"),
        (
            "bundle-rtl.wgb",
            "a right-to-left override and zero-width characters in a name",
            "张\u{202E}伟\u{200B}\u{FEFF}",
        ),
        (
            "bundle-sql.wgb",
            "SQL-looking text in a name",
            "x'); DROP TABLE places; --",
        ),
        (
            "bundle-formula.wgb",
            "formula-like text in a name",
            "=HYPERLINK(\"http://x.example\",\"点我\")",
        ),
        (
            "bundle-escape.wgb",
            "terminal escape sequences in a name",
            "\u{1b}]8;;http://x.example\u{7}\u{1b}[2J漏水",
        ),
    ] {
        add(
            name,
            "import",
            Expect::Taken,
            what,
            &with(place, &|v| v["record"]["name"] = Value::from(text)),
        );
    }
    let _ = town.store.conn();
}

pub fn others(add: &mut Add) {
    // The county, its card, and an acknowledgement of the township's first bundle.
    let mut county = db(COUNTY, 9, 0);
    wangge::sync::seal::county_init(&mut county.store).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let card = dir.path().join("card.txt");
    wangge::sync::seal::write_card(&county.store, &card).unwrap();
    let card_text = std::fs::read_to_string(&card).unwrap();
    add(
        "card-good.txt",
        "card",
        Expect::Taken,
        "the county's card",
        card_text.as_bytes(),
    );
    add("card-empty.txt", "card", Expect::Refused, "zero bytes", b"");
    add(
        "card-garbage.txt",
        "card",
        Expect::Refused,
        "not a card",
        b"\x00\x01garbage\xff",
    );
    let edited = card_text.replacen("610727000000", "610727101000", 1);
    add(
        "card-edited.txt",
        "card",
        Expect::Refused,
        "a card whose region was edited after signing",
        edited.as_bytes(),
    );
    let mut town = db(JIEGUAN, 1, 12);
    let first = send(&mut town, None);
    wangge::sync::import::import(&mut county.store, &first, false).unwrap();
    let acks = wangge::sync::ack::write_all(&county.store, &dir.path().join("acks")).unwrap();
    let ack = std::fs::read(&acks[0]).unwrap();
    add("ack-empty.wga", "ack", Expect::Refused, "zero bytes", b"");
    let mut flipped = ack.clone();
    let at = ack.len() - 10;
    flipped[at] ^= 0x01;
    add(
        "ack-flipped.wga",
        "ack",
        Expect::Refused,
        "one flipped byte",
        &flipped,
    );
    add(
        "ack-truncated.wga",
        "ack",
        Expect::Refused,
        "cut short",
        &ack[..ack.len() / 2],
    );
    add(
        "ack-garbage.wga",
        "ack",
        Expect::Refused,
        "not an acknowledgement",
        b"{\"format\":\"wangge-ack\"}\n\n\n",
    );
    // CSV files for `regions import` and `holidays import`.
    for (name, what, expect, text) in [
        ("regions-empty.csv", "zero bytes", Expect::Refused, "".to_owned()),
        ("regions-binary.csv", "binary garbage", Expect::Refused, "\u{0}\u{1}\u{2}PK\u{3}\u{4}".to_owned()),
        ("regions-orphan.csv", "a grid whose village does not exist", Expect::Refused, "code,name,level,parent\n610727101099001,孤网格,grid,610727101099\n".to_owned()),
        ("regions-bad-level.csv", "an unknown level", Expect::Refused, "code,name,level,parent\n610727101201,新村,hamlet,610727101000\n".to_owned()),
        ("regions-too-many-columns.csv", "a row with extra columns", Expect::Refused, "code,name,level,parent\n610727101201,新村,village,610727101000,extra,more\n".to_owned()),
        ("regions-formula.csv", "a formula-like village name, kept as text", Expect::Taken, "code,name,level,parent\n610727101201,=HYPERLINK(\"http://x\"),village,610727101000\n".to_owned()),
        ("regions-sql.csv", "SQL-looking village name, kept as text", Expect::Taken, "code,name,level,parent\n610727101202,'); DROP TABLE regions; --,village,610727101000\n".to_owned()),
        ("regions-nul.csv", "a NUL byte in a name", Expect::Refused, "code,name,level,parent\n610727101203,新\u{0}村,village,610727101000\n".to_owned()),
        ("holidays-empty.csv", "zero bytes", Expect::Refused, "".to_owned()),
        ("holidays-bad-date.csv", "a date that is no date", Expect::Refused, "date,kind,name_zh,name_en\n2027-02-30,holiday,春节,Spring Festival\n".to_owned()),
        ("holidays-bad-kind.csv", "an unknown kind of day", Expect::Refused, "date,kind,name_zh,name_en\n2027-02-06,party,春节,Spring Festival\n".to_owned()),
        ("holidays-far-future.csv", "a year far away", Expect::Refused, "date,kind,name_zh,name_en\n9999-01-01,holiday,元旦,New Year\n".to_owned()),
    ] {
        add(name, if name.starts_with("regions") { "regions" } else { "holidays" }, expect, what, text.as_bytes());
    }
    add(
        "regions-gbk-broken.csv",
        "regions",
        Expect::Refused,
        "bytes neither UTF-8 nor GBK",
        b"code,name,level,parent\n610727101204,\xff\xff\xff,village,610727101000\n",
    );
}
