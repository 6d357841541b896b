//! Without the `aws` feature, remote sources are a clear usage error (exit 2), never a silent skip.
#![cfg(not(feature = "aws"))]

use assert_cmd::Command;

#[test]
fn remote_sources_need_the_aws_feature() {
    for args in [&["scan", "s3://bucket/AWSLogs/"][..], &["denied", "cloudtrail:lookup"], &["scan", "--lookup"]] {
        let output = Command::cargo_bin("trail-vpce").unwrap().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("this build has no AWS support"), "{args:?}: {stderr}");
    }
}
