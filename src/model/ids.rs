//! The two identifiers every analysis keys on: a VPC endpoint id ([`VpceId`], `vpce-0abc…`) and an AWS
//! account id ([`AccountId`], `111122223333`). Each is its own type, so an endpoint id, an account id and an
//! arbitrary string (an ARN, a bucket, a label) cannot be swapped in the model, ingest, ownership and analyze
//! layers.
//!
//! Both hold the value exactly as the log wrote it: nothing is validated, dropped or rewritten. Real trails
//! hold account ids like `ANONYMOUS_PRINCIPAL`, and hostile logs hold anything; the analyses key on what was
//! written, and the reports print it back (escaped at their chokepoints).
//!
//! Both are generic over where the text lives (a `Cow<'a, str>`): the borrowed record head holds
//! `VpceId<'a>` views of the parsed record (or an owned value where the JSON had escapes), and the owned
//! event, accumulators and reports hold `VpceId<'static>`. Building one from a `Cow`, a `String` or a `&str`
//! is a move, never a copy, and an `Option` of either is the size of an `Option<String>`.
//!
//! On purpose there is no `Deref<Target = str>`: the text is reached by name (`as_str()`) where it leaves the
//! typed world (a policy condition value, a CSV cell, a message). `Borrow<str>` (with `Eq`, `Ord` and `Hash`
//! those of the text) lets maps keyed by an id be looked up with `id.as_str()` without building a key, and
//! serialization is the bare string, so JSON output reads as before.

use std::borrow::{Borrow, Cow};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Defines one identifier type (the two share every behaviour; see the module doc).
macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        // Derived `PartialEq`, `Ord` and `Hash` are those of the one field, a `Cow<str>`, whose are those of
        // the text: what `Borrow<str>` requires.
        #[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name<'a>(Cow<'a, str>);

        impl<'a> $name<'a> {
            /// The id as written (moved in: no copy).
            pub fn new(value: impl Into<Cow<'a, str>>) -> Self {
                $name(value.into())
            }

            /// A borrowed id, usable in constants.
            pub const fn borrowed(value: &'a str) -> Self {
                $name(Cow::Borrowed(value))
            }

            /// The text, where it leaves the typed world.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The same id, borrowing this one's text.
            pub fn view(&self) -> $name<'_> {
                $name(Cow::Borrowed(&self.0))
            }

            /// An owned copy that outlives the record it came from (allocates when borrowed).
            pub fn to_static(&self) -> $name<'static> {
                $name(Cow::Owned(self.as_str().to_owned()))
            }

            /// This id, owned (allocates only when borrowed).
            pub fn into_owned(self) -> $name<'static> {
                $name(Cow::Owned(self.0.into_owned()))
            }

            /// The text, as a `Cow`.
            pub fn into_inner(self) -> Cow<'a, str> {
                self.0
            }

            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Display for $name<'_> {
            /// The text as written (width and alignment apply, as for a `str`).
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self.as_str(), f)
            }
        }

        impl fmt::Debug for $name<'_> {
            /// Debug-formatted like the text, so `{:?}` reads as it did for a `String`.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl Borrow<str> for $name<'_> {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name<'_> {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'a> From<&'a str> for $name<'a> {
            fn from(value: &'a str) -> Self {
                $name(Cow::Borrowed(value))
            }
        }

        impl From<String> for $name<'static> {
            fn from(value: String) -> Self {
                $name(Cow::Owned(value))
            }
        }

        impl<'a> From<Cow<'a, str>> for $name<'a> {
            fn from(value: Cow<'a, str>) -> Self {
                $name(value)
            }
        }

        impl PartialEq<str> for $name<'_> {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name<'_> {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl Serialize for $name<'_> {
            /// The bare string.
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name<'static> {
            /// From a string (the configuration file).
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($name::from)
            }
        }
    };
}

string_id! {
    /// A VPC endpoint id as the log wrote it (`vpce-0a1b2c3d4e5f60001`): CloudTrail's `vpcEndpointId` (trimmed;
    /// `AWS Internal` is no endpoint), the endpoint an S3 access log line's Host header or source network
    /// names, or an endpoint of the configuration.
    VpceId
}

