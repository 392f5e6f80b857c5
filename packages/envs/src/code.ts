import variant from '@jitl/quickjs-wasmfile-release-sync';
import {
  type CustomizeVariantOptions,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
  newQuickJSWASMModuleFromVariant,
  newVariant,
} from 'quickjs-emscripten-core';
import type { Tool, ToolResult, ToolRunOptions } from './tool';

/** Limits of the `code` tool; every field has a documented default. */
export interface CodeToolOptions {
  /** Wall-clock limit of one call in milliseconds (the caller's `timeoutMs` may lower it). Default 1000. */
  timeLimitMs?: number;
  /**
   * Memory cap in bytes. It caps the sandbox's whole WebAssembly memory (16 MiB base + this) and
   * QuickJS's own allocation limit. Default 32 MiB.
   */
  memoryLimitBytes?: number;
  /** QuickJS stack limit in bytes (recursion depth ≈ 370 frames per 64 KiB). Default 64 KiB. */
  maxStackBytes?: number;
  /** Printed output plus the result kept, in characters; the rest is cut and marked. Default 4096. */
  maxOutputChars?: number;
  /** Longest program accepted, in characters. Default 4000. */
  maxCodeChars?: number;
}

/** Arguments of the `code` tool. */
export interface CodeArgs {
  /** JavaScript source (a script, not a module); the value of its last expression is returned. */
  code: string;
}

/** Why a `code` call failed (the `error` field of its {@link ToolResult}). */
export type CodeErrorCode =
  | 'bad-arguments'
  | 'exception'
  | 'timeout'
  | 'aborted'
  | 'out-of-memory'
  | 'stack-overflow'
  | 'promise-pending'
  | 'sandbox-failure';

interface Resolved {
  timeLimitMs: number;
  memoryLimitBytes: number;
  maxStackBytes: number;
  maxOutputChars: number;
  maxCodeChars: number;
}

// The package compiles against lib ES2022 without DOM, which has no WebAssembly typings.
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => object } })
  .WebAssembly.Memory;

const BASE_PAGES = 256; // 16 MiB: the build's INITIAL_MEMORY (static data, C stack, first heap)
const PAGE = 65536;

// One WebAssembly instance per memory cap, loaded lazily and shared by every call. An instance is
// retired (dropped, a fresh one loaded on the next call) after anything that can leave QuickJS in
// a bad state: out of memory, stack overflow, or any exception on the host side of the FFI.
interface Instance {
  module: Promise<QuickJSWASMModule>;
  /** The instance's linear memory (its `buffer.byteLength` only grows). */
  memory: { buffer: ArrayBuffer };
  maxBytes: number;
}

const instances = new Map<number, Instance>();

function loadInstance(memoryLimitBytes: number): Instance {
  let inst = instances.get(memoryLimitBytes);
  if (inst === undefined) {
    // setMemoryLimit alone bounds single allocations only (quickjs-emscripten#271: the build reports
    // a usable size of 0, so large strings and buffers never add up); a capped WebAssembly.Memory
    // makes malloc fail, which QuickJS reports as a catchable "out of memory".
    const maximum = BASE_PAGES + Math.ceil(memoryLimitBytes / PAGE);
    const memory = new WasmMemory({ initial: BASE_PAGES, maximum }) as { buffer: ArrayBuffer };
    // Emscripten prints abort messages itself; the caller gets them as tool errors instead.
    const quiet = (): void => {};
    // `print`/`printErr` are Emscripten module options the loader's typings leave out.
    const emscriptenModule = { print: quiet, printErr: quiet } as unknown as CustomizeVariantOptions['emscriptenModule'];
    const module = newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmMemory: memory, emscriptenModule }));
    const created: Instance = { module, memory, maxBytes: maximum * PAGE };
    instances.set(memoryLimitBytes, created);
    module.catch(() => retireInstance(memoryLimitBytes, created));
    inst = created;
  }
  return inst;
}

function retireInstance(memoryLimitBytes: number, inst: Instance): void {
  if (instances.get(memoryLimitBytes) === inst) instances.delete(memoryLimitBytes);
}

