//! Tests of `sync::export`.
use super::*;

/// A township's database in a folder of its own, holding a demo of `records` records.
fn township(records: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = crate::sync::test_store(
        &dir.path().join("w.db"),
        "610727101000",
        "0190a1b2-0000-7000-8000-000000000007",
    );
    crate::demo::generate(&mut store, records, 7, &mut |_| {}).unwrap();
    (dir, store)
}

/// A scan and lookups by id write the same bytes for the same range.
#[test]
fn a_scan_writes_what_lookups_write() {
    let (dir, mut store) = township(120);
    // Two events of one moment from another device, the later id added first: both ways order them by id.
    let hazard: String = store
        .conn()
        .query_row(
            "SELECT (SELECT id FROM ids WHERE key = h.key) FROM hazards h LIMIT 1",
            [],
            |r| Ok(store::keys::spelled(r.get_ref(0)?).unwrap()),
        )
        .unwrap();
    let event = |n: u8| timeline::EventRow {
        id: crate::domain::ids::EventId::parse(&format!("0190a1b2-0000-7000-8000-0000000000e{n}"))
            .unwrap(),
        origin: crate::domain::ids::DeviceId::parse("0190a1b2-0000-7000-8000-0000000000d9")
            .unwrap(),
        at: 1_764_000_000_000,
        on_date: "2025-11-25".into(),
        actor: "他乡".into(),
        action: "note".into(),
        note: Some(format!("{n}")),
    };
    store
        .write_raw(|tx| timeline::add_events(tx, &hazard, &[event(2), event(1)]))
        .unwrap();
    let (hi, _) = exchange::journal_head(store.conn()).unwrap();
    let mut written = Vec::new();
    for scan in [true, false] {
        let path = dir.path().join(format!("payload-{scan}"));
        let range = Range {
            seqs: (1, hi),
            scan,
        };
        let w = write_payload(&store, &path, range, &[], None, None, &|_, _| {}).unwrap();
        assert!(
            w.counts["inspection"] > 0 && w.counts["hazard"] > 0,
            "{:?}",
            w.counts
        );
        written.push((w.sha256, std::fs::read(&path).unwrap()));
    }
    assert_eq!(written[0].0, written[1].0);
    assert!(written[0].1 == written[1].1, "the payloads differ");
}

/// The payload starts `PREFIX` bytes in: line 1 (the header and its spaces) and line 2 (its signature) fill them,
/// and the header's digest and length are the payload's.
#[test]
fn a_bundle_keeps_its_header_and_signature_in_the_first_bytes() {
    let (dir, mut store) = township(20);
    let req = Request {
        out_dir: dir.path().join("out"),
        to: None,
        full: false,
    };
    let Outcome::Written { path, header } = export(&mut store, &req).unwrap() else {
        panic!("nothing written");
    };
    let bytes = std::fs::read(&path).unwrap();
    let (prefix, payload) = bytes.split_at(PREFIX);
    let text = std::str::from_utf8(prefix).unwrap();
    let (line1, line2) = text.strip_suffix('\n').unwrap().split_once('\n').unwrap();
    assert!(line1.ends_with(' ') && line2.len() == 128, "{line1:?}");
    let read: Header = serde_json::from_str(line1).unwrap();
    assert_eq!(read, *header);
    assert!(bundle::verify(&header.public_key, line1, line2));
    assert_eq!(header.payload.bytes, payload.len() as u64);
    use sha2::Digest;
    assert_eq!(
        header.payload.sha256,
        hex::encode(sha2::Sha256::digest(payload))
    );
    // Nothing else is left in the folder.
    assert_eq!(std::fs::read_dir(&req.out_dir).unwrap().count(), 1);
}

/// A row whose reference names no id (damage `check` names) stops the export, scanned or looked up, rather than
/// leave the reference out unseen.
#[test]
fn a_reference_that_names_no_id_stops_the_export_both_ways() {
    let (dir, store) = township(40);
    // Damage made behind wangge's back, by a tool that does not check foreign keys.
    store
        .conn()
        .execute_batch("PRAGMA foreign_keys = OFF")
        .unwrap();
    let broken = store
        .conn()
        .execute(
            "UPDATE hazards SET place_key = (SELECT max(key) + 1000 FROM ids)
             WHERE key = (SELECT min(key) FROM hazards WHERE place_key IS NOT NULL)",
            [],
        )
        .unwrap();
    assert_eq!(broken, 1);
    let (hi, _) = exchange::journal_head(store.conn()).unwrap();
    for scan in [true, false] {
        let path = dir.path().join(format!("payload-{scan}"));
        let range = Range {
            seqs: (1, hi),
            scan,
        };
        let err = write_payload(&store, &path, range, &[], None, None, &|_, _| {})
            .err()
            .unwrap_or_else(|| panic!("scan {scan}: the export went on"));
        assert!(
            format!("{err:?}").contains("place_key"),
            "scan {scan}: {err:?}"
        );
    }
}
