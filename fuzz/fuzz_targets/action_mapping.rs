//! The action map on attacker-sized multi-item calls: DynamoDB batches, transactions and PartiQL statements,
//! and S3 DeleteObjects, described structurally (`arbitrary`) and repeated up to 100,000 items, so that cost
//! that is not linear in the record shows as a timeout (`-timeout=10`) and memory that is not a small multiple
//! of it as an out-of-memory crash (`-rss_limit_mb=2048`).
//!
//! Each input becomes a CloudTrail record decoded by the real decoder (which reads the items straight from the
//! record), and the same `requestParameters` go through `items_from_request_parameters` (read from a
//! `serde_json::Value`) and `accesses`. Checked: both paths give the same accesses; accesses are distinct;
//! a DeleteObjects names one access per distinct (key, versioned) and nothing else; `Event::actions` lists
//! each action once; `outside` folds the event (through an endpoint and outside one) without trouble.
#![no_main]

use std::collections::HashSet;
use std::sync::Arc;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use trail_vpce::actions::{ApiCall, accesses, items_from_request_parameters};
use trail_vpce::analyze::outside::{Outside, OutsideConfig};
use trail_vpce::decode::cloudtrail::RecordParser;
use trail_vpce::ingest::Analyzer;
use trail_vpce::model::{Record, RequestFacts};

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Call {
    BatchExecuteStatement,
    ExecuteStatement,
    ExecuteTransaction,
    BatchGetItem,
    BatchWriteItem,
    TransactWriteItems,
    TransactGetItems,
    Query,
    DeleteObjects,
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::BatchExecuteStatement => "BatchExecuteStatement",
            Call::ExecuteStatement => "ExecuteStatement",
            Call::ExecuteTransaction => "ExecuteTransaction",
            Call::BatchGetItem => "BatchGetItem",
            Call::BatchWriteItem => "BatchWriteItem",
            Call::TransactWriteItems => "TransactWriteItems",
            Call::TransactGetItems => "TransactGetItems",
            Call::Query => "Query",
            Call::DeleteObjects => "DeleteObjects",
        }
    }
}

/// One item, in one of the shapes CloudTrail (or an SDK-cased export) logs.
#[derive(Arbitrary, Debug, Clone)]
enum Item {
    /// `requestItems: [{statement, tableName}]`.
    Statement { verb: u8, table: u8, index: Option<u8>, sdk_cased: bool },
    /// Free text as a statement.
    Text(String),
    /// `requestItems: {"T": …}`.
    TableKey(u8),
    /// `transactItems: [{put: {tableName}}]`.
    Transact { kind: u8, table: u8 },
    /// `requestItems: [{operation, tableName}]`.
    Operation { kind: u8, table: u8 },
    /// `delete.objects: [{key, versionId}]`.
    Object { key: u16, versioned: bool },
    /// Something of another shape where an item was expected.
    Odd(u8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    call: Call,
    items: Vec<Item>,
    /// The item list is repeated this many times (×8, up to 100,000 items): big records from small inputs.
    repeat: u16,
    /// Tables also listed in `resources[]`.
    resources: u8,
    /// A distinct name per repetition (distinct tables and keys), or the same names again (duplicates).
    distinct: bool,
}

const VERBS: [&str; 6] = ["SELECT * FROM", "INSERT INTO", "UPDATE", "DELETE FROM", "EXISTS(SELECT * FROM", "EXPLAIN"];
const KINDS: [&str; 7] = ["put", "Update", "delete", "conditionCheck", "Get", "bogus", "PUT"];
const MAX_ITEMS: usize = 100_000;

fn name(prefix: &str, n: u64, round: usize, distinct: bool) -> String {
    if distinct { format!("{prefix}{n}_{round}") } else { format!("{prefix}{n}") }
}

/// The `requestParameters` object: list items, the table map, transact items and delete objects.
fn request_parameters(input: &Input) -> (Value, usize) {
    let (mut list, mut map, mut transact, mut objects) = (Vec::new(), serde_json::Map::new(), Vec::new(), Vec::new());
    let rounds = (usize::from(input.repeat) * 8).clamp(1, MAX_ITEMS / input.items.len().max(1));
    for round in 0..rounds {
        for item in &input.items {
            let d = input.distinct;
            match item {
                Item::Statement { verb, table, index, sdk_cased } => {
                    let verb = VERBS[usize::from(*verb) % VERBS.len()];
                    let table = name("t", u64::from(*table), round, d);
                    let target = match index {
                        Some(i) => format!("\"{table}\".\"i{i}\""),
                        None => table.clone(),
                    };
                    let statement = format!("{verb} {target} WHERE a = 'from x'");
                    list.push(if *sdk_cased {
                        json!({"Statement": statement, "TableName": table})
                    } else {
                        json!({"statement": statement})
                    });
                }
                Item::Text(text) => list.push(json!({ "statement": text })),
                Item::TableKey(table) => {
                    map.insert(name("t", u64::from(*table), round, d), json!({"keys": []}));
                }
                Item::Transact { kind, table } => {
                    let kind = KINDS[usize::from(*kind) % KINDS.len()];
                    transact.push(json!({ kind: {"tableName": name("t", u64::from(*table), round, d)} }));
                }
                Item::Operation { kind, table } => {
                    let kind = KINDS[usize::from(*kind) % KINDS.len()];
                    list.push(json!({"operation": kind, "tableName": name("t", u64::from(*table), round, d)}));
                }
                Item::Object { key, versioned } => {
                    let key = name("k/", u64::from(*key), round, d);
                    objects.push(if *versioned { json!({"key": key, "versionId": "v1"}) } else { json!({"key": key}) });
                }
                Item::Odd(n) => {
                    let odd = [json!(1), json!(null), json!("x"), json!([]), json!({"key": 5})];
                    let odd = odd[usize::from(*n) % odd.len()].clone();
                    list.push(odd.clone());
                    objects.push(odd.clone());
                    transact.push(odd);
                }
            }
        }
    }
    let count = list.len() + map.len() + transact.len() + objects.len();
    let mut params = json!({"bucketName": "b", "tableName": "Music"});
    if !list.is_empty() {
        params["requestItems"] = Value::Array(list);
    } else if !map.is_empty() {
        params["requestItems"] = Value::Object(map);
    }
    if !transact.is_empty() {
        params["transactItems"] = Value::Array(transact);
    }
    if !objects.is_empty() {
        params["delete"] = json!({ "objects": objects });
    }
    (params, count)
}

fn record(call: Call, params: &Value, resources: u8) -> Vec<u8> {
    let source = if matches!(call, Call::DeleteObjects) { "s3.amazonaws.com" } else { "dynamodb.amazonaws.com" };
    let resources: Vec<Value> = (0..resources)
        .map(|i| json!({"ARN": format!("arn:aws:dynamodb:us-east-1:111122223333:table/t{i}"), "type": "AWS::DynamoDB::Table"}))
        .collect();
    json!({
        "eventVersion": "1.09", "eventTime": "2026-11-21T10:00:00Z", "eventSource": source,
        "eventName": call.name(), "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/App/s",
            "accountId": "111122223333",
            "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::111122223333:role/App"}}},
        "requestParameters": params, "resources": resources, "eventID": "e-1", "eventType": "AwsApiCall",
        "eventCategory": "Data", "recipientAccountId": "111122223333", "vpcEndpointId": "vpce-1"
    })
    .to_string()
    .into_bytes()
}