// Runs inside the sandbox once per context: installs print/console.* over a host write function
// and returns the formatter used for the result value (depth 4, 100 items, cycles marked).
const PRELUDE = `(function (write) {
  const fmt = (v, d, seen) => {
    switch (typeof v) {
      case 'string': return d === 0 ? v : JSON.stringify(v);
      case 'number': return Object.is(v, -0) ? '-0' : String(v);
      case 'bigint': return String(v) + 'n';
      case 'function': return '[Function' + (v.name ? ': ' + v.name : '') + ']';
      case 'symbol': return v.toString();
      case 'undefined': return 'undefined';
      case 'boolean': return String(v);
    }
    if (v === null) return 'null';
    if (seen.includes(v)) return '[Circular]';
    if (v instanceof Error) return String(v.name) + ': ' + String(v.message);
    if (d > 4) return Array.isArray(v) ? '[Array]' : '[Object]';
    seen.push(v);
    let out;
    const items = (xs, n) => xs.slice(0, 100).map((x) => fmt(x, d + 1, seen)).join(', ') + (n > 100 ? ', … ' + (n - 100) + ' more' : '');
    if (Array.isArray(v)) out = '[' + items(v, v.length) + ']';
    else if (ArrayBuffer.isView(v)) out = (v.constructor && v.constructor.name || 'TypedArray') + '(' + v.length + ') [' + items(Array.prototype.slice.call(v, 0, 100), v.length) + ']';
    else if (v instanceof Map) out = 'Map(' + v.size + ') {' + [...v].slice(0, 100).map(([k, x]) => fmt(k, d + 1, seen) + ' => ' + fmt(x, d + 1, seen)).join(', ') + '}';
    else if (v instanceof Set) out = 'Set(' + v.size + ') {' + items([...v], v.size) + '}';
    else if (v instanceof Date) out = isNaN(v) ? 'Invalid Date' : v.toISOString();
    else if (v instanceof RegExp) out = String(v);
    else if (v instanceof Promise) out = 'Promise';
    else {
      const keys = Object.keys(v);
      out = keys.length === 0 ? '{}' : '{ ' + keys.slice(0, 100).map((k) => k + ': ' + fmt(v[k], d + 1, seen)).join(', ') + (keys.length > 100 ? ', … ' + (keys.length - 100) + ' more' : '') + ' }';
    }
    seen.pop();
    return out;
  };
  const format = (v) => fmt(v, 0, []);
  const print = (...args) => { write(args.map(format).join(' ')); };
  globalThis.print = print;
  globalThis.console = { log: print, info: print, warn: print, error: print, debug: print };
  return format;
})`;

// Keeps the first `cap` characters of the printed lines and counts the rest.
class OutputBuffer {
  private readonly parts: string[] = [];
  private kept = 0;
  private total = 0;
  private lines = 0;
  constructor(private readonly cap: number) {}
  add(line: string): void {
    const piece = this.lines++ === 0 ? line : `\n${line}`;
    this.total += piece.length;
    if (this.kept < this.cap) {
      const take = piece.length <= this.cap - this.kept ? piece : piece.slice(0, this.cap - this.kept);
      this.parts.push(take);
      this.kept += take.length;
    }
  }
  text(): string {
    const body = this.parts.join('');
    const dropped = this.total - this.kept;
    return dropped > 0 ? `${body}\n…[output truncated: ${dropped} more characters]` : body;
  }
  get empty(): boolean {
    return this.lines === 0;
  }
}

interface Failure {
  code: CodeErrorCode;
  message: string;
}

function classify(name: string, message: string, limits: Resolved, aborted: boolean): Failure {
  if (message === 'interrupted') {
    return aborted
      ? { code: 'aborted', message: 'call aborted' }
      : { code: 'timeout', message: `timed out (limit ${limits.timeLimitMs} ms)` };
  }
  if (message === 'out of memory' || message === 'string too long') {
    const detail = message === 'string too long' ? 'string too long, ' : '';
    return { code: 'out-of-memory', message: `out of memory (${detail}limit ${fmtBytes(limits.memoryLimitBytes)})` };
  }
  if (message === 'stack overflow' || message === 'Maximum call stack size exceeded') {
    return { code: 'stack-overflow', message: `stack overflow (recursion too deep; limit ${fmtBytes(limits.maxStackBytes)})` };
  }
  return { code: 'exception', message: name ? `${name}: ${message}` : message };
}

