#!/usr/bin/env bash
# End-to-end benchmark: generate a large realistic input, then time the decompression floor, trail-vpce,
# jq and DuckDB on the same files. One command, from the repository root:
#
#   bench/e2e.sh            # 1 GB of CloudTrail JSON (plus a 2 GB copy for the memory-flatness check)
#   bench/e2e.sh 256        # a quicker run on 256 MB
#
# Environment: BENCH_DIR (where inputs go, default /tmp/trail-vpce-bench), BENCH_RUNS (default 3),
# CARGO_TARGET_DIR (default ~/.cache/trail-vpce/release-target), BENCH_SKIP_DOUBLE=1 to skip the 2x input.
# A cold release build of the full binary takes about 20 minutes on 2 cores; the tools about 2.
# Writes bench/results.md and bench/results.json.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MB="${1:-1024}"
BENCH_DIR="${BENCH_DIR:-/tmp/trail-vpce-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/trail-vpce/release-target}"

# Baselines: jq from Debian, DuckDB from PyPI (the version CI uses).
if ! command -v jq >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -q jq
fi
python3 -c 'import duckdb' 2>/dev/null || python3 -m pip install --quiet 'duckdb==1.5.6'

echo "== building (release): trail-vpce, then the benchmark tools (bench/tools, a workspace of their own)" >&2
cargo build --release --locked --bin trail-vpce
TOOLS_TARGET="${BENCH_TOOLS_TARGET_DIR:-$HOME/.cache/trail-vpce/bench-tools-target}"
CARGO_TARGET_DIR="$TOOLS_TARGET" cargo build --release --locked --manifest-path bench/tools/Cargo.toml
export TRAIL_VPCE_BIN="$CARGO_TARGET_DIR/release/trail-vpce"
export GUNZIP_FLOOR_BIN="$TOOLS_TARGET/release/gunzip_floor"

generate() { # generate SIZE_MB DIR: once per size and generator seed (the manifest marks a finished input)
  if [ ! -f "$2.manifest.json" ]; then
    echo "== generating $1 MB of CloudTrail JSON into $2" >&2
    rm -rf "$2"
    "$TOOLS_TARGET/release/gen_bench_logs" --templates sample-logs --out "$2" --size-mb "$1" \
      > "$2.manifest.tmp"
    mv "$2.manifest.tmp" "$2.manifest.json"
  fi
}

mkdir -p "$BENCH_DIR"
generate "$SIZE_MB" "$BENCH_DIR/${SIZE_MB}mb"
DOUBLE=""
if [ "${BENCH_SKIP_DOUBLE:-0}" != 1 ]; then
  generate "$((SIZE_MB * 2))" "$BENCH_DIR/$((SIZE_MB * 2))mb"
  DOUBLE="$BENCH_DIR/$((SIZE_MB * 2))mb"
fi

echo "== timing" >&2
python3 bench/e2e.py "$BENCH_DIR/${SIZE_MB}mb" "$DOUBLE"
