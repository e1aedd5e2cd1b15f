//! Demo villages, communities and grids under the real townships. They depend only on the township code, never
//! on the seed, so every demo database agrees on them.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng as _, SeedableRng};

use super::text::{COMMUNITY, VILLAGE_A, VILLAGE_B};
use crate::domain::ids::RegionCode;
use crate::domain::region::Level;
use crate::store::regions::Region;

/// The villages (and communities) and grids of one township, parents first.
pub fn township_regions(township: &RegionCode) -> Vec<Region> {
    let seed: u64 = township.parse().unwrap_or(0);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut below = |n: usize| (rng.next_u64() % n as u64) as usize;
    // 街道 (streets) are numbered 001..099, 镇 (towns) from 100.
    let is_street = township.as_str()[6..9] < *"100";
    let communities = if is_street { 3 + below(3) } else { 1 };
    let villages = if is_street {
        3 + below(4)
    } else {
        5 + below(5)
    };
    let mut out = Vec::new();
    let mut used = std::collections::HashSet::new();
    let start = below(COMMUNITY.len());
    for i in 0..communities {
        let name = format!("{}社区", COMMUNITY[(start + i) % COMMUNITY.len()]);
        let grids = below(3) + 2;
        push_village(&mut out, township, i as u16 + 1, name, grids);
    }
    for i in 0..villages {
        let name = loop {
            let candidate = format!(
                "{}{}村",
                VILLAGE_A[below(VILLAGE_A.len())],
                VILLAGE_B[below(VILLAGE_B.len())]
            );
            if used.insert(candidate.clone()) {
                break candidate;
            }
        };
        let grids = below(3) + 2;
        push_village(&mut out, township, 201 + i as u16, name, grids);
    }
    out
}

fn push_village(out: &mut Vec<Region>, township: &RegionCode, n: u16, name: String, grids: usize) {
    let Some(code) = township.child(n) else {
        return;
    };
    out.push(Region {
        code: code.clone(),
        name,
        level: Level::Village,
        parent: Some(township.clone()),
    });
    for g in 1..=grids as u16 {
        if let Some(grid) = code.child(g) {
            out.push(Region {
                code: grid,
                name: format!("第{g}网格"),
                level: Level::Grid,
                parent: Some(code.clone()),
            });
        }
    }
}

/// Three worker names per township, fixed by its code.
pub fn township_workers(township: &str) -> Vec<String> {
    let seed: u64 = township.parse::<u64>().unwrap_or(0) ^ 0x5eed;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..3)
        .map(|_| {
            let s = super::text::SURNAMES
                [(rng.next_u64() % super::text::SURNAMES.len() as u64) as usize];
            let g = super::text::GIVEN[(rng.next_u64() % super::text::GIVEN.len() as u64) as usize];
            format!("{s}{g}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_well_formed_and_stable() {
        for t in ["610727001000", "610727101000", "610727115000"] {
            let t = RegionCode::parse(t).unwrap();
            let a = township_regions(&t);
            assert_eq!(a, township_regions(&t));
            assert!(a.iter().any(|r| r.level == Level::Grid));
            assert!(a.len() > 5);
            for r in &a {
                assert_eq!(r.code.level(), r.level, "{}", r.code);
                assert_eq!(r.code.parent(), r.parent);
            }
        }
    }
}
