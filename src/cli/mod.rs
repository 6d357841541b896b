//! Command-line definitions (clap), resolved once into a plain [`Task`] per command (ripgrep's LowArgs →
//! HiArgs, fd's `construct_config`): every flag is read and checked here, and no clap type goes past this
//! module. `app` runs a [`Task`]; it never sees the flags.

mod common;
mod denied_args;
mod export_args;
mod formats;
mod generate;
mod ls_args;
mod outside_args;
mod perimeter_args;
mod policy_args;
mod propose_args;
mod report_args;
mod scan_args;
mod time_arg;
mod timeline_args;
mod verify_args;

use clap::{Parser, Subcommand};

pub use common::{AwsArgs, CommonArgs, OutputConfig, Shared};
pub use denied_args::{DeniedArgs, DeniedTask, GroupDim};
pub use export_args::{ExportArgs, ExportTask};
pub use formats::{
    CheckFormat, DeniedFormat, ExportFormat, FormatChoice, LintFormat, LsFormat, OutsideFormat, ProposeFormat,
    ReportFormat, ScanFormat, TimelineFormat, VerifyFormat,
};
pub use generate::{Shell, write_completions, write_man};
pub use ls_args::{LsArgs, LsTask};
pub use outside_args::{OutsideArgs, OutsideTask};
pub use policy_args::{
    CheckArgs, CheckTask, EvalArgs, EvalTask, KindArg, LintArgs, LintTask, PolicyArgs, PolicyCommand, Requests,
};
pub use propose_args::{ProposeArgs, ProposeTask, ScopeArg};
pub use report_args::{ReportArgs, ReportTask};
pub use scan_args::{ScanArgs, ScanTask};
pub use time_arg::{parse_duration_millis, parse_instant, parse_time_arg};
pub use timeline_args::{TimelineArgs, TimelineTask};
pub use verify_args::{IntegrityCheck, VerifyArgs, VerifyFlags, VerifyTask};

/// Stream CloudTrail and S3 server access logs and answer questions about VPC endpoints.
#[derive(Debug, Parser)]
#[command(name = "trail-vpce", version, about, long_about = None, max_term_width = 110)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inventory: per endpoint, records, first/last seen, services, top principals and actions, denials.
    Scan(ScanArgs),
    /// Denied requests: which did an endpoint policy deny, and how sure we are of the cause.
    Denied(DeniedArgs),
    /// Forensics: every request of a principal, access key, IP, endpoint or resource, in time order.
    Timeline(TimelineArgs),
    /// The normalized events as Hive-partitioned Parquet, for DuckDB, Athena, Trino or Spark (see sql/).
    Export(ExportArgs),
    /// What-if: replay the traffic seen through each endpoint against a candidate policy before deploying it.
    Check(CheckArgs),
    /// Work with one policy document: evaluate requests against it, lint it.
    Policy(PolicyArgs),
    /// Traffic that bypassed the endpoints (endpoint-bound resources reached from outside) and traffic that
    /// left through them (foreign resources and principals, requests the given policy would refuse).
    Outside(OutsideArgs),
    /// The tightest endpoint policy that still allows what the workloads did, verified by replay.
    Propose(ProposeArgs),
    /// The weekly endpoint review as one self-contained HTML page (-o FILE): per endpoint charts, denials,
    /// outside findings and proposed policies, from one pass over the input.
    Report(ReportArgs),
    /// Integrity: check CloudTrail digest signatures and chains and every log file's hash; exit 1 when any
    /// log is modified, deleted or not covered, or any digest is invalid, unchecked or missing.
    Verify(VerifyArgs),
    /// The inputs a run with the same flags would read (local files, and the objects of s3:// prefixes after
    /// pruning by --since, --until, --account and --region), with their sizes, without reading them.
    Ls(LsArgs),
    /// Print a shell completion script on stdout (see the README for where each shell looks for it).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff) on stdout: `trail-vpce man > trail-vpce.1`, or `man -l <(trail-vpce man)`.
    Man,
}

