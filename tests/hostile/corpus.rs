//! The corpus generator: a township's real bundle, the county's card and acknowledgement, and every bad file
//! made from them, each added with what must happen to it.

use super::*;

pub type Add<'a> = dyn FnMut(&str, &str, Expect, &str, &str, &[u8]) + 'a;

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
        "",
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
        "",
        "zero bytes",
        b"",
    );
    add(
        "bundle-png.wgb",
        "import",
        Expect::Refused,
        "",
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
        "",
        "one flipped byte in the payload",
        &flipped,
    );
    add(
        "bundle-truncated.wgb",
        "import",
        Expect::Refused,
        "",
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
        "",
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
        "",
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
        "",
        "an unknown major format version",
        &forged(&|h| h["version"] = Value::from("9.0"), &payload),
    );
    add(
        "bundle-counts-off.wgb",
        "import",
        Expect::Refused,
        "",
        "header counts that do not match the payload",
        &forged(&|h| h["counts"]["place"] = Value::from(999), &payload),
    );
    add(
        "bundle-nested.wgb",
        "import",
        Expect::Refused,
        "",
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
        "",
        "a line of broken JSON",
        &bundle(&good, &["{\"kind\":\"record\",\"family\":".to_owned()]),
    );
    let mut utf8 = payload.clone();
    utf8.extend_from_slice(b"\xff\xfe\x00\n");
    add(
        "bundle-invalid-utf8.wgb",
        "import",
        Expect::Refused,
        "",
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
        "",
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
        "",
        "one record id twice in one bundle, with two contents under the same change numbers",
        &bundle(&good, &twice),
    );
    add(
        "bundle-no-such-grid.wgb",
        "import",
        Expect::Refused,
        "",
        "a record in a grid nobody has heard of",
        &with(place, &|v| {
            v["record"]["region_code"] = Value::from("610727101099001")
        }),
    );
    add(
        "bundle-unknown-family.wgb",
        "import",
        Expect::Refused,
        "",
        "a family the program does not know",
        &with(place, &|v| v["family"] = Value::from("weapon")),
    );
    let hazard = nth("hazard");
    add(
        "bundle-date-1900.wgb",
        "import",
        Expect::Quarantined,
        "",
        "a hazard found in 1900",
        &with(hazard, &|v| {
            v["record"]["found_on"] = Value::from("1900-01-01")
        }),
    );
    add(
        "bundle-date-2999.wgb",
        "import",
        Expect::Quarantined,
        "",
        "a hazard found in 2999",
        &with(hazard, &|v| {
            v["record"]["found_on"] = Value::from("2999-12-31")
        }),
    );
    add(
        "bundle-date-nonsense.wgb",
        "import",
        Expect::Refused,
        "",
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
        "",
        "a petition by -5 people",
        &with(petition, &|v| v["record"]["people"] = Value::from(-5)),
    );
    add(
        "bundle-people-huge.wgb",
        "import",
        Expect::Refused,
        "",
        "a petition by 1e30 people",
        &with(petition, &|v| {
            v["record"]["people"] = serde_json::json!(1e30)
        }),
    );
    add(
        "bundle-version-huge.wgb",
        "import",
        Expect::Refused,
        "",
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
            "",
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
        "",
        "the county's card",
        card_text.as_bytes(),
    );
    rule_acks_and_cards(add, &card_text);
    add(
        "card-empty.txt",
        "card",
        Expect::Refused,
        "",
        "zero bytes",
        b"",
    );
    add(
        "card-garbage.txt",
        "card",
        Expect::Refused,
        "",
        "not a card",
        b"\x00\x01garbage\xff",
    );
    let edited = card_text.replacen("610727000000", "610727101000", 1);
    add(
        "card-edited.txt",
        "card",
        Expect::Refused,
        "",
        "a card whose region was edited after signing",
        edited.as_bytes(),
    );
    let mut town = db(JIEGUAN, 1, 12);
    let first = send(&mut town, None);
    wangge::sync::import::import(&mut county.store, &first, false).unwrap();
    let acks = wangge::sync::ack::write_all(&county.store, &dir.path().join("acks")).unwrap();
    let ack = std::fs::read(&acks[0]).unwrap();
    add(
        "ack-empty.wga",
        "ack",
        Expect::Refused,
        "",
        "zero bytes",
        b"",
    );
    let mut flipped = ack.clone();
    let at = ack.len() - 10;
    flipped[at] ^= 0x01;
    add(
        "ack-flipped.wga",
        "ack",
        Expect::Refused,
        "",
        "one flipped byte",
        &flipped,
    );
    add(
        "ack-truncated.wga",
        "ack",
        Expect::Refused,
        "",
        "cut short",
        &ack[..ack.len() / 2],
    );
    add(
        "ack-garbage.wga",
        "ack",
        Expect::Refused,
        "",
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
        add(name, if name.starts_with("regions") { "regions" } else { "holidays" }, expect, "", what, text.as_bytes());
    }
    add(
        "regions-gbk-broken.csv",
        "regions",
        Expect::Refused,
        "",
        "bytes neither UTF-8 nor GBK",
        b"code,name,level,parent\n610727101204,\xff\xff\xff,village,610727101000\n",
    );
}

