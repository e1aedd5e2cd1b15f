//! What durability costs a save. The worker's save (a hazard's edit: its row, journal and audit rows and the
//! search index, in one transaction) timed under wangge's own setting, WAL with `synchronous = FULL` (every
//! commit waits for the disk), against the same save under `NORMAL` (the WAL reaches the disk only at
//! checkpoints: a power cut may lose the last saves, never corrupt the file) and `OFF` (never waits). No target:
//! the figures say what the promise "a saved record is never lost" costs on this machine.

use wangge::store::{Store, hazards};

use super::data;
use super::table::{Figure, ms, pct, times};

/// Saves timed per setting.
const SAVES: usize = 200;

pub fn figures(figures: &mut Vec<Figure>) -> Result<(), String> {
    let path = data::dir().join("durability.db");
    let mut store = data::fresh(&path, data::TOWNSHIP)?;
    wangge::demo::generate(&mut store, 300, 1, &mut |_| {}).map_err(|e| e.to_string())?;
    let id: String = store
        .conn()
        .query_row(
            &format!(
                "SELECT {} FROM hazards t WHERE deleted = 0 ORDER BY t.key LIMIT 1",
                wangge::store::keys::id_of("t.key")
            ),
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    let mut timed = Vec::new();
    for setting in ["FULL", "NORMAL", "OFF"] {
        store
            .conn()
            .pragma_update(None, "synchronous", setting)
            .map_err(|e| e.to_string())?;
        let mut n = 0;
        let t = times(SAVES, || {
            n += 1;
            save(&mut store, &id, n);
        });
        timed.push((setting, t));
    }
    let _ = store.conn().pragma_update(None, "synchronous", "FULL");
    let full = pct(&timed[0].1, 0.5);
    for (setting, t) in &timed {
        let median = pct(t, 0.5);
        figures.push(Figure {
            name: format!(
                "save, WAL synchronous={setting}{}",
                if *setting == "FULL" { " (wangge)" } else { "" }
            ),
            median: ms(median),
            tail: format!("p95 {}", ms(pct(t, 0.95))),
            baseline: ms(full),
            ratio: format!(
                "{:.1}x",
                full.as_secs_f64() / median.as_secs_f64().max(1e-9)
            ),
            target: "- (FULL's cost: the ratio)".into(),
            pass: None,
        });
    }
    wangge::store::remove_db_files(&path);
    Ok(())
}

/// One edit of the hazard, as the TUI's edit form saves it.
fn save(store: &mut Store, id: &str, n: usize) {
    let Ok(mut h) = hazards::get(store.conn(), id) else {
        return;
    };
    h.description = format!("整改情况第 {n} 次补充");
    let reason = "bench";
    if let Err(e) = store.write(|tx, c| hazards::update(tx, c, &h, Some(reason)).map(|_| ())) {
        eprintln!("save: {e}");
    }
}
