//! Policy evaluation throughput: decisions per second for a realistic 20-statement endpoint policy, closed
//! world (every key known) and open world (log replay, several keys unknown).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use trail_vpce::policy::{Policy, Request, evaluate};

fn policy_text() -> String {
    let mut statements = vec![
        r#"{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}"#.to_owned(),
        r#"{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#.to_owned(),
        r#"{"Sid":"AwsOwned","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*","arn:aws:s3:::amazonlinux.eu-west-1.amazonaws.com/*","arn:aws:s3:::aws-ssm-eu-west-1/*"]}"#.to_owned(),
        r#"{"Sid":"Dynamo","Effect":"Allow","Principal":"*","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:PutItem"],"Resource":"arn:aws:dynamodb:eu-west-1:111122223333:table/Orders*"}"#.to_owned(),
    ];
    for i in 0..16 {
        statements.push(format!(
            r#"{{"Sid":"App{i}","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::app-{i}-data","arn:aws:s3:::app-{i}-data/*"],"Condition":{{"ArnLike":{{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app-{i}-*"}},"StringEquals":{{"aws:ResourceAccount":"111122223333"}}}}}}"#
        ));
    }
    format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","))
}

fn requests() -> Vec<Request> {
    let mut out = Vec::new();
    for i in 0..16 {
        let role = format!("arn:aws:iam::111122223333:role/app-{i}-worker");
        let base = Request::new(if i % 3 == 0 { "s3:PutObject" } else { "s3:GetObject" })
            .resource(&format!("arn:aws:s3:::app-{}-data/key/{i}", (i * 7) % 16))
            .principal(&role)
            .with("aws:PrincipalOrgID", "o-abc123")
            .with("aws:PrincipalIsAWSService", "false")
            .with("aws:SecureTransport", "true")
            .with("aws:ResourceAccount", "111122223333")
            .with("aws:SourceVpce", "vpce-0abc");
        out.push(base);
    }
    out
}

fn bench(c: &mut Criterion) {
    let policy = Policy::parse(&policy_text()).expect("bench policy parses");
    assert_eq!(policy.statements.len(), 20);
    let closed = requests();
    let open: Vec<Request> = closed
        .iter()
        .map(|r| {
            let mut r = r.clone().open_world();
            r.context = trail_vpce::policy::Context::new();
            r.context.insert("aws:PrincipalArn", r.principal.clone().unwrap_or_default());
            r.context.insert("aws:SecureTransport", "true");
            r
        })
        .collect();
    let mut group = c.benchmark_group("policy");
    group.throughput(Throughput::Elements(closed.len() as u64));
    group.bench_function("evaluate_20_statements_closed_world", |b| {
        b.iter(|| {
            for request in &closed {
                black_box(evaluate(black_box(&policy), black_box(request)));
            }
        })
    });
    group.bench_function("evaluate_20_statements_open_world", |b| {
        b.iter(|| {
            for request in &open {
                black_box(evaluate(black_box(&policy), black_box(request)));
            }
        })
    });
    group.finish();
    c.bench_function("parse_20_statement_policy", |b| {
        let text = policy_text();
        b.iter(|| black_box(Policy::parse(black_box(&text)).is_ok()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
