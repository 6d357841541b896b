//! Decode throughput: MB/s of decompressed input and records/s, for CloudTrail (gzip and plain) and S3
//! server access logs, through the same `decode_unit` path the pipeline uses.

use std::hint::black_box;
use std::io::Write;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flate2::Compression;
use flate2::write::GzEncoder;
use trail_vpce::decode::{DecodeOptions, Sink, UnitOutcome, decode_unit};
use trail_vpce::model::Record;

/// Counts what comes out and builds every event (as an analyzer that reads them all does).
#[derive(Default)]
struct Count {
    events: u64,
    bad: u64,
}

impl Sink for Count {
    fn record(&mut self, record: &Record<'_>) {
        black_box(record.event());
        self.events += 1;
    }
    fn bad_record(&mut self, _unit: &str, _position: u64, _location: &str, _reason: &str) {
        self.bad += 1;
    }
    fn unit_done(&mut self, outcome: UnitOutcome) {
        black_box(outcome);
    }
}

/// A realistic S3 data event through a gateway endpoint (about 1.6 KB).
fn cloudtrail_record(i: usize) -> String {
    let denied = if i.is_multiple_of(17) {
        r#""errorCode":"AccessDenied","errorMessage":"User: arn:aws:sts::111122223333:assumed-role/App/i-0abc is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::app-data/k\" because no VPC endpoint policy allows the s3:GetObject action","#
    } else {
        ""
    };
    format!(
        r#"{{"eventVersion":"1.10","userIdentity":{{"type":"AssumedRole","principalId":"AROAEXAMPLEID:i-0abc{i}","arn":"arn:aws:sts::111122223333:assumed-role/App/i-0abc{i}","accountId":"111122223333","accessKeyId":"ASIAEXAMPLE{i:08}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAEXAMPLEID","arn":"arn:aws:iam::111122223333:role/App","accountId":"111122223333","userName":"App"}},"attributes":{{"creationDate":"2026-11-21T09:00:00Z","mfaAuthenticated":"false"}},"ec2RoleDelivery":"2.0"}}}},"eventTime":"2026-11-21T10:{:02}:{:02}Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"10.0.{}.{}","userAgent":"[aws-sdk-java/2.20.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17]",{denied}"requestParameters":{{"bucketName":"app-data-111122223333","Host":"app-data-111122223333.s3.us-east-1.amazonaws.com","key":"reports/2026/11/21/part-{i:05}.parquet"}},"responseElements":null,"additionalEventData":{{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"EXAMPLEid2+abc=","bytesTransferredOut":4096}},"requestID":"EXAMPLE{i:012}","eventID":"00000000-0000-4000-8000-{i:012}","readOnly":true,"resources":[{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::app-data-111122223333/reports/2026/11/21/part-{i:05}.parquet"}},{{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::app-data-111122223333"}}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333","vpcEndpointId":"vpce-0a1b2c3d4e5f60001","vpcEndpointAccountId":"111122223333","eventCategory":"Data","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"app-data-111122223333.s3.us-east-1.amazonaws.com"}}}}"#,
        (i / 60) % 60,
        i % 60,
        (i / 256) % 256,
        i % 256
    )
}

fn cloudtrail_file(records: usize) -> Vec<u8> {
    let body: Vec<String> = (0..records).map(cloudtrail_record).collect();
    format!("{{\"Records\":[{}]}}", body.join(",")).into_bytes()
}

fn access_log_lines(lines: usize) -> Vec<u8> {
    let mut out = String::new();
    for i in 0..lines {
        out.push_str(&format!(
            "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be app-data-111122223333 [21/Nov/2026:10:{:02}:{:02} +0000] 10.0.{}.{} arn:aws:sts::111122223333:assumed-role/App/i-0abc 3E57427F3EXAMPLE REST.GET.OBJECT reports/part-{i:05}.parquet \"GET /reports/part-{i:05}.parquet HTTP/1.1\" 200 - 4096 4096 12 10 \"-\" \"aws-sdk-java/2.20.0\" - Ke1bUcazaN1jWuUlPJaxF64cQVpUEhoZKEG/hmy/gijN/I1DeWqDfFvnpybfEseEME/u7ME1234= SigV4 ECDHE-RSA-AES128-SHA AuthHeader app-data-111122223333.s3.us-east-1.amazonaws.com TLSv1.2 - -\n",
            (i / 60) % 60,
            i % 60,
            (i / 256) % 256,
            i % 256
        ));
    }
    out.into_bytes()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::new(6));
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn decode_all(bytes: &[u8]) -> u64 {
    let mut sink = Count::default();
    let mut reader = bytes;
    decode_unit("bench", &mut reader, &DecodeOptions::default(), &mut sink);
    sink.events + sink.bad
}

fn bench_decode(c: &mut Criterion) {
    let plain = cloudtrail_file(10_000);
    let compressed = gzip(&plain);
    let logs = access_log_lines(20_000);
    let mut group = c.benchmark_group("decode");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(plain.len() as u64));
    group.bench_function("cloudtrail_json_plain", |b| b.iter(|| decode_all(black_box(&plain))));
    group.bench_function("cloudtrail_json_gzip", |b| b.iter(|| decode_all(black_box(&compressed))));
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("cloudtrail_records_gzip", |b| b.iter(|| decode_all(black_box(&compressed))));
    group.throughput(Throughput::Bytes(logs.len() as u64));
    group.bench_function("s3_access_log_plain", |b| b.iter(|| decode_all(black_box(&logs))));
    group.finish();
}

criterion_group!(benches, bench_decode);
criterion_main!(benches);
