//! Per-item details of multi-item calls, read from a CloudTrail `requestParameters` field by field with serde
//! (from simd-json's tape when decoding, from a `serde_json::Value` in [`items_from_request_parameters`]),
//! straight into borrowed [`CallItem`]s: no JSON tree is built. A `DeleteObjects` of a million keys held as a
//! `serde_json::Value` cost about 700 bytes per key (one B-tree node per `{"key": …}` object); read this way it
//! costs the 80-byte item.
//!
//! Shapes read (CloudTrail writes camelCase; SDK-cased keys are accepted too, the camelCase one winning):
//! - DynamoDB `requestItems: [{operation, tableName, statement}]` (TransactWriteItems, TransactGetItems,
//!   BatchExecuteStatement), `requestItems: {"Table": …}` (BatchGetItem / BatchWriteItem),
//!   `transactItems: [{put|update|delete|conditionCheck: {tableName}}]`, `transactStatements` / `statements:
//!   [{statement}]`, a top-level `statement` (ExecuteStatement);
//! - S3 `delete.objects: [{key, versionId}]` (DeleteObjects; CloudTrail usually does not log it).
//!
//! Every field is lenient: a value of another shape is consumed and gives no items. Strings are borrowed from
//! the input (both decoders lend every string); a string a deserializer could only copy is taken as absent.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::CallItem;

/// Visitor methods for the JSON shapes a lenient reader ignores (consumed, giving the default value).
macro_rules! absent {
    ($($kind:ident),*) => { $(absent!(@one $kind);)* };
    (@one str) => { fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> { Ok(Default::default()) } };
    (@one bool) => { fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> { Ok(Default::default()) } };
    (@one i64) => { fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> { Ok(Default::default()) } };
    (@one u64) => { fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> { Ok(Default::default()) } };
    (@one f64) => { fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> { Ok(Default::default()) } };
    (@one unit) => { fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> { Ok(Default::default()) } };
    (@one none) => { fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> { Ok(Default::default()) } };
    (@one seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }
    };
    (@one map) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }
    };
}

/// The items of one `requestParameters` field, read with the shape `S` expects.
pub struct Items<'a, S> {
    pub items: Vec<CallItem<'a>>,
    shape: PhantomData<S>,
}

impl<S> Default for Items<'_, S> {
    fn default() -> Self {
        Items { items: Vec::new(), shape: PhantomData }
    }
}

impl<S> fmt::Debug for Items<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.items).finish()
    }
}

/// What one field may hold; every other JSON shape gives no items.
pub trait Shape {
    fn string<'a>(_text: &'a str, _out: &mut Vec<CallItem<'a>>) {}
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A, _out: &mut Vec<CallItem<'de>>) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn map<'de, A: MapAccess<'de>>(mut map: A, _out: &mut Vec<CallItem<'de>>) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// `statement: "SELECT …"` (ExecuteStatement).
pub enum StatementShape {}
/// `requestItems`: a list of `{operation, tableName, statement}`, or an object keyed by table name.
pub enum RequestItemsShape {}
/// `transactItems: [{put|update|delete|conditionCheck|get: {tableName}}]`.
pub enum TransactItemsShape {}
/// `transactStatements` / `statements: [{statement}]`.
pub enum StatementsShape {}
/// `delete: {objects: [{key, versionId}]}`.
pub enum DeleteShape {}
/// `[{key, versionId}]`: objects without a key are skipped.
pub enum ObjectsShape {}

impl Shape for StatementShape {
    fn string<'a>(text: &'a str, out: &mut Vec<CallItem<'a>>) {
        out.push(CallItem { statement: Some(text), ..CallItem::default() });
    }
}

impl Shape for RequestItemsShape {
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A, out: &mut Vec<CallItem<'de>>) -> Result<(), A::Error> {
        while let Some(Obj(item)) = seq.next_element::<Obj<RequestItem<'de>>>()? {
            out.extend(item.map(|i| i.0));
        }
        Ok(())
    }
    /// Tables in name order, each once (as a JSON object's keys have always been read here).
    fn map<'de, A: MapAccess<'de>>(mut map: A, out: &mut Vec<CallItem<'de>>) -> Result<(), A::Error> {
        let start = out.len();
        while let Some(Borrowed(table)) = map.next_key::<Borrowed<'de>>()? {
            map.next_value::<IgnoredAny>()?;
            if let Some(table) = table {
                out.push(CallItem { table: Some(table), ..CallItem::default() });
            }
        }
        let tables = &mut out[start..];
        tables.sort_by_key(|item| item.table);
        let mut tables = out.split_off(start);
        tables.dedup_by_key(|item| item.table);
        out.append(&mut tables);
        Ok(())
    }
}

