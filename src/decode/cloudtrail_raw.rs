//! The borrowed, typed view of a CloudTrail record: only the fields trail-vpce reads, parsed by simd-json in
//! place. Fields whose shape varies by service (`requestParameters`) are read leniently: a value of an
//! unexpected type is treated as absent rather than failing the record.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::actions::CallItem;
use crate::actions::items::{
    DeleteShape, Items, MultiItemParameters, RequestItemsShape, StatementShape, StatementsShape, TransactItemsShape,
};

/// A CloudTrail record (or any JSON object; the caller decides what it is).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RawRecord<'a> {
    #[serde(borrow)]
    pub event_time: Text<'a>,
    /// Logstash/ELK exports carry `@timestamp` (and sometimes no `eventTime`).
    #[serde(rename = "@timestamp", borrow)]
    pub at_timestamp: Text<'a>,
    #[serde(borrow)]
    pub event_source: Text<'a>,
    #[serde(borrow)]
    pub event_name: Text<'a>,
    #[serde(borrow)]
    pub aws_region: Text<'a>,
    #[serde(rename = "sourceIPAddress", borrow)]
    pub source_ip_address: Text<'a>,
    #[serde(borrow)]
    pub user_agent: Text<'a>,
    #[serde(borrow)]
    pub error_code: Text<'a>,
    #[serde(borrow)]
    pub error_message: Text<'a>,
    #[serde(borrow, default)]
    pub request_parameters: Lenient<RawRequestParameters<'a>>,
    #[serde(borrow)]
    pub resources: Option<Vec<RawResource<'a>>>,
    #[serde(rename = "eventID", borrow)]
    pub event_id: Text<'a>,
    #[serde(borrow)]
    pub event_type: Text<'a>,
    #[serde(borrow)]
    pub event_category: Text<'a>,
    #[serde(borrow)]
    pub recipient_account_id: Text<'a>,
    #[serde(default)]
    pub read_only: LenientBool,
    #[serde(default)]
    pub management_event: LenientBool,
    #[serde(borrow)]
    pub tls_details: Option<RawTlsDetails<'a>>,
    #[serde(borrow)]
    pub vpc_endpoint_id: Text<'a>,
    #[serde(borrow)]
    pub vpc_endpoint_account_id: Text<'a>,
    #[serde(borrow)]
    pub user_identity: Option<RawUserIdentity<'a>>,
    /// Aggregated events: `eventId` (not `eventID`), `accountId`, `timeWindow`, `summary`.
    #[serde(rename = "eventId", borrow)]
    pub event_id_aggregated: Text<'a>,
    #[serde(borrow)]
    pub account_id: Text<'a>,
    #[serde(borrow)]
    pub time_window: Option<super::aggregated::RawTimeWindow<'a>>,
    #[serde(borrow)]
    pub summary: Option<super::aggregated::RawSummary<'a>>,
    /// Present in digest files.
    pub digest_start_time: Option<IgnoredAny>,
    /// Present in digest files.
    pub log_files: Option<IgnoredAny>,
    /// Present in IAM policy documents (not logs).
    #[serde(rename = "Statement")]
    pub statement: Option<IgnoredAny>,
    /// Present in the `{"Records": [...]}` wrapper (only seen here when the splitter could not descend).
    #[serde(rename = "Records")]
    pub records: Option<IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RawUserIdentity<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Text<'a>,
    #[serde(borrow)]
    pub principal_id: Text<'a>,
    #[serde(borrow)]
    pub arn: Text<'a>,
    #[serde(borrow)]
    pub account_id: Text<'a>,
    #[serde(borrow)]
    pub access_key_id: Text<'a>,
    #[serde(borrow)]
    pub user_name: Text<'a>,
    #[serde(borrow)]
    pub invoked_by: Text<'a>,
    #[serde(borrow)]
    pub session_context: Option<RawSessionContext<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RawSessionContext<'a> {
    #[serde(borrow)]
    pub session_issuer: Option<RawSessionIssuer<'a>>,
    /// Present (e.g. `"2.0"`) when the credentials were delivered to an EC2 instance.
    #[serde(borrow, default)]
    pub ec2_role_delivery: Lenient<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RawSessionIssuer<'a> {
    #[serde(borrow)]
    pub arn: Text<'a>,
    #[serde(borrow)]
    pub account_id: Text<'a>,
}

#[derive(Deserialize, Default)]
pub struct RawResource<'a> {
    #[serde(rename = "ARN", borrow)]
    pub arn: Text<'a>,
    #[serde(rename = "ARNPrefix", borrow)]
    pub arn_prefix: Text<'a>,
    #[serde(rename = "accountId", borrow)]
    pub account_id: Text<'a>,
    #[serde(rename = "type", borrow)]
    pub kind: Text<'a>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RawTlsDetails<'a> {
    #[serde(borrow)]
    pub tls_version: Text<'a>,
    #[serde(borrow)]
    pub cipher_suite: Text<'a>,
    #[serde(borrow)]
    pub client_provided_host_header: Text<'a>,
}

