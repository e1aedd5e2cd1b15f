//! Demo Qinling patrols: a route walked, a finding reported, referred, handled and verified (or stalled).

use crate::store::desk::Desk;
use chrono::{DateTime, Utc};

use super::ctx;
use super::text::{self, finding_text};
use crate::domain::patrol::{
    Finding, FindingAction, FindingCode, FindingStatus, Patrol, PatrolStatus, Zone,
};
use crate::domain::record::Meta;
use crate::store::{Result, patrols};

use super::story::World;

impl World {
    /// A patrol with one finding; `script` makes the finding take exactly that many steps.
    pub(super) fn patrol(&mut self, tx: &impl Desk, age: i64, script: Option<usize>) -> Result<()> {
        let grid = self.dice.pick(&self.grids).clone();
        let worker = self.worker(&grid);
        let at = self.at(age);
        let zone = *self
            .dice
            .pick(&[Zone::General, Zone::General, Zone::Key, Zone::Core]);
        let route = format!(
            "{}至{}巡护线",
            self.dice.pick(text::VILLAGE_A),
            self.dice.pick(&["后山", "河口", "林场", "垭口", "水库"])
        );
        let patrol = Patrol {
            meta: Meta::new(self.dice.id(at), &self.device, at.timestamp_millis(), &grid),
            worker: worker.clone(),
            route,
            zone,
            started_at: at.timestamp_millis(),
            ended_at: None,
            distance_km: None,
            weather: Some(self.dice.pick(&["晴", "多云", "阴", "小雨"]).to_string()),
            status: PatrolStatus::Open,
            nothing_found: false,
            note: None,
        };
        let patrol = patrols::start(tx, &ctx(self, &worker, at), patrol)?;
        self.summary.patrols += 1;
        let code = *self.dice.pick(FindingCode::ALL);
        let boar = code == FindingCode::Boar;
        let finding = Finding {
            meta: Meta::new(self.dice.id(at), &self.device, at.timestamp_millis(), &grid),
            patrol_id: Some(patrol.meta.id.clone()),
            code,
            description: finding_text(code.code(), self.dice.below(3)).to_owned(),
            location: format!(
                "{}组{}",
                self.dice.between(1, 9),
                self.dice.pick(&["后山", "河滩", "林边", "沟口", "坡地"])
            ),
            lat: Some(33.33 + self.dice.below(3000) as f64 / 10_000.0),
            lon: Some(106.0 + self.dice.below(4000) as f64 / 10_000.0),
            found_on: crate::domain::clock::china_date(at),
            zone,
            on_site_action: Some("现场劝阻".into()),
            crop: boar.then(|| {
                self.dice
                    .pick(&["玉米", "土豆", "红薯", "小麦"])
                    .to_string()
            }),
            area_mu: boar.then(|| self.dice.between(1, 8) as f64 / 2.0),
            loss_yuan: boar.then(|| self.dice.between(200, 5000) as f64),
            department: None,
            referred_on: None,
            deadline: None,
            handled_on: None,
            verified_on: None,
            status: FindingStatus::Reported,
        };
        let (finding, _) = patrols::report(tx, &ctx(self, &worker, at), finding)?;
        self.summary.findings += 1;
        let end = (at + chrono::Duration::minutes(self.dice.between(90, 300))).min(self.now);
        let km = Some(self.dice.between(30, 150) as f64 / 10.0);
        // A patrol that started today may still be under way.
        if age > 0 || self.dice.chance(0.5) {
            self.patrol_end(tx, &worker, end, &patrol, km)?;
        }
        // Some patrols find nothing: a valid patrol of its own.
        if self.dice.chance(0.3) {
            let quiet = Patrol {
                meta: Meta::new(self.dice.id(at), &self.device, at.timestamp_millis(), &grid),
                ..patrol
            };
            let quiet = patrols::start(
                tx,
                &ctx(self, &worker, at),
                Patrol {
                    status: PatrolStatus::Open,
                    ended_at: None,
                    ..quiet
                },
            )?;
            self.patrol_end(tx, &worker, end, &quiet, km)?;
            self.summary.patrols += 1;
        }
        match script {
            Some(steps) => self.script_finding(tx, finding, &worker, at, steps),
            None => self.follow_finding(tx, finding, &worker, at),
        }
    }

    pub(super) fn follow_finding(
        &mut self,
        tx: &impl Desk,
        mut f: Finding,
        worker: &str,
        mut t: DateTime<Utc>,
    ) -> Result<()> {
        let (department, days) = f.code.default_referral();
        let stall = self.dice.chance(0.12);
        let plan = vec![
            (
                self.dice.between(0, 3),
                FindingAction::Refer {
                    department,
                    deadline: None,
                    note: Some("移交主管部门处置".into()),
                },
            ),
            (
                self.dice.between(1, i64::from(days) + 3),
                FindingAction::Handle {
                    note: "部门已现场处置".into(),
                },
            ),
            (
                self.dice.between(1, 7),
                FindingAction::Verify {
                    note: Some("核查属实，已销号".into()),
                },
            ),
        ];
        let stop = if stall {
            self.dice.below(plan.len())
        } else {
            plan.len()
        };
        for (gap, action) in plan.into_iter().take(stop) {
            let Some(next) = self.later(t, gap) else {
                break;
            };
            f = self.finding_step(tx, worker, next, &f, &action)?;
            t = next;
        }
        Ok(())
    }
}
