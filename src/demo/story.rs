//! One demo record's life: an inspection with its hazards followed to 销号 (or stalled and overdue), a patrol
//! with its findings referred and verified, a petition through acceptance, handling, reply and review. Every
//! step is a real store call dated on the day it happened.

use crate::store::desk::Desk;
use chrono::{DateTime, NaiveDate, Utc};

use super::showcase::SHOWCASE;
use super::text;
use super::{Dice, Summary, ctx, days_ago};
use crate::domain::category::Category;
use crate::domain::deadline::{Calendar, DayCount};
use crate::domain::hazard::{Hazard, HazardAction};
use crate::domain::ids::{DeviceId, RecordId, RegionCode};
use crate::domain::patrol::{Finding, FindingAction, Patrol};
use crate::domain::petition::{ClockRules, Petition, PetitionAction, PetitionCategory};
use crate::domain::validate;
use crate::store::inspections::ChecklistItem;
use crate::store::{Result, hazards, patrols, petitions};

/// How far back the demo's records go.
const SPAN_DAYS: i64 = 720;

pub struct World {
    pub dice: Dice,
    pub device: DeviceId,
    pub jurisdiction: RegionCode,
    pub grids: Vec<RegionCode>,
    pub calendar: Calendar,
    pub count: DayCount,
    pub items: Vec<ChecklistItem>,
    pub now: DateTime<Utc>,
    /// Recent places (id, region) that later inspections revisit.
    pub places: Vec<(RecordId, RegionCode, Category)>,
    /// Recent petitioners (name, id number, phone, category) who may petition again.
    pub people: Vec<(String, String, String, PetitionCategory)>,
    pub summary: Summary,
    pub way: Way,
    /// Each township's worker names (`township_workers`), made once.
    pub workers: std::collections::HashMap<RegionCode, Vec<String>>,
}

/// How the demo takes a record's next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// On the record as the demo last wrote it (it made the record a moment ago, in the same transaction).
    Held,
    /// Reading the record back first, as a worker's save does: slower, the same rows (a test holds them equal).
    Reread,
    /// As `Held`, each batch made in memory on a thread of its own while this one writes the one before
    /// (`demo::bulk`); a database that already holds records is written `Held`.
    Bulk,
}

impl World {
    /// Adds the `i`-th of `n` top-level records with everything that hangs off it. Records come oldest first
    /// (so ids and dates grow as the tables do), and recent days are busier than old ones.
    pub fn one(&mut self, tx: &impl Desk, i: usize, n: usize) -> Result<()> {
        let roll = self.dice.below(10);
        let u = 1.0 - i as f64 / n.max(1) as f64;
        let age =
            ((u * u * SPAN_DAYS as f64) as i64 + self.dice.between(-1, 1)).clamp(0, SPAN_DAYS);
        match roll {
            _ if n >= 2 * SHOWCASE && i >= n - SHOWCASE => self.showcase(tx, i + SHOWCASE - n),
            0..=5 => self.inspection(tx, age, None),
            6..=7 => self.patrol(tx, age, None),
            _ => self.petition(tx, age, None),
        }
    }

    /// The hazard's next step, taken at `at` by `actor`.
    pub(super) fn hazard_step(
        &self,
        tx: &impl Desk,
        actor: &str,
        at: DateTime<Utc>,
        h: &Hazard,
        action: &HazardAction,
    ) -> Result<Hazard> {
        let c = ctx(self, actor, at);
        match self.way {
            Way::Held | Way::Bulk => hazards::act_on(tx, &c, h, action),
            Way::Reread => hazards::act(tx, &c, &h.meta.id, h.meta.version, action),
        }
    }

    /// The finding's next step.
    pub(super) fn finding_step(
        &self,
        tx: &impl Desk,
        actor: &str,
        at: DateTime<Utc>,
        f: &Finding,
        action: &FindingAction,
    ) -> Result<Finding> {
        let c = ctx(self, actor, at);
        match self.way {
            Way::Held | Way::Bulk => patrols::act_on(tx, &c, f, action),
            Way::Reread => patrols::act(tx, &c, &f.meta.id, f.meta.version, action),
        }
    }

    /// The petition's next step, under the clock of the day `at` falls on.
    pub(super) fn petition_step(
        &self,
        tx: &impl Desk,
        actor: &str,
        at: DateTime<Utc>,
        p: &Petition,
        action: &PetitionAction,
    ) -> Result<Petition> {
        let c = ctx(self, actor, at);
        let rules = ClockRules {
            calendar: &self.calendar,
            count: self.count,
            today: crate::domain::clock::china_date(at),
        };
        match self.way {
            Way::Held | Way::Bulk => petitions::act_on(tx, &c, p, action, rules),
            Way::Reread => petitions::act(tx, &c, &p.meta.id, p.meta.version, action, rules),
        }
    }

    /// Ends the patrol at `end`.
    pub(super) fn patrol_end(
        &self,
        tx: &impl Desk,
        actor: &str,
        end: DateTime<Utc>,
        p: &Patrol,
        km: Option<f64>,
    ) -> Result<Patrol> {
        let (c, ms) = (ctx(self, actor, end), end.timestamp_millis());
        match self.way {
            Way::Held | Way::Bulk => patrols::close_on(tx, &c, p, ms, km),
            Way::Reread => patrols::close(tx, &c, &p.meta.id, p.meta.version, ms, km),
        }
    }

    pub(super) fn worker(&mut self, code: &RegionCode) -> String {
        match code.township() {
            Some(t) => {
                let names = self
                    .workers
                    .entry(t)
                    .or_insert_with_key(|t| super::township_workers(t));
                self.dice.pick(names).clone()
            }
            None => "县信访局 李明".to_owned(),
        }
    }

    pub(super) fn name(&mut self) -> String {
        format!(
            "{}{}",
            self.dice.pick(text::SURNAMES),
            self.dice.pick(text::GIVEN)
        )
    }

    pub(super) fn at(&mut self, age: i64) -> DateTime<Utc> {
        let minute = self.dice.between(0, 540);
        days_ago(self.now, age, minute)
    }

    pub(super) fn mobile(&mut self) -> String {
        format!(
            "1{}{:09}",
            self.dice.pick(&[3, 5, 7, 8, 9]),
            self.dice.below(1_000_000_000)
        )
    }

    /// Takes a step `gap` days after `from` if that is not in the future; returns the step's time.
    pub(super) fn later(&mut self, from: DateTime<Utc>, gap: i64) -> Option<DateTime<Utc>> {
        let t = from
            + chrono::Duration::days(gap)
            + chrono::Duration::minutes(self.dice.between(0, 120));
        (t <= self.now).then_some(t)
    }

    pub(super) fn id_number(&mut self) -> String {
        let area = *self
            .dice
            .pick(&["610727", "610727", "610727", "610702", "610721"]);
        let adult = i64::from(chrono::Datelike::year(&crate::domain::clock::china_date(
            self.now,
        ))) - 18;
        let birth = NaiveDate::from_ymd_opt(self.dice.between(1945, adult.min(2003)) as i32, 1, 1)
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
}
