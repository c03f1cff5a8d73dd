#!/usr/bin/env bash
# Checks Palisade's GKE output the way reviewers do, with ../shared/tools/gkecheck.py: every
# rendered CreateClusterRequest (the example and the test cluster files) is valid container v1
# input, and the audit fixtures are Clusters as the API describes them.
# Usage: scripts/gkecheck-corpus.sh PYTHON PALISADE_BIN
set -euo pipefail
py=$1 bin=$2
check=../shared/tools/gkecheck.py
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
n=0
for f in examples/gke-*.yaml tests/fixtures/gke-files/*.yaml; do
  "$bin" render -f "$f" -o json > "$out/$(basename "$f" .yaml).json"
  n=$((n + 1))
done
"$py" "$check" request "$out"/*.json
"$py" "$check" cluster tests/fixtures/gke-clusters/*.json
echo "gkecheck: $n rendered requests valid; $(ls tests/fixtures/gke-clusters/*.json | wc -l) audit fixtures valid"
