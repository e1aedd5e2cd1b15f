//! One demo record's life: an inspection with its hazards followed to 销号 (or stalled and overdue), a patrol
//! with its findings referred and verified, a petition through acceptance, handling, reply and review. Every
//! step is a real store call dated on the day it happened.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::Transaction;

use super::text::{self, fail_note, finding_text, petition_text};
use super::{Dice, Summary, ctx, days_ago};
use crate::domain::category::Category;
use crate::domain::deadline::{Calendar, DayCount};
use crate::domain::hazard::{Hazard, HazardAction};
use crate::domain::inspection::{Inspection, ItemOutcome, ItemResult, Subject, Verdict};
use crate::domain::patrol::{
    Finding, FindingAction, FindingCode, FindingStatus, Patrol, PatrolStatus, Zone,
};
use crate::domain::petition::{
    Channel, ClockRules, Outcome, Petition, PetitionAction, PetitionCategory, PetitionStatus,
    Satisfaction, Track,
};
use crate::domain::place::{Place, PlaceKind, Structure, Use};
use crate::domain::record::Meta;
use crate::domain::{region, validate};
use crate::store::inspections::ChecklistItem;
use crate::store::{Result, hazards, inspections, patrols, petitions, places};

/// How far back the demo's records go.
const SPAN_DAYS: i64 = 720;

pub struct World {
    pub dice: Dice,
    pub device: String,
    pub jurisdiction: String,
    pub grids: Vec<String>,
    pub calendar: Calendar,
    pub count: DayCount,
    pub items: Vec<ChecklistItem>,
    pub now: DateTime<Utc>,
    /// Recent places (id, region) that later inspections revisit.
    pub places: Vec<(String, String, Category)>,
    /// Recent petitioners (name, id number, phone, category) who may petition again.
    pub people: Vec<(String, String, String, PetitionCategory)>,
    pub summary: Summary,
}

impl World {
    /// Adds one top-level record with everything that hangs off it.
    pub fn one(&mut self, tx: &Transaction) -> Result<()> {
        let roll = self.dice.below(10);
        // Recent records are more frequent: ages are skewed towards today.
        let u = self.dice.below(10_000) as f64 / 10_000.0;
        let age = (u * u * SPAN_DAYS as f64) as i64;
        match roll {
            0..=5 => self.inspection(tx, age),
            6..=7 => self.patrol(tx, age),
            _ => self.petition(tx, age),
        }
    }

    fn worker(&mut self, code: &str) -> String {
        match region::township_of(code) {
            Some(t) => self.dice.pick(&super::township_workers(&t)).clone(),
            None => "县信访局 李明".to_owned(),
        }
    }

    fn name(&mut self) -> String {
        format!(
            "{}{}",
            self.dice.pick(text::SURNAMES),
            self.dice.pick(text::GIVEN)
        )
    }

    fn at(&mut self, age: i64) -> DateTime<Utc> {
        let minute = self.dice.between(0, 540);
        days_ago(self.now, age, minute)
    }

    fn today(&self) -> NaiveDate {
        crate::domain::clock::china_date(self.now)
    }

