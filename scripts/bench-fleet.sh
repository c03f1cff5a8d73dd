#!/usr/bin/env bash
# Benchmark: one `palisade plan -f DIR` over a repository of cluster files, against one process
# per file. Generates N kops cluster files (1-50 node groups, baseline and strict, some with
# waivers) and a few GKE files (rendered offline), applies the kops ones to a file:// store,
# then times whole processes (release build): `plan -f DIR` for N = 50, 500, 2000, one
# `plan -f FILE` process per file for N = 500, `render -f DIR` with the GKE files, and
# `audit --gke-json` over 2000 GKE cluster files. Peak memory from /usr/bin/time.
# Usage: scripts/bench-fleet.sh [RUNS]   (not part of CI; figures in docs/benchmarks.md)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet
bin=$PWD/target/release/palisade
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import os, sys
work = sys.argv[1]
base = open("examples/kops-minimal.yaml").read()
head, _, _ = base.partition("  nodeGroups:\n")
for n in (50, 500, 2000):
    for i in range(n):
        env = ("dev", "staging", "prod")[i % 3]
        d = os.path.join(work, f"fleet-{n}", "clusters", env)
        os.makedirs(d, exist_ok=True)
        name = f"c{i:04d}.{env}.example.com"
        body = head.replace("name: minimal.example.com", f"name: {name}")
        strict = i % 4 == 3
        if strict:
            body = body.replace("profile: baseline", "profile: strict")
            body = body.replace("  kubernetesVersion:", f"  discoveryStore: s3://oidc-{i:04d}\n  kubernetesVersion:")
        groups = i % 50 + 1
        body += "  nodeGroups:\n" + "".join(
            f"  - {{name: pool-{g:02d}, machineType: m6i.large, minSize: 1, maxSize: 3}}\n" for g in range(groups))
        body += "access:\n  apiCidrs: [203.0.113.0/24]\n"
        if i % 10 == 5 and not strict:
            body = body.replace("apiCidrs: [203.0.113.0/24]", "apiCidrs: [0.0.0.0/0]")
            body += "waivers:\n- control: api-access-restricted\n  reason: \"public demo, ticket OPS-1\"\n  expires: 2099-01-01\n"
        open(os.path.join(d, f"c{i:04d}.yaml"), "w").write(body)
# a few GKE files, for render (a GKE plan is made against the live cluster)
gke = open("examples/gke-private.yaml").read()
d = os.path.join(work, "render", "clusters")
os.makedirs(d, exist_ok=True)
for i in range(20):
    open(os.path.join(d, f"gke-{i:02d}.yaml"), "w").write(gke.replace("name: payments-prod", f"name: payments-{i:02d}"))
PY
cp -r "$work/fleet-500/clusters" "$work/render/kops"

median_ms() { sort -n | awk '{ a[NR] = $1 } END { printf "%.0f", a[int((NR+1)/2)] }'; }

time_cmd() { # label, command...: median wall ms over $runs, peak RSS of the last run
  local label=$1; shift
  local times=() rss=0
  for _ in $(seq 1 "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$work/rss" "$@" > /dev/null 2> "$work/err" || true
    t1=$(date +%s%N)
    times+=( $(( (t1 - t0) / 1000000 )) )
    rss=$(tail -1 "$work/rss")
  done
  local m
  m=$(printf '%s\n' "${times[@]}" | median_ms)
  printf '%-48s median %6s ms   peak RSS %6s MB\n' "$label" "$m" "$((rss / 1024))"
  echo "$m" > "$work/last"
}

echo "palisade fleet, whole process, release, $(nproc) cores, $(date -u +%Y-%m-%d), $runs runs each"
for n in 50 500 2000; do
  dir="$work/fleet-$n/clusters"
  state="file://$work/state-$n"
  "$bin" apply -f "$dir" --state "$state" --yes > /dev/null 2>&1
  # applied: a second plan shows no changes
  "$bin" plan -f "$dir" --state "$state" --detailed-exitcode > /dev/null
  time_cmd "plan -f DIR, N=$n" "$bin" plan -f "$dir" --state "$state"
  [ "$n" = 500 ] && cp "$work/last" "$work/one-run-500"
done

dir="$work/fleet-500/clusters"
state="file://$work/state-500"
mapfile -t files < <(find "$dir" -name '*.yaml' | sort)
each=()
for _ in $(seq 1 "$runs"); do
  t0=$(date +%s%N)
  for f in "${files[@]}"; do "$bin" plan -f "$f" --state "$state" > /dev/null; done
  t1=$(date +%s%N)
  each+=( $(( (t1 - t0) / 1000000 )) )
done
m=$(printf '%s\n' "${each[@]}" | median_ms)
printf '%-48s median %6s ms\n' "plan -f FILE, one process per file, N=500" "$m"
echo "ratio (separate processes / one run), N=500: $(awk -v a="$m" -v b="$(cat "$work/one-run-500")" 'BEGIN { printf "%.1f", a / b }')x"

time_cmd "render -f DIR (500 kops + 20 GKE files)" "$bin" render -f "$work/render"

python3 scripts/gen-gke-clusters.py "$work/gke-json" --count 2000 > /dev/null
time_cmd "audit --gke-json DIR, 2000 GKE clusters" "$bin" audit --gke-json "$work/gke-json" -o json