fuzz_target!(|input: Input| {
    let (params, _count) = request_parameters(&input);
    let mut bytes = record(input.call, &params, input.resources);
    let event = match RecordParser::default().decode_event(&mut bytes) {
        Ok(Some(event)) => event,
        other => panic!("a well-formed record did not decode: {other:?}"),
    };

    // The Value path gives the same accesses as the decoder's.
    let items = items_from_request_parameters(&params);
    let facts =
        RequestFacts { bucket: Some("b".to_owned()), table_name: Some("Music".to_owned()), ..RequestFacts::default() };
    let source = event.event_source.clone();
    let call = ApiCall {
        region: Some("us-east-1"),
        account: Some("111122223333"),
        resources: &event.resources,
        items: &items,
        ..ApiCall::new(&source, input.call.name(), &facts)
    };
    let by_value = accesses(&call);
    assert_eq!(by_value, event.accesses, "the decoder and the serde_json path disagree");

    // Distinct (action, resource) pairs.
    let mut seen = HashSet::new();
    for access in &event.accesses {
        assert!(seen.insert((&access.action, &access.resource)), "duplicate access {access:?}");
    }

    if matches!(input.call, Call::DeleteObjects) {
        // One access per distinct (versioned?, key), in the bucket, and nothing else when keys are given.
        let mut wanted = HashSet::new();
        for object in params["delete"]["objects"].as_array().into_iter().flatten() {
            if let Some(key) = object["key"].as_str().filter(|k| !k.is_empty()) {
                let action =
                    if object.get("versionId").is_some() { "s3:DeleteObjectVersion" } else { "s3:DeleteObject" };
                wanted.insert((action.to_owned(), Some(format!("arn:aws:s3:::b/{key}"))));
            }
        }
        if !wanted.is_empty() {
            let got: HashSet<_> = event.accesses.iter().map(|a| (a.action.clone(), a.resource.clone())).collect();
            assert_eq!(got, wanted);
        }
    }

    let actions: Vec<&str> = event.actions().collect();
    let distinct: HashSet<&str> = actions.iter().copied().collect();
    assert_eq!(distinct.len(), actions.len(), "Event::actions repeats an action");
    assert_eq!(distinct, event.accesses.iter().map(|a| a.action.as_str()).collect::<HashSet<_>>());

    let mut outside = Outside::new(Arc::new(OutsideConfig {
        protect: vec!["arn:aws:s3:::b".to_owned(), "arn:aws:dynamodb:*:*:table/t1*".to_owned()],
        ..OutsideConfig::default()
    }));
    outside.observe(&Record::built(&event));
    let mut outside_direct = Outside::new(Arc::new(OutsideConfig::default()));
    let mut direct = event.clone();
    direct.vpce = None;
    outside_direct.observe(&Record::built(&direct));
});
