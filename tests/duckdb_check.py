"""Runs the shipped SQL over a `trail-vpce export` with DuckDB and prints the results as JSON.

Usage: python3 tests/duckdb_check.py EXPORT_DIR SQL_DIR
Exit 3 when the duckdb module is missing (the Rust test decides whether that is fatal).
"""
import json
import sys

try:
    import duckdb
except ImportError:
    sys.exit(3)

export_dir, sql_dir = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.sql(f"CREATE VIEW events AS SELECT * FROM read_parquet('{export_dir}/**/*.parquet', hive_partitioning = true)")
out = {}
for name in ["denials_by_cause", "bypass", "foreign_resources", "actions_per_endpoint"]:
    with open(f"{sql_dir}/{name}.sql") as f:
        relation = con.sql(f.read())
    columns = relation.columns
    out[name] = [dict(zip(columns, [str(v) if not isinstance(v, (int, float, list, str, type(None))) else v for v in row]))
                 for row in relation.fetchall()]
out["rows"] = con.sql("SELECT count(*) FROM events").fetchone()[0]
out["dates"] = [r[0] for r in con.sql("SELECT DISTINCT date FROM events ORDER BY 1").fetchall()]
print(json.dumps(out, default=str))