/// A bundle of `lines` signed by device `n` (key `[n; 32]`), its header edited by `edit` after the counts are
/// fixed up to match.
fn signed(good: &Path, n: u8, lines: &[String], edit: &dyn Fn(&mut Value)) -> Vec<u8> {
    let payload = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    let mut counts = serde_json::Map::new();
    for l in lines {
        let v: Value = serde_json::from_str(l).unwrap();
        let k = match v["kind"].as_str() {
            Some("region") => "region".to_owned(),
            _ => v["family"].as_str().unwrap_or("?").to_owned(),
        };
        let c = counts.get(&k).and_then(Value::as_u64).unwrap_or(0);
        counts.insert(k, Value::from(c + 1));
    }
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::from_bytes(&[n; 32]);
    let p = forge(
        good,
        &dir.path().join("f.wgb"),
        &key,
        payload.as_bytes(),
        |h| {
            h["counts"] = Value::Object(counts.clone());
            h["device"] = Value::from(common::exchange::device_id(n));
            h["public_key"] = Value::from(hex::encode(key.verifying_key().to_bytes()));
            edit(h);
        },
    );
    std::fs::read(p).unwrap()
}

/// Signs an acknowledgement or a card line (`line1`) with key `[n; 32]`.
fn two_lines(n: u8, line1: &str) -> Vec<u8> {
    let sig = hex::encode(
        SigningKey::from_bytes(&[n; 32])
            .sign(line1.as_bytes())
            .to_bytes(),
    );
    format!("{line1}\n{sig}\n").into_bytes()
}

