"""trail-vpce on Spark: export an organization's logs across a cluster, then run the shipped SQL analyses.

    spark-submit contrib/spark/trail_vpce_spark.py SOURCES... --binary PATH --out DATASET --results DIR
                 [--since T] [--until T] [--at T] [--account A] [--region R] [--config FILE]

1. The driver runs `trail-vpce ls SOURCES --format ndjson` with the run's filters: the objects to read, pruned
   by date, account and region exactly as trail-vpce prunes them (the same code, not a copy of it).
2. The objects are cut into batches of about --batch-bytes and handed to executors (one Spark task each). Each
   task runs the trail-vpce binary (shipped to every executor with SparkContext.addFile) to `export` its batch
   to local Parquet, and hands the rows to Spark as Arrow record batches (mapInArrow), a row group at a time.
3. Spark writes one Hive-partitioned dataset (`DATASET/date=YYYY-MM-DD/`), the same schema trail-vpce's own
   export writes, so `trail-vpce denied|outside|propose|check|timeline|scan DATASET` read it as they read logs.
4. The shipped analyses (sql/spark/, generated from sql/ by contrib/spark/transpile.py) run with Spark SQL over
   the dataset; each result is written as JSON under --results, with the books (books.json).

Spark does the scheduling, retries and shuffles; nothing sits between the binary and Spark but this file.
The job prints the books as its last line and exits 1 when a source could not be listed (the books name it).
A failed export (exit status 2: unreadable source, --strict with damaged input) fails the task, which Spark
retries and then reports. trail-vpce only reads: credentials for s3:// sources come from the executors'
standard chain (instance profile on EMR, the job role on Glue).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable, Iterator

# Filters that trail-vpce applies to the listing (ls) and to the records (export); passed through unchanged.
PASS_THROUGH = ("since", "until", "at", "account", "region", "vpce", "service")
SQL_DIR = Path(__file__).resolve().parent.parent.parent / "sql" / "spark"  # the default of --sql
QUERIES = ("denials_by_cause", "bypass", "foreign_resources", "actions_per_endpoint")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="+", help="folders, files or s3://bucket/prefix, as trail-vpce takes them")
    parser.add_argument("--binary", required=True, help="the trail-vpce binary (local path, s3:// or hdfs://)")
    parser.add_argument("--out", required=True, help="where Spark writes the dataset (must not exist)")
    parser.add_argument("--results", help="where the SQL results and books.json go (default: OUT/../results)")
    parser.add_argument(
        "--config", help="trail-vpce.toml; its folder (with the policy files it names) is shipped to the executors"
    )
    parser.add_argument("--sql", default=str(SQL_DIR), help="the Spark SQL analyses (default: this repo's sql/spark)")
    parser.add_argument("--batch-bytes", type=int, default=256 << 20, help="input bytes per task (default 256 MiB)")
    parser.add_argument("--batch-objects", type=int, default=2_000, help="objects per task at most")
    parser.add_argument("--strict", action="store_true", help="fail a task on any unreadable file or record")
    parser.add_argument("--endpoint-url", help="S3-compatible endpoint for s3:// sources (tests, MinIO)")
    for name in PASS_THROUGH:
        parser.add_argument(f"--{name}", action="append" if name in ("account", "region", "vpce", "service") else None)
    return parser.parse_args(argv)


def filter_flags(args: argparse.Namespace) -> list[str]:
    """The run's filters as trail-vpce flags, for ls (pruning) and export (records) alike."""
    flags: list[str] = []
    for name in PASS_THROUGH:
        value = getattr(args, name)
        for item in value if isinstance(value, list) else ([value] if value else []):
            flags += [f"--{name}", item]
    if args.endpoint_url:
        flags += ["--endpoint-url", args.endpoint_url]
    return flags


# Failed sources named in the books at most; the rest are counted.
FAILED_SAMPLES = 100