impl Shape for TransactItemsShape {
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A, out: &mut Vec<CallItem<'de>>) -> Result<(), A::Error> {
        while let Some(Obj(item)) = seq.next_element::<Obj<TransactItem<'de>>>()? {
            out.extend(item.into_iter().flat_map(|i| i.0));
        }
        Ok(())
    }
}

impl Shape for StatementsShape {
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A, out: &mut Vec<CallItem<'de>>) -> Result<(), A::Error> {
        while let Some(Obj(entry)) = seq.next_element::<Obj<StatementEntry<'de>>>()? {
            if let Some(statement) = entry.and_then(|e| e.0) {
                out.push(CallItem { statement: Some(statement), ..CallItem::default() });
            }
        }
        Ok(())
    }
}

impl Shape for DeleteShape {
    fn map<'de, A: MapAccess<'de>>(mut map: A, out: &mut Vec<CallItem<'de>>) -> Result<(), A::Error> {
        // `objects` wins over `Objects` when both are given (the last of a repeated key wins).
        let (mut camel, mut sdk) = (None, None);
        while let Some(Borrowed(name)) = map.next_key::<Borrowed<'de>>()? {
            match name {
                Some("objects") => camel = Some(map.next_value::<Items<'de, ObjectsShape>>()?.items),
                Some("Objects") => sdk = Some(map.next_value::<Items<'de, ObjectsShape>>()?.items),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        out.extend(camel.or(sdk).unwrap_or_default());
        Ok(())
    }
}

impl Shape for ObjectsShape {
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A, out: &mut Vec<CallItem<'de>>) -> Result<(), A::Error> {
        while let Some(Obj(object)) = seq.next_element::<Obj<ObjectEntry<'de>>>()? {
            out.extend(object.and_then(|o| o.0));
        }
        Ok(())
    }
}

impl<'de: 'a, 'a, S: Shape> Deserialize<'de> for Items<'a, S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ItemsVisitor(PhantomData))
    }
}

struct ItemsVisitor<S>(PhantomData<S>);

impl<'de, S: Shape> Visitor<'de> for ItemsVisitor<S> {
    type Value = Items<'de, S>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        let mut items = Items::default();
        S::string(v, &mut items.items);
        Ok(items)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Items::default();
        S::seq(seq, &mut items.items)?;
        Ok(items)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut items = Items::default();
        S::map(map, &mut items.items)?;
        Ok(items)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    absent!(str, bool, i64, u64, f64, unit, none);
}

/// A string borrowed from the input; any other value (or a copied string) is `None`.
#[derive(Default)]
struct Borrowed<'a>(Option<&'a str>);

impl<'de: 'a, 'a> Deserialize<'de> for Borrowed<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BorrowedVisitor)
    }
}

struct BorrowedVisitor;

impl<'de> Visitor<'de> for BorrowedVisitor {
    type Value = Borrowed<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Borrowed(Some(v)))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    absent!(str, bool, i64, u64, f64, unit, none, seq, map);
}

/// Something read from the entries of a JSON object.
trait FromMap<'de>: Sized {
    fn read<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// An object read by [`FromMap::read`]; `None` for any other JSON value.
struct Obj<T>(Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: FromMap<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjVisitor(PhantomData))
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: FromMap<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::read(map).map(|t| Obj(Some(t)))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    absent!(str, bool, i64, u64, f64, unit, none, seq);
}

/// The string values of `names` in an object (the last of a repeated key wins; a value that is not a string is
/// `None`). Other entries are skipped.
fn named<'de, A: MapAccess<'de>, const N: usize>(
    mut map: A,
    names: [&str; N],
) -> Result<[Option<&'de str>; N], A::Error> {
    let mut out = [None; N];
    while let Some(Borrowed(key)) = map.next_key::<Borrowed<'de>>()? {
        match key.and_then(|key| names.iter().position(|n| *n == key)) {
            Some(i) => {
                let value = map.next_value::<Borrowed<'de>>()?.0;
                if let Some(slot) = out.get_mut(i) {
                    *slot = value;
                }
            }
            None => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(out)
}

/// One `requestItems` entry: `{operation, tableName, statement}`.
struct RequestItem<'a>(CallItem<'a>);

