#!/usr/bin/env bash
# Creates (once) the Python virtual environment that holds moocore for bench/vs-moocore.ts, outside
# the repository, and prints two lines: its python path, then a one-line description of the build.
# Idempotent: an environment whose marker names the pinned version (and, for the native build, the
# compiler and the CPU it was built for) is reused as is; anything else there is rebuilt.
#
# Usage: venv.sh [native|wheel]   (default native)
#   native: moocore compiled here from its PyPI source distribution with CFLAGS="-O3 -march=native"
#           (the build the issue's figures used). moocore's build script appends $CFLAGS after its
#           own flags (-O3 -flto -fvisibility=hidden -march=x86-64-v2), so -march=native wins; the
#           verbose build log is kept in the environment as build.log, and the script fails unless
#           every compiler call on moocore's C sources in it, and the link (where -flto generates
#           the code), ends with -march=native.
#   wheel:  moocore's PyPI wheel as is (a generic build: -O3 -flto -march=x86-64-v2).
# Environment: PARETOPO_MOOCORE_VENV (the wheel's, default ~/.cache/paretopo/moocore-venv),
# PARETOPO_MOOCORE_NATIVE_VENV (default ~/.cache/paretopo/moocore-native-venv),
# PARETOPO_PYTHON (default python3; moocore needs Python ≥ 3.10), CC (default gcc, native only).
set -euo pipefail
MOOCORE_VERSION=0.3.2
BUILD="${1:-native}"
PY="${PARETOPO_PYTHON:-python3}"
case "$BUILD" in
  wheel)
    VENV="${PARETOPO_MOOCORE_VENV:-$HOME/.cache/paretopo/moocore-venv}"
    MARKER="$VENV/.paretopo-moocore-$MOOCORE_VERSION"
    DESCRIPTION="moocore $MOOCORE_VERSION, PyPI wheel (its generic build: -O3 -flto -march=x86-64-v2)"
    ;;
  native)
    VENV="${PARETOPO_MOOCORE_NATIVE_VENV:-$HOME/.cache/paretopo/moocore-native-venv}"
    CC="${CC:-gcc}"
    CC_VERSION="$("$CC" -dumpfullversion 2>/dev/null || "$CC" -dumpversion)"
    # What -march=native resolves to here: a cached build made for another CPU is rebuilt.
    MARCH="$("$CC" -march=native -Q --help=target 2>/dev/null | awk '$1 == "-march=" && !m { m = $2 } END { print m }' || true)"
    MARCH="${MARCH:-unknown}"
    MARKER="$VENV/.paretopo-moocore-$MOOCORE_VERSION-native-$(basename "$CC")-$CC_VERSION-$MARCH"
    DESCRIPTION="moocore $MOOCORE_VERSION, built here from its PyPI sdist with CFLAGS=\"-O3 -march=native\" ($(basename "$CC") $CC_VERSION, -march=native = $MARCH)"
    ;;
  *)
    echo "venv.sh: unknown build '$BUILD' (expected native or wheel)" >&2
    exit 2
    ;;
esac
if [[ ! -f "$MARKER" ]]; then
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV" >&2
  if [[ "$BUILD" == wheel ]]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moocore==$MOOCORE_VERSION" >&2
  else
    echo "venv.sh: building moocore $MOOCORE_VERSION from source with -O3 -march=native into $VENV (log: $VENV/build.log)" >&2
    # --no-cache-dir: pip would otherwise reuse a wheel it built earlier, whatever the flags then.
    if ! CC="$CC" CFLAGS="-O3 -march=native" "$VENV/bin/python" -m pip install --verbose --no-cache-dir \
      --disable-pip-version-check --no-binary moocore "moocore==$MOOCORE_VERSION" >"$VENV/build.log" 2>&1; then
      tail -n 30 "$VENV/build.log" >&2
      echo "venv.sh: the native build of moocore failed (log: $VENV/build.log)" >&2
      exit 1
    fi
    # Each compile of a moocore C file must end with our flags (the last -march wins).
    compiles="$(grep -E -- ' -c [^ ]*(libmoocore/[^ ]*|_libmoocore)\.c ' "$VENV/build.log" || true)"
    total="$(printf '%s' "$compiles" | grep -c . || true)"
    native="$(printf '%s' "$compiles" | grep -c -- '-O3 -march=native$' || true)"
    if [[ "$total" -eq 0 || "$native" -ne "$total" ]]; then
      echo "venv.sh: $native of $total compiler calls on moocore's sources end with -O3 -march=native (log: $VENV/build.log)" >&2
      exit 1
    fi
    # moocore links with -flto, so code is generated at the link: its last -march must be native too.
    link="$(grep -E -- ' -shared ' "$VENV/build.log" | grep -o -- '-march=[^ ]*' | tail -n 1 || true)"
    if [[ "$link" != "-march=native" ]]; then
      echo "venv.sh: the link step's last -march is '${link:-none}', not -march=native (log: $VENV/build.log)" >&2
      exit 1
    fi
    echo "venv.sh: $total compiler calls and the (LTO) link, each with -march=native last" >&2
  fi
  touch "$MARKER"
fi
echo "$VENV/bin/python"
echo "$DESCRIPTION"
