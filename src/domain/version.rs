//! Version vectors: per device, how many changes it made to a record; the merge compares them.

use std::collections::BTreeMap;

/// Device id → number of changes that device made to the record. Serialises as a JSON object with sorted keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct VersionVector(pub BTreeMap<String, u64>);

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
    /// Counts one more change by `device`.
    pub fn bump(&mut self, device: &str) {
        let n = self.0.entry(device.to_owned()).or_insert(0);
        *n = n.saturating_add(1);
    }

    /// The total number of changes: the record's `version` (saturating: a vector read from a file may hold any
    /// counts).
    pub fn total(&self) -> u64 {
        self.0.values().fold(0u64, |t, n| t.saturating_add(*n))
    }

    /// Compares two vectors.
    pub fn compare(&self, other: &VersionVector) -> Causality {
        let mut greater = false;
        let mut less = false;
        for key in self.0.keys().chain(other.0.keys()) {
            let a = self.0.get(key).copied().unwrap_or(0);
            let b = other.0.get(key).copied().unwrap_or(0);
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
    pub fn merged(&self, other: &VersionVector) -> VersionVector {
        let mut out = self.clone();
        for (k, v) in &other.0 {
            let e = out.0.entry(k.clone()).or_insert(0);
            *e = (*e).max(*v);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vv(pairs: &[(&str, u64)]) -> VersionVector {
        VersionVector(pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect())
    }

    #[test]
    fn compare_covers_all_four_cases() {
        assert_eq!(vv(&[("a", 1)]).compare(&vv(&[("a", 1)])), Causality::Equal);
        assert_eq!(
            vv(&[("a", 2)]).compare(&vv(&[("a", 1)])),
            Causality::Dominates
        );
        assert_eq!(
            vv(&[("a", 1)]).compare(&vv(&[("a", 1), ("b", 1)])),
            Causality::Dominated
        );
        // A township edits twice, the county once: both reach version 3 by a counter, yet neither saw the other.
        let township = vv(&[("t", 2), ("c", 0)]);
        let county = vv(&[("t", 1), ("c", 1)]);
        assert_eq!(township.compare(&county), Causality::Concurrent);
        assert_eq!(vv(&[]).compare(&vv(&[])), Causality::Equal);
        assert_eq!(vv(&[("a", 0)]).compare(&vv(&[])), Causality::Equal);
    }

    #[test]
    fn bump_total_and_merge() {
        let mut v = VersionVector::default();
        v.bump("d1");
        v.bump("d1");
        v.bump("d2");
        assert_eq!(v.total(), 3);
        let m = v.merged(&vv(&[("d1", 1), ("d3", 4)]));
        assert_eq!(m, vv(&[("d1", 2), ("d2", 1), ("d3", 4)]));
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"d1":2,"d2":1,"d3":4}"#
        );
    }
}
