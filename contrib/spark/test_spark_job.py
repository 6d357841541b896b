"""The Spark job on a real local Spark (local[2]) over sample-logs: its Spark SQL results equal the binary's JSON
(denials by cause, bypass groups, foreign resources, actions per endpoint), and the dataset it writes has one
row per record, as the binary's own export.

Needs pyspark (with pyarrow) and the trail-vpce binary: TRAIL_VPCE_BIN=target/debug/trail-vpce. Without them
the tests skip, unless TRAIL_VPCE_REQUIRE_SPARK=1 (as in CI) makes that a failure.

    TRAIL_VPCE_BIN=target/debug/trail-vpce python3 -m pytest contrib/spark
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "sample-logs"
CONFIG = SAMPLE / "trail-vpce.toml"
REQUIRED = os.environ.get("TRAIL_VPCE_REQUIRE_SPARK") == "1"


def need(condition: bool, why: str) -> None:
    if not condition:
        if REQUIRED:
            pytest.fail(f"{why} (TRAIL_VPCE_REQUIRE_SPARK=1)")
        pytest.skip(why)


def binary() -> str:
    path = os.environ.get("TRAIL_VPCE_BIN", "")
    need(bool(path) and Path(path).is_file(), "TRAIL_VPCE_BIN does not name the trail-vpce binary")
    return path


def tool(*args: str) -> dict:
    done = subprocess.run([binary(), *args, "--format", "json", "-q"], capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def rows(results: Path, name: str) -> list[dict]:
    return [json.loads(line) for part in sorted((results / name).glob("part-*.json")) for line in part.open()]


def submit(work: Path, *extra: str) -> dict:
    """Runs the job as the README says, with spark-submit on local[2], over sample-logs; returns its books."""
    spark_submit = shutil.which("spark-submit")
    need(spark_submit is not None, "no spark-submit (pip install pyspark)")
    command = [
        spark_submit, "--master", "local[2]", "--conf", "spark.ui.enabled=false",
        str(ROOT / "contrib/spark/trail_vpce_spark.py"), str(SAMPLE),
        "--binary", binary(), "--config", str(CONFIG),
        "--out", str(work / "events"), "--results", str(work / "results"), *extra,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def job(tmp_path_factory) -> Path:
    """The job over sample-logs in several tasks of several batches each; returns the work folder."""
    work = tmp_path_factory.mktemp("spark")
    books = submit(work, "--batch-bytes", "100000")
    (work / "books.json").write_text(json.dumps(books))
    return work


def test_a_window_without_records_gives_empty_answers(tmp_path: Path):
    """Local folders are not pruned by date, so every file is exported, and every record is outside the window:
    the dataset has no file, and the analyses still run (on the schema the probe gave) and answer nothing."""
    books = submit(tmp_path, "--since", "2030-01-01")
    assert books["listed"] > 60 and books["rows"] == 0, books
    assert rows(tmp_path / "results", "denials_by_cause") == []


def test_the_sql_is_generated_from_the_shipped_queries():
    try:
        import sqlglot  # noqa: F401
    except ImportError:
        need(False, "no sqlglot (pip install sqlglot)")
    script = str(ROOT / "contrib/spark/transpile.py")
    done = subprocess.run([sys.executable, script, "--check"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_listing_and_dataset_account_for_every_record(job: Path):
    books = json.loads((job / "books.json").read_text())
    scan = tool("scan", str(SAMPLE))
    assert books["listed"] == scan["input"]["files"]
    assert books["failed"] == 0 and books["failed_samples"] == []
    assert books["batches"] > 2
    assert books["rows"] == scan["input"]["records"] + scan["input"]["access_log_lines"]
    assert sorted(p.name for p in (job / "events").iterdir() if p.name.startswith("date=")) == [
        "date=2026-11-18", "date=2026-11-19", "date=2026-11-20", "date=2026-11-21",
    ]  # fmt: skip


def test_denials_by_cause_equal_the_binary(job: Path):
    # Without a configuration: the SQL classifies by the logged wording and pairs network activity events, but
    # cannot replay endpoint policies.
    denied = tool("denied", str(SAMPLE), "--all-causes")
    want = {cause: n for cause, n in denied["totals"]["by_cause"].items() if n > 0}
    got = {r["cause"]: r["denied_requests"] for r in rows(job / "results", "denials_by_cause")}
    assert got == want


def finding_groups(findings: list[dict], kind: str) -> Counter:
    groups: Counter = Counter()
    for f in findings:
        if f["kind"] == kind:
            groups[(f["principal"], "success" if f["outcome"] == "allowed" else "denied")] += f["count"]
    return groups


def sql_groups(results: Path, name: str) -> Counter:
    groups: Counter = Counter()
    for r in rows(results, name):
        groups[(r.get("principal"), r["outcome"])] += r["requests"]  # Spark leaves nulls out
    return groups


def test_bypass_and_foreign_resources_equal_the_binary(job: Path):
    # The SQL decides endpoint-bound buckets and trusted accounts from what it observes, as `outside` does
    # without a configuration.
    findings = tool("outside", str(SAMPLE))["findings"]
    assert sql_groups(job / "results", "bypass") == finding_groups(findings, "bypass")
    assert sql_groups(job / "results", "foreign_resources") == finding_groups(findings, "foreign-resource")


def test_actions_per_endpoint_equal_the_binary(job: Path):
    scan = tool("scan", str(SAMPLE), "--top", "1000", "--config", str(CONFIG))
    want = {(e["vpce"], a["name"]): a["count"] for e in scan["endpoints"] for a in e["top_actions"]}
    got = {(r["vpce"], r["action"]): r["requests"] for r in rows(job / "results", "actions_per_endpoint")}
    assert got == want


def without_input(report: dict) -> dict:
    """A report less its input books (file names and counts of what was read differ by construction)."""
    return {k: v for k, v in report.items() if k != "input"}


def test_the_binary_over_the_spark_dataset_equals_the_binary_over_the_logs(job: Path):
    """Export once, ask many times: every analysis over the dataset Spark wrote answers as over sample-logs
    (policy replay included, through the configuration)."""
    dataset = str(job / "events")
    commands = (
        ["denied", "--all-causes"],
        ["outside"],
        ["propose"],
        ["scan"],
        ["timeline", "--vpce", "vpce-0a1b2c3d4e5f60001"],
    )
    for command in commands:
        over_logs = tool(*command, str(SAMPLE), "--config", str(CONFIG))
        over_dataset = tool(*command, dataset, "--config", str(CONFIG))
        assert over_dataset["input"]["bad_files"] == [], over_dataset["input"]
        assert without_input(over_dataset) == without_input(over_logs), command
