#!/usr/bin/env python3
"""Makes COUNT GKE Cluster JSON files for the audit benchmark (scripts/bench-gke-audit.sh).

Takes the fixtures of tests/fixtures/gke-clusters round-robin and varies, deterministically
(seeded), the names, the project and a few settings, so the files differ as a fleet would.

Usage: gen-gke-clusters.py OUTDIR [--count 200]
"""
import argparse, json, random
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "gke-clusters"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--count", type=int, default=200)
    a = ap.parse_args()
    rng = random.Random(20261122)
    bases = [json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))]
    out = Path(a.outdir)
    out.mkdir(parents=True, exist_ok=True)
    for i in range(a.count):
        c = json.loads(json.dumps(bases[i % len(bases)]))
        project = f"fleet-{i // 10:03d}"
        name = f"cluster-{i:03d}"
        c["name"] = name
        c["selfLink"] = f"https://container.googleapis.com/v1/projects/{project}/locations/europe-west1/clusters/{name}"
        if rng.random() < 0.3:
            c.setdefault("releaseChannel", {})["channel"] = rng.choice(["RAPID", "REGULAR", "STABLE"])
        if rng.random() < 0.2:
            c.setdefault("networkConfig", {})["enableIntraNodeVisibility"] = rng.random() < 0.5
        pools = c.get("nodePools", [])
        for j in range(rng.randint(0, 2)):
            if pools:
                extra = json.loads(json.dumps(pools[0]))
                extra["name"] = f"pool-{j}"
                extra["config"]["machineType"] = rng.choice(["e2-standard-4", "n2-standard-8", "c3-standard-4"])
                pools.append(extra)
        (out / f"{name}.json").write_text(json.dumps(c, indent=2) + "\n")
    print(f"wrote {a.count} clusters to {out}")


if __name__ == "__main__":
    main()
