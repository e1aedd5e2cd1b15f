//! `--only floor`: what each kind of row wangge's import writes costs, with no logic. The baseline (each
//! record's row and its journal rows), then the rest of what the import writes added one part at a time, each
//! upserted raw from the township's plain bundle into an empty database with wangge's schema. A rung's ratio to
//! the baseline is the most any import writing those rows could reach. No targets: it shows what a change of
//! the import's design would move.

use super::exchange::{self, median};
use super::raw::{self, Rows, Timeline};
use super::table::Figure;

/// The rungs, each adding one part to the one before up to everything wangge's import writes (the floor); then
/// the floor again with the timeline's events packed into each record's row instead of rows of their own.
const LADDER: [(&str, Rows); 5] = [
    ("records and their journal (the baseline)", Rows::BASELINE),
    (
        "+ the timeline's events",
        Rows {
            timeline: Timeline::Rows,
            ..Rows::BASELINE
        },
    ),
    (
        "+ an audit row (hashes; a new record's changes nothing)",
        Rows {
            seen: false,
            ..Rows::FLOOR
        },
    ),
    ("+ each sequence number seen (the floor)", Rows::FLOOR),
    (
        "the floor, its events in the record's row",
        Rows {
            timeline: Timeline::InRow,
            ..Rows::FLOOR
        },
    ),
];

/// The ladder's figures at `n` records: the median of three rounds up to 100,000 records, one round above.
pub fn figures(n: usize, figures: &mut Vec<Figure>) -> Result<(), String> {
    let (work, bundle) = exchange::plain_bundle(n)?;
    let db = work.join("raw.db");
    let rounds = if n <= 100_000 { 3 } else { 1 };
    let mut secs = vec![Vec::new(); LADDER.len()];
    let mut records = 0;
    for round in 0..rounds {
        for (i, (what, rows)) in LADDER.iter().enumerate() {
            drop(raw::schema_db(&db)?);
            let (s, r) = raw::upsert_bundle(&db, &bundle, *rows)?;
            eprintln!("  floor round {}: {what} {s:.1} s", round + 1);
            secs[i].push(s);
            records = r;
        }
    }
    wangge::store::remove_db_files(&db);
    let _ = std::fs::remove_dir_all(&work);
    let base = median(&mut secs[0]);
    for ((what, _), mut s) in LADDER.iter().zip(secs) {
        let mut f = Figure::rate_info(
            format!("raw import: {what}"),
            median(&mut s),
            base,
            records,
            "- (the most an import could reach)",
        );
        f.tail = format!("{rounds} runs {}", f.tail);
        figures.push(f);
    }
    Ok(())
}
