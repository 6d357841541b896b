//! DynamoDB mappings: tables and indexes, transactions, batches, PartiQL, DescribeEndpoints.

use super::{Row, pairs, resource, run};
use crate::actions::{ApiCall, CallItem, accesses, items_from_request_parameters};
use crate::model::RequestFacts;

const DDB: &str = "dynamodb.amazonaws.com";
const MUSIC: &str = "arn:aws:dynamodb:us-east-1:111122223333:table/Music";

fn table_facts(table: Option<&str>, index: Option<&str>) -> RequestFacts {
    RequestFacts {
        table_name: table.map(str::to_owned),
        index_name: index.map(str::to_owned),
        ..RequestFacts::default()
    }
}

#[test]
fn single_table_calls() {
    let idx = "arn:aws:dynamodb:us-east-1:111122223333:table/Music/index/ByYear";
    #[rustfmt::skip]
    let cases: &[Row] = &[
        ("GetItem", Some("Music"), None, "dynamodb:GetItem", Some(MUSIC)),
        ("PutItem", Some("Music"), None, "dynamodb:PutItem", Some(MUSIC)),
        ("Query", Some("Music"), None, "dynamodb:Query", Some(MUSIC)),
        ("Query", Some("Music"), Some("ByYear"), "dynamodb:Query", Some(idx)),
        ("Scan", Some("Music"), Some("ByYear"), "dynamodb:Scan", Some(idx)),
        ("DescribeEndpoints", None, None, "dynamodb:DescribeEndpoints", None),
        ("ListTables", None, None, "dynamodb:ListTables", None),
        ("UpdateGlobalTableSettings", Some("Music"), None, "dynamodb:UpdateGlobalTableSettings", Some(MUSIC)),
        // Not in the table: dynamodb:<EventName> on the table.
        ("UpdateTableReplica", Some("Music"), None, "dynamodb:UpdateTableReplica", Some(MUSIC)),
        // Network activity event: nothing but the name.
        ("DeleteItem", None, None, "dynamodb:DeleteItem", None),
    ];
    for (event, table, index, action, res) in cases {
        let facts = table_facts(*table, *index);
        assert_eq!(pairs(&run(DDB, event, &facts)), vec![(*action, *res)], "{event} {table:?} {index:?}");
    }
}

#[test]
fn resources_win_over_built_arns() {
    let facts = table_facts(Some("Music"), None);
    let resources = [resource("arn:aws:dynamodb:us-west-2:123456789012:table/Music", "AWS::DynamoDB::Table", false)];
    let call = ApiCall { resources: &resources, ..ApiCall::new(DDB, "PutItem", &facts) };
    assert_eq!(
        pairs(&accesses(&call)),
        vec![("dynamodb:PutItem", Some("arn:aws:dynamodb:us-west-2:123456789012:table/Music"))]
    );
    // Without region/account and resources the table is unknown rather than guessed.
    assert_eq!(pairs(&accesses(&ApiCall::new(DDB, "PutItem", &facts))), vec![("dynamodb:PutItem", None)]);
}

#[test]
fn transactions_and_batches() {
    let params: serde_json::Value = serde_json::json!({"requestItems": [
        {"operation": "Put", "tableName": "Music"},
        {"operation": "Update", "tableName": "Music"},
        {"operation": "Delete", "tableName": "Other"},
        {"operation": "ConditionCheck", "tableName": "Music"}]});
    let items = items_from_request_parameters(&params);
    let facts = RequestFacts::default();
    let call = ApiCall {
        region: Some("us-east-1"),
        account: Some("111122223333"),
        items: &items,
        ..ApiCall::new(DDB, "TransactWriteItems", &facts)
    };
    let other = "arn:aws:dynamodb:us-east-1:111122223333:table/Other";
    assert_eq!(
        pairs(&accesses(&call)),
        vec![
            ("dynamodb:PutItem", Some(MUSIC)),
            ("dynamodb:UpdateItem", Some(MUSIC)),
            ("dynamodb:DeleteItem", Some(other)),
            ("dynamodb:ConditionCheckItem", Some(MUSIC)),
        ]
    );
    // SDK-shaped transactItems.
    let params = serde_json::json!({"transactItems": [{"put": {"tableName": "Music"}}, {"conditionCheck": {"tableName": "Other"}}]});
    let items = items_from_request_parameters(&params);
    let call = ApiCall { items: &items, ..call };
    assert_eq!(
        pairs(&accesses(&call)),
        vec![("dynamodb:PutItem", Some(MUSIC)), ("dynamodb:ConditionCheckItem", Some(other))]
    );
    // Items unknown: every write action on the tables of resources[].
    let resources = [resource(MUSIC, "AWS::DynamoDB::Table", false)];
    let call = ApiCall { resources: &resources, items: &[], ..call };
    assert_eq!(accesses(&call).len(), 4);
    // TransactGetItems → GetItem per table; batches per table.
    let two = [resource(MUSIC, "AWS::DynamoDB::Table", false), resource(other, "AWS::DynamoDB::Table", false)];
    for (event, action) in [
        ("TransactGetItems", "dynamodb:GetItem"),
        ("BatchGetItem", "dynamodb:BatchGetItem"),
        ("BatchWriteItem", "dynamodb:BatchWriteItem"),
    ] {
        let call = ApiCall { resources: &two, ..ApiCall::new(DDB, event, &facts) };
        assert_eq!(pairs(&accesses(&call)), vec![(action, Some(MUSIC)), (action, Some(other))], "{event}");
    }
    let params = serde_json::json!({"requestItems": {"Music": {"keys": []}, "Other": {}}});
    let items = items_from_request_parameters(&params);
    assert_eq!(items.len(), 2);
}

