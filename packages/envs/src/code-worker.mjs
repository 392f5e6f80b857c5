// Worker thread of the `code` tool (see code-pool.ts). Plain JavaScript so that Node runs it as-is
// from src/ (tests) and from dist/ (tsup copies it). Model code arrives as message data and is
// handed to QuickJS only: nothing here ever passes it to the host's eval or Function.
//
// Messages in:  { seq, code, limits: { timeLimitMs, memoryLimitBytes, maxStackBytes, maxOutputChars } }
//               plus, once in workerData, `abort`: an Int32Array over a SharedArrayBuffer that the
//               host sets to 1 when the caller's AbortSignal fires.
// Messages out: { seq, type: 'started' } just before the program runs (the host then arms its hard
//               timer), and { seq, type: 'done', result } with the ToolResult.
import { parentPort, workerData } from 'node:worker_threads';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';

const abortFlag = workerData.abort;

const BASE_PAGES = 256; // 16 MiB: the build's INITIAL_MEMORY (static data, C stack, first heap)
const PAGE = 65536;

// One WebAssembly instance per memory cap, loaded lazily and shared by every call in this worker.
// An instance is retired (dropped, a fresh one loaded on the next call) after anything that can
// leave QuickJS in a bad state: out of memory, stack overflow, or any exception on the host side
// of the FFI.
const instances = new Map();

function loadInstance(memoryLimitBytes) {
  let inst = instances.get(memoryLimitBytes);
  if (inst === undefined) {
    // setMemoryLimit alone bounds single allocations only (quickjs-emscripten#271: the build reports
    // a usable size of 0, so large strings and buffers never add up); a capped WebAssembly.Memory
    // makes malloc fail, which QuickJS reports as a catchable "out of memory".
    const maximum = BASE_PAGES + Math.ceil(memoryLimitBytes / PAGE);
    const memory = new WebAssembly.Memory({ initial: BASE_PAGES, maximum });
    // Emscripten prints abort messages itself; the caller gets them as tool errors instead.
    const quiet = () => {};
    const module = newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmMemory: memory, emscriptenModule: { print: quiet, printErr: quiet } }));
    const created = { module, memory, maxBytes: maximum * PAGE };
    instances.set(memoryLimitBytes, created);
    module.catch(() => retireInstance(memoryLimitBytes, created));
    inst = created;
  }
  return inst;
}

function retireInstance(memoryLimitBytes, inst) {
  if (instances.get(memoryLimitBytes) === inst) instances.delete(memoryLimitBytes);
}

const aborted = () => Atomics.load(abortFlag, 0) !== 0;

// Runs inside the sandbox once per context: installs print/console.* over a host write function
// and returns the formatter used for the result value (depth 4, 100 items, cycles marked). It also
// wraps the callbacks of Promise.prototype.then (which catch and finally call too): a resource
// error (out of memory, stack overflow) inside a promise job would otherwise only reject a promise
// nobody reads, and the call would report success on a program that never finished. The wrapper
// tells the host through its fault function, which program code cannot reach to clear it.
const PRELUDE = `(function (write, fault) {
  const then = Promise.prototype.then;
  const resource = (e) => e instanceof InternalError && (e.message === 'out of memory' || e.message === 'stack overflow');
  const guard = (f) => typeof f !== 'function' ? f : function (v) {
    try { return f(v); } catch (e) { if (resource(e)) fault(e.message); throw e; }
  };
  Object.defineProperty(Promise.prototype, 'then', {
    value: function then_(onFulfilled, onRejected) { return then.call(this, guard(onFulfilled), guard(onRejected)); },
    writable: true,
    configurable: true,
  });
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
  constructor(cap) {
    this.cap = cap;
    this.parts = [];
    this.kept = 0;
    this.total = 0;
    this.lines = 0;
  }
  add(line) {
    const piece = this.lines++ === 0 ? line : `\n${line}`;
    this.total += piece.length;
    if (this.kept < this.cap) {
      const take = piece.length <= this.cap - this.kept ? piece : piece.slice(0, this.cap - this.kept);
      this.parts.push(take);
      this.kept += take.length;
    }
  }
  text() {
    const body = this.parts.join('');
    const dropped = this.total - this.kept;
    return dropped > 0 ? `${body}\n…[output truncated: ${dropped} more characters]` : body;
  }
  get empty() {
    return this.lines === 0;
  }
}

function classify(name, message, limits, wasAborted) {
  if (message === 'interrupted') {
    return wasAborted ? { code: 'aborted', message: 'call aborted' } : { code: 'timeout', message: `timed out (limit ${limits.timeLimitMs} ms)` };
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

function fmtBytes(n) {
  return n % 1048576 === 0 ? `${n / 1048576} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}

