#!/usr/bin/env bash
# One-command GPU check of `paretopo train --engine tinker` on SkyRL's Tinker server with its GPU
# backend (FSDP2 workers, vLLM sampler), on a machine with an NVIDIA GPU:
#
#   scripts/engine/gpu-check.sh [--model Qwen/Qwen3-0.6B] [--steps 3] [--port 8000] [--backend fsdp]
#                               [--backend-config JSON] [--dry-run] [--help]
#
# 1. refuses (exit 3) unless `nvidia-smi -L` lists a GPU;
# 2. installs SkyRL 0.3.0 with its `tinker` and `fsdp` extras (CUDA torch, vLLM, flash-attn; several
#    GB, downloaded once) into a cached venv outside the clone, keyed like setup.sh's;
# 3. starts `skyrl.tinker.api --backend fsdp` on 127.0.0.1 with the model (downloaded by the server
#    from the Hugging Face hub unless cached);
# 4. runs `paretopo train --env arith --method paretopo --engine tinker` for --steps steps and prints
#    the timings: install, server ready, each RL step (from metrics.jsonl), the whole run.
# --dry-run stops after the GPU check and prints what it would run. Exit codes: 0 done, 2 bad
# usage or no Python 3.12, 3 no GPU, 1 any other failure (with the server log's tail).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
uv_version=0.13.9
skyrl_version=0.3.0
tinker_version=0.24.1

usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
}

model="Qwen/Qwen3-0.6B"
steps=3
port=8000
backend=fsdp
backend_config=""
dry_run=0
fail_usage() {
  echo "gpu-check: $1 (see scripts/engine/gpu-check.sh --help)" >&2
  exit 2
}
need_value() {
  if [ "$#" -lt 2 ] || [ -z "$2" ] || [ "${2#--}" != "$2" ]; then fail_usage "$1 needs a value"; fi
}
while [ "$#" -gt 0 ]; do
  case "$1" in
    --help|-h) usage; exit 0 ;;
    --model) need_value "$@"; model="$2"; shift 2 ;;
    --steps) need_value "$@"; steps="$2"; shift 2 ;;
    --port) need_value "$@"; port="$2"; shift 2 ;;
    --backend) need_value "$@"; backend="$2"; shift 2 ;;
    --backend-config) need_value "$@"; backend_config="$2"; shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    *) fail_usage "unknown argument '$1'" ;;
  esac
done
case "$steps" in ''|*[!0-9]*) fail_usage "--steps must be a whole number >= 1 (got '$steps')" ;; esac
[ "$steps" -ge 1 ] || fail_usage "--steps must be a whole number >= 1 (got '$steps')"
case "$port" in ''|*[!0-9]*) fail_usage "--port must be a port number 1-65535 (got '$port')" ;; esac
{ [ "$port" -ge 1 ] && [ "$port" -le 65535 ]; } || fail_usage "--port must be a port number 1-65535 (got '$port')"
case "$backend" in fsdp|megatron) ;; *) fail_usage "--backend must be fsdp or megatron (got '$backend')" ;; esac
case "$model" in *[!A-Za-z0-9._/-]*) fail_usage "--model must be a Hugging Face model name or a folder (letters, digits, . _ / -; got '$model')" ;; esac

# The GPU: nvidia-smi must list at least one (PARETOPO_NVIDIA_SMI names another binary, for tests).
smi="${PARETOPO_NVIDIA_SMI:-nvidia-smi}"
if ! command -v "$smi" >/dev/null 2>&1; then
  echo "gpu-check: ERROR: no NVIDIA GPU here: '$smi' is not installed (this check needs an NVIDIA GPU and its driver; on a CPU machine run the engine suites instead: scripts/engine/setup.sh, then PARETOPO_REQUIRE_ENGINE=1 npm test)" >&2
  exit 3
fi
gpus="$("$smi" -L 2>/dev/null | grep '^GPU ' || true)"
if [ -z "$gpus" ]; then
  echo "gpu-check: ERROR: no NVIDIA GPU here: '$smi -L' lists none (driver not loaded, or no device; this check needs one)" >&2
  exit 3
fi
echo "gpu-check: $(printf '%s\n' "$gpus" | wc -l) GPU(s):" >&2
printf '  %s\n' "$gpus" >&2

root="${PARETOPO_ENGINE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/paretopo}"
dir="$root/engine-gpu-$(echo "skyrl $skyrl_version tinker $tinker_version uv $uv_version $backend" | sha256sum | cut -c1-16)"
extra="$backend"
server_args=(run --project "$dir/project" --no-sync --extra tinker --extra "$extra" -m skyrl.tinker.api
  --host 127.0.0.1 --port "$port" --base-model "$model" --backend "$backend")
