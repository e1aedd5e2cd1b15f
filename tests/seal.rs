//! Bundles a lost stick cannot leak: the county's key and card, encrypted export, import that decrypts, and
//! every way it must refuse (another key, an altered ciphertext or header), with the database unchanged.

mod common;

use std::io::Read;
use std::str::FromStr;

use common::exchange::*;
use ed25519_dalek::SigningKey;
use serde_json::Value;
use wangge::sync::seal;

/// A county with its key, and a township that registered the county's card.
fn sealed_pair() -> (Db, Db) {
    let mut c = db(COUNTY, 9, 0);
    let mut a = db(JIEGUAN, 1, 40);
    seal::county_init(&mut c.store).unwrap();
    let card = c.dir.path().join("county-card.txt");
    seal::write_card(&c.store, &card).unwrap();
    seal::add_card(&mut a.store, &card).unwrap();
    (c, a)
}

fn message(e: &wangge::store::StoreError) -> String {
    wangge::domain::Localized::message(e, wangge::domain::Lang::En)
}

#[test]
fn an_encrypted_bundle_round_trips_and_shows_nothing_but_its_header() {
    let (mut c, mut a) = sealed_pair();
    let file = send(&mut a, None);
    let (header, _, payload) = parts(&file);
    let h: Value = serde_json::from_str(&header).unwrap();
    assert_eq!(h["payload"]["encoding"], "age");
    // Not a name, an ID number or a phone anywhere in the file: the payload is ciphertext.
    let bytes = std::fs::read(&file).unwrap();
    let conn = a.store.conn();
    let mut st = conn
        .prepare(
            "SELECT petitioner_name, coalesce(id_number, ''), coalesce(phone, '') FROM petitions",
        )
        .unwrap();
    let people: Vec<(String, String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!people.is_empty());
    for (name, id, phone) in &people {
        for secret in [name, id, phone].into_iter().filter(|s| s.len() >= 6) {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} readable in the bundle"
            );
        }
    }
    assert!(
        payload.starts_with(b"age-encryption.org/v1\n"),
        "standard age"
    );
    // The header and the file name, read on their own, name nobody either (nor any worker).
    let name = file.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.is_ascii());
    let workers: Vec<String> = conn
        .prepare("SELECT name FROM workers")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for text in [&header, &name] {
        for (n, i, p) in &people {
            for secret in [n, i, p].into_iter().filter(|s| !s.is_empty()) {
                assert!(!text.contains(secret.as_str()), "{secret} in {text}");
            }
        }
        for w in &workers {
            assert!(!text.contains(w.as_str()), "worker {w} in {text}");
        }
    }
    // The age crate alone opens the payload (what a clerk does with the age tool).
    let id_file = c.dir.path().join("identity.txt");
    seal::export_identity(&c.store, &id_file).unwrap();
    let text = std::fs::read_to_string(&id_file).unwrap();
    let key = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap();
    let identity = age::x25519::Identity::from_str(key).unwrap();
    let mut plain = String::new();
    age::Decryptor::new(&payload[..])
        .unwrap()
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap()
        .read_to_string(&mut plain)
        .unwrap();
    assert!(plain.lines().count() > 40 && plain.contains("\"family\":\"petition\""));
    // And the county imports it.
    let s = take(&mut c, &file).unwrap();
    assert!(s.new > 40, "{s:?}");
    assert_eq!(
        one(&c, "SELECT count(*) FROM petitions"),
        one(&a, "SELECT count(*) FROM petitions")
    );
}

#[test]
fn another_key_an_altered_ciphertext_or_header_are_refused_and_change_nothing() {
    let (mut c, mut a) = sealed_pair();
    let good = send(&mut a, None);
    let (header, _, payload) = parts(&good);
    let dir = c.dir.path().to_owned();
    // A county database without the key; another county's key.
    let mut keyless = db(COUNTY, 10, 0);
    let e = take(&mut keyless, &good).expect_err("no key");
    assert!(message(&e).contains("encrypted"), "{}", message(&e));
    let mut other = db(COUNTY, 11, 0);
    seal::county_init(&mut other.store).unwrap();
    let before = snapshot(&other);
    let e = take(&mut other, &good).expect_err("another key");
    assert!(message(&e).contains("another key"), "{}", message(&e));
    assert_eq!(snapshot(&other), before);
    // A flipped byte deep in the ciphertext, re-signed with a fresh digest so only the age layer can tell.
    let before = snapshot(&c);
    let mut flipped = payload.clone();
    let at = flipped.len() - 40;
    flipped[at] ^= 0x55;
    let key = SigningKey::from_bytes(&[1u8; 32]);
    let f = forge(&good, &dir.join("flipped.wgb"), &key, &flipped, |_| {});
    let e = take(&mut c, &f).expect_err("flipped");
    assert!(
        message(&e).contains("damaged or altered"),
        "{}",
        message(&e)
    );
    assert_eq!(snapshot(&c), before);
    // The same byte flipped without re-signing: the digest no longer matches.
    let mut bytes = std::fs::read(&good).unwrap();
    let n = bytes.len();
    bytes[n - 40] ^= 0x55;
    let f = dir.join("flipped2.wgb");
    std::fs::write(&f, &bytes).unwrap();
    assert!(take(&mut c, &f).is_err());
    // A header that says the payload is plain.
    let f = forge(&good, &dir.join("plain.wgb"), &key, &payload, |h| {
        h["payload"]["encoding"] = Value::from("jsonl")
    });
    assert!(take(&mut c, &f).is_err());
    // A header edited by hand (its signature no longer matches).
    let mut h: Value = serde_json::from_str(&header).unwrap();
    h["seq"][1] = Value::from(1);
    let mut bytes = std::fs::read(&good).unwrap();
    let end = bytes.iter().position(|b| *b == b'\n').unwrap();
    bytes.splice(..end, serde_json::to_vec(&h).unwrap());
    let f = dir.join("header.wgb");
    std::fs::write(&f, &bytes).unwrap();
    let e = take(&mut c, &f).expect_err("header");
    assert!(message(&e).contains("signature"), "{}", message(&e));
    assert_eq!(snapshot(&c), before);
    // The good file still imports.
    take(&mut c, &good).unwrap();
}

