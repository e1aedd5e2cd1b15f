//! Version vectors: per device, how many changes it made to a record; the merge compares them. Every counter and
//! every total stays at or below 2^53 (an integer that JSON, SQLite and a double all hold exactly): a vector
//! read from a file beyond that is refused, and arithmetic on vectors is checked.

use std::collections::BTreeMap;

use super::ids::DeviceId;

/// The largest counter, and the largest total, a vector may hold: 2^53.
pub const MAX_COUNT: u64 = 1 << 53;

/// Device id → number of changes that device made to the record. Serialises as a JSON object with sorted keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct VersionVector(BTreeMap<DeviceId, u64>);

/// A vector whose counters or total would pass `MAX_COUNT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a version vector would pass 2^53 changes")]
pub struct Overflow;

impl From<Overflow> for super::record::DomainError {
    fn from(_: Overflow) -> Self {
        super::record::DomainError::rule(
            "这条记录的版本号将超过 2^53，不能再修改",
            "This record's version would pass 2^53; it cannot change any more",
        )
    }
}

/// How two versions of one record relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Causality {
    Equal,
    /// The left side has seen everything the right side has, and more.
    Dominates,
    /// The right side has seen everything the left side has, and more.
    Dominated,
    /// Neither saw the other's changes: a conflict.
    Concurrent,
}

impl VersionVector {
    /// A vector of the given counts, if they stay within bounds.
    pub fn of(counts: BTreeMap<DeviceId, u64>) -> Result<VersionVector, Overflow> {
        let mut total = 0u64;
        for n in counts.values() {
            total = total
                .checked_add(*n)
                .filter(|t| *t <= MAX_COUNT)
                .ok_or(Overflow)?;
        }
        Ok(VersionVector(counts))
    }

    /// Counts one more change by `device`.
    pub fn bump(&mut self, device: &DeviceId) -> Result<(), Overflow> {
        if self.total() >= MAX_COUNT {
            return Err(Overflow);
        }
        *self.0.entry(device.clone()).or_insert(0) += 1;
        Ok(())
    }

    /// The changes `device` made.
    pub fn get(&self, device: &str) -> u64 {
        self.0.get(device).copied().unwrap_or(0)
    }

    /// Every device and its count, by device id.
    pub fn iter(&self) -> impl Iterator<Item = (&DeviceId, u64)> {
        self.0.iter().map(|(k, v)| (k, *v))
    }

    /// The total number of changes: the record's `version` (within `MAX_COUNT` by construction).
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// Compares two vectors.
    pub fn compare(&self, other: &VersionVector) -> Causality {
        let mut greater = false;
        let mut less = false;
        for key in self.0.keys().chain(other.0.keys()) {
            let a = self.get(key);
            let b = other.get(key);
            greater |= a > b;
            less |= a < b;
        }
        match (greater, less) {
            (false, false) => Causality::Equal,
            (true, false) => Causality::Dominates,
            (false, true) => Causality::Dominated,
            (true, true) => Causality::Concurrent,
        }
    }

    /// The element-wise maximum: what a record's vector becomes after a conflict is resolved.
    pub fn merged(&self, other: &VersionVector) -> Result<VersionVector, Overflow> {
        let mut out = self.0.clone();
        for (k, v) in &other.0 {
            let e = out.entry(k.clone()).or_insert(0);
            *e = (*e).max(*v);
        }
        VersionVector::of(out)
    }
}

impl<'de> serde::Deserialize<'de> for VersionVector {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<VersionVector, D::Error> {
        let counts = BTreeMap::<DeviceId, u64>::deserialize(d)?;
        VersionVector::of(counts).map_err(|_| {
            serde::de::Error::custom("a version vector's counts add up to more than 2^53")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(n: u8) -> DeviceId {
        DeviceId::parse(&format!("0190a1b2-0000-7000-8000-0000000000{n:02x}")).unwrap()
    }

    fn vv(pairs: &[(u8, u64)]) -> VersionVector {
        VersionVector::of(pairs.iter().map(|(k, v)| (dev(*k), *v)).collect()).unwrap()
    }

    #[test]
    fn compare_covers_all_four_cases() {
        assert_eq!(vv(&[(1, 1)]).compare(&vv(&[(1, 1)])), Causality::Equal);
        assert_eq!(vv(&[(1, 2)]).compare(&vv(&[(1, 1)])), Causality::Dominates);
        assert_eq!(
            vv(&[(1, 1)]).compare(&vv(&[(1, 1), (2, 1)])),
            Causality::Dominated
        );
        // A township edits twice, the county once: both reach version 3 by a counter, yet neither saw the other.
        let township = vv(&[(1, 2), (2, 0)]);
        let county = vv(&[(1, 1), (2, 1)]);
        assert_eq!(township.compare(&county), Causality::Concurrent);
        assert_eq!(vv(&[]).compare(&vv(&[])), Causality::Equal);
        assert_eq!(vv(&[(1, 0)]).compare(&vv(&[])), Causality::Equal);
    }

    #[test]
    fn bump_total_and_merge() {
        let mut v = VersionVector::default();
        v.bump(&dev(1)).unwrap();
        v.bump(&dev(1)).unwrap();
        v.bump(&dev(2)).unwrap();
        assert_eq!(v.total(), 3);
        let m = v.merged(&vv(&[(1, 1), (3, 4)])).unwrap();
        assert_eq!(m, vv(&[(1, 2), (2, 1), (3, 4)]));
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            format!(r#"{{"{}":2,"{}":1,"{}":4}}"#, dev(1), dev(2), dev(3))
        );
    }

    #[test]
    fn counts_past_two_to_the_53_are_refused_and_never_reached() {
        assert!(VersionVector::of([(dev(1), MAX_COUNT)].into()).is_ok());
        assert_eq!(
            VersionVector::of([(dev(1), MAX_COUNT), (dev(2), 1)].into()),
            Err(Overflow)
        );
        assert_eq!(
            VersionVector::of([(dev(1), u64::MAX), (dev(2), 2)].into()),
            Err(Overflow)
        );
        let half = vv(&[(1, MAX_COUNT / 2 + 1)]);
        let other = vv(&[(2, MAX_COUNT / 2 + 1)]);
        assert_eq!(half.merged(&other), Err(Overflow));
        let mut full = vv(&[(1, MAX_COUNT)]);
        assert_eq!(full.bump(&dev(1)), Err(Overflow));
        let json = format!(r#"{{"{}":9007199254740993}}"#, dev(1));
        assert!(serde_json::from_str::<VersionVector>(&json).is_err());
        let json = format!(
            r#"{{"{}":9007199254740992}}"#,
            dev(1).as_str().to_uppercase()
        );
        assert!(
            serde_json::from_str::<VersionVector>(&json).is_err(),
            "keys are device ids"
        );
    }
}
