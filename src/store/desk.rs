//! Where the functions that make and move records write their versions, and the few facts they check on the
//! way (a region, a record they refer to, a petitioner's earlier cases, a setting). A transaction is the desk of
//! every save; the demo's bulk writer has one of its own that holds a batch in memory and hands its rows to a
//! writing thread (`demo::book`), so both go through the same functions and make the same rows.

use chrono::NaiveDate;
use rusqlite::Transaction;
use serde_json::{Map, Value};

use super::petitions::Repeat;
use super::version::Version;
use super::{Result, WriteCtx};
use crate::domain::ids::RegionCode;
use crate::domain::petition::PetitionCategory;
use crate::domain::record::{Family, Record, Step};

/// What writing a record needs: its version and timeline written, and the facts a write checks read.
pub trait Desk {
    /// Writes one version of a record (row, audit row, journal row, and its search document when the index
    /// takes it now: an in-memory desk leaves that to the rebuild that ends its run).
    fn write(&self, ctx: &WriteCtx, v: Version) -> Result<()>;
    /// The JSON form of `old`, a record as this desk last wrote it, for the save of its next version, which must
    /// follow (an in-memory desk hands over the form it holds instead of making it again, and holds none until
    /// that `write`).
    fn form_of<R: Record>(&self, old: &R) -> Result<Map<String, Value>> {
        super::records::to_map(old)
    }
    /// Appends an event to a record's timeline.
    fn event(&self, ctx: &WriteCtx, record_id: &str, step: &Step) -> Result<()>;
    /// Refuses a region that is unknown or outside this device's jurisdiction.
    fn inside(&self, ctx: &WriteCtx, code: &RegionCode) -> Result<()>;
    /// One record by id (tombstones included).
    fn record<R: Record>(&self, id: &str) -> Result<Option<R>>;
    /// Whether a record exists and is not deleted.
    fn exists(&self, family: Family, id: &str) -> Result<bool>;
    /// How many findings (not deleted) a patrol has.
    fn findings_of(&self, patrol_id: &str) -> Result<i64>;
    /// Earlier cases of the same person and category since `since`, latest first (at most 20).
    fn repeats(
        &self,
        person_key: &str,
        category: PetitionCategory,
        since: NaiveDate,
    ) -> Result<Vec<Repeat>>;
    /// A setting of this device (`settings`), if set.
    fn setting(&self, key: &str) -> Result<Option<String>>;
    /// Sets a setting of this device.
    fn set_setting(&self, key: &str, value: &str) -> Result<()>;
    /// Says that the caller will not name the record `id` again (an in-memory desk may let it go).
    fn forget(&self, _id: &str) {}
}

impl Desk for Transaction<'_> {
    fn write(&self, ctx: &WriteCtx, v: Version) -> Result<()> {
        super::version::write(self, ctx, v)
    }

    fn event(&self, ctx: &WriteCtx, record_id: &str, step: &Step) -> Result<()> {
        use super::keys::{key, name_key};
        let rowid = super::timeline::next(self, key(self, record_id)?)?;
        let values =
            super::timeline::event_values(ctx, step, rowid, &mut |t| key(self, t), &mut |w| {
                name_key(self, w)
            })?;
        self.prepare_cached(super::timeline::INSERT)?
            .execute(rusqlite::params_from_iter(values))?;
        Ok(())
    }

    fn inside(&self, ctx: &WriteCtx, code: &RegionCode) -> Result<()> {
        super::regions::check_inside(self, ctx, code)
    }

    fn record<R: Record>(&self, id: &str) -> Result<Option<R>> {
        super::records::get(self, id)
    }

    fn exists(&self, family: Family, id: &str) -> Result<bool> {
        super::records::exists(self, family, id)
    }

    fn findings_of(&self, patrol_id: &str) -> Result<i64> {
        Ok(self
            .prepare_cached(
                "SELECT count(*) FROM findings
                 WHERE patrol_key = (SELECT key FROM ids WHERE id = ?1) AND deleted = 0",
            )?
            .query_row([super::keys::stored(patrol_id)], |r| r.get(0))?)
    }

    fn repeats(
        &self,
        person_key: &str,
        category: PetitionCategory,
        since: NaiveDate,
    ) -> Result<Vec<Repeat>> {
        super::petitions::repeats(self, person_key, category, since)
    }

    fn setting(&self, key: &str) -> Result<Option<String>> {
        super::device::setting(self, key)
    }

    fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        super::device::set_setting(self, key, value)
    }
}