#[test]
fn a_plain_bundle_still_imports_and_the_card_is_checked() {
    let mut c = db(COUNTY, 9, 0);
    seal::county_init(&mut c.store).unwrap();
    let mut a = db(JIEGUAN, 1, 20);
    let plain = send(&mut a, None);
    let (header, _, _) = parts(&plain);
    assert!(header.contains("\"encoding\":\"jsonl\""));
    take(&mut c, &plain).unwrap();
    // A second key is refused; a township cannot make the county key.
    assert!(seal::county_init(&mut c.store).is_err());
    assert!(seal::county_init(&mut a.store).is_err());
    // A card edited by hand is refused; the right one registers the county's key too.
    let card = c.dir.path().join("card.txt");
    seal::write_card(&c.store, &card).unwrap();
    let text = std::fs::read_to_string(&card).unwrap();
    let forged = c.dir.path().join("forged.txt");
    std::fs::write(
        &forged,
        text.replacen("\"recipient\":\"age1", "\"recipient\":\"age1x", 1),
    )
    .unwrap();
    assert!(seal::add_card(&mut a.store, &forged).is_err());
    seal::add_card(&mut a.store, &card).unwrap();
    let peer = wangge::store::exchange::peer(a.store.conn(), &device_id(9))
        .unwrap()
        .unwrap();
    assert_eq!(peer.status, wangge::store::exchange::PeerStatus::Confirmed);
    assert!(seal::add_recipient(&mut a.store, "age1nonsense").is_err());
    // Without a recipient, bundles go plain again.
    let r = seal::recipients(a.store.conn()).unwrap()[0].to_string();
    assert!(seal::remove_recipient(&mut a.store, &r).unwrap());
    common::exchange::touch_any(&mut a);
    let again = send(&mut a, None);
    assert!(parts(&again).0.contains("\"encoding\":\"jsonl\""));
}

#[test]
fn the_county_acknowledges_and_only_its_card_key_is_believed() {
    let (mut c, mut a) = sealed_pair();
    let file = send(&mut a, None);
    let st = wangge::sync::status::status(&a.store).unwrap();
    assert_eq!((st.confirmed_batches, st.unconfirmed.len()), (0, 1));
    take(&mut c, &file).unwrap();
    let acks = c.dir.path().join("acks");
    let files = wangge::sync::ack::write_all(&c.store, &acks).unwrap();
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.is_ascii() && name.ends_with(".wga"), "{name}");
    // Another township does not take it; a forged one (signed by another key) is refused.
    let mut b = db(XINGZHOU, 2, 0);
    let card = c.dir.path().join("county-card.txt");
    seal::add_card(&mut b.store, &card).unwrap();
    let e = wangge::sync::ack::accept(&mut b.store, &files[0], false).expect_err("other device");
    assert!(message(&e).contains("for device"), "{}", message(&e));
    let (line1, _, _) = parts(&files[0]);
    let other = SigningKey::from_bytes(&[42u8; 32]);
    let forged = c.dir.path().join("forged.wga");
    std::fs::write(
        &forged,
        format!(
            "{line1}\n{}\n",
            hex::encode(ed25519_dalek::Signer::sign(&other, line1.as_bytes()).to_bytes())
        ),
    )
    .unwrap();
    let e = wangge::sync::ack::accept(&mut a.store, &forged, false).expect_err("forged");
    assert!(message(&e).contains("signature"), "{}", message(&e));
    // Without the county's card registered, no acknowledgement is believed.
    let mut lone = db(JIEGUAN, 3, 0);
    assert!(wangge::sync::ack::accept(&mut lone.store, &files[0], false).is_err());
    // The real one, through `import` like a bundle.
    match wangge::sync::import::take(&mut a.store, &files[0], false, &wangge::sync::quiet).unwrap()
    {
        wangge::sync::import::Taken::Ack(t) => assert_eq!(t.ack.ranges.len(), 1),
        wangge::sync::import::Taken::Bundle(_) => panic!("an ack read as a bundle"),
    }
    let st = wangge::sync::status::status(&a.store).unwrap();
    assert_eq!((st.confirmed_batches, st.unconfirmed.len()), (1, 0));
}

