#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets) for SECONDS each (default 600), one after
# another, on the nightly toolchain beside stable, and prints one line per target: executions,
# seconds, corpus size, and whether it found a crash. Crashes land in fuzz/artifacts/TARGET/;
# each one becomes a regression input under fuzz/regressions/TARGET/ (replayed on stable by
# tests/fuzz_corpus.rs). Built without a sanitizer: the crate has no unsafe code of its own,
# and the speed is better spent on executions.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(cluster_file profile_chain kops_stream gke_json saved_plan store_objects)
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cd fuzz
cargo +nightly fuzz build -s none >/dev/null
mkdir -p ../target/fuzz-logs
for t in "${targets[@]}"; do
  log=../target/fuzz-logs/$t.log
  mkdir -p "corpus/$t"
  # a scratch corpus holds what the run finds; the committed one (seeds) stays small
  work=../target/fuzz-corpus/$t
  mkdir -p "$work" artifacts
  status=ok
  # the binary built above, run directly (cargo fuzz run would rebuild on every source change)
  (cd .. && "fuzz/target/x86_64-unknown-linux-gnu/release/$t" "target/fuzz-corpus/$t" "fuzz/corpus/$t" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -artifact_prefix="fuzz/artifacts/$t-" -print_final_stats=1) > "$log" 2>&1 || status=crash
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  size=$(ls "$work" | wc -l)
  echo "$t: ${seconds}s, $execs executions, corpus $size inputs, $status (log: target/fuzz-logs/$t.log)"
done
