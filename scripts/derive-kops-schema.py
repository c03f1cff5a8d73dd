#!/usr/bin/env python3
"""Derives Palisade's own copy of the kops v1alpha2 CRD schemas (DESIGN.md §7).

Reads the CRDs under ../shared/reference/kops/ (or --ref DIR) and keeps only what validation needs:
type, properties, additionalProperties, items, required, anyOf, pattern and the x-kubernetes-*
markers. Descriptions, defaults and formats are dropped. Output is deterministic JSON, so
`--check` can tell whether the committed copy is out of date.

Usage: derive-kops-schema.py [--ref DIR] [--check]
"""
import argparse, json, sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "schemas" / "kops"
CRDS = {"cluster.json": "kops.k8s.io_clusters.yaml", "instancegroup.json": "kops.k8s.io_instancegroups.yaml"}
KEEP = {"type", "required", "pattern", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields"}


def strip(node):
    out = {}
    for key, value in node.items():
        if key in KEEP:
            out[key] = value
        elif key == "properties":
            out[key] = {k: strip(v) for k, v in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = strip(value) if isinstance(value, dict) else value
        elif key == "anyOf":
            out[key] = [strip(v) for v in value]
    return out


def derive(ref):
    files = {}
    for name, crd in CRDS.items():
        doc = yaml.safe_load(open(ref / crd))
        version = doc["spec"]["versions"][0]
        schema = strip(version["schema"]["openAPIV3Schema"])
        schema = {"x-source": f"kops CRD {crd}, version {version['name']}", **schema}
        files[name] = json.dumps(schema, indent=1, sort_keys=True) + "\n"
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", type=Path, default=ROOT.parent / "shared" / "reference" / "kops")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    stale = []
    for name, text in derive(args.ref).items():
        path = OUT / name
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print("out of date (run scripts/derive-kops-schema.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
