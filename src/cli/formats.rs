//! The output formats, one enum per command: each lists only what the command really writes, so clap itself
//! refuses the others (with its standard message naming the valid values) before anything is read.
//!
//! CSV and Parquet need the `tabular` feature (polars). Without it the values stay accepted and are refused
//! when the flags are resolved, with a message naming the feature: a script gets the same exit code (2)
//! whichever build it meets, and the message says what to rebuild.

use clap::ValueEnum;

/// A command's `--format` enum.
pub trait FormatChoice: ValueEnum + Clone + Copy + Send + Sync + 'static {
    /// The value `--format` takes when not given.
    const DEFAULT: &'static str;

    /// True for the formats written through polars (CSV, Parquet).
    fn needs_tabular(self) -> bool {
        false
    }
}

/// Declares a command's format enum; `tabular: [..]` names the variants that need the `tabular` feature.
macro_rules! formats {
    ($(#[$meta:meta])* $name:ident, default $default:literal, [$($(#[$vmeta:meta])* $variant:ident),+ $(,)?],
     tabular: [$($tabular:ident),*]) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl FormatChoice for $name {
            const DEFAULT: &'static str = $default;

            #[allow(unreachable_patterns)]
            fn needs_tabular(self) -> bool {
                match self {
                    $($name::$tabular => true,)*
                    _ => false,
                }
            }
        }
    };
}

formats!(
    /// `ls --format`: ndjson is one line per input (what a script or a distributed job reads).
    LsFormat, default "table", [Table, Ndjson], tabular: []
);
formats!(
    /// `scan --format`.
    ScanFormat, default "table", [Table, Json], tabular: []
);
formats!(
    /// `denied --format`: ndjson is one line per denied request; csv and parquet the grouped rows.
    DeniedFormat, default "table", [Table, Json, Ndjson, Csv, Parquet], tabular: [Csv, Parquet]
);
formats!(
    /// `outside --format`: ndjson, csv and parquet are one line (row) per finding.
    OutsideFormat, default "table", [Table, Json, Ndjson, Csv, Parquet], tabular: [Csv, Parquet]
);
formats!(
    /// `timeline --format` (streamed; Parquet would have to hold the whole timeline).
    TimelineFormat, default "table", [Table, Json, Ndjson, Csv], tabular: [Csv]
);
formats!(
    /// `check --format`: ndjson is one line per group.
    CheckFormat, default "table", [Table, Json, Ndjson], tabular: []
);
formats!(
    /// `propose --format`.
    ProposeFormat, default "table", [
        Table,
        Json,
        /// An `aws_vpc_endpoint_policy` resource.
        Terraform,
        /// A CloudFormation template fragment (`AWS::EC2::VPCEndpoint` `PolicyDocument`).
        Cloudformation,
    ], tabular: []
);
formats!(
    /// `export --format`: the events always go to `--out DIR` as Parquet; stdout gets a one-line summary.
    ExportFormat, default "parquet", [Parquet], tabular: [Parquet]
);
formats!(
    /// `verify --format`.
    VerifyFormat, default "table", [Table, Json], tabular: []
);
formats!(
    /// `report --format`: one self-contained HTML page.
    ReportFormat, default "html", [Html], tabular: []
);
formats!(
    /// `policy lint --format`.
    LintFormat, default "table", [Table, Json], tabular: []
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The value names a format enum accepts, in order (what clap lists in its messages).
    fn names<F: FormatChoice>() -> Vec<String> {
        F::value_variants().iter().filter_map(|v| v.to_possible_value()).map(|p| p.get_name().to_owned()).collect()
    }

    /// What each command really writes (see app/): a format added to an enum without a writer, or a writer
    /// without its format, fails here first.
    #[test]
    fn each_command_lists_what_it_writes() {
        let cases: [(&str, Vec<String>, &[&str]); 11] = [
            ("ls", names::<LsFormat>(), &["table", "ndjson"]),
            ("scan", names::<ScanFormat>(), &["table", "json"]),
            ("denied", names::<DeniedFormat>(), &["table", "json", "ndjson", "csv", "parquet"]),
            ("outside", names::<OutsideFormat>(), &["table", "json", "ndjson", "csv", "parquet"]),
            ("timeline", names::<TimelineFormat>(), &["table", "json", "ndjson", "csv"]),
            ("check", names::<CheckFormat>(), &["table", "json", "ndjson"]),
            ("propose", names::<ProposeFormat>(), &["table", "json", "terraform", "cloudformation"]),
            ("export", names::<ExportFormat>(), &["parquet"]),
            ("policy lint", names::<LintFormat>(), &["table", "json"]),
            ("verify", names::<VerifyFormat>(), &["table", "json"]),
            ("report", names::<ReportFormat>(), &["html"]),
        ];
        for (command, got, want) in cases {
            assert_eq!(got, want, "{command}");
        }
    }

    #[test]
    fn defaults_are_values_and_tabular_is_csv_and_parquet() {
        fn check<F: FormatChoice>() {
            let default = F::from_str(F::DEFAULT, false).expect("the default is a value");
            for v in F::value_variants() {
                let name = v.to_possible_value().map(|p| p.get_name().to_owned()).unwrap_or_default();
                assert_eq!(v.needs_tabular(), name == "csv" || name == "parquet", "{name}");
            }
            let _ = default;
        }
        check::<LsFormat>();
        check::<ScanFormat>();
        check::<DeniedFormat>();
        check::<OutsideFormat>();
        check::<TimelineFormat>();
        check::<CheckFormat>();
        check::<ProposeFormat>();
        check::<ExportFormat>();
        check::<LintFormat>();
        check::<VerifyFormat>();
        check::<ReportFormat>();
    }
}