def list_inputs(binary: str, sources: list[str], flags: list[str], books: dict) -> Iterator[tuple[str, int]]:
    """`trail-vpce ls`, streamed: yields each input to read with its size, and keeps the listing's books in
    `books` (the listing is never held whole as text)."""
    books.update({"listed": 0, "listed_bytes": 0, "skipped": 0, "failed": 0, "failed_samples": []})
    command = [binary, "ls", *sources, *flags, "--format", "ndjson", "-q"]
    # stderr goes to a file: a pipe nobody reads while stdout streams could fill and stall the listing.
    with tempfile.TemporaryFile("w+") as errors, subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=errors, text=True
    ) as listing:
        for line in listing.stdout:
            entry = json.loads(line)
            if entry["kind"] == "input":
                if entry.get("bytes") is None:
                    listing.kill()
                    raise SystemExit(f"{entry['source']}: stdin and cloudtrail:lookup cannot be split across a cluster")
                books["listed"] += 1
                books["listed_bytes"] += entry["bytes"]
                yield entry["source"], entry["bytes"]
            elif entry["kind"] == "skipped":
                books["skipped"] += 1
            else:
                books["failed"] += 1
                if len(books["failed_samples"]) < FAILED_SAMPLES:
                    books["failed_samples"].append(f"{entry['source']}: {entry['error']}")
        listing.wait()
        errors.seek(0)
        if listing.returncode != 0:
            raise SystemExit(f"trail-vpce ls failed ({listing.returncode}): {errors.read(4096).strip()}")


def plan_batches(inputs: Iterable[tuple[str, int]], batch_bytes: int, batch_objects: int) -> list[list[str]]:
    """Cuts the listing into batches of at most batch_objects objects and about batch_bytes bytes, in listing
    order (objects of one day and account stay together, so a task's export writes few date partitions)."""
    batches: list[list[str]] = []
    current: list[str] = []
    size = 0
    for source, nbytes in inputs:
        if current and (size + nbytes > batch_bytes or len(current) >= batch_objects):
            batches.append(current)
            current, size = [], 0
        current.append(source)
        size += nbytes
    if current:
        batches.append(current)
    return batches


def executable(path: str) -> str:
    """SparkFiles may drop the execute bit: restore it."""
    mode = os.stat(path).st_mode
    if not mode & stat.S_IXUSR:
        os.chmod(path, mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def export_to(binary: str, sources: list[str], flags: list[str], out: Path) -> str:
    """Runs `trail-vpce export` into `out`; returns its summary (stdout). A failed export raises."""
    done = subprocess.run(
        [binary, "export", *sources, "--out", str(out), "-q", *flags], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"trail-vpce export failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout.strip()


def exported_batches(out: Path, schema) -> Iterator:
    """The rows of an export folder as Arrow record batches (a row group at a time), with the `date` partition
    column, cast to the dataset's schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for part in sorted(out.glob("date=*/*.parquet")):
        date = part.parent.name.split("=", 1)[1]
        for batch in pq.ParquetFile(part).iter_batches():
            batch = batch.append_column("date", pa.array([date] * batch.num_rows, pa.string()))
            yield pa.RecordBatch.from_arrays(
                [batch.column(name).cast(field.type) for name, field in zip(schema.names, schema)], schema=schema
            )


# A one-record CloudTrail log: exported on the driver to learn the export's Parquet schema from the binary
# itself (the schema is the binary's, never restated here).
PROBE = {
    "Records": [
        {
            "eventVersion": "1.09",
            "eventTime": "2026-01-01T00:00:00Z",
            "eventSource": "s3.amazonaws.com",
            "eventName": "GetObject",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "10.0.0.1",
            "userIdentity": {"type": "AWSAccount", "accountId": "111122223333"},
            "requestParameters": {"bucketName": "probe", "key": "probe"},
            "eventID": "00000000-0000-0000-0000-000000000000",
            "eventType": "AwsApiCall",
            "recipientAccountId": "111122223333",
        }
    ]
}


def probe_schema(binary: str):
    """The export's Arrow schema (plus the `date` partition), with unsigned integers widened to int64 (Spark
    has no unsigned types)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="trail-vpce-probe-") as tmp:
        log = Path(tmp, "probe.json")
        log.write_text(json.dumps(PROBE))
        export_to(binary, [str(log)], [], Path(tmp, "out"))
        parts = sorted(Path(tmp, "out").glob("date=*/*.parquet"))
        if not parts:
            raise SystemExit("trail-vpce export wrote no row for the schema probe")
        schema = pq.read_schema(parts[0])
    fields = [pa.field(field.name, spark_type(field.type), nullable=True) for field in schema]
    fields.append(pa.field("date", pa.string(), nullable=True))
    return pa.schema(fields)