impl<'de> FromMap<'de> for RequestItem<'de> {
    fn read<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let f = named(map, ["operation", "Operation", "tableName", "TableName", "statement", "Statement"])?;
        let (operation, table, statement) = (f[0].or(f[1]), f[2].or(f[3]), f[4].or(f[5]));
        Ok(RequestItem(CallItem { operation, table, statement, ..CallItem::default() }))
    }
}

/// One `statements` entry: `{statement}`.
struct StatementEntry<'a>(Option<&'a str>);

impl<'de> FromMap<'de> for StatementEntry<'de> {
    fn read<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let [camel, sdk] = named(map, ["statement", "Statement"])?;
        Ok(StatementEntry(camel.or(sdk)))
    }
}

/// One `delete.objects` entry: `{key, versionId}`; `None` without a key.
struct ObjectEntry<'a>(Option<CallItem<'a>>);

impl<'de> FromMap<'de> for ObjectEntry<'de> {
    fn read<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let f = named(map, ["key", "Key", "versionId", "VersionId"])?;
        let key = f[0].or(f[1]);
        Ok(ObjectEntry(key.map(|key| CallItem { key: Some(key), version_id: f[2].or(f[3]), ..CallItem::default() })))
    }
}

/// One `transactItems` entry: `{put: {tableName}}` (any of the five kinds, either casing).
struct TransactItem<'a>(Vec<CallItem<'a>>);

impl<'de> FromMap<'de> for TransactItem<'de> {
    fn read<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some(Borrowed(kind)) = map.next_key::<Borrowed<'de>>()? {
            let operation = match kind {
                Some("put" | "Put") => "Put",
                Some("update" | "Update") => "Update",
                Some("delete" | "Delete") => "Delete",
                Some("conditionCheck" | "ConditionCheck") => "ConditionCheck",
                Some("get" | "Get") => "Get",
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let Obj(body) = map.next_value::<Obj<TableBody<'de>>>()?;
            out.push(CallItem { operation: Some(operation), table: body.and_then(|b| b.0), ..CallItem::default() });
        }
        Ok(TransactItem(out))
    }
}

/// The body of a `transactItems` entry: `{tableName}`.
struct TableBody<'a>(Option<&'a str>);

impl<'de> FromMap<'de> for TableBody<'de> {
    fn read<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let [camel, sdk] = named(map, ["tableName", "TableName"])?;
        Ok(TableBody(camel.or(sdk)))
    }
}

/// The multi-item fields of `requestParameters`, each read on its own.
#[derive(Debug, Default)]
pub struct MultiItemParameters<'a> {
    pub statement: Items<'a, StatementShape>,
    pub request_items: Items<'a, RequestItemsShape>,
    pub transact_items: Items<'a, TransactItemsShape>,
    /// `transactStatements`, else `statements`.
    pub statements: Items<'a, StatementsShape>,
    pub delete: Items<'a, DeleteShape>,
}

impl<'a> MultiItemParameters<'a> {
    /// Every item, in the order of the fields above.
    pub fn into_items(self) -> Vec<CallItem<'a>> {
        let mut out = self.statement.items;
        for more in [self.request_items.items, self.transact_items.items, self.statements.items, self.delete.items] {
            if out.is_empty() {
                out = more;
            } else {
                out.extend(more);
            }
        }
        out
    }
}

/// Extracts the per-item details [`super::ApiCall::items`] uses from a `requestParameters` object. Empty when
/// the parameters show none.
pub fn items_from_request_parameters(params: &Value) -> Vec<CallItem<'_>> {
    let Some(obj) = params.as_object() else {
        return Vec::new();
    };
    fn read<'v, T: Deserialize<'v> + Default>(obj: &'v serde_json::Map<String, Value>, names: &[&str]) -> T {
        names.iter().find_map(|n| obj.get(*n)).and_then(|value| T::deserialize(value).ok()).unwrap_or_default()
    }
    MultiItemParameters {
        statement: read(obj, &["statement", "Statement"]),
        request_items: read(obj, &["requestItems", "RequestItems"]),
        transact_items: read(obj, &["transactItems", "TransactItems"]),
        statements: read(obj, &["transactStatements", "TransactStatements", "statements", "Statements"]),
        delete: read(obj, &["delete", "Delete"]),
    }
    .into_items()
}