[ -n "$backend_config" ] && server_args+=(--backend-config "$backend_config")
train_args=(train --env arith --method paretopo --engine tinker --engine.url "http://127.0.0.1:$port"
  --engine.baseModel "$model" --steps "$steps" --prompts-per-step 2 --group-size 4 --max-tokens 128 --max-turns 4
  --task '{"validationCount":4,"testCount":4}' --eval.every 1000 --eval.test false --quiet)

if [ "$dry_run" = 1 ]; then
  echo "gpu-check: --dry-run: would install skyrl[tinker,$extra]==$skyrl_version into $dir/venv, then run:"
  echo "  $dir/venv/bin/uv ${server_args[*]}"
  echo "  node apps/trainer/dist/bin.js ${train_args[*]} --engine.tokenizer <the model's tokenizer folder> --out <scratch>/run"
  exit 0
fi

# shellcheck source=find-python.sh
. "$here/find-python.sh"

t_start=$(date +%s)
if [ ! -f "$dir/complete" ]; then
  python="$(find_python gpu-check)"
  echo "gpu-check: installing skyrl[tinker,$extra]==$skyrl_version (GPU wheels: CUDA torch, vLLM, flash-attn) into $dir" >&2
  rm -rf "$dir"
  mkdir -p "$dir/project"
  "$python" -m venv "$dir/venv"
  "$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$uv_version"
  "$dir/venv/bin/uv" pip install --python "$dir/venv/bin/python" "skyrl[tinker,$extra]==$skyrl_version" "tinker==$tinker_version" huggingface_hub
  cat >"$dir/project/pyproject.toml" <<EOF
[project]
name = "paretopo-engine-gpu-harness"
version = "0.0.0"
requires-python = ">=3.12,<3.13"
dependencies = []

[project.optional-dependencies]
tinker = []
$extra = []
EOF
  "$dir/venv/bin/python" -c 'import torch, vllm, skyrl.tinker.api; assert torch.cuda.is_available(), "torch sees no CUDA device"'
  touch "$dir/complete"
fi
t_installed=$(date +%s)

# The trainer, built once.
if [ ! -f "$repo/apps/trainer/dist/bin.js" ]; then
  (cd "$repo" && npm run build --silent -w @paretopo/trainer)
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/paretopo-gpu-check-XXXXXX")"
log="$work/server.log"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM -- "-$server_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$server_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
export UV_PROJECT_ENVIRONMENT="$dir/venv" UV_NO_CONFIG=1 PATH="$dir/venv/bin:$PATH"
# The model's tokenizer files (the trainer renders prompts with its chat template).
tokenizer="$("$dir/venv/bin/python" -c 'import sys; from huggingface_hub import snapshot_download; print(snapshot_download(sys.argv[1], allow_patterns=["tokenizer.json", "tokenizer_config.json"]))' "$model" 2>/dev/null || true)"
if [ -d "$model" ]; then tokenizer="$model"; fi
if [ -z "$tokenizer" ] || [ ! -f "$tokenizer/tokenizer.json" ]; then
  echo "gpu-check: ERROR: could not get $model's tokenizer.json and tokenizer_config.json (hub unreachable? pass a local model folder as --model)" >&2
  exit 1
fi
# The server in its own process group, so its engine and vLLM workers stop with it.
(cd "$work" && exec setsid "$dir/venv/bin/uv" "${server_args[@]}" --database-url "sqlite:///$work/tinker.db" --checkpoints-base "$work/checkpoints") >"$log" 2>&1 &
server_pid=$!
echo "gpu-check: server starting (pid $server_pid, log $log)" >&2
ready=0
for _ in $(seq 1 1800); do
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  if curl -fsS "http://127.0.0.1:$port/api/v1/healthz" >/dev/null 2>&1; then ready=1; break; fi
  sleep 1
done
if [ "$ready" != 1 ]; then
  echo "gpu-check: ERROR: the server did not come up; last lines of $log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
t_listening=$(date +%s)
if ! node "$repo/apps/trainer/dist/bin.js" "${train_args[@]}" --engine.tokenizer "$tokenizer" --out "$work/run"; then
  echo "gpu-check: ERROR: paretopo train failed; last lines of $log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
t_done=$(date +%s)
echo "gpu-check: timings (wall seconds)"
echo "  install (0 when cached):        $(( t_installed - t_start ))"
echo "  server listening:               $(( t_listening - t_installed ))"
echo "  paretopo train ($steps steps, incl. engine load and evaluations): $(( t_done - t_listening ))"
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
for (const r of rows) console.log(`  step ${r.step}: ${r.seconds.toFixed(1)} s, ${r.generatedTokens} generated tokens, accuracy ${r.accuracy.toFixed(3)}, loss ${r.loss.toFixed(4)}`);
' "$work/run/metrics.jsonl"
nvidia_model="$(printf '%s\n' "$gpus" | head -n 1)"
echo "gpu-check: done on $nvidia_model with $model (run folder $work/run)"
