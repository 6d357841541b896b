//! Rows declared once: the CSV a command writes (its row type's column declaration) says the same as its JSON
//! (the row type's `Serialize`), row by row and column by column, for `denied`, `outside` and `timeline` on
//! sample-logs. A column whose getter reads the wrong field, or a JSON field renamed away from its column,
//! fails here.

use polars::prelude::*;
use serde_json::Value;
use trail_vpce::report::escape::escape_csv_cell;

use crate::common;

/// The text a CSV cell holds for a JSON value (null and an empty string or list are both an empty cell).
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => escape_csv_cell(s).into_owned(),
        Value::Array(items) => {
            let items: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            escape_csv_cell(&items.join(";")).into_owned()
        }
        other => other.to_string(),
    }
}

#[test]
fn csv_columns_say_what_the_json_rows_say() {
    for (key, width) in agree(&[]) {
        assert!(width >= 13, "{key}");
    }
}

/// With `--verify`, the integrity columns (declared for integrity only) are there too, and agree with the JSON
/// rows like every other column; without it they are absent (above: every CSV column is a JSON field, and the
/// JSON rows have no integrity field then).
#[cfg(feature = "aws")]
#[test]
fn with_verify_the_integrity_columns_agree_too() {
    let keys = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-digest-key/public-keys.json");
    let plain: Vec<(&str, usize)> = agree(&[]);
    let verified = agree(&["--verify", "--public-keys", keys]);
    // denied and outside gain `integrity`; timeline `integrity` and `source_file`.
    let gained: Vec<usize> = plain.iter().zip(&verified).map(|((_, p), (_, v))| v - p).collect();
    assert_eq!(gained, [1, 1, 2]);
}

/// Checks every CSV column against the JSON rows of denied, outside and timeline (with `extra` flags); returns
/// each report's CSV width.
fn agree(extra: &[&str]) -> Vec<(&'static str, usize)> {
    let sample = common::sample();
    let config = common::sample_config();
    let cases: [(&[&str], &str); 3] = [
        (&["denied", &sample, "--config", &config, "--all-causes"], "denials"),
        (&["outside", &sample, "--config", &config], "findings"),
        (&["timeline", &sample, "--config", &config, "--vpce", "vpce-0a1b2c3d4e5f60003"], "events"),
    ];
    let mut widths = Vec::new();
    for (args, key) in cases {
        let json = common::run_json(args.iter().chain(extra).chain(&["--format", "json"]));
        let rows = json[key].as_array().unwrap_or_else(|| panic!("{key}"));
        let csv = common::run(args.iter().chain(extra).chain(&["--format", "csv", "-q"]));
        assert_eq!(csv.code, 0, "{args:?}: {}", csv.stderr);
        let df = CsvReadOptions::default()
            .with_infer_schema_length(Some(0))
            .into_reader_with_file_handle(std::io::Cursor::new(csv.stdout))
            .finish()
            .unwrap();
        assert_eq!(df.height(), rows.len(), "{key}");
        assert!(rows.len() > 3, "{key}: too few rows to mean anything");
        for name in df.get_column_names_owned() {
            let name = name.as_str();
            let values = df.column(name).unwrap().str().unwrap().clone();
            for (i, row) in rows.iter().enumerate() {
                let json_value = row.get(name).unwrap_or_else(|| panic!("{key}: no JSON field {name}"));
                let csv_value = values.get(i).unwrap_or("");
                assert_eq!(csv_value, cell(json_value), "{key}[{i}].{name}");
            }
        }
        widths.push((key, df.width()));
    }
    widths
}
