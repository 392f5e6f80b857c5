import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_SCRIPTS } from './engine';

/*
 * scripts/engine/gpu-check.sh without a GPU: its arguments, its refusal on a machine without an
 * NVIDIA GPU, and (with a stand-in nvidia-smi that lists one) the plan of --dry-run. The GPU run
 * itself needs a GPU machine; nothing here installs or starts anything.
 */
const script = join(ENGINE_SCRIPTS, 'gpu-check.sh');
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'paretopo-gpu-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fakeSmi(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

async function gpuCheck(args: string[], smi: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('bash', [script, ...args], { env: { ...process.env, PARETOPO_NVIDIA_SMI: smi, PARETOPO_ENGINE_HOME: join(work, 'home') } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('scripts/engine/gpu-check.sh (no GPU here)', () => {
  const missing = join(work, 'no-such-nvidia-smi');

  it('refuses with exit 3 and a message when nvidia-smi is not installed', async () => {
    const r = await gpuCheck([], missing);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`gpu-check: ERROR: no NVIDIA GPU here: '${missing}' is not installed`);
  });

  it('refuses with exit 3 when nvidia-smi lists no GPU', async () => {
    const smi = fakeSmi('smi-none', 'echo "No devices were found"; exit 6');
    const r = await gpuCheck(['--steps', '2'], smi);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`'${smi} -L' lists none`);
  });

  it.each([
    [['--steps', 'x'], "--steps must be a whole number >= 1 (got 'x')"],
    [['--steps', '0'], "--steps must be a whole number >= 1 (got '0')"],
    [['--port', '70000'], "--port must be a port number 1-65535 (got '70000')"],
    [['--backend', 'jax'], "--backend must be fsdp or megatron (got 'jax')"],
    [['--model', 'a b;rm'], '--model must be a Hugging Face model name or a folder'],
    [['--model'], '--model needs a value'],
    [['--model', '--steps'], '--model needs a value'],
    [['--gpus', '2'], "unknown argument '--gpus'"],
  ])('%j is a usage error (exit 2) before anything runs', async (args, message) => {
    const r = await gpuCheck(args, missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`gpu-check: ${message}`);
  });

  it('--help prints the usage and exits 0', async () => {
    const r = await gpuCheck(['--help'], missing);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^One-command GPU check of `paretopo train --engine tinker`/);
    expect(r.stdout).toContain('scripts/engine/gpu-check.sh [--model Qwen/Qwen3-0.6B] [--steps 3] [--port 8000] [--backend fsdp]');
    expect(r.stdout).toContain('--dry-run stops after the GPU check');
  });

  it('--dry-run with a GPU listed prints the server and trainer commands it would run', async () => {
    const smi = fakeSmi('smi-one', 'echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0)"');
    const r = await gpuCheck(['--dry-run', '--model', 'Qwen/Qwen3-1.7B', '--steps', '5', '--port', '8123'], smi);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('gpu-check: 1 GPU(s):\n  GPU 0: NVIDIA H100 80GB HBM3');
    expect(r.stdout).toContain('would install skyrl[tinker,fsdp]==0.3.0');
    expect(r.stdout).toContain('--extra tinker --extra fsdp -m skyrl.tinker.api --host 127.0.0.1 --port 8123 --base-model Qwen/Qwen3-1.7B --backend fsdp');
    expect(r.stdout).toContain('train --env arith --method paretopo --engine tinker --engine.url http://127.0.0.1:8123 --engine.baseModel Qwen/Qwen3-1.7B --steps 5');
  });
});
