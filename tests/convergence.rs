//! Merge convergence: random edits on three devices (a township and the county editing the same hazards,
//! another township its own), their bundles imported in any order, with repeats, and with gaps filled later.
//! Every database ends in the same state, and no version is lost: the winner is in the table, and every version
//! it has not seen is kept in `conflicts`.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::exchange::{COUNTY, Db, JIEGUAN, XINGZHOU, code, db, records_state, register};
use proptest::prelude::*;
use wangge::sync::{export, import};

/// The devices: 0 the township 接官亭镇, 1 the county, 2 the township 兴州街道.
const DEVICES: usize = 3;

#[derive(Debug, Clone)]
enum Step {
    /// Device edits the n-th hazard it holds of its region (接官亭镇's for the county).
    Edit(usize, usize),
    /// Device exports what changed (the county: down to 接官亭镇).
    Send(usize),
    /// 接官亭镇 takes the county's bundles so far (so later edits build on them).
    Sync,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..DEVICES, 0..4usize).prop_map(|(d, n)| Step::Edit(d, n)),
        2 => (0..DEVICES).prop_map(Step::Send),
        1 => Just(Step::Sync),
    ]
}

fn hazard_ids(d: &Db, township: &str) -> Vec<String> {
    let mut st = d
        .store
        .conn()
        .prepare(&format!(
            "SELECT {} FROM hazards t WHERE deleted = 0 AND region_code LIKE ?1 ORDER BY 1",
            common::row_id()
        ))
        .unwrap();
    st.query_map([format!("{}%", &township[..9])], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn edit(d: &mut Db, township: &str, n: usize, text: &str) {
    let ids = hazard_ids(d, township);
    let id = &ids[n % ids.len()];
    let mut h = wangge::store::hazards::get(d.store.conn(), id).unwrap();
    h.description = format!("{text}：{}", h.description);
    d.store
        .write(|tx, ctx| wangge::store::hazards::update(tx, ctx, &h, None))
        .unwrap();
}

/// Exports what changed since the last bundle, if anything did.
fn send(d: &mut Db, to: Option<&str>) -> Option<PathBuf> {
    let req = export::Request {
        out_dir: d.out(),
        to: to.map(code),
        full: false,
    };
    match export::export(&mut d.store, &req).unwrap() {
        export::Outcome::Written { path, .. } => Some(path),
        export::Outcome::Nothing { .. } => None,
    }
}

/// A county database that trusts the county device (registered ahead, as the rules require).
fn observer(n: u8) -> Db {
    let mut x = db(COUNTY, n, 0);
    register(&mut x, 9, COUNTY);
    x
}

/// Takes `files[i]` for each i of `order`; a repeat may be refused as already imported, a first import never.
fn take_all(x: &mut Db, files: &[PathBuf], order: &[usize]) {
    let mut seen = std::collections::HashSet::new();
    for &i in order {
        let r = import::import(&mut x.store, &files[i], false);
        if seen.insert(i) {
            r.unwrap_or_else(|e| {
                panic!(
                    "{}: {}",
                    files[i].display(),
                    wangge::domain::Localized::message(&e, wangge::domain::Lang::En)
                )
            });
        }
    }
}

/// A version vector.
fn vv(text: &str) -> BTreeMap<String, u64> {
    serde_json::from_str(text).unwrap()
}

fn covers(big: &BTreeMap<String, u64>, small: &BTreeMap<String, u64>) -> bool {
    small
        .iter()
        .all(|(k, n)| big.get(k).is_some_and(|m| m >= n))
}

/// (description, vector) of every hazard.
fn hazards(d: &Db) -> BTreeMap<String, (String, String)> {
    wangge::store::records::select::<wangge::domain::hazard::Hazard>(d.store.conn(), "1 = 1", &[])
        .unwrap()
        .into_iter()
        .map(|h| {
            let vv = serde_json::to_string(&h.meta.vv).unwrap();
            (h.meta.id.to_string(), (h.description, vv))
        })
        .collect()
}

/// A small deterministic shuffle, with `repeats` indices taken twice.
fn arrangement(n: usize, seed: u64, repeats: usize) -> Vec<usize> {
    let mut s = seed | 1;
    let mut next = |m: usize| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % m as u64) as usize
    };
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, next(i + 1));
    }
    for _ in 0..repeats {
        let i = order[next(n)];
        order.insert(next(order.len() + 1), i);
    }
    order
}

