#!/usr/bin/env bash
# The project's test command. Starts a real S3/EC2 server on loopback (moto, pinned to 5.1.22:
# newer releases break GetBucketVersioning for the Rust SDK, older ones ignore If-Match), points
# the AWS SDK at it, and runs every test. Tests that need the server fail, never skip, without it.
# Usage: scripts/test.sh [cargo test arguments]
#        scripts/test.sh --run CMD...   (any command, with the server up and the variables set)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.ci/.venv
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "installing moto[server]==5.1.22 into $venv (once)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]==5.1.22'
fi
# the Kubernetes OpenAPI schemas (1.x), for the in-cluster objects Palisade ships
if ! "$venv/bin/python" -c 'import kubernetes_validate' 2>/dev/null; then
  echo "installing kubernetes-validate==1.37.0 into $venv (once)" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check 'kubernetes-validate==1.37.0'
fi
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p target
# requests serialized: moto's own conditional writes are not atomic (scripts/moto-serial.py)
"$venv/bin/python" scripts/moto-serial.py 127.0.0.1 "$port" > target/moto.log 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true' EXIT
"$venv/bin/python" - "$port" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/moto-api/"
for _ in range(300):
    try:
        urllib.request.urlopen(url, timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit("moto did not start; see target/moto.log")
PY
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
export PALISADE_TEST_MOTO="$AWS_ENDPOINT_URL" PALISADE_TEST_MOTO_BIN="$PWD/$venv/bin/moto_server"
export PALISADE_TEST_PYTHON="$PWD/$venv/bin/python"
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL_EC2 KOPS_STATE_STORE
if [ "${1:-}" = "--run" ]; then
  shift
  "$@"
else
  cargo test --locked "$@"
fi
