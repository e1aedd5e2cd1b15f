//! How the identity types sit in SQLite: as their canonical text (in `ids`, a UUID as its 16 bytes), read back
//! through the same strict parse a file gets (a row holding another spelling is damage, and says so). A timeline
//! event's id, stored in every event row and nowhere else, is its UUID's 16 bytes.

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
                // `ids` holds a UUID as its 16 bytes (`keys::stored`).
                let text = match value {
                    ValueRef::Blob(_) => super::keys::spelled(value).ok_or(FromSqlError::InvalidType)?,
                    _ => value.as_str()?.to_owned(),
                };
                <$t>::parse(&text).map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }
    )+};
}

sql_text!(RegionCode, DeviceId, RecordId, PublicKey);

impl ToSql for EventId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        let uuid = uuid::Uuid::parse_str(self.as_str())
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        Ok(ToSqlOutput::Owned(rusqlite::types::Value::Blob(
            uuid.as_bytes().to_vec(),
        )))
    }
}

impl FromSql for EventId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let bytes = value.as_blob()?;
        uuid::Uuid::from_slice(bytes)
            .map(EventId::from_uuid)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}
