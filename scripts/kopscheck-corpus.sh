#!/usr/bin/env bash
# Checks Palisade's kops output the way reviewers do, with ../shared/tools/kopscheck.py:
# the rendered examples validate against the kops CRDs, and `harden` of every real kops spec
# adds no schema error and keeps every field outside the security-owned paths.
# Usage: scripts/kopscheck-corpus.sh PYTHON PALISADE_BIN
set -euo pipefail
py=$1 bin=$2
check=../shared/tools/kopscheck.py
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for ex in examples/kops-*.yaml; do
  "$bin" render -f "$ex" > "$out/$(basename "$ex")"
done
"$py" "$check" validate "$out"/kops-*.yaml
n=0
for f in tests/fixtures/kops-specs/*.yaml; do
  h="$out/hardened-$(basename "$f")"
  # exit 2 (something cannot be fixed in place) is expected for many real specs
  "$bin" harden kops "$f" --api-cidr 203.0.113.0/24 --ssh-cidr 198.51.100.0/24 > "$h" 2>/dev/null || [ $? -eq 2 ]
  "$py" "$check" newerrors "$f" "$h"
  "$py" "$check" preserve "$f" "$h"
  n=$((n + 1))
done
echo "kopscheck: examples valid; $n hardened specs add no schema error and keep untouched fields"
