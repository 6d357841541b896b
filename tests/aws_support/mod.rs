//! Local AWS stand-ins for the `aws` feature tests: an S3-compatible server (s3s + s3s-fs over a temp folder,
//! real HTTP and SigV4) with a fault-injecting, request-counting layer in front, and a tiny CloudTrail
//! LookupEvents endpoint. Everything listens on 127.0.0.1 on a random port.
#![allow(dead_code)]

pub mod lookup;
pub mod s3;

use std::process::Command;

pub const ACCESS_KEY: &str = "AKIATESTTESTTEST0000";
pub const SECRET_KEY: &str = "test-secret-key-not-a-real-one";

/// The binary with an isolated AWS environment: static test credentials, no profile files, no instance
/// metadata, no inherited endpoints.
pub fn trail_vpce() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trail-vpce"));
    for var in ["AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN", "AWS_MAX_ATTEMPTS"] {
        command.env_remove(var);
    }
    command
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/trail-vpce-test-config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/trail-vpce-test-credentials");
    command
}

/// Copies a folder tree (what `s3s-fs` serves as a bucket's objects).
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
