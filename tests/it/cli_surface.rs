//! The command line itself: per-command `--format` values refused by clap (exit 2, the valid values listed),
//! CSV/Parquet in a build without `tabular`, shell completions and the manual page.

use crate::common;

const COMMANDS: [&str; 13] = [
    "scan",
    "denied",
    "timeline",
    "export",
    "check",
    "policy",
    "outside",
    "propose",
    "verify",
    "ls",
    "report",
    "completions",
    "man",
];

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

#[test]
fn completions_for_every_shell_name_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = common::run(["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        let script = run.stdout_text();
        assert!(script.len() > 1000, "{shell}: {} bytes", script.len());
        for command in COMMANDS {
            assert!(script.contains(command), "{shell}: no {command}");
        }
        assert!(script.contains("format") && script.contains("all-causes"), "{shell}: flags");
    }
    let run = common::run(["completions", "tcsh"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("[possible values: bash, zsh, fish, powershell, elvish]"), "{}", run.stderr);
}

/// One roff page: a title, then a section per command (and per `policy` subcommand).
#[test]
fn man_page_is_roff_with_a_section_per_command() {
    let run = common::run(["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = run.stdout_text();
    assert!(page.lines().any(|l| l.starts_with(".TH trail-vpce 1")), "{page}");
    let sections: Vec<&str> = page.lines().filter_map(|l| l.strip_prefix(".SH ")).collect();
    for command in COMMANDS.iter().chain(&["policy eval", "policy lint"]) {
        let heading = format!("\"TRAIL\\-VPCE {}\"", command.to_uppercase());
        assert!(sections.contains(&heading.as_str()), "{heading} not in {sections:?}");
    }
    // Every flag of a command is in its section, e.g. denied's.
    for flag in ["\\-\\-all\\-causes", "\\-\\-fail\\-on\\-findings", "\\-\\-group\\-by"] {
        assert!(page.contains(flag), "{flag}");
    }
    assert!(!page.contains("trail\\-vpce\\-scan(1)"), "no reference to per-command pages that do not exist");
}

/// `ls` lists what `scan` reads: as many inputs as scan reads files (with their sizes on disk), and the files
/// scan skips by name; the other files scan skips are inputs it skips by content (policy documents, Insight
/// files). The table ends with the totals.
#[test]
fn ls_lists_what_a_run_reads() {
    let sample = common::sample();
    let scan = common::run_json(["scan", &sample, "--format", "json"]);
    let listed = common::run(["ls", &sample, "--format", "ndjson"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let (mut inputs, mut skipped, mut bytes) = (std::collections::BTreeSet::new(), Vec::new(), 0_u64);
    for line in listed.stdout_text().lines() {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        let source = entry["source"].as_str().unwrap().to_owned();
        match entry["kind"].as_str().unwrap() {
            "input" => {
                let size = std::fs::metadata(&source).unwrap().len();
                assert_eq!(entry["bytes"].as_u64(), Some(size), "{entry}");
                bytes += size;
                inputs.insert(source);
            }
            "skipped" => skipped.push(source),
            other => panic!("{other}: {entry}"),
        }
    }
    assert_eq!(inputs.len() as u64, scan["input"]["files"].as_u64().unwrap());
    let scan_skipped: Vec<&str> =
        scan["input"]["skipped"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
    let (by_name, by_content): (Vec<&str>, Vec<&str>) =
        scan_skipped.iter().partition(|p| skipped.iter().any(|s| s == *p));
    assert_eq!(by_name.len(), skipped.len(), "{skipped:?}");
    assert!(by_content.len() >= 4 && by_content.iter().all(|p| inputs.contains(*p)), "{by_content:?}");
    let table = common::run(["ls", &sample]).stdout_text();
    let last = table.lines().last().unwrap();
    assert_eq!(last, format!("{} inputs, {bytes} bytes; {} skipped, 0 failed", inputs.len(), skipped.len()));
}
