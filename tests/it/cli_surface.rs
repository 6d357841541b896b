//! The command line itself: per-command `--format` values refused by clap (exit 2, the valid values listed),
//! CSV/Parquet in a build without `tabular`.

use crate::common;

/// A format a command does not write is a usage error that names the values it does write.
#[test]
fn unsupported_formats_are_refused_with_the_valid_values() {
    let sample = common::sample();
    let cases: [(&[&str], &str); 5] = [
        (&["check", &sample, "--format", "terraform"], "[possible values: table, json, ndjson]"),
        (&["denied", &sample, "--format", "terraform"], "[possible values: table, json, ndjson, csv, parquet]"),
        (&["scan", &sample, "--format", "csv"], "[possible values: table, json]"),
        (&["timeline", &sample, "--vpce", "v", "--format", "parquet"], "[possible values: table, json, ndjson, csv]"),
        (&["propose", &sample, "--format", "ndjson"], "[possible values: table, json, terraform, cloudformation]"),
    ];
    for (args, values) in cases {
        let run = common::run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
        assert!(run.stderr.contains("invalid value") && run.stderr.contains(values), "{args:?}: {}", run.stderr);
    }
}

/// CSV and Parquet work in a default build; without the `tabular` feature they exit 2 with a message naming it.
#[test]
fn tabular_formats_need_the_feature() {
    let sample = common::sample();
    for args in [&["denied", &sample, "--format", "csv"][..], &["outside", &sample, "--format", "csv"]] {
        let run = common::run(args);
        if cfg!(feature = "tabular") {
            assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        } else {
            assert_eq!(run.code, 2, "{args:?}");
            assert!(run.stderr.contains("`tabular` feature"), "{args:?}: {}", run.stderr);
        }
    }
}
