#!/usr/bin/env bash
# Measures the release binary over hostile input: every malformed fixture, every fuzz seed and
# regression, and generated worst cases (deep nesting in block and flow style, an alias bomb,
# long extends chains, files at and past each size limit, /dev/zero and a FIFO for every kind
# of input). Each run is bounded by `timeout 10` and measured by /usr/bin/time (wall seconds,
# peak RSS). Fails when any run aborts (a signal), hangs past 10 s, exits other than 0/1/2,
# or grows past BOUND_MB of memory (default 512).
# Usage: scripts/bench-malformed.sh [BOUND_MB]   (builds the release binary; not part of CI)
set -euo pipefail
cd "$(dirname "$0")/.."
bound_mb=${1:-512}
cargo build --release --quiet
bin=$PWD/target/release/palisade
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gen=$work/gen
mkdir -p "$gen"

python3 - "$gen" <<'PY'
import os, sys
g = sys.argv[1]
head = "apiVersion: palisade.dev/v1alpha1\nkind: Cluster\nname: a.example.com\n"
def w(name, text):
    with open(os.path.join(g, name), "w") as f:
        f.write(text)
# block nesting: a 3000-level mapping and 25000 levels of `- - - x`
w("cluster-deep-map.yaml", head + "overrides:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(3000)) + "  " * 3001 + "x\n")
w("cluster-deep-seq.yaml", head + "overrides: " + "- " * 25000 + "x\n")
# flow nesting: 100000 brackets
w("cluster-deep-flow.yaml", head + "overrides: " + "[" * 100000 + "]" * 100000 + "\n")
w("cluster-deep-flow-map.yaml", head + "overrides: " + "{a: " * 50000 + "x" + "}" * 50000 + "\n")
# an alias bomb (10^9 nodes expanded)
b = head + "overrides:\n  cluster:\n    a: &a [x,x,x,x,x,x,x,x,x,x]\n"
prev = "a"
for n in "bcdefghi":
    b += f"    {n}: &{n} [" + ",".join([f"*{prev}"] * 10) + "]\n"
    prev = n
w("cluster-alias-bomb.yaml", b)
# just past the cluster-file limit (1 MiB)
w("cluster-too-big.yaml", head + "#" + "x" * (1024 * 1024) + "\n")
# a profile chain of 2000 links, and one that extends itself
for i in range(2000):
    w(f"chain-{i}.yaml", f"apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: p{i}\n" + (f"extends: chain-{i+1}.yaml\n" if i < 1999 else ""))
w("profile-self.yaml", "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: s\nextends: profile-self.yaml\n")
# a kops spec at 16 MiB of comments plus a document, and deep JSON for GKE and plans
w("spec-big.yaml", "#" + "x" * (16 * 1024 * 1024) + "\n")
w("gke-deep.json", "[" * 200000 + "]" * 200000)
w("plan-deep.json", "{\"a\":" * 100000 + "1" + "}" * 100000)
# more clusters than one file may hold (10000), and the most it may
w("gke-wide.json", "[" + ",".join(['{"name":"c%d","nodePools":[]}' % i for i in range(200000)]) + "]")
w("gke-10000.json", "[" + ",".join(['{"name":"c%d","nodePools":[]}' % i for i in range(10000)]) + "]")
PY
mkfifo "$gen/fifo"

results=$work/results.tsv
: > "$results"
run() { # label args...
  local label=$1; shift
  local code
  /usr/bin/time -o "$work/time" -f "%e %M" timeout 10 "$bin" "$@" > /dev/null 2> "$work/stderr" && code=0 || code=$?
  # /usr/bin/time writes "Command exited with non-zero status N" before the figures
  local figures
  figures=$(tail -1 "$work/time")
  printf '%s\t%s\t%s\n' "$label" "$code" "$figures" >> "$results"
}

example=examples/kops-minimal.yaml
state="file://$work/state"
for f in tests/fixtures/malformed/*.yaml "$gen"/cluster-*.yaml; do
  run "cluster $(basename "$f")" plan -f "$f" --state "$state"
done
for f in fuzz/corpus/cluster_file/* fuzz/regressions/cluster_file/*; do
  [ -f "$f" ] && run "fuzz cluster $(basename "$f")" render -f "$f"
done
run "profile chain of 2000" audit -f "$example" --profile "$gen/chain-0.yaml"
run "profile extends itself" audit -f "$example" --profile "$gen/profile-self.yaml"
for f in fuzz/corpus/kops_stream/* fuzz/regressions/kops_stream/* "$gen/spec-big.yaml"; do
  [ -f "$f" ] && run "kops $(basename "$f")" audit --kops "$f"
done
for f in fuzz/corpus/gke_json/* fuzz/regressions/gke_json/* "$gen/gke-deep.json" "$gen/gke-wide.json" "$gen/gke-10000.json"; do
  [ -f "$f" ] && run "gke $(basename "$f")" audit --gke-json "$f"
done
for f in fuzz/corpus/saved_plan/* fuzz/regressions/saved_plan/* "$gen/plan-deep.json"; do
  [ -f "$f" ] && run "plan $(basename "$f")" apply "$f" --state "$state"
done
for kind in "plan -f" "render -f" "audit --kops" "audit --gke-json" "apply"; do
  # shellcheck disable=SC2086
  run "/dev/zero as $kind" $kind /dev/zero
  # a FIFO nobody writes to: refused, never waited on
  # shellcheck disable=SC2086
  run "a FIFO as $kind" $kind "$gen/fifo"
done

fail=0
while IFS=$'\t' read -r label code figures; do
  secs=${figures% *}; kb=${figures#* }
  if [ "$code" -ge 3 ] || [ "$((kb / 1024))" -gt "$bound_mb" ]; then
    echo "FAIL: $label: exit $code, ${secs} s, $((kb / 1024)) MiB" >&2
    fail=1
  fi
done < "$results"
count=$(wc -l < "$results")
echo "runs: $count"
echo "slowest:"; sort -t$'\t' -k3,3 -g -r "$results" | awk -F'\t' '{split($3, f, " "); printf "  %-50s exit %s  %6.2f s  %5d MiB\n", $1, $2, f[1], f[2] / 1024}' | head -5
echo "largest:"; awk -F'\t' '{split($3, f, " "); print f[2] "\t" $0}' "$results" | sort -g -r | cut -f2- | head -5 | awk -F'\t' '{split($3, f, " "); printf "  %-50s exit %s  %6.2f s  %5d MiB\n", $1, $2, f[1], f[2] / 1024}'
exit $fail