#[test]
fn partiql_verbs_pick_the_action() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("SELECT * FROM Music WHERE Artist = 'x'", "dynamodb:PartiQLSelect", Some(MUSIC)),
        (
            r#"select * from "Music"."ByYear" where y = ?"#,
            "dynamodb:PartiQLSelect",
            Some("arn:aws:dynamodb:us-east-1:111122223333:table/Music/index/ByYear"),
        ),
        ("INSERT INTO Music VALUE {'a': ***(Redacted)}", "dynamodb:PartiQLInsert", Some(MUSIC)),
        ("UPDATE \"Music\" SET Album = ***(Redacted) WHERE a = 'b'", "dynamodb:PartiQLUpdate", Some(MUSIC)),
        ("  delete FROM Music WHERE a = 'from x'", "dynamodb:PartiQLDelete", Some(MUSIC)),
        ("EXISTS(SELECT * FROM Music WHERE a = 'b')", "dynamodb:PartiQLSelect", Some(MUSIC)),
    ];
    let facts = RequestFacts::default();
    for (statement, action, res) in cases {
        let items = [CallItem { statement: Some(statement), ..CallItem::default() }];
        let call = ApiCall {
            region: Some("us-east-1"),
            account: Some("111122223333"),
            items: &items,
            ..ApiCall::new(DDB, "ExecuteStatement", &facts)
        };
        assert_eq!(pairs(&accesses(&call)), vec![(*action, *res)], "{statement}");
    }
    // BatchExecuteStatement as CloudTrail logs it.
    let params = serde_json::json!({"requestItems": [
        {"statement": "UPDATE Music SET Album = ***(Redacted) WHERE Artist = 'No One You Know'"},
        {"statement": "INSERT INTO Music VALUE {'Artist' : ***(Redacted)}"}]});
    let items = items_from_request_parameters(&params);
    let call = ApiCall {
        region: Some("us-east-1"),
        account: Some("111122223333"),
        items: &items,
        ..ApiCall::new(DDB, "BatchExecuteStatement", &facts)
    };
    assert_eq!(
        pairs(&accesses(&call)),
        vec![("dynamodb:PartiQLUpdate", Some(MUSIC)), ("dynamodb:PartiQLInsert", Some(MUSIC))]
    );
    // Statement not shown (network activity): all four actions.
    let resources = [resource(MUSIC, "AWS::DynamoDB::Table", false)];
    let call = ApiCall { resources: &resources, ..ApiCall::new(DDB, "ExecuteStatement", &facts) };
    let got = accesses(&call);
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|a| a.action.starts_with("dynamodb:PartiQL") && a.resource.as_deref() == Some(MUSIC)));
}

#[test]
fn streams_use_the_dynamodb_prefix() {
    let facts = RequestFacts::default();
    let stream = "arn:aws:dynamodb:us-west-2:1:table/Music/stream/2021-04-15T04:02:47.428";
    let resources = [resource(stream, "AWS::DynamoDB::Stream", false)];
    let call =
        ApiCall { resources: &resources, ..ApiCall::new("streams.dynamodb.amazonaws.com", "GetRecords", &facts) };
    assert_eq!(pairs(&accesses(&call)), vec![("dynamodb:GetRecords", Some(stream))]);
}
