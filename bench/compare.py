#!/usr/bin/env python3
"""A/B throughput of two trail-vpce binaries on the same input, in one run.

    bench/compare.py BASELINE_BIN CANDIDATE_BIN INPUT_DIR [RUNS]

Runs `scan`, `denied --all-causes` (all cores) and `denied --all-causes --threads 1` with each binary,
alternating baseline and candidate run by run (ABAB...) so that drift of the machine hits both alike, and prints
the median wall time of each, the candidate/baseline ratio, and the peak RSS (GNU time). Both binaries must give
the same number of analysed records, checked from `scan --format json`. Performance claims in the README and in
closing notes are these ratios, never absolute times from another run.
"""

import json
import statistics
import subprocess
import sys
import time

COMMANDS = [
    ("scan", ["scan", "--format", "json"]),
    ("denied --all-causes", ["denied", "--all-causes", "--format", "json"]),
    ("denied --all-causes --threads 1", ["denied", "--all-causes", "--format", "json", "--threads", "1"]),
]


def run(binary, args, source):
    """Wall seconds and peak RSS (MB) of one run; exit 1 (findings) is not a failure."""
    timed = ["/usr/bin/time", "-f", "%M", "-o", "/tmp/trail-vpce-compare.time", binary, *args, source, "-q"]
    started = time.perf_counter()
    proc = subprocess.run(timed, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"{binary} {' '.join(args)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    with open("/tmp/trail-vpce-compare.time") as f:
        rss_mb = int(f.read().split()[-1]) / 1024
    return seconds, rss_mb, proc.stdout


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    baseline, candidate, source = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    records = {}
    for name, binary in (("baseline", baseline), ("candidate", candidate)):
        _, _, out = run(binary, ["scan", "--format", "json"], source)
        records[name] = json.loads(out)["input"]["records"]
    if records["baseline"] != records["candidate"]:
        print(f"note: analysed records differ: {records}", file=sys.stderr)
    print(f"input: {source}, {records['candidate']:,} records (candidate); {runs} runs each, alternating")
    print()
    print("| command | baseline s | candidate s | candidate / baseline | baseline RSS MB | candidate RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, args in COMMANDS:
        times = {"baseline": [], "candidate": []}
        rss = {"baseline": 0.0, "candidate": 0.0}
        for _ in range(runs):
            for name, binary in (("baseline", baseline), ("candidate", candidate)):
                seconds, peak, _ = run(binary, args, source)
                times[name].append(seconds)
                rss[name] = max(rss[name], peak)
        base, cand = statistics.median(times["baseline"]), statistics.median(times["candidate"])
        print(f"| {label} | {base:.2f} | {cand:.2f} | {cand / base:.3f} | {rss['baseline']:.0f} | {rss['candidate']:.0f} |")


if __name__ == "__main__":
    main()