/// Runs the scenario; returns how many conflicts the reference observer holds.
fn run(steps: &[Step], seeds: &[u64]) -> Result<usize, TestCaseError> {
    let mut a = db(JIEGUAN, 1, 30);
    let mut c = db(COUNTY, 9, 0);
    let mut b = db(XINGZHOU, 2, 20);
    let mut files: Vec<PathBuf> = Vec::new();
    let mut down: Vec<PathBuf> = Vec::new();
    // Which device wrote each file.
    let mut from: Vec<usize> = vec![0];
    let first = send(&mut a, None).unwrap();
    import::import(&mut c.store, &first, false).unwrap();
    files.push(first);
    for (i, s) in steps.iter().enumerate() {
        let text = format!("改{i}");
        match *s {
            Step::Edit(0, n) => edit(&mut a, JIEGUAN, n, &text),
            Step::Edit(1, n) => edit(&mut c, JIEGUAN, n, &text),
            Step::Edit(_, n) => edit(&mut b, XINGZHOU, n, &text),
            Step::Send(d) => {
                let f = match d {
                    0 => send(&mut a, None),
                    1 => send(&mut c, Some(JIEGUAN)),
                    _ => send(&mut b, None),
                };
                if let Some(f) = f {
                    if d == 1 {
                        down.push(f.clone());
                    }
                    files.push(f);
                    from.push(d);
                }
            }
            Step::Sync => {
                for f in &down {
                    let _ = import::import(&mut a.store, f, false);
                }
            }
        }
    }
    // What each device holds at the end, before the last bundles: versions that must all survive.
    let ends = [hazards(&a), hazards(&c), hazards(&b)];
    let last = [
        send(&mut a, None),
        send(&mut c, Some(JIEGUAN)),
        send(&mut b, None),
    ];
    for (d, f) in last.into_iter().enumerate() {
        if let Some(f) = f {
            files.push(f);
            from.push(d);
        }
    }
    let n = files.len();
    // The reference: every bundle once, in the order they were written.
    let mut x = observer(50);
    take_all(&mut x, &files, &(0..n).collect::<Vec<_>>());
    let reference = records_state(&x);
    for (k, seed) in seeds.iter().enumerate() {
        let order = arrangement(n, *seed, 1 + k % 3);
        let mut y = observer(51 + k as u8);
        take_all(&mut y, &files, &order);
        let state = records_state(&y);
        prop_assert!(
            state == reference,
            "another order ({order:?}) ended in another state:\n{}",
            state
                .lines()
                .zip(reference.lines())
                .filter(|(a, b)| a != b)
                .map(|(a, b)| format!("  got  {a}\n  want {b}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    // The county itself, once it has taken everything, agrees too.
    take_all(
        &mut c,
        &files,
        &(0..n).filter(|i| from[*i] != 1).collect::<Vec<_>>(),
    );
    prop_assert!(records_state(&c) == reference, "the county disagrees");
    // No version lost: each device's last version of each hazard is the winner, one it has seen, or a conflict.
    let won = hazards(&x);
    let losers: Vec<String> = {
        let mut st = x
            .store
            .conn()
            .prepare("SELECT loser FROM conflicts")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for (who, end) in ends.iter().enumerate() {
        for (id, (desc, v)) in end {
            let Some((w_desc, w_vv)) = won.get(id) else {
                prop_assert!(false, "device {who}'s hazard {id} is missing");
                continue;
            };
            let kept = covers(&vv(w_vv), &vv(v))
                || losers
                    .iter()
                    .any(|l| l.contains(id.as_str()) && l.contains(desc.as_str()));
            prop_assert!(
                kept,
                "device {who}'s version of {id} ({desc}) is neither seen by the winner ({w_desc}) nor kept"
            );
        }
    }
    Ok(losers.len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]
    #[test]
    fn every_order_of_every_bundle_ends_in_one_state_and_loses_no_version(
        steps in prop::collection::vec(step(), 3..10),
        seeds in prop::collection::vec(any::<u64>(), 2),
    ) {
        run(&steps, &seeds)?;
    }
}

/// A fixed scenario with concurrent edits on both sides, so the conflict path is always taken.
#[test]
fn concurrent_edits_on_both_sides_converge() {
    let steps = [
        Step::Edit(0, 0),
        Step::Edit(1, 0),
        Step::Send(0),
        Step::Send(1),
        Step::Edit(0, 1),
        Step::Edit(2, 0),
        Step::Sync,
        Step::Edit(1, 1),
        Step::Edit(0, 0),
    ];
    let conflicts = run(&steps, &[7, 11, 13]).unwrap();
    assert!(conflicts > 0, "the scenario was meant to conflict");
}
