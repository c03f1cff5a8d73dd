"""Validates Kubernetes objects, one JSON document per line on stdin, strictly against the
OpenAPI schema of Kubernetes 1.MINOR that kubernetes-validate bundles; answers one line per
object on stdout: `ok`, or `invalid: WHY`. The fake Kubernetes API server of the tests keeps one
running and checks every body it is sent, as the real API server would.

Usage: validate-k8s-lines.py MINOR   (e.g. 33)
"""
import json
import sys

import kubernetes_validate


def main() -> int:
    version = f"1.{int(sys.argv[1])}.0"
    for line in sys.stdin:
        try:
            doc = json.loads(line)
            kubernetes_validate.validate(doc, version, strict=True)
            answer = "ok"
        except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as e:
            answer = "invalid: " + str(getattr(e, "message", e)).replace("\n", " ")
        except ValueError as e:
            answer = "invalid: not JSON: " + str(e).replace("\n", " ")
        print(answer, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