/// A command with its flags resolved: what `app` runs.
#[derive(Debug, Clone)]
pub enum Task {
    Scan(ScanTask),
    Denied(DeniedTask),
    Timeline(TimelineTask),
    Export(ExportTask),
    Check(CheckTask),
    Eval(EvalTask),
    Lint(LintTask),
    Outside(OutsideTask),
    Propose(ProposeTask),
    Report(ReportTask),
    Verify(VerifyTask),
    Ls(LsTask),
    Completions(Shell),
    Man,
}

impl Cli {
    /// Resolves the flags of the command given; an error is a usage error (exit 2).
    pub fn resolve(&self) -> Result<Task, String> {
        Ok(match &self.command {
            Command::Scan(args) => Task::Scan(args.resolve()?),
            Command::Denied(args) => Task::Denied(args.resolve()?),
            Command::Timeline(args) => Task::Timeline(args.resolve()?),
            Command::Export(args) => Task::Export(args.resolve()?),
            Command::Check(args) => Task::Check(args.resolve()?),
            Command::Policy(PolicyArgs { command: PolicyCommand::Eval(args) }) => Task::Eval(args.resolve()),
            Command::Policy(PolicyArgs { command: PolicyCommand::Lint(args) }) => Task::Lint(args.resolve()),
            Command::Outside(args) => Task::Outside(args.resolve()?),
            Command::Propose(args) => Task::Propose(args.resolve()?),
            Command::Report(args) => Task::Report(args.resolve()?),
            Command::Verify(args) => Task::Verify(args.resolve()?),
            Command::Ls(args) => Task::Ls(args.resolve()?),
            Command::Completions { shell } => Task::Completions(*shell),
            Command::Man => Task::Man,
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn resolve(args: &[&str]) -> Result<Task, String> {
        let cli = Cli::try_parse_from(std::iter::once("trail-vpce").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        cli.resolve()
    }

    #[test]
    fn clap_definitions_are_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    /// Each command takes the formats it writes, and clap refuses the rest before anything is read, listing the
    /// valid values.
    #[test]
    fn formats_are_per_command() {
        let cases: [(&[&str], Option<&str>); 13] = [
            (&["scan", "x", "--format", "json"], None),
            (&["scan", "x", "--format", "csv"], Some("[possible values: table, json]")),
            (&["denied", "x", "--format", "ndjson"], None),
            (&["denied", "x", "--format", "terraform"], Some("[possible values: table, json, ndjson, csv, parquet]")),
            (&["outside", "x", "--format", "terraform"], Some("[possible values: table, json, ndjson, csv, parquet]")),
            (
                &["timeline", "x", "--vpce", "v", "--format", "parquet"],
                Some("[possible values: table, json, ndjson, csv]"),
            ),
            (&["timeline", "x", "--vpce", "v", "--format", "ndjson"], None),
            (&["check", "x", "--format", "terraform"], Some("[possible values: table, json, ndjson]")),
            (&["check", "x", "--format", "csv"], Some("[possible values: table, json, ndjson]")),
            (&["propose", "x", "--format", "cloudformation"], None),
            (
                &["propose", "x", "--format", "ndjson"],
                Some("[possible values: table, json, terraform, cloudformation]"),
            ),
            (&["export", "x", "--out", "d", "--format", "table"], Some("[possible values: parquet]")),
            (&["verify", "x", "--format", "csv"], Some("[possible values: table, json]")),
        ];
        for (args, refused) in cases {
            let parsed = Cli::try_parse_from(std::iter::once("trail-vpce").chain(args.iter().copied()));
            match (parsed, refused) {
                (Ok(cli), None) => assert!(cli.resolve().is_ok(), "{args:?}"),
                (Err(e), Some(values)) => {
                    assert_eq!(e.kind(), clap::error::ErrorKind::InvalidValue, "{args:?}");
                    assert!(e.to_string().contains(values), "{args:?}: {e}");
                }
                (parsed, _) => panic!("{args:?}: {parsed:?}"),
            }
        }
    }

    /// CSV and Parquet without the `tabular` feature: refused when resolving, naming the feature.
    #[test]
    fn tabular_formats_name_the_feature_when_missing() {
        for args in [
            &["denied", "x", "--format", "csv"][..],
            &["outside", "x", "--format", "parquet"],
            &["timeline", "x", "--vpce", "v", "--format", "csv"],
            &["export", "x", "--out", "d"],
        ] {
            let got = resolve(args);
            assert_eq!(got.is_ok(), cfg!(feature = "tabular"), "{args:?}: {got:?}");
            if let Err(e) = got {
                assert!(e.contains("`tabular` feature") && e.contains(args[0]), "{args:?}: {e}");
            }
        }
    }

    /// `--verify` resolves into the task's integrity check (with its key files), `verify` into its task; both
    /// need the `aws` feature and say so when resolving.
    #[test]
    fn verify_flags_resolve_into_the_task() {
        let check = |args: &[&str]| -> Result<Option<IntegrityCheck>, String> {
            Ok(match resolve(args)? {
                Task::Denied(t) => t.integrity,
                Task::Outside(t) => t.integrity,
                Task::Timeline(t) => t.integrity,
                other => panic!("{other:?}"),
            })
        };
        let keys = IntegrityCheck { public_keys: vec!["k1.json".into(), "k2.json".into()] };
        for command in [&["denied", "x"][..], &["outside", "x"], &["timeline", "x", "--vpce", "v"]] {
            assert_eq!(check(command), Ok(None), "{command:?}");
            let verify = [command, &["--verify", "--public-keys", "k1.json", "--public-keys", "k2.json"]].concat();
            match check(&verify) {
                Ok(got) => assert_eq!(got.as_ref(), Some(&keys), "{command:?}"),
                Err(e) => assert!(!cfg!(feature = "aws") && e.contains("needs the `aws` feature"), "{e}"),
            }
        }
        let without = Cli::try_parse_from(["trail-vpce", "denied", "x", "--public-keys", "k.json"]);
        assert!(without.is_err(), "--public-keys requires --verify");
        match resolve(&["verify", "x", "--public-keys", "k.json", "--format", "json"]) {
            Ok(Task::Verify(t)) => assert_eq!((t.format, t.public_keys), (VerifyFormat::Json, vec!["k.json".into()])),
            Err(e) => assert!(!cfg!(feature = "aws") && e.contains("needs the `aws` feature"), "{e}"),
            Ok(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn flags_resolve_into_the_task() {
        let Ok(Task::Denied(t)) =
            resolve(&["denied", "x", "--group-by", "vpce,action", "--top", "3", "--policy", "v=p"])
        else {
            panic!("denied")
        };
        assert_eq!(
            (t.group_by.vpce, t.group_by.principal, t.group_by.action, t.group_by.resource),
            (true, false, true, false)
        );
        assert_eq!((t.top, t.shared.overrides.policies.as_slice()), (Some(3), &["v=p".to_owned()][..]));
        assert_eq!(t.format, DeniedFormat::Table);
        let Ok(Task::Propose(t)) =
            resolve(&["propose", "x", "--vpce", "v1", "--scope", "org", "--granularity", "prefix:2"])
        else {
            panic!("propose")
        };
        assert_eq!(t.single, Some(crate::model::VpceId::from("v1")));
        assert_eq!((t.options.scope.name(), t.options.granularity.name()), ("org", "prefix:2".to_owned()));
        let Ok(Task::Eval(t)) = resolve(&["policy", "eval", "--policy", "p.json", "--request", "-"]) else {
            panic!("eval")
        };
        assert_eq!(t.requests, Requests::One("-".to_owned()));
        let usage = [
            (&["timeline", "x"][..], "timeline needs at least one of"),
            (&["timeline", "x", "--resource", "arn", "--pivot"], "--pivot follows"),
            (&["propose", "x", "--current", "p.json"], "--current needs exactly one endpoint"),
            (&["propose", "x", "--granularity", "folder"], "granularity"),
            (&["scan", "x", "--threads", "0"], "--threads must be at least 1"),
            (&["scan", "x", "--since", "2026-11-22", "--until", "2026-11-21"], "must be before"),
        ];
        for (args, want) in usage {
            let err = resolve(args).expect_err(want);
            assert!(err.contains(want), "{args:?}: {err}");
        }
    }
}
