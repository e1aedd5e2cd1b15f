//! How the identity types sit in SQLite: as their canonical text, read back through the same strict parse a
//! file gets (a row holding another spelling is damage, and says so).

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::domain::ids::{DeviceId, EventId, PublicKey, RecordId, RegionCode};

macro_rules! sql_text {
    ($($t:ty),+) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::Borrowed(ValueRef::Text(self.as_str().as_bytes())))
            }
        }

        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                <$t>::parse(text).map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }
    )+};
}

sql_text!(RegionCode, DeviceId, RecordId, EventId, PublicKey);
