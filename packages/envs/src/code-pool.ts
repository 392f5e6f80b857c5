import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ToolResult } from './tool';

/**
 * What one sandboxed run needs (resolved limits; the time limit already lowered by the caller).
 *
 * @example
 * const job: SandboxJob = { code: '6*7', timeLimitMs: 1000, memoryLimitBytes: 33554432, maxStackBytes: 65536, maxOutputChars: 4096 };
 */
export interface SandboxJob {
  code: string;
  timeLimitMs: number;
  memoryLimitBytes: number;
  maxStackBytes: number;
  maxOutputChars: number;
}

type WorkerReply = { seq: number; type: 'started' } | { seq: number; type: 'done'; result: ToolResult };

// How long after its own deadline a worker may take to report before it is terminated. The
// interrupt handler normally unwinds within a few ms; this only catches steps that block it.
const TIMEOUT_GRACE_MS = 200;
// After an abort the interrupt handler sees the shared flag at its next poll; a worker stuck in a
// long native step is terminated after this.
const ABORT_GRACE_MS = 50;
// Loading QuickJS (compiling the WebAssembly module) in a fresh worker is trusted code, but a
// worker that never starts must not hang the caller.
const START_LIMIT_MS = 30_000;
// Backstop on the worker's own V8 heap (QuickJS's memory is a separate capped WebAssembly.Memory).
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 };

const WORKER_URL = new URL('./code-worker.mjs', import.meta.url);

interface Pending {
  job: SandboxJob;
  signal: AbortSignal | undefined;
  resolve: (r: ToolResult) => void;
}

interface Running extends Pending {
  seq: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  onAbort: (() => void) | undefined;
}

const aborted = (): ToolResult => ({ ok: false, output: 'error: call aborted', error: 'aborted' });

// One worker thread plus the shared abort flag its interrupt handler reads.
class Slot {
  private worker: Worker | undefined;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;
  running: Running | undefined;

  constructor(private readonly onIdle: () => void) {}

  start(p: Pending): void {
    const worker = this.worker ?? this.spawn();
    worker.ref();
    Atomics.store(this.flag, 0, 0);
    const run: Running = { ...p, seq: ++this.seq, timer: undefined, onAbort: undefined };
    this.running = run;
    run.timer = setTimeout(() => this.kill(run, { ok: false, output: 'error: sandbox failure (the sandbox did not start)', error: 'sandbox-failure' }), START_LIMIT_MS);
    if (p.signal) {
      run.onAbort = () => {
        Atomics.store(this.flag, 0, 1);
        clearTimeout(run.timer);
        run.timer = setTimeout(() => this.kill(run, aborted()), ABORT_GRACE_MS);
      };
      p.signal.addEventListener('abort', run.onAbort, { once: true });
    }
    const { code, ...limits } = p.job;
    worker.postMessage({ seq: run.seq, code, limits });
  }

  close(): void {
    const run = this.running;
    if (run) this.kill(run, { ok: false, output: 'error: call aborted (sandbox closed)', error: 'aborted' });
    else if (this.worker) {
      const w = this.worker;
      this.worker = undefined;
      void w.terminate();
    }
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_URL, { workerData: { abort: this.flag }, resourceLimits: RESOURCE_LIMITS, env: {} });
    worker.on('message', (msg: WorkerReply) => {
      const run = this.running;
      if (worker !== this.worker || !run || msg.seq !== run.seq) return;
      if (msg.type === 'started') {
        if (Atomics.load(this.flag, 0) !== 0) return; // the abort timer is already armed
        clearTimeout(run.timer);
        run.timer = setTimeout(
          () => this.kill(run, { ok: false, output: `error: timed out (limit ${run.job.timeLimitMs} ms)`, error: 'timeout' }),
          run.job.timeLimitMs + TIMEOUT_GRACE_MS,
        );
      } else this.finish(run, msg.result);
    });
    // An error event means the worker is gone (uncaught error, or its V8 heap hit resourceLimits).
    worker.on('error', (err: Error & { code?: string }) => {
      if (worker !== this.worker) return;
      this.worker = undefined;
      const run = this.running;
      if (!run) return;
      const result: ToolResult =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? { ok: false, output: 'error: out of memory (the sandbox worker hit its heap limit)', error: 'out-of-memory' }
          : { ok: false, output: `error: sandbox failure (${err.message}); the sandbox was reset`, error: 'sandbox-failure' };
      this.finish(run, result);
    });
    worker.on('exit', () => {
      if (worker !== this.worker) return;
      this.worker = undefined;
      const run = this.running;
      if (run) this.finish(run, { ok: false, output: 'error: sandbox failure (the sandbox worker exited); the sandbox was reset', error: 'sandbox-failure' });
    });
    this.worker = worker;
    return worker;
  }

  // Hard stop: the run may be inside one long native step where no interrupt check happens.
  private kill(run: Running, result: ToolResult): void {
    if (this.running !== run) return;
    const w = this.worker;
    this.worker = undefined; // a fresh one is spawned on the next call
    if (w) void w.terminate();
    this.finish(run, result);
  }

  private finish(run: Running, result: ToolResult): void {
    if (this.running !== run) return;
    this.running = undefined;
    clearTimeout(run.timer);
    if (run.signal && run.onAbort) run.signal.removeEventListener('abort', run.onAbort);
    // An abort that came after the program had already finished still reports the real result.
    this.worker?.unref();
    run.resolve(result);
    this.onIdle();
  }
}

