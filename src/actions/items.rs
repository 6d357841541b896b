//! Per-item details of multi-item calls from a CloudTrail `requestParameters` object (serde_json), for decoders
//! that keep one. Decoders with another JSON representation fill [`CallItem`]s themselves.
//!
//! Shapes read (CloudTrail writes camelCase; SDK-cased keys are accepted too):
//! - DynamoDB `requestItems: [{operation, tableName, statement}]` (TransactWriteItems, TransactGetItems,
//!   BatchExecuteStatement), `requestItems: {"Table": …}` (BatchGetItem / BatchWriteItem),
//!   `transactItems: [{put|update|delete|conditionCheck: {tableName}}]`, `transactStatements` / `statements:
//!   [{statement}]`, a top-level `statement` (ExecuteStatement);
//! - S3 `delete.objects: [{key, versionId}]` (DeleteObjects; CloudTrail usually does not log it).

use super::CallItem;
use serde_json::Value;

/// Extracts the per-item details [`super::ApiCall::items`] uses. Empty when the parameters show none.
pub fn items_from_request_parameters(params: &Value) -> Vec<CallItem<'_>> {
    let mut out = Vec::new();
    let Some(obj) = params.as_object() else {
        return out;
    };
    let get = |names: &[&str]| names.iter().find_map(|n| obj.get(*n));

    if let Some(statement) = get(&["statement", "Statement"]).and_then(Value::as_str) {
        out.push(CallItem { statement: Some(statement), ..CallItem::default() });
    }
    match get(&["requestItems", "RequestItems"]) {
        Some(Value::Array(list)) => out.extend(list.iter().filter_map(Value::as_object).map(|item| {
            let s = |names: &[&str]| names.iter().find_map(|n| item.get(*n).and_then(Value::as_str));
            CallItem {
                operation: s(&["operation", "Operation"]),
                table: s(&["tableName", "TableName"]),
                statement: s(&["statement", "Statement"]),
                ..CallItem::default()
            }
        })),
        Some(Value::Object(tables)) => {
            out.extend(tables.keys().map(|t| CallItem { table: Some(t.as_str()), ..CallItem::default() }))
        }
        _ => {}
    }
    if let Some(Value::Array(list)) = get(&["transactItems", "TransactItems"]) {
        for item in list.iter().filter_map(Value::as_object) {
            for (op, body) in item {
                let table = body.get("tableName").or_else(|| body.get("TableName")).and_then(Value::as_str);
                let operation = match op.as_str() {
                    "put" | "Put" => "Put",
                    "update" | "Update" => "Update",
                    "delete" | "Delete" => "Delete",
                    "conditionCheck" | "ConditionCheck" => "ConditionCheck",
                    "get" | "Get" => "Get",
                    _ => continue,
                };
                out.push(CallItem { operation: Some(operation), table, ..CallItem::default() });
            }
        }
    }
    if let Some(Value::Array(list)) = get(&["transactStatements", "TransactStatements", "statements", "Statements"]) {
        out.extend(list.iter().filter_map(|s| {
            let statement = s.get("statement").or_else(|| s.get("Statement")).and_then(Value::as_str)?;
            Some(CallItem { statement: Some(statement), ..CallItem::default() })
        }));
    }
    let delete = get(&["delete", "Delete"]).and_then(Value::as_object);
    if let Some(Value::Array(objects)) = delete.and_then(|d| d.get("objects").or_else(|| d.get("Objects"))) {
        out.extend(objects.iter().filter_map(|o| {
            let key = o.get("key").or_else(|| o.get("Key")).and_then(Value::as_str)?;
            let version_id = o.get("versionId").or_else(|| o.get("VersionId")).and_then(Value::as_str);
            Some(CallItem { key: Some(key), version_id, ..CallItem::default() })
        }));
    }
    out
}