    fn inspection(&mut self, tx: &Transaction, age: i64) -> Result<()> {
        let category = *self.dice.pick(&[
            Category::Gas,
            Category::Gas,
            Category::Gas,
            Category::House,
            Category::House,
            Category::Venue,
            Category::Ebike,
            Category::Ebike,
            Category::Chemical,
            Category::Water,
            Category::Power,
            Category::Geo,
        ]);
        let at = self.at(age);
        let reuse =
            self.places.iter().filter(|p| p.2 == category).count() > 0 && self.dice.chance(0.25);
        let (place_id, grid) = if reuse {
            let same: Vec<_> = self
                .places
                .iter()
                .filter(|p| p.2 == category)
                .cloned()
                .collect();
            let p = self.dice.pick(&same).clone();
            (p.0, p.1)
        } else {
            let grid = self.dice.pick(&self.grids).clone();
            let worker = self.worker(&grid);
            let place = self.place(&grid, category, at);
            let place = places::create(tx, &ctx(self, &worker, at), place)?;
            self.summary.places += 1;
            if self.places.len() >= 2000 {
                let i = self.dice.below(self.places.len());
                self.places.swap_remove(i);
            }
            self.places
                .push((place.meta.id.clone(), grid.clone(), category));
            (place.meta.id, grid)
        };
        let worker = self.worker(&grid);
        let subject = match category {
            Category::Gas if self.dice.chance(0.3) => Subject::Commercial,
            Category::Gas | Category::House | Category::Ebike => Subject::Resident,
            _ => Subject::Unit,
        };
        let mut results = Vec::new();
        let codes: Vec<String> = self
            .items
            .iter()
            .filter(|i| i.category == category)
            .map(|i| i.code.clone())
            .collect();
        for code in codes {
            let r = if self.dice.chance(0.03) {
                ItemResult::Fail
            } else if self.dice.chance(0.04) {
                ItemResult::NotApplicable
            } else {
                ItemResult::Pass
            };
            let note =
                (r == ItemResult::Fail).then(|| fail_note(&code, self.dice.below(4)).to_owned());
            results.push(ItemOutcome {
                item_code: code,
                result: r,
                note,
            });
        }
        let failed = results.iter().any(|r| r.result == ItemResult::Fail);
        let verdict = (category == Category::House).then(|| match failed {
            false => Verdict::NoHazard,
            true if self.dice.chance(0.12) => Verdict::Serious,
            true => Verdict::Hazard,
        });
        let insp = Inspection {
            meta: Meta::new(
                self.dice.uuid(at),
                &self.device,
                at.timestamp_millis(),
                &grid,
            ),
            place_id,
            category,
            subject,
            inspected_on: crate::domain::clock::china_date(at),
            inspector: worker.clone(),
            verdict,
            failed_count: 0,
            note: None,
            results,
        };
        let done = inspections::record(tx, &ctx(self, &worker, at), insp, None, &self.items)?;
        self.summary.inspections += 1;
        for h in done.hazards {
            self.summary.hazards += 1;
            self.follow_hazard(tx, h, &worker)?;
        }
        Ok(())
    }

    fn place(&mut self, grid: &str, category: Category, at: DateTime<Utc>) -> Place {
        let kind = match category {
            Category::Gas => *self.dice.pick(&[
                PlaceKind::Household,
                PlaceKind::Household,
                PlaceKind::Restaurant,
            ]),
            Category::House => {
                *self
                    .dice
                    .pick(&[PlaceKind::Household, PlaceKind::Lodging, PlaceKind::Shop])
            }
            Category::Venue => *self.dice.pick(&[
                PlaceKind::Lodging,
                PlaceKind::Venue,
                PlaceKind::School,
                PlaceKind::Clinic,
            ]),
            Category::Ebike => PlaceKind::Household,
            Category::Chemical => PlaceKind::ChemSite,
            Category::Water | Category::Power => PlaceKind::Facility,
            _ => PlaceKind::GeoPoint,
        };
        let address = if self.dice.chance(0.3) {
            format!(
                "{} {} 号",
                self.dice.pick(text::ROADS),
                self.dice.between(1, 120)
            )
        } else {
            format!(
                "{} 组 {} 号",
                self.dice.between(1, 9),
                self.dice.between(1, 60)
            )
        };
        let owner = self.name();
        let name = match kind {
            PlaceKind::Household => format!("{owner}家"),
            PlaceKind::Facility => format!(
                "{}号{}",
                self.dice.between(1, 30),
                self.dice.pick(&["山塘", "变压器", "渠道", "线路"])
            ),
            PlaceKind::GeoPoint => format!(
                "{}滑坡点",
                self.dice.pick(&["后山", "沟口", "路边", "河岸"])
            ),
            _ => format!(
                "{}{}",
                self.dice.pick(text::SURNAMES),
                self.dice.pick(text::BUSINESS)
            ),
        };
        let house = category == Category::House;
        Place {
            meta: Meta::new(
                self.dice.uuid(at),
                &self.device,
                at.timestamp_millis(),
                grid,
            ),
            name,
            address,
            kind,
            lat: Some(33.33 + self.dice.below(3000) as f64 / 10_000.0),
            lon: Some(106.0 + self.dice.below(4000) as f64 / 10_000.0),
            owner_name: Some(owner),
            owner_phone: Some(self.mobile()),
            floors: house.then(|| self.dice.between(1, 6) as u32),
            structure: house.then(|| {
                *self.dice.pick(&[
                    Structure::Masonry,
                    Structure::BrickWood,
                    Structure::Concrete,
                    Structure::EarthWood,
                ])
            }),
            year_built: house.then(|| self.dice.between(1975, 2022) as i32),
            use_type: house.then(|| {
                *self.dice.pick(&[
                    Use::Own,
                    Use::Own,
                    Use::Rent,
                    Use::Business,
                    Use::ThreeInOne,
                ])
            }),
            business_type: (kind != PlaceKind::Household)
                .then(|| self.dice.pick(text::BUSINESS).to_string()),
            occupancy: Some(self.dice.between(1, 60) as u32),
        }
    }