function fmtBytes(n: number): string {
  return n % 1048576 === 0 ? `${n / 1048576} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}

// Reads name and message of a thrown value without running more user code than necessary.
function describeThrown(ctx: QuickJSContext, err: QuickJSHandle): { name: string; message: string } {
  try {
    if (ctx.typeof(err) === 'object') {
      const name = ctx.getProp(err, 'name').consume((h) => (ctx.typeof(h) === 'string' ? ctx.getString(h) : ''));
      const message = ctx.getProp(err, 'message').consume((h) => (ctx.typeof(h) === 'string' ? ctx.getString(h) : ''));
      if (name !== '' || message !== '') return { name, message };
    }
    const s = ctx.dump(err);
    return { name: '', message: typeof s === 'string' ? s : JSON.stringify(s) ?? String(s) };
  } catch {
    // Reading the error itself failed (typically memory is exhausted).
    return { name: 'InternalError', message: 'out of memory' };
  }
}

function resolveOptions(fn: string, options: CodeToolOptions): Resolved {
  const int = (name: keyof CodeToolOptions, fallback: number, min: number, max: number): number => {
    const v = options[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`${fn}: options.${name} must be an integer in [${min}, ${max}] (got ${String(v)})`);
    }
    return v;
  };
  return {
    timeLimitMs: int('timeLimitMs', 1000, 1, 600_000),
    memoryLimitBytes: int('memoryLimitBytes', 32 * 1048576, 1048576, 1024 * 1048576),
    maxStackBytes: int('maxStackBytes', 65536, 8192, 1048576),
    maxOutputChars: int('maxOutputChars', 4096, 1, 10_000_000),
    maxCodeChars: int('maxCodeChars', 4000, 1, 10_000_000),
  };
}

/**
 * Runs JavaScript in a fresh QuickJS runtime inside WebAssembly and formats what it printed and
 * the value of its last expression as tool output. Errors (exceptions, time, memory and stack
 * limits, aborts) come back as `{ ok: false, output: 'error: …', error }`; it never rejects.
 *
 * @param code - JavaScript source (a script; no `import`, no host objects).
 * @param options - Limits (see {@link CodeToolOptions}).
 * @param run - `timeoutMs` (lowers the time limit) and `signal` (aborts the call).
 * @returns The tool result: printed lines, then the last value when it is not `undefined`.
 * @example
 * (await runCode('let s = 0; for (let i = 1; i <= 100; i++) s += i; s')).output; // '5050'
 */
export async function runCode(code: string, options: CodeToolOptions = {}, run: ToolRunOptions = {}): Promise<ToolResult> {
  return runResolved(code, resolveOptions('runCode', options), run);
}

async function runResolved(code: string, limits: Resolved, run: ToolRunOptions): Promise<ToolResult> {
  if (typeof code !== 'string') return { ok: false, output: 'error: argument "code" must be a string', error: 'bad-arguments' };
  if (code.trim() === '') return { ok: false, output: 'error: empty program', error: 'bad-arguments' };
  if (code.length > limits.maxCodeChars) {
    return { ok: false, output: `error: program is ${code.length} characters (limit ${limits.maxCodeChars})`, error: 'bad-arguments' };
  }
  const { signal } = run;
  if (signal?.aborted) return { ok: false, output: 'error: call aborted', error: 'aborted' };
  const timeMs = run.timeoutMs !== undefined && run.timeoutMs >= 0 ? Math.min(limits.timeLimitMs, run.timeoutMs) : limits.timeLimitMs;
  const instance = loadInstance(limits.memoryLimitBytes);
  let module: QuickJSWASMModule;
  try {
    module = await instance.module;
  } catch (err) {
    return { ok: false, output: `error: sandbox failed to load (${err instanceof Error ? err.message : String(err)})`, error: 'sandbox-failure' };
  }
  if (signal?.aborted) return { ok: false, output: 'error: call aborted', error: 'aborted' };
  const limitsForCall = { ...limits, timeLimitMs: timeMs };
  const out = new OutputBuffer(limits.maxOutputChars);
  let runtime: QuickJSRuntime | undefined;
  let ctx: QuickJSContext | undefined;
  let failure: Failure | undefined;
  let value: string | undefined;
  let retire = false;
  try {
    runtime = module.newRuntime();
    runtime.setMemoryLimit(limits.memoryLimitBytes);
    runtime.setMaxStackSize(limits.maxStackBytes);
    const deadline = performance.now() + timeMs;
    runtime.setInterruptHandler(() => performance.now() > deadline || signal?.aborted === true);
    ctx = runtime.newContext();
    const c = ctx;
    const thrown = (err: QuickJSHandle): Failure => {
      // QuickJS throws `null` when it cannot even allocate the "out of memory" error.
      const d =
        c.sameValue(err, c.null) && instance.memory.buffer.byteLength >= instance.maxBytes - 2 * 1048576
          ? { name: 'InternalError', message: 'out of memory' }
          : describeThrown(c, err);
      err.dispose();
      return classify(d.name, d.message, limitsForCall, signal?.aborted === true);
    };
    const write = c.newFunction('write', (h) => {
      out.add(c.typeof(h) === 'string' ? c.getString(h) : String(c.dump(h)));
    });
    const setup = c.evalCode(PRELUDE, 'prelude.js', { type: 'global', strict: true });
    if (setup.error) throw new Error(`prelude failed: ${JSON.stringify(c.dump(setup.error))}`);
    const installed = c.callFunction(setup.value, c.undefined, write);
    setup.value.dispose();
    write.dispose();
    if (installed.error) throw new Error(`prelude failed: ${JSON.stringify(c.dump(installed.error))}`);
    const format = installed.value;
    try {
      const result = c.evalCode(code, 'input.js', { type: 'global' });
      if (result.error) failure = thrown(result.error);
      else {
        let handle = result.value;
        // Settle promise jobs (no timers exist, so only already-queued work can run).
        const jobs = runtime.executePendingJobs(-1);
        if (jobs.error) {
          failure = thrown(jobs.error);
          handle.dispose();
        } else {
          const state = c.getPromiseState(handle);
          if (state.type === 'pending') {
            failure = { code: 'promise-pending', message: 'the returned promise never settled (the sandbox has no timers or I/O)' };
            handle.dispose();
          } else if (state.type === 'rejected') {
            handle.dispose();
            failure = thrown(state.error);
          } else if (!state.notAPromise) {
            handle.dispose();
            handle = state.value;
          }
          if (failure === undefined) {
            if (c.typeof(handle) !== 'undefined') {
              const shown = c.callFunction(format, c.undefined, handle);
              if (shown.error) failure = thrown(shown.error);
              else value = shown.value.consume((h) => c.getString(h));
            }
            handle.dispose();
          }
        }
      }
    } finally {
      format.dispose();
    }
  } catch (err) {
    // A failure on the host side of the FFI (e.g. V8's own stack overflow inside a native
    // recursion): the instance may be inconsistent, so it is never touched again.
    retire = true;
    const message = err instanceof Error ? err.message : String(err);
    failure = classify(err instanceof Error ? err.name : '', message, limitsForCall, signal?.aborted === true);
    if (failure.code === 'exception') failure = { code: 'sandbox-failure', message: `sandbox failure (${message}); the sandbox was reset` };
  }
  if (failure !== undefined && (failure.code === 'out-of-memory' || failure.code === 'stack-overflow')) retire = true;
  if (retire) retireInstance(limits.memoryLimitBytes, instance);
  else {
    try {
      ctx?.dispose();
      runtime?.dispose();
    } catch {
      // QuickJS can assert on leaked objects when a runtime is freed (quickjs-emscripten#257);
      // the instance is then aborted, so drop it.
      retireInstance(limits.memoryLimitBytes, instance);
    }
  }
  if (failure !== undefined) {
    const printed = out.empty ? '' : `\noutput before the error:\n${out.text()}`;
    return { ok: false, output: escapeClose(`error: ${failure.message}${printed}`), error: failure.code };
  }
  if (value !== undefined) out.add(value);
  return { ok: true, output: out.empty ? 'undefined' : escapeClose(out.text()) };
}

// Program output must not close the result tag early (text after it would parse as model calls).
function escapeClose(text: string): string {
  return text.includes('</res>') ? text.split('</res>').join('<\\/res>') : text;
}

const FENCE_RE = /^```[A-Za-z]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

/**
 * The `code` tool: JavaScript in a QuickJS WebAssembly sandbox (the ToRL setting with JS in place
 * of Python). Text form `<code>…</code>` → `<res>…</res>`; a body wrapped in a Markdown code fence
 * is unwrapped. Each call gets a fresh runtime and context, so nothing leaks between calls.
 *
 * @param options - Limits (see {@link CodeToolOptions}).
 * @returns The tool (`code` / `<code>` / `<res>`).
 * @example
 * const code = createCodeTool({ timeLimitMs: 500 });
 * (await code.run(code.argsFromText('print(6*7)'))).output; // '42'
 */
export function createCodeTool(options: CodeToolOptions = {}): Tool<CodeArgs> {
  const limits = resolveOptions('createCodeTool', options);
  return {
    name: 'code',
    description:
      'Runs a JavaScript program in a sandbox (no files, network or timers) and returns what it printed with print()/console.log() and the value of its last expression.',
    parameters: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'JavaScript source, e.g. "let s = 0; for (let i = 1; i <= 10; i++) s += i; s".', maxLength: limits.maxCodeChars },
      },
      required: ['code'],
      additionalProperties: false,
    },
    tag: 'code',
    resultTag: 'res',
    maxArgChars: limits.maxCodeChars,
    argsFromText: (text) => {
      const t = text.trim();
      const m = FENCE_RE.exec(t);
      return { code: m ? m[1] : t };
    },
    run: (args, run) => runResolved((args as Partial<CodeArgs> | null)?.code as string, limits, run ?? {}),
  };
}
