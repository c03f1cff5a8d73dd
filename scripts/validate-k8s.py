"""Validates Kubernetes objects strictly against the OpenAPI schemas kubernetes-validate bundles.

Usage: validate-k8s.py MINOR_FROM MINOR_TO FILE...   (e.g. 30 34 objects.yaml)
Every document of every FILE is validated for every Kubernetes minor version from 1.MINOR_FROM
to 1.MINOR_TO, strictly (an unknown field is an error), from Python so that a kind without a
schema is an error too, not the command-line tool's warning. Exits 1 naming each failure.
"""
import sys

import kubernetes_validate
import yaml


def main() -> int:
    low, high, files = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    failures, checked = [], 0
    for path in files:
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        for doc in docs:
            what = f"{path}: {doc.get('kind')}/{doc.get('metadata', {}).get('namespace', '')}/{doc.get('metadata', {}).get('name')}"
            for minor in range(low, high + 1):
                version = f"1.{minor}.0"
                try:
                    kubernetes_validate.validate(doc, version, strict=True)
                    checked += 1
                except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as e:
                    failures.append(f"{what} on {version}: {getattr(e, 'message', e)}")
    for f in failures:
        print(f, file=sys.stderr)
    print(f"{checked} object-versions valid, {len(failures)} invalid")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