def spark_type(kind):
    """The Arrow type Spark takes for an export column: strings and lists in their plain layouts (the binary's
    Parquet reads back as string views and large lists), unsigned integers widened to int64, times in UTC
    microseconds."""
    import pyarrow as pa

    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return pa.string()
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_list_view(kind):
        return pa.list_(spark_type(kind.value_type))
    if pa.types.is_unsigned_integer(kind):
        return pa.int64()
    if pa.types.is_timestamp(kind):
        return pa.timestamp("us", tz="UTC")  # export times are UTC; Spark's TimestampType
    return kind


def run(args: argparse.Namespace, spark) -> dict:
    """The whole job; returns the books."""
    from pyspark import SparkFiles
    from pyspark.sql.pandas.types import from_arrow_schema

    sc = spark.sparkContext
    sc.addFile(args.binary)
    binary_name = os.path.basename(args.binary)
    binary = executable(SparkFiles.get(binary_name))
    flags = filter_flags(args)
    if args.strict:
        flags.append("--strict")
    config = None
    if args.config:
        folder = os.path.dirname(os.path.abspath(args.config))
        sc.addFile(folder, recursive=True)
        config = (os.path.basename(folder), os.path.basename(args.config))

    started = time.monotonic()
    books: dict = {}
    batches = plan_batches(list_inputs(binary, args.sources, flags, books), args.batch_bytes, args.batch_objects)
    books["batches"] = len(batches)
    arrow_schema = probe_schema(binary)
    spark_schema = from_arrow_schema(arrow_schema)

    def export_partition(batch_iter):
        # Runs on an executor: the binary and config come from SparkFiles.
        local = executable(SparkFiles.get(binary_name))
        task_flags = list(flags)
        if config:
            task_flags += ["--config", os.path.join(SparkFiles.get(config[0]), config[1])]
        for rows in batch_iter:
            for sources in rows.column("sources").to_pylist():
                tmp = Path(tempfile.mkdtemp(prefix="trail-vpce-batch-"))
                try:
                    summary = export_to(local, sources, task_flags, tmp / "out")
                    print(summary, file=sys.stderr)
                    yield from exported_batches(tmp / "out", arrow_schema)
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)

    results = args.results or str(Path(args.out).parent / "results")
    if not batches:
        # Nothing listed (an empty window, say): no dataset to write or ask; the books say so.
        books["rows"] = 0
        write_books(spark, books, results)
        return books
    plan = spark.createDataFrame([(i, b) for i, b in enumerate(batches)], "batch long, sources array<string>")
    plan = plan.repartition(len(batches), "batch")
    events = plan.mapInArrow(export_partition, spark_schema)
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MILLIS")
    listed = time.monotonic()
    events.write.mode("errorifexists").partitionBy("date").parquet(args.out)
    written = time.monotonic()

    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    # The analyses are written in DuckDB's dialect, where `list[1]` of an empty list is NULL; Spark's ANSI mode
    # would raise instead.
    spark.conf.set("spark.sql.ansi.enabled", "false")
    # The schema given, not inferred: a window with no rows leaves a dataset with no file to infer it from.
    dataset = spark.read.schema(spark_schema).parquet(args.out)
    dataset.createOrReplaceTempView("events")
    books["rows"] = dataset.count()
    for name in QUERIES:
        query = Path(args.sql, f"{name}.sql").read_text()
        spark.sql(query).coalesce(1).write.mode("overwrite").json(f"{results}/{name}")
    books["seconds"] = {
        "list_and_probe": round(listed - started, 2),
        "export_and_write": round(written - listed, 2),
        "sql": round(time.monotonic() - written, 2),
    }
    write_books(spark, books, results)
    return books


def write_books(spark, books: dict, results: str) -> None:
    """The books as one JSON line under RESULTS/books/ (a path Spark can write: local, s3://, hdfs://)."""
    spark.createDataFrame([(json.dumps(books),)], "books string").coalesce(1).write.mode("overwrite").text(
        f"{results}/books"
    )


def main(argv: list[str]) -> int:
    from pyspark.sql import SparkSession

    args = parse_args(argv)
    spark = SparkSession.builder.appName("trail-vpce").config("spark.ui.showConsoleProgress", "false").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        books = run(args, spark)
    finally:
        spark.stop()
    print(json.dumps(books))
    return 1 if books["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
