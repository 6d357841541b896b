#!/usr/bin/env python3
"""End-to-end benchmark driver (run it through bench/e2e.sh, which builds and installs what it needs).

Times, in one run on the same files: the decompression floor (libdeflate on all cores, output discarded),
`trail-vpce scan` and `trail-vpce denied --all-causes` (all cores and --threads 1), and the same question
answered with jq and with DuckDB. Reports wall time, MB/s of uncompressed CloudTrail JSON, records/s, peak
RSS and the ratios, as a Markdown table (stdout and bench/results.md) and as JSON (bench/results.json).
"""

import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(argv, capture):
    """Runs argv; returns (wall seconds, captured stdout or None). Exit 1 means "findings", not failure."""
    started = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"benchmark command failed ({proc.returncode}): {shlex.join(argv)}\n"
                 f"{proc.stderr.decode(errors='replace')}")
    return seconds, proc.stdout


def measure(argv, runs, capture=False):
    """Median wall time over `runs` and the peak RSS (MB) seen, measured by GNU time around the command."""
    times, peaks, output = [], [], None
    for _ in range(runs):
        timed = ["/usr/bin/time", "-f", "%e %M", "-o", "/tmp/trail-vpce-bench.time", *argv]
        seconds, out = run_once(timed, capture)
        rss_kb = Path("/tmp/trail-vpce-bench.time").read_text().split()[-1]
        times.append(seconds)
        peaks.append(int(rss_kb) / 1024)
        output = out
    return statistics.median(times), max(peaks), output


