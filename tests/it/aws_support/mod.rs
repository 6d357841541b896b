//! Local AWS stand-ins for the `aws` feature tests: an S3-compatible server (s3s + s3s-fs over a temp folder,
//! real HTTP and SigV4) with a fault-injecting, request-counting layer in front, and a tiny CloudTrail
//! LookupEvents endpoint. Everything listens on 127.0.0.1 on a random port.
#![allow(dead_code)]

pub mod lookup;
pub mod s3;

use std::process::Command;

pub const ACCESS_KEY: &str = "AKIATESTTESTTEST0000";
pub const SECRET_KEY: &str = "test-secret-key-not-a-real-one";

/// The binary with an isolated AWS environment (see [`crate::common::trail_vpce`]).
pub fn trail_vpce() -> Command {
    crate::common::trail_vpce()
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
