//! The command line (clap). This contract is fixed: later issues and the project's checks rely on it.
//! Every command honours `WANGGE_NOW` (an RFC 3339 instant that replaces the clock).

mod commands;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::domain::{Lang, Localized};

#[derive(Debug, Parser)]
#[command(
    name = "wangge",
    version,
    about = "网格员工作台：安全检查、秦岭巡查、信访 / grid worker's tool"
)]
pub struct Cli {
    /// Database file [default: $WANGGE_DB, else the platform data dir]
    #[arg(long, global = true, env = "WANGGE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Language of everything shown: zh (default) or en
    #[arg(long, global = true, env = "WANGGE_LANG", value_enum)]
    pub lang: Option<LangArg>,
    /// The worker at the keyboard (TUI)
    #[arg(long, global = true, value_name = "NAME")]
    pub worker: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
    Xlsx,
}

#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum ListFormat {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up this device: its jurisdiction (county, township, village or grid code) and first worker
    Init {
        #[arg(long, value_name = "CODE")]
        region: String,
        #[arg(long, value_name = "NAME")]
        worker: String,
    },
    /// Fill the database with realistic, deterministic demo data for 略阳县
    Demo {
        /// Top-level records to add (inspections, patrol findings and petitions together)
        #[arg(long, value_name = "N")]
        records: usize,
        #[arg(long, default_value_t = 1, value_name = "S")]
        seed: u64,
        /// Initialise a new database as a device of this township (default: as the county)
        #[arg(long, value_name = "CODE")]
        township: Option<String>,
    },
    /// County and per-township figures
    Report {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
    },
    /// Integrity check plus the domain's invariants; exit 1 if anything is wrong
    Check,
    /// Consistent copy of the database (online backup API)
    Backup { file: PathBuf },
    /// Regions: list, or import villages and grids from CSV
    Regions {
        #[command(subcommand)]
        action: RegionsCmd,
    },
    /// Holiday table: list, or import next year's notice from CSV
    Holidays {
        #[command(subcommand)]
        action: HolidaysCmd,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegionsCmd {
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// CSV columns code,name,level,parent (UTF-8 or GBK)
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum HolidaysCmd {
    List {
        #[arg(long)]
        year: Option<i32>,
    },
    /// CSV columns date,kind,name_zh,name_en (kind: holiday or workday)
    Import { file: PathBuf },
}

/// Runs the command line; returns the process exit code. Never panics on user input.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let lang = match cli.lang {
        Some(LangArg::En) => Lang::En,
        _ => Lang::Zh,
    };
    match commands::run(cli, lang) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", e.message(lang));
            1
        }
    }
}
