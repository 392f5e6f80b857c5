import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { onAbort } from './abort';
import { EnvError } from './errors';
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
  /**
   * When the caller stops waiting (`performance.now()` time), if it does: a job still queued then
   * is dropped as a timeout, and a job started earlier gets only the time left.
   */
  deadline?: number;
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

/**
 * Checks that the `code` tool's worker file sits beside this module, as it does in the package's
 * `dist/`. A bundler that inlines this module into an application leaves the worker behind: then
 * the tool is refused when it is created, with what to copy where, instead of every call failing
 * as a tool output while training goes on with a broken tool.
 *
 * @param fn - the calling function, for the message
 * @param url - where the worker must be (default: beside this module)
 * @throws EnvError `code-worker-missing` naming the file and the fix
 * @example
 * assertCodeWorker('createCodeTool'); // throws when the worker file is missing
 */
export function assertCodeWorker(fn: string, url: URL = WORKER_URL): void {
  if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
    throw new EnvError(
      'code-worker-missing',
      `${fn}: the code tool's worker ${fileURLToPath(url)} is missing; when you bundle @paretopo/envs, copy node_modules/@paretopo/envs/dist/code-worker.mjs next to the bundle's output file (or keep @paretopo/envs external)`,
    );
  }
}

interface Pending {
  job: SandboxJob;
  resolve: (r: ToolResult) => void;
}

interface Running {
  pending: Pending;
  /** The job as started (its time limit lowered to the caller's deadline). */
  job: SandboxJob;
  seq: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const aborted = (): ToolResult => ({ ok: false, output: 'error: call aborted', error: 'aborted' });
const timedOut = (ms: number): ToolResult => ({ ok: false, output: `error: timed out (limit ${ms} ms)`, error: 'timeout' });

// One worker thread plus the shared abort flag its interrupt handler reads.
class Slot {
  private worker: Worker | undefined;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;
  running: Running | undefined;

  constructor(private readonly onIdle: () => void) {}

  start(p: Pending, timeLimitMs: number): void {
    const worker = this.worker ?? this.spawn();
    worker.ref();
    Atomics.store(this.flag, 0, 0);
    const run: Running = { pending: p, job: { ...p.job, timeLimitMs }, seq: ++this.seq, timer: undefined };
    this.running = run;
    run.timer = setTimeout(() => this.kill(run, { ok: false, output: 'error: sandbox failure (the sandbox did not start)', error: 'sandbox-failure' }), START_LIMIT_MS);
    const { code, deadline: _deadline, ...limits } = run.job;
    worker.postMessage({ seq: run.seq, code, limits });
  }

  /** Interrupts the running call of `p` (the worker is terminated if it does not answer in time). */
  abort(p: Pending): boolean {
    const run = this.running;
    if (run === undefined || run.pending !== p) return false;
    Atomics.store(this.flag, 0, 1);
    clearTimeout(run.timer);
    run.timer = setTimeout(() => this.kill(run, aborted()), ABORT_GRACE_MS);
    return true;
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
          () => this.kill(run, timedOut(run.job.timeLimitMs)),
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
    // An abort that came after the program had already finished still reports the real result.
    this.worker?.unref();
    run.pending.resolve(result);
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
   *   (the worker is terminated when the interrupt handler does not answer within 50 ms). One
   *   listener per signal serves every call that shares it.
   * @returns The tool result; never rejects. A job whose `deadline` passes while it waits for a
   *   worker leaves the queue as a timeout, so abandoned calls never hold up later ones.
   */
  run(job: SandboxJob, signal: AbortSignal | undefined): Promise<ToolResult> {
    if (signal?.aborted) return Promise.resolve(aborted());
    return new Promise((resolve) => {
      let stop: (() => void) | undefined;
      let expiry: ReturnType<typeof setTimeout> | undefined;
      const pending: Pending = {
        job,
        resolve: (r) => {
          stop?.();
          clearTimeout(expiry);
          resolve(r);
        },
      };
      if (signal) stop = onAbort(signal, () => this.abort(pending, aborted()));
      if (job.deadline !== undefined) {
        expiry = setTimeout(() => this.leaveQueue(pending, timedOut(job.timeLimitMs)), Math.max(0, job.deadline - performance.now()));
      }
      this.queue.push(pending);
      this.drain();
    });
  }

  private leaveQueue(p: Pending, result: ToolResult): boolean {
    const i = this.queue.indexOf(p);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    p.resolve(result);
    return true;
  }

  private abort(p: Pending, result: ToolResult): void {
    if (this.leaveQueue(p, result)) return;
    for (const slot of this.slots) if (slot.abort(p)) return;
  }

  /** Terminates every worker; calls in flight or queued resolve as `{ ok: false, error: 'aborted' }`. */
  close(): void {
    for (const p of this.queue.splice(0)) p.resolve({ ok: false, output: 'error: call aborted (sandbox closed)', error: 'aborted' });
    for (const s of this.slots) s.close();
  }

  private drain(): void {
    for (const slot of this.slots) {
      while (slot.running === undefined && this.queue.length > 0) {
        const p = this.queue.shift() as Pending;
        const { deadline, timeLimitMs } = p.job;
        const left = deadline === undefined ? timeLimitMs : Math.min(timeLimitMs, Math.floor(deadline - performance.now()));
        if (left < 1) p.resolve(timedOut(timeLimitMs));
        else slot.start(p, left);
      }
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
