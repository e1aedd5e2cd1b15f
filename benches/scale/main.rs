//! `cargo bench` (or `cargo bench -- --quick`): wangge at county scale, one table of figures with their tails,
//! a baseline measured in the same run where a raw limit exists, the ratio, the target and PASS/FAIL.
//!
//! Options: `--quick` (20,000 records instead of 1,000,000), `--records N`, `--only GROUP` (one of `browse`,
//! `report`, `exchange`, `export` (the exchange without its imports), `durability`, or `floor`: what each kind of row an
//! import writes costs, raw, run only when asked for). The databases are made once and kept under
//! `target/bench-data/` (about 20 GB at 1M; free space is checked first). Figures of memory, import, export and
//! demo run in child processes of this same program.

mod browse;
mod data;
mod durability;
mod events;
mod exchange;
mod floor;
mod raw;
mod report;
mod table;

use std::path::Path;

use table::Figure;
use wangge::store::OpenMode;

struct Args {
    quick: bool,
    records: usize,
    only: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        quick: false,
        records: 1_000_000,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => {
                a.quick = true;
                a.records = 20_000;
            }
            "--records" => {
                a.records = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n >= 1_000)
                    .ok_or("--records takes a number of at least 1000")?;
            }
            "--only" => a.only = it.next(),
            // What cargo itself passes to a bench.
            "--bench" => {}
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(a)
}

fn binary_figure(figures: &mut Vec<Figure>) {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let binary = Path::new(&target).join("release/wangge");
    match std::fs::metadata(&binary) {
        Ok(m) => {
            let mb = m.len() as f64 / 1024.0 / 1024.0;
            figures.push(Figure::plain(
                "release binary (stripped)".into(),
                format!("{mb:.1} MB"),
                "-".into(),
                "<= 12 MB",
                mb <= 12.0,
            ));
        }
        Err(_) => eprintln!("release binary: not built (cargo build --release), not measured"),
    }
}

fn run(a: &Args) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    let group = |g: &str| a.only.as_deref().is_none_or(|o| o == g);
    if group("browse") {
        let path = data::county(a.records)?;
        data::size_figure(&path, &mut figures)?;
        {
            let store = data::open(&path, OpenMode::Existing)?;
            browse::search_figures(store.conn(), a.quick, &mut figures);
            browse::list_figures(store.conn(), a.quick, &mut figures);
        }
        browse::start_figure(&path, &mut figures)?;
        browse::keystroke_figures(&path, &mut figures)?;
        browse::memory_figure(&path, &mut figures)?;
        exchange::demo_figure(a.records, &mut figures);
    }
    if group("report") {
        let path = data::county(a.records)?;
        report::figures(&path, &mut figures)?;
    }
    if (group("exchange") || group("export"))
        && let Err(e) = exchange::figures(a.records, group("exchange"), &mut figures)
    {
        // The figures measured so far still print.
        eprintln!("the exchange's figures stopped: {e}");
    }
    if a.only.as_deref() == Some("floor")
        && let Err(e) = floor::figures(a.records, &mut figures)
    {
        eprintln!("the floor's figures stopped: {e}");
    }
    if group("durability")
        && let Err(e) = durability::figures(&mut figures)
    {
        eprintln!("the durability figures stopped: {e}");
    }
    binary_figure(&mut figures);
    Ok(figures)
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).is_some_and(|a| a == "--child") {
        if let Err(e) = data::serve(&argv[2..]) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        return;
    }
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    match run(&a) {
        Ok(figures) => table::print(
            &format!(
                "wangge at {} top-level records ({})",
                a.records,
                if a.quick { "--quick" } else { "full" }
            ),
            &figures,
        ),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