#[test]
fn tombstones_are_purged_only_after_the_county_confirmed_them() {
    let (mut c, mut a) = sealed_pair();
    take(&mut c, &send(&mut a, None)).unwrap();
    touch_any(&mut a);
    let deleted = one(&a, "SELECT count(*) FROM hazards WHERE deleted = 1");
    assert_eq!(deleted, 1);
    let file = send(&mut a, None);
    // Sent but not confirmed: it stays.
    assert_eq!(wangge::sync::ack::purge(&mut a.store, 0).unwrap(), 0);
    assert!(wangge::sync::ack::purge(&mut a.store, -5).is_err());
    take(&mut c, &file).unwrap();
    let acks = c.dir.path().join("acks");
    let f = wangge::sync::ack::write_all(&c.store, &acks).unwrap();
    wangge::sync::ack::accept(&mut a.store, &f[0], false).unwrap();
    // Confirmed, but inside the retention period: it stays.
    assert_eq!(wangge::sync::ack::purge(&mut a.store, 90).unwrap(), 0);
    assert_eq!(wangge::sync::ack::purge(&mut a.store, 0).unwrap(), 1);
    assert_eq!(one(&a, "SELECT count(*) FROM hazards WHERE deleted = 1"), 0);
    let errors: Vec<_> = wangge::store::check::run(a.store.conn(), a.store.today())
        .into_iter()
        .filter(|f| f.severity == wangge::store::check::Severity::Error)
        .map(|f| f.en)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_card_of_another_county_or_of_a_revoked_device_is_refused() {
    let mut c = db(COUNTY, 9, 0);
    seal::county_init(&mut c.store).unwrap();
    let card = c.dir.path().join("card.txt");
    seal::write_card(&c.store, &card).unwrap();
    let (line1, _, _) = parts(&card);
    // The same county device's key, but a card for another county: signed, and still refused.
    let other = line1.replace("\"region\":\"610727000000\"", "\"region\":\"610728000000\"");
    assert_ne!(other, line1);
    let key = SigningKey::from_bytes(&[9u8; 32]);
    let forged = c.dir.path().join("other.txt");
    std::fs::write(
        &forged,
        format!(
            "{other}\n{}\n",
            hex::encode(ed25519_dalek::Signer::sign(&key, other.as_bytes()).to_bytes())
        ),
    )
    .unwrap();
    let mut a = db(JIEGUAN, 1, 0);
    let e = seal::add_card(&mut a.store, &forged).expect_err("another county");
    assert!(message(&e).contains("does not contain"), "{}", message(&e));
    // A device this township revoked is not brought back by its card.
    seal::add_card(&mut a.store, &card).unwrap();
    // A second county database's card, while this county's is registered: refused, with the way out.
    let mut c2 = db(COUNTY, 12, 0);
    seal::county_init(&mut c2.store).unwrap();
    let card2 = c2.dir.path().join("card2.txt");
    seal::write_card(&c2.store, &card2).unwrap();
    let e = seal::add_card(&mut a.store, &card2).expect_err("second card");
    assert!(message(&e).contains("recipient remove"), "{}", message(&e));
    // A card saved by a Windows editor (BOM, CRLF) still reads.
    let text = std::fs::read_to_string(&card).unwrap();
    let windows = c.dir.path().join("windows.txt");
    std::fs::write(&windows, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
    assert_eq!(
        seal::read_card(&windows).unwrap(),
        seal::read_card(&card).unwrap()
    );
    wangge::sync::trust::revoke(&mut a.store, &dev(9)).unwrap();
    let e = seal::add_card(&mut a.store, &card).expect_err("revoked");
    assert!(message(&e).contains("revoked"), "{}", message(&e));
}

#[test]
fn a_bundle_meant_for_a_township_does_not_count_as_received_at_the_county() {
    let mut a = db(JIEGUAN, 1, 20);
    let mut c1 = db(COUNTY, 9, 0);
    take(&mut c1, &send(&mut a, None)).unwrap();
    touch_any(&mut c1);
    let down = send(&mut c1, Some(JIEGUAN));
    // Another county database takes its records, but not its range: it holds only what lies in 接官亭.
    let mut c2 = db(COUNTY, 10, 0);
    register(&mut c2, 9, COUNTY);
    take(&mut c2, &down).unwrap();
    let st = wangge::sync::status::status(&c2.store).unwrap();
    let d = st
        .devices
        .iter()
        .find(|d| d.device == device_id(9))
        .unwrap();
    assert_eq!((d.last_seq, d.last_batch), (0, None), "{d:?}");
    assert!(
        wangge::sync::ack::write_all(&c2.store, &c2.dir.path().join("acks"))
            .unwrap()
            .is_empty()
    );
}
