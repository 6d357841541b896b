//! The command line itself: per-command `--format` values refused by clap (exit 2, the valid values listed),
//! CSV/Parquet in a build without `tabular`, shell completions and the manual page.

use crate::common;

const COMMANDS: [&str; 10] =
    ["scan", "denied", "timeline", "export", "check", "policy", "outside", "propose", "completions", "man"];

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
