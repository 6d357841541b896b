//! Criterion bench for the denial classifier: `cargo bench --bench classify`.
//!
//! Reads a mix of real AccessDenied wordings (every policy type, with and without resources, the S3 short
//! form, truncated messages) the way `denied` meets them, one per denied record.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trail_vpce::analyze::classify::classify_message;

const USER: &str = "User: arn:aws:sts::111122223333:assumed-role/App/i-0abc is not authorized to perform: \
    s3:GetObject on resource: \"arn:aws:s3:::app-data-111122223333/reports/2026/11/21.csv\"";

fn messages() -> Vec<String> {
    let reasons = [
        "because no VPC endpoint policy allows the s3:GetObject action",
        "with an explicit deny in a VPC endpoint policy",
        "because no identity-based policy allows the s3:GetObject action",
        "with an explicit deny in a service control policy",
        "with an explicit deny in a resource control policy: arn:aws:organizations::111122223333:policy/o-a1/resource_control_policy/p-1",
        "because no session policy allows the s3:GetObject action",
        "because no permissions boundary allows the s3:GetObject action",
        "with an explicit deny in a resource-based policy",
        "because no resource-based policy allows the s3:GetObject action",
    ];
    let mut all: Vec<String> = reasons.iter().map(|r| format!("{USER} {r}")).collect();
    all.push("Access Denied".to_owned());
    all.push(format!("{USER} because no VPC endpoint policy allows the s3:Get"));
    all.push("The ciphertext refers to a customer master key that does not exist".to_owned());
    all
}

fn bench_classify(c: &mut Criterion) {
    let messages = messages();
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Elements(messages.len() as u64));
    group.bench_function("access_denied_messages", |b| {
        b.iter(|| {
            for message in &messages {
                black_box(classify_message(black_box(message)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_classify);
criterion_main!(benches);
