//! DynamoDB eventName → IAM actions on table / index ARNs, with the multi-table and multi-action calls:
//! transactions, batches, PartiQL statements, Query/Scan on an index.
//!
//! Table ARNs come from `resources[]` when CloudTrail lists them (keeps the partition and account right), else are
//! built as `arn:<partition>:dynamodb:<region>:<account>:table/<name>` from the call's region and account.

use super::{ApiCall, CallItem, ResourceKind, access, dynamodb_table::DYNAMODB_TABLE, partition_of, table_rows};
use crate::model::Access;

const PARTIQL_ALL: [&str; 4] =
    ["dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete"];

pub(super) fn accesses(call: &ApiCall) -> Vec<Access> {
    match call.event_name {
        "BatchGetItem" => per_table(call, "dynamodb:BatchGetItem"),
        "BatchWriteItem" => per_table(call, "dynamodb:BatchWriteItem"),
        "TransactGetItems" => per_table(call, "dynamodb:GetItem"),
        "TransactWriteItems" => transact_write(call),
        "ExecuteStatement" | "BatchExecuteStatement" | "ExecuteTransaction" => partiql(call),
        event => {
            let rows = table_rows(DYNAMODB_TABLE, event);
            if rows.is_empty() {
                return vec![access(&["dynamodb:", event].concat(), resource(call, ResourceKind::Table))];
            }
            rows.iter().map(|(_, action, kind)| access(action, resource(call, *kind))).collect()
        }
    }
}

fn resource(call: &ApiCall, kind: ResourceKind) -> Option<String> {
    let table = call.facts.table_name.as_deref();
    match kind {
        ResourceKind::Table | ResourceKind::Bucket | ResourceKind::Object => table_arn(call, table),
        ResourceKind::Index => {
            let table = table_arn(call, table)?;
            match call.facts.index_name.as_deref().filter(|i| !i.is_empty()) {
                Some(index) => Some(format!("{table}/index/{index}")),
                None => Some(table),
            }
        }
        ResourceKind::Stream => arns(call).find(|a| a.contains("/stream/")).map(str::to_owned),
        ResourceKind::Other => arns(call).next().map(str::to_owned),
        ResourceKind::Star => None,
    }
}

/// Non-empty, non-prefix resource ARNs of the call.
fn arns<'a>(call: &'a ApiCall) -> impl Iterator<Item = &'a str> {
    call.resources.iter().filter(|r| !r.is_prefix && !r.arn.is_empty()).map(|r| r.arn.as_str())
}

/// The table part of a DynamoDB ARN (`.../table/T/index/I` → `.../table/T`), if it is one.
fn table_part(arn: &str) -> Option<&str> {
    let at = arn.find(":table/")? + ":table/".len();
    let end = arn[at..].find('/').map_or(arn.len(), |i| at + i);
    (end > at).then(|| &arn[..end])
}

/// The ARN of table `name` (or, without a name, the first table of `resources[]`).
fn table_arn(call: &ApiCall, name: Option<&str>) -> Option<String> {
    match name.filter(|n| !n.is_empty()) {
        Some(name) => {
            if let Some(found) = arns(call).filter_map(table_part).find(|t| t.rsplit('/').next() == Some(name)) {
                return Some(found.to_owned());
            }
            let (region, account) = (call.region?, call.account?);
            Some(["arn:", partition_of(Some(region)), ":dynamodb:", region, ":", account, ":table/", name].concat())
        }
        None => arns(call).find_map(table_part).map(str::to_owned),
    }
}

/// Every table the call names: its items, `resources[]`, then the facts. In order, without duplicates.
fn tables(call: &ApiCall) -> Vec<String> {
    let from_items = call.items.iter().filter_map(|item| item.table.and_then(|t| table_arn(call, Some(t))));
    let from_resources = arns(call).filter_map(table_part).map(str::to_owned);
    let mut out: Vec<String> = Vec::new();
    for arn in from_items.chain(from_resources) {
        if !out.contains(&arn) {
            out.push(arn);
        }
    }
    if out.is_empty() {
        out.extend(table_arn(call, call.facts.table_name.as_deref()));
    }
    out
}

/// One access per table; the action alone (resource unknown) when no table is known.
fn per_table(call: &ApiCall, action: &str) -> Vec<Access> {
    let tables = tables(call);
    if tables.is_empty() {
        return vec![access(action, None)];
    }
    tables.into_iter().map(|t| access(action, Some(t))).collect()
}

