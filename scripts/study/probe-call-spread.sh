#!/usr/bin/env bash
# Post-hoc probe of a study's checkpoints (not part of the pre-registered analysis): how often do
# G = 8 sampled answers to one RL prompt differ in their number of tool calls?
#
#   scripts/study/probe-call-spread.sh <checkpoint-or-warm-start-folder> [env] [label]
#
# Trains one step at lr 1e-9 from the checkpoint (64 RL prompts × G 8, temperature 1) into a
# temporary folder and prints the step-0 metrics row, which the trainer computes from that
# rollout before any update: sampled accuracy, calls, entropy, callsVaryingGroups (groups whose
# answers made different numbers of calls) and correctCallsVaryingGroups (groups with two correct
# answers of different call counts). Needs the study's work folder (runs/study-<task>/), whose
# checkpoints are not committed, and the built CLI (npm run build -w @paretopo/trainer).
set -euo pipefail
init="${1:?usage: probe-call-spread.sh <checkpoint folder> [env] [label]}"
env="${2:-arith}"
label="${3:-$init}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
node "$root/apps/trainer/dist/bin.js" train --env "$env" --method grpo-acc --init "$init" --steps 1 --prompts-per-step 64 --group-size 8 \
  --lr 1e-9 --eval.every 100 --eval.test false --out "$out/run" --quiet > /dev/null 2> "$out/log" || { cat "$out/log" >&2; exit 1; }
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]);
const f = (x, d) => x.toFixed(d);
console.log(`${process.argv[2].padEnd(20)} accuracy ${f(r.accuracy, 3)}  calls ${f(r.meanCalls, 2)}  entropy ${f(r.entropy, 3)}  varying ${f(r.callsVaryingGroups, 3)}  among correct ${f(r.correctCallsVaryingGroups, 3)}`);
' "$out/run/metrics.jsonl" "$label"
