//! `wangge demo`: fills a database with realistic, deterministic data for 略阳县 through the store functions a
//! worker's saves use (so lifecycles, timelines, audit and journal are all real), each step taken on the record
//! just saved rather than read back, dated relative to now. Into a database that holds no record yet, a thread
//! makes each batch in memory through those functions while another inserts the batch before (`bulk`); the
//! same rows either way.

mod batch;
mod book;
mod bulk;
mod inspect;
mod interner;
mod patrol;
mod petition;
mod regions;
mod showcase;
mod story;
mod text;

use chrono::{DateTime, Duration, Utc};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng as _, SeedableRng};

use crate::domain::ids::{DeviceId, RecordId, RegionCode};
use crate::domain::region::Level;
use crate::store::regions::Region;
use crate::store::{self, Result, Store, WriteCtx, device, holidays, inspections};

pub use regions::{township_regions, township_workers};
pub use story::Way;

/// What a run added.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub inspections: usize,
    pub hazards: usize,
    pub patrols: usize,
    pub findings: usize,
    pub petitions: usize,
    pub places: usize,
}

/// The demo's random source: deterministic for a seed.
pub struct Dice(ChaCha8Rng);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(ChaCha8Rng::seed_from_u64(seed))
    }
    /// A number in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.0.next_u64() % n as u64) as usize
        }
    }
    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as usize) as i64
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// 32 bytes (a signing key for a demo device).
    pub fn key(&mut self) -> [u8; 32] {
        let mut k = [0u8; 32];
        self.0.fill_bytes(&mut k);
        k
    }
    pub fn uuid(&mut self, at: DateTime<Utc>) -> uuid::Uuid {
        let mut b = [0u8; 10];
        self.0.fill_bytes(&mut b);
        uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &b)
            .into_uuid()
    }
    /// A record's id, made at `at`.
    pub fn id(&mut self, at: DateTime<Utc>) -> RecordId {
        RecordId::from_uuid(self.uuid(at))
    }
}

/// The device id and signing key a fresh demo database of `region` gets for a seed: demo devices of two
/// townships never share an identity (the county would rightly refuse the second as a cloned disk).
pub fn demo_identity(seed: u64, region: &RegionCode, now: DateTime<Utc>) -> (DeviceId, [u8; 32]) {
    let mut dice = Dice::new(seed ^ 0x00D5_1CE5 ^ fnv(region));
    let id = DeviceId::from_uuid(dice.uuid(now));
    (id, dice.key())
}

/// FNV-1a of a text: mixes a device or region into a seed.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Adds the demo villages and grids of every township inside `jurisdiction` (idempotent).
pub fn ensure_regions(store: &mut Store, jurisdiction: &RegionCode) -> Result<()> {
    let townships: Vec<RegionCode> = store::regions::list(store.conn(), Some(jurisdiction))?
        .into_iter()
        .chain(store::regions::list(
            store.conn(),
            jurisdiction.township().as_ref(),
        )?)
        .filter(|r| r.level == Level::Township)
        .map(|r| r.code)
        .collect();
    let rows: Vec<Region> = townships.iter().flat_map(township_regions).collect();
    store.write_raw(|tx| {
        let fresh: Vec<Region> = rows
            .into_iter()
            .filter(|r| {
                store::regions::name(tx, &r.code)
                    .map(|n| n.is_none())
                    .unwrap_or(false)
            })
            .collect();
        store::regions::upsert(tx, &fresh, "demo")
    })?;
    Ok(())
}

/// Generates `n` top-level records (inspections, patrol findings and petitions, about 6:2:2) inside this
/// device's jurisdiction, with their places, hazards, patrols and lifecycles. `progress` hears the count so far.
pub fn generate(
    store: &mut Store,
    n: usize,
    seed: u64,
    progress: &mut dyn FnMut(usize),
) -> Result<Summary> {
    generate_as(store, n, seed, Way::Bulk, progress)
}

/// `generate`, each record's steps taken the `way` given.
pub fn generate_as(
    store: &mut Store,
    n: usize,
    seed: u64,
    way: Way,
    progress: &mut dyn FnMut(usize),
) -> Result<Summary> {
    let dev = device::get(store.conn())?;
    ensure_regions(store, &dev.region)?;
    let mut grids: Vec<RegionCode> = store::regions::list(store.conn(), Some(&dev.region))?
        .into_iter()
        .filter(|r| r.level == Level::Grid)
        .map(|r| r.code)
        .collect();
    if grids.is_empty() {
        grids.push(dev.region.clone());
    }
    let calendar = holidays::calendar(store.conn())?;
    let count = device::day_count(store.conn())?;
    let mut items = Vec::new();
    for c in crate::domain::category::Category::INSPECTED {
        items.extend(inspections::checklist(store.conn(), *c)?);
    }
    let now = store.now();
    // A second run on the same database continues the sequence instead of repeating it.
    let runs: u64 = device::setting(store.conn(), "demo_runs")?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut world = story::World {
        // The device is part of the seed: two demo devices never make records with the same ids.
        dice: Dice::new(seed.wrapping_add(runs.wrapping_mul(0x9E37_79B9_7F4A_7C15)) ^ fnv(&dev.id)),
        device: dev.id.clone(),
        jurisdiction: dev.region.clone(),
        grids,
        calendar,
        count,
        items,
        now,
        places: Vec::new(),
        people: Vec::new(),
        summary: Summary::default(),
        way,
        workers: Default::default(),
    };
    // A bulk write: the search index is marked stale until it is whole again, either loaded batch by batch
    // (the bulk way) or rebuilt once at the end instead of row by row.
    store.write_raw(crate::store::search::mark_stale)?;
    let loaded = way == Way::Bulk && book::Book::fits(store.conn())?;
    let summary = if loaded {
        store.bulk(|store| bulk::generate(store, world, n, progress))?
    } else {
        let mut done = 0;
        store.bulk(|store| {
            while done < n {
                let m = CHUNK.min(n - done);
                store.write_raw(|tx| {
                    for i in done..done + m {
                        world.one(tx, i, n)?;
                    }
                    Ok(())
                })?;
                done += m;
                progress(done);
            }
            Ok(())
        })?;
        world.summary
    };
    store.write_raw(|tx| device::set_setting(tx, "demo_runs", &(runs + 1).to_string()))?;
    match loaded {
        true => store.write_raw(crate::store::search::end_loading)?,
        false => crate::store::search::rebuild(store)?,
    }
    Ok(summary)
}

/// How many top-level records one transaction (or one batch of the bulk way) holds; a test's demo of a few
/// hundred takes several.
const CHUNK: usize = if cfg!(test) { 60 } else { 2000 };

/// How many recent places later inspections may visit again (a test's demo lets some go).
const PLACES: usize = if cfg!(test) { 50 } else { 2000 };

/// The context of a step taken at `at` by `actor`.
fn ctx(world: &story::World, actor: &str, at: DateTime<Utc>) -> WriteCtx {
    WriteCtx {
        device: world.device.clone(),
        actor: actor.to_owned(),
        region: world.jurisdiction.clone(),
        now: at,
    }
}

/// A moment `days` (fractional) before now, at office hours in China.
fn days_ago(now: DateTime<Utc>, days: i64, minute: i64) -> DateTime<Utc> {
    let day = crate::domain::clock::china_date(now) - chrono::Days::new(days.max(0) as u64);
    let local = day.and_hms_opt(8, 30, 0).unwrap_or_default() + Duration::minutes(minute);
    let t = local - Duration::hours(8);
    DateTime::<Utc>::from_naive_utc_and_offset(t, Utc).min(now)
}

#[cfg(test)]
mod tests;
