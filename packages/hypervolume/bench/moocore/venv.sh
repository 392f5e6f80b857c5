#!/usr/bin/env bash
# Creates (once) the Python virtual environment that holds moocore for bench/vs-moocore.ts, outside
# the repository, and prints its python path. Idempotent: an environment whose marker names the
# pinned version is reused as is; anything else there is rebuilt.
# Environment: PARETOPO_MOOCORE_VENV (default ~/.cache/paretopo/moocore-venv),
# PARETOPO_PYTHON (default python3; moocore's wheels need Python ≥ 3.10).
set -euo pipefail
MOOCORE_VERSION=0.3.2
VENV="${PARETOPO_MOOCORE_VENV:-$HOME/.cache/paretopo/moocore-venv}"
PY="${PARETOPO_PYTHON:-python3}"
MARKER="$VENV/.paretopo-moocore-$MOOCORE_VERSION"
if [[ ! -f "$MARKER" ]]; then
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moocore==$MOOCORE_VERSION" >&2
  touch "$MARKER"
fi
echo "$VENV/bin/python"
