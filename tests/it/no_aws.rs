//! Without the `aws` feature, remote sources are a clear usage error (exit 2), never a silent skip.

use crate::common;

#[test]
fn remote_sources_need_the_aws_feature() {
    for args in [&["scan", "s3://bucket/AWSLogs/"][..], &["denied", "cloudtrail:lookup"], &["scan", "--lookup"]] {
        let run = common::run(args);
        let stderr = &run.stderr;
        assert_eq!(run.code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("this build has no AWS support"), "{args:?}: {stderr}");
    }
}

/// `verify` and `--verify` check RSA signatures with aws-lc-rs, linked by the `aws` feature: without it they say
/// so and exit 2.
#[test]
fn verify_needs_the_aws_feature() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-logs");
    for args in [&["verify", sample][..], &["timeline", sample, "--ip", "203.0.113.50", "--verify"]] {
        let run = common::run(args);
        let stderr = &run.stderr;
        assert_eq!(run.code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("needs the `aws` feature"), "{args:?}: {stderr}");
    }
}