    fn mobile(&mut self) -> String {
        format!(
            "1{}{:09}",
            self.dice.pick(&[3, 5, 7, 8, 9]),
            self.dice.below(1_000_000_000)
        )
    }

    /// Takes a step `gap` days after `from` if that is not in the future; returns the step's time.
    fn later(&mut self, from: DateTime<Utc>, gap: i64) -> Option<DateTime<Utc>> {
        let t = from
            + chrono::Duration::days(gap)
            + chrono::Duration::minutes(self.dice.between(0, 120));
        (t <= self.now).then_some(t)
    }

    fn follow_hazard(&mut self, tx: &Transaction, mut h: Hazard, worker: &str) -> Result<()> {
        let stall = self.dice.chance(0.10);
        let mut t = DateTime::<Utc>::from_timestamp_millis(h.meta.created_at).unwrap_or(self.now);
        let span = (h.deadline - h.found_on).num_days().max(2);
        let mut plan: Vec<(i64, HazardAction)> = vec![
            (
                self.dice.between(0, 2),
                HazardAction::Assign {
                    responsible: self.name(),
                    notice_no: Some(format!(
                        "整改〔{}〕{}号",
                        h.found_on.year(),
                        self.dice.between(1, 999)
                    )),
                    note: "下达隐患整改通知书，限期整改".into(),
                },
            ),
            (
                self.dice.between(0, 2),
                HazardAction::Rectify { note: None },
            ),
        ];
        if self.dice.chance(0.1) {
            let new_deadline = h.deadline + chrono::Days::new(self.dice.between(10, 30) as u64);
            plan.push((
                self.dice.between(1, 5),
                HazardAction::Extend {
                    new_deadline,
                    note: "整改需采购材料，申请延期".into(),
                },
            ));
        }
        let late = if self.dice.chance(0.1) { span / 2 } else { 0 };
        plan.push((
            self.dice.between(1, span) + late,
            HazardAction::RequestReview {
                note: Some("已整改，申请复查".into()),
            },
        ));
        if self.dice.chance(0.15) {
            plan.push((
                self.dice.between(1, 5),
                HazardAction::FailReview {
                    note: "复查仍不合格".into(),
                    new_deadline: None,
                },
            ));
            plan.push((
                self.dice.between(2, 10),
                HazardAction::RequestReview {
                    note: Some("再次整改完成".into()),
                },
            ));
        }
        plan.push((
            self.dice.between(1, 5),
            HazardAction::PassReview {
                note: Some("复查合格".into()),
            },
        ));
        plan.push((
            self.dice.between(0, 3),
            HazardAction::Close {
                note: Some("销号".into()),
            },
        ));
        let stop = if stall {
            self.dice.below(plan.len())
        } else {
            plan.len()
        };
        for (gap, mut action) in plan.into_iter().take(stop) {
            let Some(next) = self.later(t, gap) else {
                break;
            };
            if let HazardAction::FailReview { new_deadline, .. } = &mut action {
                *new_deadline =
                    Some(crate::domain::clock::china_date(next) + chrono::Days::new(15));
            }
            if let HazardAction::Extend { new_deadline, .. } = &action
                && *new_deadline <= h.deadline
            {
                continue;
            }
            h = hazards::act(
                tx,
                &ctx(self, worker, next),
                &h.meta.id,
                h.meta.version,
                &action,
            )?;
            t = next;
        }
        Ok(())
    }

