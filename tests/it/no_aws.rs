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