/**
 * A small pool of worker threads running QuickJS, each call with a hard wall-clock limit: the host
 * terminates a worker that overruns and replaces it on the next call. Workers start lazily and are
 * unreferenced while idle, so they never keep the process alive.
 *
 * @example
 * const pool = new SandboxPool(2);
 * (await pool.run(job, undefined)).output; // '42' for the job above
 * pool.close();
 */
export class SandboxPool {
  private readonly slots: Slot[];
  private readonly queue: Pending[] = [];

  /**
   * Creates the pool; no worker starts before the first call.
   *
   * @param size - Number of worker threads (each runs one call at a time).
   */
  constructor(size: number) {
    this.slots = Array.from({ length: size }, () => new Slot(() => this.drain()));
  }

  /**
   * Runs one job on the first idle worker, or queues it.
   *
   * @param job - Program and resolved limits.
   * @param signal - Aborts the call: queued calls leave the queue, running ones are interrupted
   *   (the worker is terminated when the interrupt handler does not answer within 50 ms).
   * @returns The tool result; never rejects.
   */
  run(job: SandboxJob, signal: AbortSignal | undefined): Promise<ToolResult> {
    if (signal?.aborted) return Promise.resolve(aborted());
    return new Promise((resolve) => {
      const pending: Pending = { job, signal, resolve };
      if (signal) {
        // Leaves the queue at once when aborted while waiting for a worker.
        const onAbort = (): void => {
          const i = this.queue.indexOf(pending);
          if (i >= 0) {
            this.queue.splice(i, 1);
            resolve(aborted());
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
        pending.resolve = (r) => {
          signal.removeEventListener('abort', onAbort);
          resolve(r);
        };
      }
      this.queue.push(pending);
      this.drain();
    });
  }

  /** Terminates every worker; calls in flight or queued resolve as `{ ok: false, error: 'aborted' }`. */
  close(): void {
    for (const p of this.queue.splice(0)) p.resolve({ ok: false, output: 'error: call aborted (sandbox closed)', error: 'aborted' });
    for (const s of this.slots) s.close();
  }

  private drain(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.running === undefined) slot.start(this.queue.shift() as Pending);
    }
  }
}

let shared: SandboxPool | undefined;

/**
 * The process-wide pool (min(2, cores) workers), created on first use.
 *
 * @returns The shared {@link SandboxPool}.
 * @example
 * (await sandboxPool().run(job, undefined)).ok; // true
 */
export function sandboxPool(): SandboxPool {
  shared ??= new SandboxPool(Math.max(1, Math.min(2, availableParallelism())));
  return shared;
}

/**
 * Terminates the `code` tool's worker threads (a later call starts fresh ones). Idle workers never
 * keep the process alive, so this is only needed to stop calls in flight or to free memory early.
 *
 * @returns Nothing; calls in flight resolve as `{ ok: false, error: 'aborted' }`.
 * @example
 * closeCodeSandbox(); // later runCode(...) calls start new workers
 */
export function closeCodeSandbox(): void {
  shared?.close();
  shared = undefined;
}