/// The request parameters the action map and the policy engine use. Every field is lenient: services use
/// the same names for values of other shapes.
#[derive(Deserialize, Default)]
pub struct RawRequestParameters<'a> {
    #[serde(rename = "bucketName", borrow, default)]
    pub bucket_name: Lenient<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub key: Lenient<Cow<'a, str>>,
    #[serde(rename = "versionId", borrow, default)]
    pub version_id: Lenient<Cow<'a, str>>,
    #[serde(rename = "list-type", borrow, default)]
    pub list_type: Lenient<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub prefix: Lenient<Cow<'a, str>>,
    #[serde(rename = "x-amz-copy-source", borrow, default)]
    pub copy_source: Lenient<Cow<'a, str>>,
    #[serde(rename = "tableName", borrow, default)]
    pub table_name: Lenient<Cow<'a, str>>,
    #[serde(rename = "indexName", borrow, default)]
    pub index_name: Lenient<Cow<'a, str>>,
    #[serde(rename = "Host", borrow, default)]
    pub host: Lenient<Cow<'a, str>>,
    /// Multi-item shapes (DynamoDB transactions, batches and PartiQL; S3 DeleteObjects), read straight into
    /// the action map's items (no JSON tree: see `actions::items`). They appear only on those calls, so other
    /// records pay nothing.
    #[serde(borrow, default)]
    pub statement: Items<'a, StatementShape>,
    #[serde(rename = "requestItems", borrow, default)]
    pub request_items: Items<'a, RequestItemsShape>,
    #[serde(rename = "transactItems", borrow, default)]
    pub transact_items: Items<'a, TransactItemsShape>,
    #[serde(rename = "transactStatements", borrow, default)]
    pub transact_statements: Option<Items<'a, StatementsShape>>,
    #[serde(borrow, default)]
    pub statements: Items<'a, StatementsShape>,
    #[serde(borrow, default)]
    pub delete: Items<'a, DeleteShape>,
}

impl<'a> RawRequestParameters<'a> {
    /// The items of the multi-item parameters (empty for nearly every record).
    pub fn multi_items(&mut self) -> Vec<CallItem<'a>> {
        let statements = match self.transact_statements.take() {
            Some(transact) => transact,
            None => std::mem::take(&mut self.statements),
        };
        MultiItemParameters {
            statement: std::mem::take(&mut self.statement),
            request_items: std::mem::take(&mut self.request_items),
            transact_items: std::mem::take(&mut self.transact_items),
            statements,
            delete: std::mem::take(&mut self.delete),
        }
        .into_items()
    }
}

/// A value of the expected shape, or `None` when the field held something else (consumed and ignored).
pub struct Lenient<T>(pub Option<T>);

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Lenient(None)
    }
}

/// The visitor methods that turn a value of an unexpected shape into `Lenient(None)`, consuming it.
macro_rules! absent_for_other_shapes {
    ($($method:ident),*) => {
        $(absent_for_other_shapes!(@one $method);)*
    };
    (@one scalars) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Lenient(None))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Lenient(None))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Lenient(None))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Lenient(None))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Lenient(None))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Lenient(None))
        }
    };
    (@one seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Lenient(None))
        }
    };
    (@one map) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Lenient(None))
        }
    };
    (@one str) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Lenient(None))
        }
    };
}

impl<'de: 'a, 'a> Deserialize<'de> for Lenient<Cow<'a, str>> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientStrVisitor)
    }
}

struct LenientStrVisitor;

impl<'de> Visitor<'de> for LenientStrVisitor {
    type Value = Lenient<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Lenient(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Lenient(Some(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Lenient(Some(Cow::Owned(v))))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(LenientStrVisitor)
    }
    absent_for_other_shapes!(scalars, seq, map);
}

impl<'de: 'a, 'a> Deserialize<'de> for Lenient<RawRequestParameters<'a>> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientParamsVisitor)
    }
}

struct LenientParamsVisitor;

impl<'de> Visitor<'de> for LenientParamsVisitor {
    type Value = Lenient<RawRequestParameters<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let params = RawRequestParameters::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Lenient(Some(params)))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(LenientParamsVisitor)
    }
    absent_for_other_shapes!(scalars, str, seq);
}

/// An optional string borrowed from the input. serde's own impl for `Option<Cow<str>>` always copies
/// (`#[serde(borrow)]` only changes a bare `Cow<str>`): a String per field of every record, a sixth of the
/// allocations of the whole run. Otherwise it behaves as `Option<Cow<str>>`: absent or `null` is `None`, any
/// other non-string is a type error ("expected a string").
#[derive(Default, Debug)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'a> std::ops::Deref for Text<'a> {
    type Target = Option<Cow<'a, str>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Text<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<'a> From<Text<'a>> for Option<Cow<'a, str>> {
    fn from(text: Text<'a>) -> Self {
        text.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_option(OptionalStrVisitor).map(Text)
    }
}

struct OptionalStrVisitor;

impl<'de> Visitor<'de> for OptionalStrVisitor {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(StrVisitor).map(Some)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// A boolean that also accepts `"true"`/`"false"` strings; anything else is `None`.
#[derive(Default)]
pub struct LenientBool(pub Option<bool>);

impl<'de> Deserialize<'de> for LenientBool {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Lenient::<Cow<'de, str>>::deserialize(BoolAsStr(deserializer))?;
        Ok(LenientBool(value.0.and_then(|s| match s.as_ref() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })))
    }
}

/// Presents a deserializer's booleans as the strings `"true"`/`"false"` to a string visitor.
struct BoolAsStr<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for BoolAsStr<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.0.deserialize_any(BoolAsStrVisitor(visitor))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

struct BoolAsStrVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for BoolAsStrVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.0.visit_borrowed_str(if v { "true" } else { "false" })
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        self.0.visit_borrowed_str(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.visit_str(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.0.visit_i64(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.0.visit_u64(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0.visit_f64(v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(map)
    }
}