/// The rules of issue 18, one class a case: canonical identity, record ownership, bounds on numbers and clocks,
/// trust held for overlapping claims, region lines, acknowledgements and cards.
pub fn rules(add: &mut Add) {
    let good_bytes = std::fs::read(Path::new(CORPUS).join("bundle-good.wgb"))
        .expect("bundles() writes bundle-good.wgb first");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.wgb");
    std::fs::write(&good, &good_bytes).unwrap();
    let (header, _, payload) = parts(&good);
    let header: Value = serde_json::from_str(&header).unwrap();
    let hi = header["seq"][1].as_i64().unwrap();
    let text = String::from_utf8(payload.clone()).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let line = |family: &str| -> Value {
        let l = lines
            .iter()
            .find(|l| l.contains(&format!("\"family\":\"{family}\"")))
            .unwrap();
        serde_json::from_str(l).unwrap()
    };
    let one = |v: &Value| vec![v.to_string()];
    let as_device_1 = |v: &Value, edit: &dyn Fn(&mut Value)| signed(&good, 1, &one(v), edit);
    let keep = |_: &mut Value| {};
    let place = line("place");
    let hazard = line("hazard");
    // Canonical identity: every other spelling of a valid value is refused, naming the canonical one.
    let mut v = place.clone();
    v["record"]["id"] = hazard["record"]["id"].clone();
    add(
        "bundle-id-other-family.wgb",
        "import-after-good",
        Expect::Refused,
        "another family's (hazard)",
        "a place whose id is a hazard's the county holds",
        &as_device_1(&v, &keep),
    );
    add(
        "bundle-region-spaced.wgb",
        "import",
        Expect::Refused,
        "canonical form is 610727101000",
        "the header's region with a trailing space",
        &as_device_1(&place, &|h| h["region"] = Value::from("610727101000 ")),
    );
    for (name, code, canonical, what) in [
        (
            "bundle-region-six.wgb",
            "610727",
            "610727000000",
            "a record's region in the county's 6-digit form",
        ),
        (
            "bundle-region-fullwidth.wgb",
            "６１０７２７１０１０００",
            "610727101000",
            "a record's region in full-width digits",
        ),
        (
            "bundle-region-mixed.wgb",
            "6１0727101000",
            "610727101000",
            "a record's region mixing half- and full-width digits (a byte slice panicked)",
        ),
    ] {
        let mut v = place.clone();
        v["record"]["region_code"] = Value::from(code);
        add(
            name,
            "import",
            Expect::Refused,
            &format!("canonical form is {canonical}"),
            what,
            &as_device_1(&v, &keep),
        );
    }
    let id = place["record"]["id"].as_str().unwrap().to_owned();
    for (name, spelling, what) in [
        (
            "bundle-id-braces.wgb",
            format!("{{{id}}}"),
            "a record id in braces",
        ),
        (
            "bundle-id-capitals.wgb",
            id.to_uppercase(),
            "a record id in capitals",
        ),
    ] {
        let mut v = place.clone();
        v["record"]["id"] = Value::from(spelling);
        add(
            name,
            "import",
            Expect::Refused,
            &format!("canonical form is {id}"),
            what,
            &as_device_1(&v, &keep),
        );
    }
    let device = common::exchange::device_id(1);
    add(
        "bundle-device-capitals.wgb",
        "import-after-good",
        Expect::Refused,
        &format!("canonical form is {device}"),
        "a known device's id in capitals (not a new device to register)",
        &as_device_1(&place, &|h| {
            h["device"] = Value::from(device.to_uppercase())
        }),
    );
    // Ownership: a trusted device of 兴州街道 (device 2) may not rewrite, tombstone or add events to a record of
    // 接官亭镇, whatever its vector says.
    let mut taken = place.clone();
    let n1 = taken["record"]["vv"][&device].as_u64().unwrap();
    taken["record"]["region_code"] = Value::from(XINGZHOU);
    taken["record"]["vv"][common::exchange::device_id(2)] = Value::from(1);
    taken["record"]["version"] = Value::from(n1 + 1);
    taken["record"]["updated_by"] = Value::from(common::exchange::device_id(2));
    taken["record"]["name"] = Value::from("改成兴州的");
    taken["seqs"] = serde_json::json!([[1, n1 + 1]]);
    let as_device_2 = |v: &Value| {
        signed(&good, 2, &one(v), &|h| {
            h["region"] = Value::from(XINGZHOU);
            h["seq"] = serde_json::json!([1, 5]);
        })
    };
    add(
        "bundle-rewrites-other-township.wgb",
        "import-after-good",
        Expect::Refused,
        "may not change it",
        "another township's device rewrites a record of 接官亭镇 with a larger vector",
        &as_device_2(&taken),
    );
    let mut tomb = taken.clone();
    tomb["record"]["deleted"] = Value::from(true);
    add(
        "bundle-tombstones-other-township.wgb",
        "import-after-good",
        Expect::Refused,
        "may not change it",
        "another township's device deletes a record of 接官亭镇",
        &as_device_2(&tomb),
    );
    let mut events = place.clone();
    events["record"]["region_code"] = Value::from(XINGZHOU);
    events["seqs"] = serde_json::json!([]);
    events["events"] = serde_json::json!([{
        "id": "0190a000-0000-7000-8000-0000000e0e0e", "origin": common::exchange::device_id(2),
        "at": 1_764_000_000_000_i64, "on_date": "2026-11-20", "actor": "冒名", "action": "close", "note": "已销号"
    }]);
    add(
        "bundle-events-other-township.wgb",
        "import-after-good",
        Expect::Refused,
        "may not change it",
        "another township's device adds a timeline event to a record of 接官亭镇",
        &as_device_2(&events),
    );
    // Bounds: counters and totals within 2^53, the sender's own counter within its changes, times within the
    // bundle's, ranges 1 <= lo <= hi, batch 0 exactly for a full re-send.
    let mut huge = place.clone();
    huge["record"]["vv"][common::exchange::device_id(5)] = Value::from(1u64 << 62);
    huge["record"]["version"] = Value::from((1u64 << 62) + n1);
    add(
        "bundle-vv-huge.wgb",
        "import",
        Expect::Refused,
        "2^53",
        "a version vector counting 2^62 changes by another device",
        &as_device_1(&huge, &keep),
    );
    let mut own = place.clone();
    own["record"]["vv"][&device] = Value::from(hi + 5);
    own["record"]["version"] = Value::from(hi + 5);
    add(
        "bundle-vv-past-seq.wgb",
        "import",
        Expect::Refused,
        "more than the sender's",
        "the sender's own counter past its last change number",
        &as_device_1(&own, &keep),
    );
    let mut future = place.clone();
    future["record"]["updated_at"] = Value::from(32_503_680_000_000_i64);
    add(
        "bundle-updated-3000.wgb",
        "import",
        Expect::Refused,
        "after the bundle's own time",
        "a record changed in the year 3000 (it would win every conflict)",
        &as_device_1(&future, &keep),
    );
    add(
        "bundle-created-3000.wgb",
        "import",
        Expect::Refused,
        "clock",
        "a bundle made in the year 3000",
        &as_device_1(&place, &|h| {
            h["created_at"] = Value::from("3000-01-01T00:00:00.000Z")
        }),
    );
    for (name, seq, what) in [
        (
            "bundle-seq-backwards.wgb",
            serde_json::json!([hi, 1]),
            "a range that runs backwards",
        ),
        (
            "bundle-seq-negative.wgb",
            serde_json::json!([-3, hi]),
            "a range starting below 1",
        ),
        (
            "bundle-seq-max.wgb",
            serde_json::json!([1, i64::MAX]),
            "a range reaching i64::MAX",
        ),
    ] {
        add(
            name,
            "import",
            Expect::Refused,
            "range",
            what,
            &as_device_1(&place, &|h| h["seq"] = seq.clone()),
        );
    }
    add(
        "bundle-batch0-not-full.wgb",
        "import",
        Expect::Refused,
        "batch",
        "batch 0 without full",
        &as_device_1(&place, &|h| {
            h["batch"] = Value::from(0);
            h["full"] = Value::from(false);
        }),
    );
    // Trust: a new device claiming a village inside a township bound to device 1 is held, not merged.
    let village = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["region"]["level"] == "village")
        .map(|v| v["region"]["code"].as_str().unwrap().to_owned())
        .unwrap();
    let mut intruder = place.clone();
    intruder["record"]["id"] = Value::from("0190a000-0000-7000-8000-00000000bad7");
    intruder["record"]["region_code"] = Value::from(village.as_str());
    intruder["record"]["origin"] = Value::from(common::exchange::device_id(7));
    intruder["record"]["updated_by"] = Value::from(common::exchange::device_id(7));
    intruder["record"]["vv"] = serde_json::json!({ common::exchange::device_id(7): 1 });
    intruder["record"]["version"] = Value::from(1);
    intruder["seqs"] = serde_json::json!([[1, 1]]);
    add(
        "bundle-village-in-bound-township.wgb",
        "import-after-good",
        Expect::Held,
        "held",
        "a new device claiming a village of a township bound to another device",
        &signed(&good, 7, &one(&intruder), &|h| {
            h["region"] = Value::from(village.as_str());
            h["seq"] = serde_json::json!([1, 1]);
        }),
    );
    // Region lines are taken only inside the sender's jurisdiction: another county's are ignored.
    let mut with_foreign = lines.clone();
    with_foreign.push(
        serde_json::json!({"kind": "region", "region": {"code": "610728000000", "name": "外县",
            "level": "county", "parent": null}})
        .to_string(),
    );
    with_foreign.push(
        serde_json::json!({"kind": "region", "region": {"code": "610728101000", "name": "外县某镇",
            "level": "township", "parent": "610728000000"}})
        .to_string(),
    );
    add(
        "bundle-foreign-regions.wgb",
        "import",
        Expect::RegionsKept,
        "",
        "region lines of another county beside a good payload",
        &signed(&good, 1, &with_foreign, &keep),
    );
    // Messages that tell the truth.
    let crlf: Vec<u8> = good_bytes
        .iter()
        .flat_map(|b| {
            if *b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![*b]
            }
        })
        .collect();
    add(
        "bundle-crlf.wgb",
        "import",
        Expect::Refused,
        "line endings were converted",
        "a bundle copied as text (CRLF line ends)",
        &crlf,
    );
    let mut damaged = good_bytes.clone();
    let at = damaged.len() - 40;
    damaged[at] ^= 0x04;
    add(
        "bundle-damaged-copy.wgb",
        "import-after-good",
        Expect::Refused,
        "damaged",
        "a damaged copy of a bundle already imported (not 'already imported')",
        &damaged,
    );
}

