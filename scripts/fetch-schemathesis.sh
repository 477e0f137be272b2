#!/usr/bin/env bash
# The OpenAPI fuzzer the contract test runs (tests/contract/openapi-contract.test.ts): schemathesis from PyPI, pinned,
# in a virtualenv of its own under .tools/ (ignored). Idempotent: does nothing when the pinned version is there.
# SCHEMATHESIS_PATH points the test at one installed elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
version=4.32.5
venv=.tools/schemathesis
if [ -x "$venv/bin/schemathesis" ] && "$venv/bin/schemathesis" --version | grep -qF "$version"; then exit 0; fi
if ! command -v python3 >/dev/null; then
  echo "[fetch-schemathesis] python3 is needed for the contract test's fuzzer (pip install schemathesis==$version)" >&2
  exit 1
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
echo "[fetch-schemathesis] schemathesis $version in $venv"
