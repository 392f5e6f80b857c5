import { assertCodeWorker, sandboxPool } from './code-pool';
import type { Tool, ToolResult, ToolRunOptions } from './tool';

export { closeCodeSandbox } from './code-pool';

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
 * Runs JavaScript in a fresh QuickJS runtime inside WebAssembly, on a worker thread with a hard
 * wall-clock limit (the worker is terminated when it overruns), and formats what it printed and
 * the value of its last expression as tool output. Errors (exceptions, time, memory and stack
 * limits, aborts) come back as `{ ok: false, output: 'error: …', error }`; it never rejects for
 * model code. The caller's event loop keeps running meanwhile.
 *
 * @param code - JavaScript source (a script; no `import`, no host objects).
 * @param options - Limits (see {@link CodeToolOptions}).
 * @param run - `timeoutMs` (lowers the time limit) and `signal` (aborts the call).
 * @returns The tool result: printed lines, then the last value when it is not `undefined`.
 * @example
 * (await runCode('let s = 0; for (let i = 1; i <= 100; i++) s += i; s')).output; // '5050'
 */
export async function runCode(code: string, options: CodeToolOptions = {}, run: ToolRunOptions = {}): Promise<ToolResult> {
  assertCodeWorker('runCode');
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
  const capped = run.timeoutMs !== undefined && run.timeoutMs >= 0;
  const timeLimitMs = capped ? Math.min(limits.timeLimitMs, Math.max(1, Math.ceil(run.timeoutMs!))) : limits.timeLimitMs;
  const { memoryLimitBytes, maxStackBytes, maxOutputChars } = limits;
  // A caller's timeout counts from now, waiting for a free worker included: once it passes, the
  // caller has given up, and the queued job must not run (nor delay the calls behind it).
  const deadline = capped ? performance.now() + timeLimitMs : undefined;
  return sandboxPool().run({ code, timeLimitMs, memoryLimitBytes, maxStackBytes, maxOutputChars, deadline }, signal);
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
  assertCodeWorker('createCodeTool');
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
