#!/usr/bin/env bash
# The Spark job against the single binary, on one machine and the same input: what the engine costs.
#
#   bench/spark.sh [INPUT_DIR]     # default: the 1 GB input bench/e2e.sh generates
#
# Times (median of BENCH_RUNS, default 3, runs alternated): `trail-vpce export` (all cores), the Spark job on
# local[N] (N = cores; listing, export per batch on executors, the dataset write, the four SQL analyses), and
# `trail-vpce denied --all-causes` for scale. Needs the release binary (bench/e2e.sh builds it), pyspark, pyarrow.
set -euo pipefail
cd "$(dirname "$0")/.."
INPUT="${1:-${BENCH_DIR:-/tmp/trail-vpce-bench}/1024mb}"
BIN="${TRAIL_VPCE_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/trail-vpce/release-target}/release/trail-vpce}"
RUNS="${BENCH_RUNS:-3}"
CORES="$(nproc)"
# Batches small enough that every core gets several (the default, 256 MiB of gzip, is one task here).
BATCH="${BENCH_BATCH_BYTES:-$((16 << 20))}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

seconds() { # seconds COMMAND...: wall time of one run, output discarded
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

declare -a export_s spark_s denied_s
for run in $(seq "$RUNS"); do
  rm -rf "$WORK/export" "$WORK/spark"
  export_s+=("$(seconds "$BIN" export "$INPUT" --out "$WORK/export" -q)")
  spark_s+=("$(seconds spark-submit --master "local[$CORES]" --conf spark.ui.enabled=false \
    --driver-memory 2g contrib/spark/trail_vpce_spark.py "$INPUT" --binary "$BIN" --batch-bytes "$BATCH" \
    --out "$WORK/spark/events" --results "$WORK/spark/results")")
  denied_s+=("$(seconds "$BIN" denied "$INPUT" --all-causes --format json -q)")
  echo "run $run: export ${export_s[-1]} s, spark ${spark_s[-1]} s, denied ${denied_s[-1]} s" >&2
done
books=$(cat "$WORK"/spark/results/books/part-*)
rows=$(echo "$books" | python3 -c "import json, sys; print(json.load(sys.stdin)['rows'])")
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mb=$(du -sm --apparent-size "$INPUT" | cut -f1)
e=$(median "${export_s[@]}"); s=$(median "${spark_s[@]}"); d=$(median "${denied_s[@]}")
cat <<REPORT
Input: $INPUT ($mb MB on disk), $rows rows in the Spark dataset. $CORES cores, median of $RUNS runs.

| what | wall s | ratio to export |
|---|---:|---:|
| trail-vpce denied --all-causes | $d | $(echo "scale=2; $d / $e" | bc) |
| trail-vpce export | $e | 1.00 |
| Spark job, local[$CORES] (list, export per batch, write dataset, 4 SQL analyses) | $s | $(echo "scale=2; $s / $e" | bc) |

Last run's books: $books
REPORT