// Reads name and message of a thrown value without running more user code than necessary.
function describeThrown(ctx, err) {
  try {
    if (ctx.typeof(err) === 'object') {
      const name = ctx.getProp(err, 'name').consume((h) => (ctx.typeof(h) === 'string' ? ctx.getString(h) : ''));
      const message = ctx.getProp(err, 'message').consume((h) => (ctx.typeof(h) === 'string' ? ctx.getString(h) : ''));
      if (name !== '' || message !== '') return { name, message };
    }
    const s = ctx.dump(err);
    return { name: '', message: typeof s === 'string' ? s : (JSON.stringify(s) ?? String(s)) };
  } catch {
    // Reading the error itself failed (typically memory is exhausted).
    return { name: 'InternalError', message: 'out of memory' };
  }
}

// Program output must not close the result tag early (text after it would parse as model calls).
function escapeClose(text) {
  return text.includes('</res>') ? text.split('</res>').join('<\\/res>') : text;
}

async function runInSandbox(seq, code, limits) {
  const instance = loadInstance(limits.memoryLimitBytes);
  let module;
  try {
    module = await instance.module;
  } catch (err) {
    return { ok: false, output: `error: sandbox failed to load (${err instanceof Error ? err.message : String(err)})`, error: 'sandbox-failure' };
  }
  if (aborted()) return { ok: false, output: 'error: call aborted', error: 'aborted' };
  const out = new OutputBuffer(limits.maxOutputChars);
  let runtime;
  let ctx;
  let failure;
  let value;
  let retire = false;
  try {
    runtime = module.newRuntime();
    runtime.setMemoryLimit(limits.memoryLimitBytes);
    runtime.setMaxStackSize(limits.maxStackBytes);
    // The time limit covers the model's program only: it is armed after the (trusted) prelude, so
    // a slow sandbox start on a loaded machine cannot eat a short limit. Until then only an abort
    // interrupts, and the host's start limit is the backstop.
    let deadline = Number.POSITIVE_INFINITY;
    // The cheap first line of defence: QuickJS polls this every ~10,000 steps and unwinds with an
    // uncatchable "interrupted", keeping the worker. The host's timer and terminate() are the
    // backstop for steps that take long on their own. Inside a promise job the interrupt only
    // rejects that job's promise, so whether it ever fired is remembered here: a program that was
    // cut short never reports success.
    let interrupted = false;
    runtime.setInterruptHandler(() => {
      if (performance.now() > deadline || aborted()) interrupted = true;
      return interrupted;
    });
    // The first resource error the prelude saw inside a promise job.
    let jobFault;
    ctx = runtime.newContext();
    const c = ctx;
    const thrown = (err) => {
      // QuickJS throws `null` when it cannot even allocate the "out of memory" error.
      const d =
        c.sameValue(err, c.null) && instance.memory.buffer.byteLength >= instance.maxBytes - 2 * 1048576
          ? { name: 'InternalError', message: 'out of memory' }
          : describeThrown(c, err);
      err.dispose();
      return classify(d.name, d.message, limits, aborted());
    };
    const write = c.newFunction('write', (h) => {
      out.add(c.typeof(h) === 'string' ? c.getString(h) : String(c.dump(h)));
    });
    const fault = c.newFunction('fault', (h) => {
      jobFault ??= c.typeof(h) === 'string' ? c.getString(h) : 'out of memory';
    });
    const setup = c.evalCode(PRELUDE, 'prelude.js', { type: 'global', strict: true });
    if (setup.error) throw new Error(`prelude failed: ${JSON.stringify(c.dump(setup.error))}`);
    const installed = c.callFunction(setup.value, c.undefined, write, fault);
    setup.value.dispose();
    write.dispose();
    fault.dispose();
    if (installed.error) throw new Error(`prelude failed: ${JSON.stringify(c.dump(installed.error))}`);
    const format = installed.value;
    try {
      parentPort.postMessage({ seq, type: 'started' });
      deadline = performance.now() + limits.timeLimitMs;
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
      // Anything cut short (by the time limit, an abort or a resource error in a promise job) is a
      // failure even when the value of the last expression was already computed.
      if (failure === undefined && interrupted) failure = classify('', 'interrupted', limits, aborted());
      if (failure === undefined && jobFault !== undefined) failure = classify('InternalError', jobFault, limits, false);
    } finally {
      format.dispose();
    }
  } catch (err) {
    // A failure on the host side of the FFI (e.g. V8's own stack overflow inside a native
    // recursion): the instance may be inconsistent, so it is never touched again.
    retire = true;
    const message = err instanceof Error ? err.message : String(err);
    failure = classify(err instanceof Error ? err.name : '', message, limits, aborted());
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

parentPort.on('message', (msg) => {
  const { seq, code, limits } = msg;
  runInSandbox(seq, code, limits).then(
    (result) => parentPort.postMessage({ seq, type: 'done', result }),
    (err) => {
      const message = err instanceof Error ? err.message : String(err);
      parentPort.postMessage({ seq, type: 'done', result: { ok: false, output: `error: sandbox failure (${message})`, error: 'sandbox-failure' } });
    },
  );
});