/// Acknowledgements and cards that break the rules.
pub fn rule_acks_and_cards(add: &mut Add, card_text: &str) {
    let card: Value = serde_json::from_str(card_text.lines().next().unwrap()).unwrap();
    for (name, region, says, what) in [
        (
            "card-region-six.txt",
            "610727",
            "canonical form is 610727000000",
            "a county card whose region is in the 6-digit form (signed)",
        ),
        (
            "card-region-mixed.txt",
            "6１0727000000",
            "canonical form is 610727000000",
            "a county card whose region mixes half- and full-width digits (recipient add panicked)",
        ),
    ] {
        let mut c = card.clone();
        c["region"] = Value::from(region);
        add(
            name,
            "card",
            Expect::Refused,
            says,
            what,
            &two_lines(9, &c.to_string()),
        );
    }
    let mut second = card.clone();
    second["device"] = Value::from(common::exchange::device_id(8));
    second["public_key"] = Value::from(hex::encode(
        SigningKey::from_bytes(&[8; 32]).verifying_key().to_bytes(),
    ));
    add(
        "card-second-of-county.txt",
        "card",
        Expect::Refused,
        "already registered",
        "a second card of the same county, another device",
        &two_lines(8, &second.to_string()),
    );
    add(
        "card-secret.txt",
        "card",
        Expect::Refused,
        "leaked",
        "a card file that also holds the county's secret key",
        format!("{card_text}# AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n")
            .as_bytes(),
    );
    let ack = |ranges: Value| {
        serde_json::json!({"format": "wangge-ack", "version": "1.0",
            "device": common::exchange::device_id(9), "public_key": card["public_key"],
            "region": COUNTY, "for": common::exchange::device_id(1), "ranges": ranges,
            "created_at": "2026-11-27T09:00:00+08:00"})
        .to_string()
    };
    add(
        "ack-claims-more.wga",
        "ack",
        Expect::Taken,
        "never sent",
        "a county-signed acknowledgement of changes this device never sent",
        &two_lines(9, &ack(serde_json::json!([[1, 1_000_000]]))),
    );
    add(
        "ack-range-max.wga",
        "ack",
        Expect::Refused,
        "ranges are invalid",
        "an acknowledgement whose range reaches i64::MAX",
        &two_lines(9, &ack(serde_json::json!([[1, i64::MAX]]))),
    );
    let crlf = String::from_utf8(two_lines(9, &ack(serde_json::json!([[1, 3]]))))
        .unwrap()
        .replace('\n', "\r\n");
    add(
        "ack-crlf.wga",
        "ack",
        Expect::Refused,
        "line endings were converted",
        "an acknowledgement copied as text (CRLF)",
        crlf.as_bytes(),
    );
}
