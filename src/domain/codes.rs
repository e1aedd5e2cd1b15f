//! The `coded_enum!` macro: enums with a stable code (stored and sent in bundles) and Chinese/English labels.

/// Anything with a zh/en label (every coded enum).
pub trait Labelled: Copy + Ord + 'static {
    fn label(self, lang: crate::domain::Lang) -> &'static str;
    fn parse(code: &str) -> Option<Self>;
    /// The stable code.
    fn code_of(self) -> &'static str;
    /// Every value, in declaration order.
    fn every() -> &'static [Self];
}

/// The label of a stored code, or the code itself when it is not one of `T`'s.
pub fn label_of<T: Labelled>(code: &str, lang: crate::domain::Lang) -> String {
    T::parse(code).map_or_else(|| code.to_owned(), |v| v.label(lang).to_owned())
}

/// Declares an enum whose variants carry a stable code and zh/en labels. It serialises as its code.
#[macro_export]
macro_rules! coded_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident = ($code:literal, $zh:literal, $en:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($variant),+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and sent in bundles.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The label a person reads.
            pub fn label(self, lang: $crate::domain::Lang) -> &'static str {
                match self { $($name::$variant => lang.pick($zh, $en)),+ }
            }

            /// Parses a stable code (exact match).
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::domain::codes::Labelled for $name {
            fn label(self, lang: $crate::domain::Lang) -> &'static str {
                $name::label(self, lang)
            }
            fn parse(code: &str) -> Option<Self> {
                $name::from_code(code)
            }
            fn code_of(self) -> &'static str {
                $name::code(self)
            }
            fn every() -> &'static [Self] {
                $name::ALL
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                $name::from_code(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(concat!("unknown ", stringify!($name), " code: {}"), s))
                })
            }
        }
    };
}
