//! The last records of every demo run of 50 or more follow scripted courses, so that every lifecycle state
//! of hazards, findings and petitions is present whatever the seed.

use crate::store::desk::Desk;
use chrono::{DateTime, Utc};

use super::story::World;
use crate::domain::hazard::{Hazard, HazardAction};
use crate::domain::patrol::{Finding, FindingAction};
use crate::domain::petition::{Outcome, Petition, PetitionAction, Satisfaction};
use crate::store::Result;

/// Petition states 0–12 of the main path, two branches, six hazard states, four finding states.
pub const SHOWCASE: usize = 13 + 2 + 6 + 4;

/// Days between scripted steps.
const GAP: i64 = 3;

/// Which scripted course a petition takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// Forward, accept, handle, extend, reply, close, evaluate, review, re-examine, finalize.
    Main,
    /// Forward, then returned by the office it was sent to.
    Returned,
    /// Not accepted.
    Refused,
}

impl World {
    /// The `k`-th scripted record (0 ≤ k < SHOWCASE).
    pub(super) fn showcase(&mut self, tx: &impl Desk, k: usize) -> Result<()> {
        let age = |steps: usize| GAP * steps as i64 + 2;
        match k {
            0..=12 => self.petition(tx, age(k), Some((Path::Main, k))),
            13 => self.petition(tx, age(2), Some((Path::Returned, 2))),
            14 => self.petition(tx, age(1), Some((Path::Refused, 1))),
            15..=20 => self.inspection(tx, age(k - 15), Some(k - 15)),
            _ => self.patrol(tx, age(k - 21), Some(k - 21)),
        }
    }

    pub(super) fn script_hazard(
        &mut self,
        tx: &impl Desk,
        mut h: Hazard,
        worker: &str,
        steps: usize,
    ) -> Result<()> {
        let path = [
            HazardAction::Assign {
                responsible: self.name(),
                notice_no: None,
                note: "限期整改".into(),
            },
            HazardAction::Rectify { note: None },
            HazardAction::RequestReview { note: None },
            HazardAction::PassReview { note: None },
            HazardAction::Close { note: None },
        ];
        let mut t = DateTime::<Utc>::from_timestamp_millis(h.meta.created_at).unwrap_or(self.now);
        for action in path.iter().take(steps) {
            t = (t + chrono::Duration::days(GAP)).min(self.now);
            h = self.hazard_step(tx, worker, t, &h, action)?;
        }
        Ok(())
    }

    pub(super) fn script_finding(
        &mut self,
        tx: &impl Desk,
        mut f: Finding,
        worker: &str,
        mut t: DateTime<Utc>,
        steps: usize,
    ) -> Result<()> {
        let (department, _) = f.code.default_referral();
        let path = [
            FindingAction::Refer {
                department,
                deadline: None,
                note: None,
            },
            FindingAction::Handle {
                note: "已处置".into(),
            },
            FindingAction::Verify { note: None },
        ];
        for action in path.iter().take(steps) {
            t = (t + chrono::Duration::days(GAP)).min(self.now);
            f = self.finding_step(tx, worker, t, &f, action)?;
        }
        Ok(())
    }

    pub(super) fn script_petition(
        &mut self,
        tx: &impl Desk,
        mut p: Petition,
        worker: &str,
        mut t: DateTime<Utc>,
        path: Path,
        steps: usize,
    ) -> Result<()> {
        use PetitionAction as A;
        let forward = A::Forward {
            unit: "镇综治中心".into(),
            note: None,
        };
        let actions = match path {
            Path::Main => vec![
                forward,
                A::Accept { note: None },
                A::Handle { note: None },
                A::Extend {
                    days: 20,
                    note: "情况复杂，经批准延期".into(),
                },
                A::Reply {
                    outcome: Outcome::Explain,
                    note: "出具处理意见书".into(),
                },
                A::Close { note: None },
                A::Evaluate {
                    satisfaction: Satisfaction::Unsatisfied,
                    note: None,
                },
                A::RequestReview { note: None },
                A::DecideReview {
                    note: "维持原处理意见".into(),
                },
                A::RequestReexam { note: None },
                A::DecideReexam {
                    note: "维持复查意见".into(),
                },
                A::Finalize { note: None },
            ],
            Path::Returned => vec![
                forward,
                A::Return {
                    note: "不属本单位职责".into(),
                },
            ],
            Path::Refused => vec![A::NotAccept {
                note: "已告知通过诉讼途径解决".into(),
            }],
        };
        for action in actions.iter().take(steps) {
            t = (t + chrono::Duration::days(GAP)).min(self.now);
            p = self.petition_step(tx, worker, t, &p, action)?;
        }
        Ok(())
    }
}
