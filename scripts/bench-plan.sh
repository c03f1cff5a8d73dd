#!/usr/bin/env bash
# Benchmark: whole-process wall time of `palisade plan` against an applied file:// store.
# Cases: examples/kops-private-ha.yaml, and a generated cluster with 50 node groups.
# Usage: scripts/bench-plan.sh [RUNS]   (builds the release binary first; not part of CI)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100}
cargo build --release --quiet
bin=$PWD/target/release/palisade
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 50 node groups over three zones
gen="$work/fifty.yaml"
sed -n '1,/^  nodeGroups:/p' examples/kops-private-ha.yaml > "$gen"
for i in $(seq 1 50); do
  printf '  - {name: pool-%02d, machineType: m6i.large, minSize: 1, maxSize: 3}\n' "$i" >> "$gen"
done
sed -n '/^  bastion:/,$p' examples/kops-private-ha.yaml >> "$gen"

measure() { # name file
  local name=$1 file=$2 state="file://$work/state-$1"
  "$bin" apply -f "$file" --state "$state" --yes > /dev/null
  "$bin" plan -f "$file" --state "$state" --detailed-exitcode > /dev/null   # exit 0: applied
  local times=()
  for _ in $(seq 1 "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$bin" plan -f "$file" --state "$state" > /dev/null
    t1=$(date +%s%N)
    times+=( $(( (t1 - t0) / 1000 )) )
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" -v n="$runs" '
    { a[NR] = $1 }
    END { printf "%-22s runs %d  median %.2f ms  p90 %.2f ms  min %.2f ms\n", name, n, a[int((n+1)/2)]/1000, a[int(n*0.9)]/1000, a[1]/1000 }'
}

echo "palisade plan, whole process, $(nproc) cores, $(date -u +%Y-%m-%d)"
measure kops-private-ha examples/kops-private-ha.yaml
measure fifty-node-groups "$gen"
