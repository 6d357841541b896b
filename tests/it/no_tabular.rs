//! Without the `tabular` feature, a Parquet source is a bad file that says why, counted in the books; the
//! run goes on with the other inputs.

use crate::common;

#[test]
fn parquet_needs_the_tabular_feature() {
    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("part-0.parquet");
    std::fs::write(&parquet, [b"PAR1".as_slice(), &[0u8; 32], b"PAR1"].concat()).unwrap();
    let log = dir.path().join("log.json");
    std::fs::write(&log, common::wrapper(&[common::record(1)])).unwrap();
    let input = common::scan_books(&[dir.path()], &[]);
    assert_eq!((input["files"].as_u64(), input["records"].as_u64()), (Some(2), Some(1)), "{input}");
    let (path, error, _) = common::only_bad_file(&input);
    assert!(path.ends_with("part-0.parquet"), "{path}");
    assert_eq!(error, trail_vpce::decode::parquet::NOT_BUILT);
}
