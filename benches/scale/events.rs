//! A record's timeline events as the raw import writes them: as rows of `timeline`, the way wangge stores them
//! (rowids from the record's key times 2^20, an id without its time, the day only when it is not its time's
//! own), or packed into one value of the record's own row, to measure what storing them there would save
//! (`--only floor`). The packing is the bench's: a sketch of a compact form, not one wangge reads.

use rusqlite::{Transaction, params};
use serde_json::Value as Json;

/// One event of a bundle line, as stored: its id (10 bytes when its first 6 are its time), time and day (None
/// when it is its time's own), and note. Origin, actor and action are the bench's one device and one word.
struct Stored<'a> {
    id: Vec<u8>,
    at: i64,
    day: Option<&'a str>,
    note: Option<&'a str>,
}

fn stored(ev: &Json) -> Stored<'_> {
    let at = ev["at"].as_i64().unwrap_or(0);
    let whole = ev["id"]
        .as_str()
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .map(|u| u.as_bytes().to_vec())
        .unwrap_or_default();
    let id = match u64::try_from(at) {
        Ok(t) if whole.len() == 16 && t >> 48 == 0 && whole[..6] == t.to_be_bytes()[2..] => {
            whole[6..].to_vec()
        }
        _ => whole,
    };
    let own = chrono::DateTime::from_timestamp(at / 1000, 0).map(|d| {
        (d + chrono::Duration::hours(8))
            .format("%Y-%m-%d")
            .to_string()
    });
    let day = ev["on_date"]
        .as_str()
        .filter(|d| own.as_deref() != Some(*d));
    Stored {
        id,
        at,
        day,
        note: ev["note"].as_str(),
    }
}

/// Inserts the events of `events` (a bundle line's array) as rows of the record keyed `key`; `word` and `device`
/// are the keys the bench names every actor, action and origin by.
pub fn insert_rows(
    tx: &Transaction,
    key: i64,
    events: &[Json],
    (device, word): (i64, i64),
) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO timeline (rowid, id, origin, at, on_date, actor, action, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
    )?;
    for (i, ev) in events.iter().enumerate() {
        let e = stored(ev);
        st.execute(params![
            key * (1 << 20) + i as i64,
            e.id,
            device,
            e.at,
            e.day,
            word,
            e.note
        ])?;
    }
    Ok(())
}

/// The events of `events` packed into one value: per event its id's length and bytes, its time, the three keys,
/// its day when it has one of its own, and its note, the numbers as LEB128 varints.
pub fn packed(events: &[Json], (device, word): (i64, i64)) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut n: u64) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }
    let mut out = Vec::new();
    for ev in events {
        let e = stored(ev);
        out.push(e.id.len() as u8);
        out.extend_from_slice(&e.id);
        varint(&mut out, e.at as u64);
        for k in [device, word, word] {
            varint(&mut out, k as u64);
        }
        match e.day {
            Some(d) => {
                out.push(1);
                out.extend_from_slice(d.as_bytes());
            }
            None => out.push(0),
        }
        let note = e.note.unwrap_or("").as_bytes();
        varint(&mut out, note.len() as u64);
        out.extend_from_slice(note);
    }
    out
}
