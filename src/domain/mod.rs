//! Domain model: types, codes, labels, lifecycles, deadlines and validation. No IO, nothing of ours imported.

pub mod assignment;
pub mod category;
pub mod clock;
pub mod codes;
pub mod deadline;
pub mod fields;
pub mod hazard;
pub mod ids;
pub mod inspection;
pub mod mask;
pub mod patrol;
pub mod petition;
pub mod place;
pub mod record;
pub mod region;
pub mod text;
pub mod timeline;
pub mod validate;
pub mod version;

/// The language of everything a person reads. Chinese is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks the Chinese or English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// An error or warning that can explain itself in one sentence, in Chinese or English.
pub trait Localized {
    fn message(&self, lang: Lang) -> String;
}
