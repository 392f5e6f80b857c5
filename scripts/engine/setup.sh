#!/usr/bin/env bash
# Builds (once) the Python environment of SkyRL's Tinker server and prints its folder.
#
#   scripts/engine/setup.sh           install if missing, print the folder
#   scripts/engine/setup.sh --check   print the folder if it is complete, else exit 3 (installs nothing)
#
# The folder lives outside the clone, keyed by a hash of the pins and of the Python version, so a
# second run (another clone, another CI job on the same machine) reuses it:
#   ${PARETOPO_ENGINE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/paretopo}/engine-<hash>
# Python 3.12 is required (SkyRL's types need typing.TypedDict support in pydantic, 3.12+): set
# PARETOPO_ENGINE_PYTHON, or have python3.12 on PATH or in pyenv.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
uv_version=0.13.9

# shellcheck source=find-python.sh
. "$here/find-python.sh"

python="$(find_python setup.sh)"
pyver="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
case "$pyver" in
  3.12.*) ;;
  *) echo "setup.sh: ERROR: $python is Python $pyver; SkyRL's server needs 3.12" >&2; exit 2 ;;
esac
hash="$( { cat "$here/requirements.lock" "$here/pyproject.toml"; echo "python $pyver uv $uv_version"; } | sha256sum | cut -c1-16)"
root="${PARETOPO_ENGINE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/paretopo}"
dir="$root/engine-$hash"

if [ -f "$dir/complete" ]; then
  echo "$dir"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "setup.sh: the engine is not installed (no $dir/complete); run scripts/engine/setup.sh" >&2
  exit 3
fi

mkdir -p "$root"
# One installer at a time per folder: a second CI job on this machine waits, then finds it complete.
exec 9>"$dir.lock"
flock 9
if [ -f "$dir/complete" ]; then
  echo "$dir"
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir/project"
start=$(date +%s)
echo "setup.sh: installing SkyRL's Tinker server into $dir (Python $pyver)" >&2
"$python" -m venv "$dir/venv"
"$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$uv_version" >&2
# --no-deps: the lock is the whole environment (no resolver run, no CUDA extras sneaking in).
"$dir/venv/bin/uv" pip install --quiet --python "$dir/venv/bin/python" --no-deps -r "$here/requirements.lock" >&2
cp "$here/pyproject.toml" "$dir/project/pyproject.toml"
# The import the server makes first, so a broken install fails here and not in the first test.
JAX_PLATFORMS=cpu "$dir/venv/bin/python" -c 'import torch, peft, jax, skyrl.tinker.api' >&2
touch "$dir/complete"
echo "setup.sh: installed in $(( $(date +%s) - start ))s" >&2
echo "$dir"
