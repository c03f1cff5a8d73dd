#!/usr/bin/env python3
"""Copies the real kops cluster specs of ../shared/reference/kops/fixtures/ into
tests/fixtures/kops-specs/ (DESIGN.md §7), byte for byte. `--check` fails when the copies differ.

Usage: sync-kops-fixtures.py [--ref DIR] [--check]
"""
import argparse, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "kops-specs"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", type=Path, default=ROOT.parent / "shared" / "reference" / "kops")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    src = sorted((args.ref / "fixtures").glob("*.yaml"))
    if not src:
        print(f"no fixtures under {args.ref / 'fixtures'}", file=sys.stderr)
        return 1
    stale = []
    for f in src:
        dest = OUT / f.name
        data = f.read_bytes()
        if args.check:
            if not dest.exists() or dest.read_bytes() != data:
                stale.append(f.name)
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
    extra = sorted({p.name for p in OUT.glob("*.yaml")} - {f.name for f in src})
    if args.check and extra:
        stale += [f"{e} (not in the reference)" for e in extra]
    if stale:
        print("kops fixtures out of date (run scripts/sync-kops-fixtures.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
