#!/usr/bin/env bash
# Benchmark: whole-process wall time of `palisade audit --gke-json DIR` over 200 GKE cluster
# JSON files made by scripts/gen-gke-clusters.py from the test fixtures. Target: under 100 ms.
# Usage: scripts/bench-gke-audit.sh [RUNS] [--debug]   (release build by default; not part of CI)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
if [ "${2:-}" = "--debug" ]; then
  cargo build --quiet
  bin=$PWD/target/debug/palisade
else
  cargo build --release --quiet
  bin=$PWD/target/release/palisade
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/gen-gke-clusters.py "$work/clusters" --count 200 > /dev/null
count=$(ls "$work/clusters"/*.json | wc -l)
bytes=$(cat "$work/clusters"/*.json | wc -c)

"$bin" audit --gke-json "$work/clusters" -o json > "$work/report.json" || true   # exit 2: findings
reports=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/report.json")
[ "$reports" = "$count" ] || { echo "expected $count reports, got $reports" >&2; exit 1; }

times=()
for _ in $(seq 1 "$runs"); do
  t0=$(date +%s%N)
  "$bin" audit --gke-json "$work/clusters" -o json > /dev/null || true
  t1=$(date +%s%N)
  times+=( $(( (t1 - t0) / 1000 )) )
done
echo "palisade audit --gke-json: $count files, $bytes bytes, $(nproc) cores, $(date -u +%Y-%m-%d), $(basename "$(dirname "$bin")") build"
printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" '
  { a[NR] = $1 }
  END { printf "runs %d  median %.2f ms  p90 %.2f ms  min %.2f ms\n", n, a[int((n+1)/2)]/1000, a[int(n*0.9)]/1000, a[1]/1000 }'