    fn patrol(&mut self, tx: &Transaction, age: i64) -> Result<()> {
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
            meta: Meta::new(
                self.dice.uuid(at),
                &self.device,
                at.timestamp_millis(),
                &grid,
            ),
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
            meta: Meta::new(
                self.dice.uuid(at),
                &self.device,
                at.timestamp_millis(),
                &grid,
            ),
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
        patrols::close(
            tx,
            &ctx(self, &worker, end),
            &patrol.meta.id,
            patrol.meta.version,
            end.timestamp_millis(),
            km,
        )?;
        // Some patrols find nothing: a valid patrol of its own.
        if self.dice.chance(0.3) {
            let quiet = Patrol {
                meta: Meta::new(
                    self.dice.uuid(at),
                    &self.device,
                    at.timestamp_millis(),
                    &grid,
                ),
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
            patrols::close(
                tx,
                &ctx(self, &worker, end),
                &quiet.meta.id,
                quiet.meta.version,
                end.timestamp_millis(),
                km,
            )?;
            self.summary.patrols += 1;
        }
        self.follow_finding(tx, finding, &worker, at)
    }

    fn follow_finding(
        &mut self,
        tx: &Transaction,
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
            f = patrols::act(
                tx,
                &ctx(self, worker, next),
                &f.meta.id,
                f.meta.version,
                &action,
            )?;
            t = next;
        }
        Ok(())
    }

    fn id_number(&mut self) -> String {
        let area = *self
            .dice
            .pick(&["610727", "610727", "610727", "610702", "610721"]);
        let birth = NaiveDate::from_ymd_opt(self.dice.between(1945, 2003) as i32, 1, 1)
            .unwrap_or_default()
            + chrono::Days::new(self.dice.below(365) as u64);
        let body = format!(
            "{area}{}{:03}",
            birth.format("%Y%m%d"),
            self.dice.below(1000)
        );
        let mut digits = [0u8; 17];
        digits.copy_from_slice(&body.as_bytes()[..17]);
        format!("{body}{}", validate::id_check_char(&digits))
    }

    fn petition(&mut self, tx: &Transaction, age: i64) -> Result<()> {
        let at = self.at(age);
        let grid = self.dice.pick(&self.grids).clone();
        let county_level =
            region::township_of(&self.jurisdiction).is_none() && self.dice.chance(0.15);
        let code = if county_level {
            self.jurisdiction.clone()
        } else if self.dice.chance(0.6) {
            region::township_of(&grid).unwrap_or(grid.clone())
        } else {
            grid[..12].to_owned()
        };
        let code = if region::contains(&self.jurisdiction, &code) {
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
            meta: Meta::new(
                self.dice.uuid(at),
                &self.device,
                at.timestamp_millis(),
                &code,
            ),
            case_no: String::new(),
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
            person_key: None,
            people: people as u32,
            summary: summary.to_owned(),
            content: content.to_owned(),
            unit: None,
            status: PetitionStatus::Registered,
            received_on: received,
            accept_due: received,
            accepted_on: None,
            handle_due: None,
            extended_days: None,
            extended_due: None,
            replied_on: None,
            outcome: None,
            closed_on: None,
            satisfaction: None,
            review_requested_on: None,
            review_due: None,
            reviewed_on: None,
            reexam_requested_on: None,
            reexam_due: None,
            reexamined_on: None,
            finalized_on: None,
            office_due: None,
            repeat_of: None,
        };
        let worker = self.worker(&code);
        let rules = ClockRules {
            calendar: &self.calendar,
            count: self.count,
            today: received,
        };
        let (p, _) = petitions::register(tx, &ctx(self, &worker, at), p, rules)?;
        self.summary.petitions += 1;
        self.follow_petition(tx, p, &worker, at)
    }

    fn follow_petition(
        &mut self,
        tx: &Transaction,
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
            plan.push((
                self.dice.between(1, 5),
                A::Handle {
                    note: Some("约谈相关单位，核实情况".into()),
                },
            ));
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
                plan.push((self.dice.between(1, 5), A::Finalize { note: None }));
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
            let rules = ClockRules {
                calendar: &self.calendar,
                count: self.count,
                today,
            };
            p = petitions::act(
                tx,
                &ctx(self, worker, next),
                &p.meta.id,
                p.meta.version,
                &action,
                rules,
            )?;
            t = next;
        }
        let _ = self.today();
        Ok(())
    }
}
