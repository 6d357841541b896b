//! DynamoDB eventName → IAM actions on table / index ARNs, with the multi-table and multi-action calls:
//! transactions, batches, PartiQL statements, Query/Scan on an index.
//!
//! Table ARNs come from `resources[]` when CloudTrail lists them (keeps the partition and account right), else are
//! built as `arn:<partition>:dynamodb:<region>:<account>:table/<name>` from the call's region and account.

use std::collections::HashMap;

use super::{
    ApiCall, ResourceKind, access, dynamodb_table::DYNAMODB_TABLE, first_occurrences, partition_of, table_rows,
};
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
            let found = arns(call).filter_map(table_part).find(|t| table_name(t) == name);
            found.map(str::to_owned).or_else(|| built_table_arn(call, name))
        }
        None => arns(call).find_map(table_part).map(str::to_owned),
    }
}

/// The last path segment of a table ARN (`.../table/T` → `T`).
fn table_name(table_arn: &str) -> &str {
    table_arn.rsplit('/').next().unwrap_or(table_arn)
}

/// `arn:<partition>:dynamodb:<region>:<account>:table/<name>`, when the call says where it was made.
fn built_table_arn(call: &ApiCall, name: &str) -> Option<String> {
    let (region, account) = (call.region?, call.account?);
    Some(["arn:", partition_of(Some(region)), ":dynamodb:", region, ":", account, ":table/", name].concat())
}

/// The tables of a multi-item call, resolved once: `resources[]` table ARNs by name (the first of each name
/// wins, as in [`table_arn`]), so that naming N items costs N lookups rather than N scans of `resources[]`.
struct TableIndex<'c> {
    call: &'c ApiCall<'c>,
    by_name: HashMap<&'c str, &'c str>,
}

impl<'c> TableIndex<'c> {
    fn new(call: &'c ApiCall<'c>) -> TableIndex<'c> {
        let mut by_name = HashMap::new();
        for table in arns(call).filter_map(table_part) {
            by_name.entry(table_name(table)).or_insert(table);
        }
        TableIndex { call, by_name }
    }

    /// [`table_arn`] of a named table.
    fn arn(&self, name: &str) -> Option<String> {
        if name.is_empty() {
            return table_arn(self.call, None);
        }
        match self.by_name.get(name) {
            Some(found) => Some((*found).to_owned()),
            None => built_table_arn(self.call, name),
        }
    }

    /// Every table the call names: its items, `resources[]`, then the facts. In order, without duplicates.
    fn all(&self) -> Vec<String> {
        let call = self.call;
        let from_items = call.items.iter().filter_map(|item| item.table.and_then(|t| self.arn(t)));
        let from_resources = arns(call).filter_map(table_part).map(str::to_owned);
        let mut out: Vec<String> = from_items.chain(from_resources).collect();
        let first = first_occurrences(&out, String::as_str);
        let mut first = first.into_iter();
        out.retain(|_| first.next().unwrap_or(true));
        if out.is_empty() {
            out.extend(table_arn(call, call.facts.table_name.as_deref()));
        }
        out
    }

    /// The first of [`TableIndex::all`], without listing the rest.
    fn first(&self) -> Option<String> {
        let call = self.call;
        call.items
            .iter()
            .find_map(|item| item.table.and_then(|t| self.arn(t)))
            .or_else(|| arns(call).find_map(table_part).map(str::to_owned))
            .or_else(|| table_arn(call, call.facts.table_name.as_deref()))
    }
}

/// `action` on each of `tables`; the action alone (resource unknown) when no table is known.
fn on_tables(tables: &[String], action: &str) -> Vec<Access> {
    if tables.is_empty() {
        return vec![access(action, None)];
    }
    tables.iter().map(|t| access(action, Some(t.clone()))).collect()
}

/// One access per table; the action alone (resource unknown) when no table is known.
fn per_table(call: &ApiCall, action: &str) -> Vec<Access> {
    on_tables(&TableIndex::new(call).all(), action)
}

/// TransactWriteItems: `Put` → PutItem, `Update` → UpdateItem, `Delete` → DeleteItem, `ConditionCheck` →
/// ConditionCheckItem, each on its item's table. Without item details (network activity events, trimmed
/// records) every table gets all four: the request needed some of them, the log does not say which.
fn transact_write(call: &ApiCall) -> Vec<Access> {
    let tables = TableIndex::new(call);
    let known: Vec<Access> = call
        .items
        .iter()
        .filter_map(|item| {
            let operation = item.operation?;
            let action = if operation.eq_ignore_ascii_case("put") {
                "dynamodb:PutItem"
            } else if operation.eq_ignore_ascii_case("update") {
                "dynamodb:UpdateItem"
            } else if operation.eq_ignore_ascii_case("delete") {
                "dynamodb:DeleteItem"
            } else if operation.eq_ignore_ascii_case("conditioncheck") {
                "dynamodb:ConditionCheckItem"
            } else {
                return None;
            };
            Some(access(action, item.table.and_then(|t| tables.arn(t))))
        })
        .collect();
    if !known.is_empty() {
        return known;
    }
    let all = tables.all();
    let actions = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"];
    actions.iter().flat_map(|a| on_tables(&all, a)).collect()
}

/// PartiQL: the statement's verb picks `PartiQLSelect|Insert|Update|Delete`, its target the table (or index,
/// `"T"."I"`). A statement that is not shown or not understood gets all four actions on the call's tables.
///
/// Each statement is parsed once, and the call's tables are listed at most once: every statement that is not
/// understood stands for the same accesses, so only the first of them adds them (later copies would be
/// dropped as duplicates anyway).
fn partiql(call: &ApiCall) -> Vec<Access> {
    let tables = TableIndex::new(call);
    let every_action_on_every_table = || -> Vec<Access> {
        let all = tables.all();
        PARTIQL_ALL.iter().flat_map(|a| on_tables(&all, a)).collect()
    };
    let mut first_table: Option<Option<String>> = None;
    let mut unparsed_added = false;
    let mut statements = 0usize;
    let mut out = Vec::new();
    for item in call.items {
        let Some(statement) = item.statement else { continue };
        statements += 1;
        let Some((action, table, index)) = parse_statement(statement) else {
            if !unparsed_added {
                unparsed_added = true;
                out.extend(every_action_on_every_table());
            }
            continue;
        };
        let arn = match table.or(item.table) {
            Some(t) => tables.arn(t),
            None => first_table.get_or_insert_with(|| tables.first()).clone(),
        };
        let arn = match (arn, index) {
            (Some(t), Some(i)) => Some(format!("{t}/index/{i}")),
            (arn, _) => arn,
        };
        out.push(access(action, arn));
    }
    if statements == 0 {
        out.extend(every_action_on_every_table());
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
