//! Demo petitions: registration with a real-looking petitioner, then the statutory steps, day by day.

use crate::store::desk::Desk;
use chrono::{DateTime, Utc};

use super::ctx;
use super::text::petition_text;
use crate::domain::petition::{
    Channel, ClockRules, Outcome, Petition, PetitionAction, PetitionCategory, Satisfaction, Track,
};
use crate::domain::record::Meta;
use crate::store::{Result, petitions};

use super::story::World;

impl World {
    /// A petition; `script` replaces its random course with a fixed path cut after so many steps.
    pub(super) fn petition(
        &mut self,
        tx: &impl Desk,
        age: i64,
        script: Option<(super::showcase::Path, usize)>,
    ) -> Result<()> {
        let at = self.at(age);
        let grid = self.dice.pick(&self.grids).clone();
        let county_level = self.jurisdiction.township().is_none() && self.dice.chance(0.15);
        let code = if county_level {
            self.jurisdiction.clone()
        } else if self.dice.chance(0.6) {
            grid.township().unwrap_or(grid.clone())
        } else {
            grid.parent().unwrap_or(grid.clone())
        };
        let code = if self.jurisdiction.contains(&code) {
            code
        } else {
            grid.clone()
        };
        let repeat = !self.people.is_empty() && self.dice.chance(0.08);
        let (name, id, phone, category) = if repeat {
            self.dice.pick(&self.people).clone()
        } else {
            let p = (
                self.name(),
                self.id_number(),
                self.mobile(),
                *self.dice.pick(PetitionCategory::ALL),
            );
            if self.people.len() >= 500 {
                let i = self.dice.below(self.people.len());
                self.people.swap_remove(i);
            }
            self.people.push(p.clone());
            p
        };
        let (summary, content) = petition_text(category.code(), self.dice.below(2));
        let people = if self.dice.chance(0.05) {
            self.dice.between(5, 12)
        } else if self.dice.chance(0.1) {
            self.dice.between(2, 4)
        } else {
            1
        };
        let received = crate::domain::clock::china_date(at);
        let p = Petition {
            channel: *self.dice.pick(&[
                Channel::Visit,
                Channel::Visit,
                Channel::Online,
                Channel::Online,
                Channel::Phone,
                Channel::Letter,
            ]),
            track: *self.dice.pick(&[
                Track::Claim,
                Track::Claim,
                Track::Claim,
                Track::Suggestion,
                Track::Accusation,
            ]),
            category,
            petitioner_name: name,
            id_number: self.dice.chance(0.85).then_some(id),
            phone: Some(phone),
            address: Some(format!("{} {} 组", grid, self.dice.between(1, 9))),
            people: people as u32,
            summary: summary.to_owned(),
            content: content.to_owned(),
            ..Petition::new(
                Meta::new(self.dice.id(at), &self.device, at.timestamp_millis(), &code),
                received,
            )
        };
        let worker = self.worker(&code);
        let rules = ClockRules {
            calendar: &self.calendar,
            count: self.count,
            today: received,
        };
        let (p, _) = petitions::register(tx, &ctx(self, &worker, at), p, rules)?;
        self.summary.petitions += 1;
        match script {
            Some((path, steps)) => self.script_petition(tx, p, &worker, at, path, steps),
            None => self.follow_petition(tx, p, &worker, at),
        }
    }

    pub(super) fn follow_petition(
        &mut self,
        tx: &impl Desk,
        mut p: Petition,
        worker: &str,
        mut t: DateTime<Utc>,
    ) -> Result<()> {
        use PetitionAction as A;
        let mut plan: Vec<(i64, A)> = Vec::new();
        if self.dice.chance(0.5) {
            plan.push((
                self.dice.between(1, 3),
                A::Forward {
                    unit: self
                        .dice
                        .pick(&[
                            "镇综治中心",
                            "镇农业综合服务站",
                            "县自然资源局",
                            "县人社局",
                            "县住建局",
                        ])
                        .to_string(),
                    note: None,
                },
            ));
            if self.dice.chance(0.05) {
                let note = "不属本单位职责，提出异议退回".to_owned();
                plan.push((self.dice.between(1, 4), A::Return { note }));
                let unit = "县信访局重新交办".to_owned();
                plan.push((self.dice.between(1, 3), A::Forward { unit, note: None }));
            }
        }
        if self.dice.chance(0.04) {
            plan.push((
                self.dice.between(3, 10),
                A::NotAccept {
                    note: "属于诉讼途径解决事项，已告知依法起诉".into(),
                },
            ));
        } else {
            let late = if self.dice.chance(0.06) { 16 } else { 0 };
            plan.push((
                self.dice.between(1, 12) + late,
                A::Accept {
                    note: Some("书面告知已送达".into()),
                },
            ));
            // Some offices record the start of handling; others go straight from acceptance to the reply.
            let handle = self.dice.chance(0.5);
            plan.extend(handle.then(|| {
                (
                    self.dice.between(1, 5),
                    A::Handle {
                        note: Some("约谈相关单位，核实情况".into()),
                    },
                )
            }));
            if self.dice.chance(0.1) {
                plan.push((
                    self.dice.between(20, 45),
                    A::Extend {
                        days: self.dice.between(10, 30) as u32,
                        note: "情况复杂，经批准延期，已告知信访人".into(),
                    },
                ));
            }
            let late = if self.dice.chance(0.05) { 30 } else { 0 };
            plan.push((
                self.dice.between(5, 45) + late,
                A::Reply {
                    outcome: *self.dice.pick(&[
                        Outcome::Support,
                        Outcome::Explain,
                        Outcome::Explain,
                        Outcome::Reject,
                    ]),
                    note: "出具信访处理意见书".into(),
                },
            ));
            plan.push((self.dice.between(0, 5), A::Close { note: None }));
            if self.dice.chance(0.7) {
                plan.push((
                    self.dice.between(1, 10),
                    A::Evaluate {
                        satisfaction: *self.dice.pick(&[
                            Satisfaction::Satisfied,
                            Satisfaction::Satisfied,
                            Satisfaction::Satisfied,
                            Satisfaction::Basic,
                            Satisfaction::Unsatisfied,
                        ]),
                        note: None,
                    },
                ));
            }
            if self.dice.chance(0.05) {
                plan.push((
                    self.dice.between(1, 10),
                    A::RequestReview {
                        note: Some("信访人不服处理意见，申请复查".into()),
                    },
                ));
                plan.push((
                    self.dice.between(10, 28),
                    A::DecideReview {
                        note: "维持原处理意见".into(),
                    },
                ));
                if self.dice.chance(0.3) {
                    plan.push((self.dice.between(5, 20), A::RequestReexam { note: None }));
                    plan.push((
                        self.dice.between(10, 28),
                        A::DecideReexam {
                            note: "维持复查意见".into(),
                        },
                    ));
                }
                if self.dice.chance(0.6) {
                    plan.push((self.dice.between(1, 5), A::Finalize { note: None }));
                }
            }
        }
        let stall = self.dice.chance(0.06);
        let stop = if stall {
            self.dice.below(plan.len())
        } else {
            plan.len()
        };
        for (gap, action) in plan.into_iter().take(stop) {
            let Some(next) = self.later(t, gap) else {
                break;
            };
            let today = crate::domain::clock::china_date(next);
            if let A::Extend { .. } = action
                && p.handle_due.is_some_and(|d| today > d)
            {
                continue;
            }
            p = self.petition_step(tx, worker, next, &p, &action)?;
            t = next;
        }
        Ok(())
    }
}