/// TransactWriteItems: `Put` → PutItem, `Update` → UpdateItem, `Delete` → DeleteItem, `ConditionCheck` →
/// ConditionCheckItem, each on its item's table. Without item details (network activity events, trimmed
/// records) every table gets all four: the request needed some of them, the log does not say which.
fn transact_write(call: &ApiCall) -> Vec<Access> {
    let known: Vec<Access> = call
        .items
        .iter()
        .filter_map(|item| {
            let action = match item.operation?.to_ascii_lowercase().as_str() {
                "put" => "dynamodb:PutItem",
                "update" => "dynamodb:UpdateItem",
                "delete" => "dynamodb:DeleteItem",
                "conditioncheck" => "dynamodb:ConditionCheckItem",
                _ => return None,
            };
            Some(access(action, item.table.and_then(|t| table_arn(call, Some(t)))))
        })
        .collect();
    if !known.is_empty() {
        return known;
    }
    let all = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"];
    all.iter().flat_map(|a| per_table(call, a)).collect()
}

/// PartiQL: the statement's verb picks `PartiQLSelect|Insert|Update|Delete`, its target the table (or index,
/// `"T"."I"`). A statement that is not shown or not understood gets all four actions on the call's tables.
fn partiql(call: &ApiCall) -> Vec<Access> {
    let statements: Vec<&CallItem> = call.items.iter().filter(|i| i.statement.is_some()).collect();
    let mut out = Vec::new();
    for item in &statements {
        let parsed = item.statement.and_then(parse_statement);
        let Some((action, table, index)) = parsed else {
            out.extend(PARTIQL_ALL.iter().flat_map(|a| per_table(call, a)));
            continue;
        };
        let table = table.or(item.table);
        let arn = match table {
            Some(t) => table_arn(call, Some(t)),
            None => tables(call).into_iter().next(),
        };
        let arn = match (arn, index) {
            (Some(t), Some(i)) => Some(format!("{t}/index/{i}")),
            (arn, _) => arn,
        };
        out.push(access(action, arn));
    }
    if statements.is_empty() {
        out.extend(PARTIQL_ALL.iter().flat_map(|a| per_table(call, a)));
    }
    out
}

/// `(action, table, index)` of a PartiQL statement: `SELECT … FROM "T"."I"`, `INSERT INTO T`, `UPDATE T`,
/// `DELETE FROM T`, `EXISTS(SELECT …)` (a transaction condition: PartiQLSelect).
pub(crate) fn parse_statement(statement: &str) -> Option<(&'static str, Option<&str>, Option<&str>)> {
    let s = statement.trim_start().trim_start_matches(['(', ' ']);
    let verb_end = s.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(s.len());
    let verb = s[..verb_end].to_ascii_uppercase();
    let (action, keyword) = match verb.as_str() {
        "SELECT" => ("dynamodb:PartiQLSelect", "FROM"),
        "EXISTS" => ("dynamodb:PartiQLSelect", "FROM"),
        "INSERT" => ("dynamodb:PartiQLInsert", "INTO"),
        "UPDATE" => ("dynamodb:PartiQLUpdate", "UPDATE"),
        "DELETE" => ("dynamodb:PartiQLDelete", "FROM"),
        _ => return None,
    };
    let rest = if keyword == "UPDATE" { Some(&s[verb_end..]) } else { after_keyword(s, keyword) };
    let (table, index) = rest.map(target).unwrap_or((None, None));
    Some((action, table, index))
}

/// The text after the first whole-word, unquoted `keyword` (ASCII case-insensitive).
fn after_keyword<'s>(s: &'s str, keyword: &str) -> Option<&'s str> {
    let bytes = s.as_bytes();
    let mut in_quote: Option<u8> = None;
    for i in 0..bytes.len() {
        match (in_quote, bytes[i]) {
            (Some(q), c) if c == q => in_quote = None,
            (Some(_), _) => {}
            (None, c @ (b'"' | b'\'')) => in_quote = Some(c),
            (None, _) => {
                let end = i + keyword.len();
                let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
                let after_ok = bytes.get(end).is_none_or(|c| !c.is_ascii_alphanumeric());
                if before_ok && after_ok && s.get(i..end).is_some_and(|w| w.eq_ignore_ascii_case(keyword)) {
                    return s.get(end..);
                }
            }
        }
    }
    None
}

/// `"T"."I" …` or `T …` → (table, index).
fn target(rest: &str) -> (Option<&str>, Option<&str>) {
    let (table, rest) = identifier(rest.trim_start());
    let index = rest.strip_prefix('.').and_then(|r| identifier(r).0);
    (table, index)
}

fn identifier(s: &str) -> (Option<&str>, &str) {
    if let Some(quoted) = s.strip_prefix('"') {
        return match quoted.find('"') {
            Some(end) if end > 0 => (Some(&quoted[..end]), &quoted[end + 1..]),
            _ => (None, s),
        };
    }
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))).unwrap_or(s.len());
    if end == 0 { (None, s) } else { (Some(&s[..end]), &s[end..]) }
}
