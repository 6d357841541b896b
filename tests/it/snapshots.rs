//! Snapshots of what every report command prints on sample-logs, in each of its text formats: the safety net of
//! the redesign (issue 17), which must change structure, not output. The binary runs from the project root on the
//! relative path `sample-logs`, so the snapshots hold no machine-specific path. Review a change with
//! `cargo insta review` (or `INSTA_UPDATE=always cargo test --test it snapshots`) and say why in the commit.

use crate::common;

/// Runs `trail-vpce ARGS -q` from the project root; the exit code and stdout, as one text.
fn output(args: &[&str]) -> String {
    let run = common::run_in(env!("CARGO_MANIFEST_DIR"), args.iter().chain(&["-q"]));
    format!("exit: {}\n{}", run.code, run.stdout_text())
}

const CONFIG: &str = "sample-logs/trail-vpce.toml";

macro_rules! snapshot {
    ($name:ident, [$($arg:expr),* $(,)?]) => {
        #[test]
        fn $name() {
            let args: &[&str] = &[$($arg),*];
            insta::assert_snapshot!(stringify!($name), output(args));
        }
    };
}

snapshot!(scan_table, ["scan", "sample-logs", "--config", CONFIG]);
snapshot!(scan_json, ["scan", "sample-logs", "--config", CONFIG, "--format", "json"]);

snapshot!(denied_table, ["denied", "sample-logs", "--config", CONFIG]);
snapshot!(denied_all_causes_table, ["denied", "sample-logs", "--config", CONFIG, "--all-causes"]);
snapshot!(denied_json, ["denied", "sample-logs", "--config", CONFIG, "--format", "json"]);
snapshot!(denied_ndjson, ["denied", "sample-logs", "--config", CONFIG, "--all-causes", "--format", "ndjson"]);
#[cfg(feature = "tabular")]
snapshot!(denied_csv, ["denied", "sample-logs", "--config", CONFIG, "--format", "csv"]);

snapshot!(outside_table, ["outside", "sample-logs", "--config", CONFIG]);
snapshot!(outside_json, ["outside", "sample-logs", "--config", CONFIG, "--format", "json"]);
snapshot!(outside_ndjson, ["outside", "sample-logs", "--config", CONFIG, "--format", "ndjson"]);
#[cfg(feature = "tabular")]
snapshot!(outside_csv, ["outside", "sample-logs", "--config", CONFIG, "--format", "csv"]);

snapshot!(propose_table, ["propose", "sample-logs", "--config", CONFIG]);
snapshot!(propose_json, ["propose", "sample-logs", "--config", CONFIG, "--format", "json"]);
snapshot!(propose_terraform, ["propose", "sample-logs", "--config", CONFIG, "--format", "terraform"]);
snapshot!(propose_cloudformation, ["propose", "sample-logs", "--config", CONFIG, "--format", "cloudformation"]);

snapshot!(check_table, ["check", "sample-logs", "--config", CONFIG]);
snapshot!(check_json, ["check", "sample-logs", "--config", CONFIG, "--format", "json"]);
snapshot!(check_ndjson, ["check", "sample-logs", "--config", CONFIG, "--format", "ndjson"]);

snapshot!(timeline_table, ["timeline", "sample-logs", "--config", CONFIG, "--vpce", "vpce-0a1b2c3d4e5f60003"]);
snapshot!(
    timeline_json,
    ["timeline", "sample-logs", "--config", CONFIG, "--vpce", "vpce-0a1b2c3d4e5f60003", "--format", "json"]
);
snapshot!(
    timeline_ndjson,
    [
        "timeline",
        "sample-logs",
        "--config",
        CONFIG,
        "--principal",
        "arn:aws:iam::111122223333:user/deploy",
        "--format",
        "ndjson"
    ]
);
#[cfg(feature = "tabular")]
snapshot!(
    timeline_csv,
    ["timeline", "sample-logs", "--config", CONFIG, "--vpce", "vpce-0a1b2c3d4e5f60003", "--format", "csv"]
);
