# Sourced by setup.sh and gpu-check.sh. `find_python WHO` prints a Python 3.12 interpreter:
# $PARETOPO_ENGINE_PYTHON, else python3.12 on PATH, else pyenv's 3.12; none is an error (exit 2)
# whose message starts with WHO.
find_python() {
  if [ -n "${PARETOPO_ENGINE_PYTHON:-}" ]; then echo "$PARETOPO_ENGINE_PYTHON"; return; fi
  local p
  # A pyenv shim is on PATH even when it points at another version, so each candidate must run.
  for p in "$(command -v python3.12 || true)" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12; do
    if [ -n "$p" ] && [ -x "$p" ] && "$p" -c '' >/dev/null 2>&1; then echo "$p"; return; fi
  done
  echo "$1: ERROR: no Python 3.12 found (set PARETOPO_ENGINE_PYTHON, or put python3.12 on PATH)" >&2
  exit 2
}
