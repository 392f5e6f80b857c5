#!/usr/bin/env bash
# The RL-step bench (bench/rl-step.bench.ts, RL_BENCH_REPEATS=3 unless set) under V8's CPU profiler,
# then the self-time shares of its main thread by kind of work (scripts/profile-shares.mjs). The
# matmul worker's own profile is left out: V8 samples a thread blocked in Atomics.wait as busy.
# Shares include the bench's untimed warm-up and matmul probe.
#
# Run from anywhere: bash apps/trainer/bench/profile-rl-step.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
dir="$(mktemp -d "${TMPDIR:-/tmp}/paretopo-rl-profile-XXXXXX")"
trap 'rm -rf "$dir"' EXIT
cd "$root/apps/trainer"
RL_BENCH_REPEATS="${RL_BENCH_REPEATS:-3}" npx vitest bench --run --config ../../vitest.config.ts --root . \
  --execArgv=--cpu-prof --execArgv="--cpu-prof-dir=$dir" bench/rl-step.bench.ts | grep -E 'tokens/s|final weights' || true
# Node names a profile CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile; the bench runs on thread 1,
# the matmul worker it starts on a later one.
main=("$dir"/CPU.*.*.*.1.*.cpuprofile)
[ -f "${main[0]}" ] || { echo "profile-rl-step: no main-thread profile in $dir" >&2; exit 1; }
node "$root/scripts/profile-shares.mjs" --top 10 \
  --group 'matmul=^(wasm-function|js-to-wasm|GenericJSToWasmWrapper|matmulFast|matmulLocal|claimChunks|packedB|unpackSums|packTransposed|packPanels|packPanelsTransposed)\b' \
  --group 'decoding attention=^cachedAttention\b' \
  --group 'attention forward=^(attentionJs|attentionHeadBlocked)\b' \
  --group 'attention backward=^(attentionBackwardJs|attentionBackwardHeadBlocked)\b' \
  --group 'garbage collection=^\(garbage collector\)' \
  --group 'GELU forward=^geluJs\b' \
  --group 'GELU backward=^geluBackwardJs\b' \
  "${main[@]}"