def main():
    size_dir = Path(sys.argv[1])
    double_dir = Path(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else None
    binary, floor = os.environ["TRAIL_VPCE_BIN"], os.environ["GUNZIP_FLOOR_BIN"]
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    manifest = json.loads(Path(f"{size_dir}.manifest.json").read_text())
    cloudtrail = size_dir / "AWSLogs"
    json_mb = manifest["cloudtrail_json_bytes"] / 1e6
    records = manifest["cloudtrail_records"]

    # Warm the page cache so every contestant reads from memory.
    subprocess.run(["bash", "-c", f"find {shlex.quote(str(size_dir))} -type f -exec cat {{}} + > /dev/null"], check=True)

    rows = []

    def row(name, seconds, rss, note=""):
        rows.append({"name": name, "seconds": round(seconds, 3), "mb_per_s": round(json_mb / seconds, 1),
                     "records_per_s": round(records / seconds), "peak_rss_mb": round(rss, 1), "note": note})
        print(f"  {name}: {seconds:.2f} s, {json_mb / seconds:.0f} MB/s, {rss:.0f} MB", file=sys.stderr, flush=True)

    floor_s, floor_rss, floor_out = measure([floor, str(cloudtrail)], runs, capture=True)
    floor_info = json.loads(floor_out)
    if floor_info["decompressed_bytes"] != manifest["cloudtrail_json_bytes"]:
        sys.exit(f"floor inflated {floor_info['decompressed_bytes']} bytes, manifest says {manifest['cloudtrail_json_bytes']}")
    row("decompression floor (libdeflate, all cores)", floor_s, floor_rss)
    floor1_s, floor1_rss, _ = measure([floor, "--threads", "1", str(cloudtrail)], runs, capture=True)
    row("decompression floor, 1 thread", floor1_s, floor1_rss)

    scan_s, scan_rss, scan_out = measure([binary, "scan", "--quiet", "--format", "json", str(cloudtrail)], runs, True)
    scan = json.loads(scan_out)
    if scan["input"]["records"] != records:
        sys.exit(f"scan decoded {scan['input']['records']} records, the generator wrote {records}")
    row("trail-vpce scan", scan_s, scan_rss)

    denied_argv = [binary, "denied", "--all-causes", "--quiet", "--format", "json"]
    denied_s, denied_rss, denied_out = measure([*denied_argv, str(cloudtrail)], runs, True)
    denied = json.loads(denied_out)
    row("trail-vpce denied --all-causes", denied_s, denied_rss)
    denied1_s, denied1_rss, _ = measure([*denied_argv, "--threads", "1", str(cloudtrail)], runs, True)
    row("trail-vpce denied --all-causes --threads 1", denied1_s, denied1_rss)
    whole_s, whole_rss, _ = measure([*denied_argv, str(size_dir)], runs, True)
    row("trail-vpce denied --all-causes, CloudTrail + S3 access logs", whole_s, whole_rss,
        f"+{manifest['access_log_bytes'] / 1e6:.0f} MB of access logs")

    jq_filter = ('reduce (inputs | .Records[] | select((.errorCode // "") | test("AccessDenied"))'
                 ' | "\\(.vpcEndpointId // "-")\\t\\(.eventName)") as $k ({}; .[$k] += 1)')
    jq_cmd = (f"find {shlex.quote(str(cloudtrail))} -name '*.json.gz' -print0 | xargs -0 zcat"
              f" | jq -n {shlex.quote(jq_filter)}")
    jq_s, jq_rss, jq_out = measure(["bash", "-c", jq_cmd], 1, True)
    jq_total = sum(json.loads(jq_out).values())
    row("jq (zcat, then jq reduce)", jq_s, jq_rss, f"{jq_total} AccessDenied records")

    duck_sql = f"""
        SELECT r.vpcEndpointId AS vpce, r.eventName AS event_name, count(*) AS n
        FROM (SELECT unnest(Records) AS r
              FROM read_json_auto('{cloudtrail}/**/*.json.gz', maximum_object_size = 1073741824))
        WHERE r.errorCode LIKE '%AccessDenied%'
        GROUP BY ALL"""
    duck_py = ("import duckdb, json; con = duckdb.connect(); con.execute('SET enable_progress_bar = false'); "
               f"print(json.dumps(sum(r[2] for r in con.sql({duck_sql!r}).fetchall())))")
    duck_s, duck_rss, duck_out = measure([sys.executable, "-c", duck_py], 1, True)
    duck_total = json.loads(duck_out)
    row("DuckDB (read_json_auto + unnest)", duck_s, duck_rss, f"{duck_total} AccessDenied records")
    if duck_total != jq_total:
        sys.exit(f"baselines disagree: jq counted {jq_total} AccessDenied records, DuckDB {duck_total}")

    double = None
    if double_dir:
        double_manifest = json.loads(Path(f"{double_dir}.manifest.json").read_text())
        subprocess.run(["bash", "-c", f"find {shlex.quote(str(double_dir))} -type f -exec cat {{}} + > /dev/null"],
                       check=True)
        d_s, d_rss, _ = measure([*denied_argv, str(double_dir / "AWSLogs")], runs, True)
        double = {"json_mb": round(double_manifest["cloudtrail_json_bytes"] / 1e6), "seconds": round(d_s, 3),
                  "peak_rss_mb": round(d_rss, 1)}

    ratios = {
        "denied_vs_floor": round(denied_s / floor_s, 2),
        "denied_threads1_mb_per_s": round(json_mb / denied1_s, 1),
        "faster_than_jq": round(jq_s / denied_s, 1),
        "faster_than_duckdb": round(duck_s / denied_s, 1),
        "rss_2x_over_1x": round(double["peak_rss_mb"] / denied_rss, 2) if double else None,
    }
    machine = {
        "cpu": next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                     if l.startswith("model name")), platform.processor()),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
    }
    result = {"machine": machine, "input": manifest, "runs": runs, "rows": rows, "ratios": ratios,
              "double_input": double, "denied_total": denied.get("summary", {}).get("total"),
              "jq_access_denied": jq_total, "duckdb_access_denied": duck_total}
    (ROOT / "bench" / "results.json").write_text(json.dumps(result, indent=2) + "\n")

    lines = [
        f"Machine: {machine['cpu']}, {machine['cores']} cores. Input: {manifest['cloudtrail_files']} CloudTrail "
        f"files, {records:,} records, {json_mb:,.0f} MB JSON ({manifest['cloudtrail_gzip_bytes'] / 1e6:,.0f} MB "
        f"gzip -6), plus {manifest['access_log_files']} access-log files ({manifest['access_log_bytes'] / 1e6:,.0f} MB). "
        f"Median of {runs} runs (jq and DuckDB: 1 run). MB/s and records/s are of the CloudTrail JSON.",
        "",
        "| what | wall s | MB/s | records/s | peak RSS MB | note |",
        "|---|---:|---:|---:|---:|---|",
    ]
    lines += [f"| {r['name']} | {r['seconds']:.2f} | {r['mb_per_s']:,.0f} | {r['records_per_s']:,} | "
              f"{r['peak_rss_mb']:.0f} | {r['note']} |" for r in rows]
    lines += ["", "| ratio | value | target |", "|---|---:|---|",
              f"| denied wall / decompression floor | {ratios['denied_vs_floor']} | ≤ 2.0 |",
              f"| denied --threads 1, MB/s | {ratios['denied_threads1_mb_per_s']} | ≥ 250 |",
              f"| jq wall / denied wall | {ratios['faster_than_jq']} | ≥ 20 |",
              f"| DuckDB wall / denied wall | {ratios['faster_than_duckdb']} | ≥ 30 |"]
    if double:
        lines.append(f"| peak RSS on 2× input ({double['json_mb']:,} MB) / 1× | {ratios['rss_2x_over_1x']} "
                     f"({double['peak_rss_mb']:.0f} MB) | flat, ≤ 200 MB |")
    table = "\n".join(lines) + "\n"
    (ROOT / "bench" / "results.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
