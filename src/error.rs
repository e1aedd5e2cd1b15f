//! The errors that reach the edge, each turned into one human sentence (Chinese by default, English with
//! `--lang en`).

use crate::domain::clock::BadInstant;
use crate::domain::{Lang, Localized};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Now(#[from] BadInstant),
    /// A problem with what the user asked for, already phrased in both languages.
    #[error("{en}")]
    Input { zh: String, en: String },
    /// A malformed argument value that only the command could check (a setting's value depends on its key):
    /// exit 2 and the usage line, as clap does for the values it parses itself.
    #[error("{en}")]
    Usage {
        zh: String,
        en: String,
        usage: &'static str,
    },
}

impl AppError {
    pub fn input(zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Input {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        AppError::Store(StoreError::Io {
            path: path.to_owned(),
            source,
        })
    }
}

impl From<crate::domain::record::DomainError> for AppError {
    fn from(e: crate::domain::record::DomainError) -> Self {
        AppError::Store(StoreError::Domain(e))
    }
}

impl Localized for AppError {
    fn message(&self, lang: Lang) -> String {
        match self {
            AppError::Store(e) => e.message(lang),
            AppError::Now(e) => e.message(lang),
            AppError::Input { zh, en } | AppError::Usage { zh, en, .. } => {
                lang.pick(zh, en).to_owned()
            }
        }
    }
}

impl From<crate::domain::validate::Invalid> for AppError {
    fn from(e: crate::domain::validate::Invalid) -> Self {
        AppError::Store(StoreError::Domain(e.into()))
    }
}