string_id! {
    /// An AWS account id as the log wrote it (`111122223333`, but also `ANONYMOUS_PRINCIPAL` or anything a
    /// damaged log holds): a principal's, a resource owner's, an endpoint owner's or a log recipient's.
    AccountId
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    use std::hash::{BuildHasher, RandomState};

    use super::*;

    #[test]
    fn same_size_as_the_strings_they_replace() {
        use std::mem::size_of;
        assert_eq!(size_of::<VpceId<'static>>(), size_of::<String>());
        assert_eq!(size_of::<Option<VpceId<'static>>>(), size_of::<Option<String>>());
        assert_eq!(size_of::<Option<AccountId<'_>>>(), size_of::<Option<Cow<'_, str>>>());
        assert_eq!(size_of::<Option<AccountId<'_>>>(), size_of::<Option<String>>());
    }

    #[test]
    fn order_and_equality_are_the_texts() {
        let texts =
            ["", " ", "111122223333", "999988887777", "ANONYMOUS_PRINCIPAL", "vpce-0a", "vpce-0b", "é", "\u{202e}x"];
        for a in texts {
            for b in texts {
                let (x, y) = (AccountId::from(a), AccountId::from(b.to_owned()));
                assert_eq!(x.cmp(&y), a.cmp(b), "{a:?} {b:?}");
                assert_eq!(x == y, a == b, "{a:?} {b:?}");
                assert_eq!(VpceId::from(a).cmp(&VpceId::new(Cow::Owned(b.to_owned()))), a.cmp(b));
            }
        }
        let sorted: Vec<VpceId<'_>> =
            BTreeSet::from(["vpce-b", "vpce-a", "vpce-10", "vpce-2"].map(VpceId::from)).into_iter().collect();
        assert_eq!(sorted.iter().map(VpceId::as_str).collect::<Vec<_>>(), ["vpce-10", "vpce-2", "vpce-a", "vpce-b"]);
    }

    #[test]
    fn hashing_agrees_with_borrow_str() {
        let state = RandomState::new();
        for text in ["", "vpce-0abc", "ANONYMOUS_PRINCIPAL", "a\u{0}b"] {
            assert_eq!(state.hash_one(VpceId::from(text)), state.hash_one(text), "{text:?}");
            assert_eq!(state.hash_one(AccountId::from(text.to_owned())), state.hash_one(text), "{text:?}");
        }
        // Maps keyed by an owned id are looked up by the text, without building a key.
        let mut by_vpce: HashMap<VpceId<'static>, u32> = HashMap::new();
        by_vpce.insert(VpceId::from("vpce-1".to_owned()), 1);
        let borrowed = VpceId::from("vpce-1");
        assert_eq!(by_vpce.get(borrowed.as_str()), Some(&1));
        assert_eq!(by_vpce.get("vpce-2"), None);
        let by_account: BTreeMap<AccountId<'static>, u32> = [(AccountId::from("1".to_owned()), 7)].into();
        assert_eq!(by_account.get("1"), Some(&7));
    }

    #[test]
    fn serialized_and_printed_like_the_text() {
        let cases = ["vpce-0a1b", "111122223333", "ANONYMOUS_PRINCIPAL", "", "quote\"and\\back\nline\u{1b}[31m"];
        for text in cases {
            let expected = serde_json::to_string(text).unwrap();
            assert_eq!(serde_json::to_string(&VpceId::from(text)).unwrap(), expected);
            assert_eq!(serde_json::to_string(&AccountId::from(text.to_owned())).unwrap(), expected);
            assert_eq!(serde_json::to_string(&Some(VpceId::from(text))).unwrap(), expected);
            assert_eq!(VpceId::from(text).to_string(), text);
            assert_eq!(format!("{:?}", AccountId::from(text)), format!("{text:?}"));
            let back: AccountId<'static> = serde_json::from_str(&expected).unwrap();
            assert_eq!(back, text);
        }
        assert_eq!(serde_json::to_string(&None::<VpceId<'_>>).unwrap(), "null");
        assert_eq!(format!("[{:>8}|{:<6}]", VpceId::from("v-1"), AccountId::from("12")), "[     v-1|12    ]");
    }

    #[test]
    fn building_moves_the_text() {
        let text = String::from("vpce-0abc");
        let pointer = text.as_ptr();
        let id = VpceId::from(text);
        assert_eq!(id.as_str().as_ptr(), pointer);
        let owned = id.into_owned();
        assert_eq!(owned.as_str().as_ptr(), pointer);
        let cow: Cow<'_, str> = Cow::Owned(String::from("111122223333"));
        let pointer = cow.as_ptr();
        assert_eq!(AccountId::new(cow).into_inner().as_ptr(), pointer);
        let source = String::from("vpce-x");
        let borrowed = VpceId::from(source.as_str());
        assert_eq!(borrowed.as_str().as_ptr(), source.as_ptr());
        assert_eq!(borrowed.view().as_str().as_ptr(), source.as_ptr());
        assert_eq!(borrowed.to_static(), borrowed);
        assert!(VpceId::borrowed("").is_empty());
    }
}
