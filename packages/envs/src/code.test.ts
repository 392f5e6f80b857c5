import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { closeCodeSandbox, createCodeTool, runCode } from './code';
import { parseToolCalls } from './parse-calls';
import { formatToolResult, runTool, toolTagLimits } from './tool';

const fast = { timeLimitMs: 300 };
// A time limit that no program here reaches, bombs included, so what a test checks is the program's
// own result or error even when CI runs every package's tests at once (the 1 s default was hit).
const roomy = { timeLimitMs: 10_000 };

// Each step allocates 1 MB (≈ 10 ms in QuickJS) and the program swallows its own out-of-memory
// errors, so QuickJS's interrupt check (every ~10,000 steps) is reached only after many seconds:
// it ran 38 s under a 300 ms limit before calls moved to a terminable worker thread. Run alone in
// a worker it is still going after 6 s, so only the host's terminate() can end these tests in time.
// Their bound is 10 s, far below that: with CI running every package's tests at once on 2 cores,
// a 300 ms limit took 3.1 s from call to result (the limit is armed after the sandbox's prelude).
const HARD_LIMIT_BOUND_MS = 10_000;
const OOM_LOOP = "let a = []; for (;;) { try { a.push('y'.repeat(1e6) + a.length) } catch (e) { a = [] } }";

afterAll(() => closeCodeSandbox());

async function healthy(): Promise<void> {
  expect(await runCode('6*7', fast)).toEqual({ ok: true, output: '42' });
}

describe('runCode: results', () => {
  it.each([
    ['6*7', '42'],
    ['let s = 0; for (let i = 1; i <= 100; i++) s += i; s', '5050'],
    ['let s = 0; for (let i = 0; i < 1e5; i++) s += i; s', '4999950000'],
    ["'plain string'", 'plain string'],
    ['-0', '-0'],
    ['0.1 + 0.2', '0.30000000000000004'],
    ['10n ** 30n', '1000000000000000000000000000000n'],
    ["({ a: 1, b: [1, 2, 'x'], c: null })", '{ a: 1, b: [1, 2, "x"], c: null }'],
    ['({ a: { b: { c: { d: { e: { f: 1 } } } } } })', '{ a: { b: { c: { d: { e: [Object] } } } } }'],
    ['let o = {}; o.self = o; o', '{ self: [Circular] }'],
    ['new Map([[1, "a"]])', 'Map(1) {1 => "a"}'],
    ['new Set([1, 2])', 'Set(2) {1, 2}'],
    ['new Float64Array(3)', 'Float64Array(3) [0, 0, 0]'],
    ['Array.from({ length: 150 }, (_, i) => i).length', '150'],
    ['function gcd(a, b) { return b ? gcd(b, a % b) : a } gcd(462, 1071)', '21'],
    ['(function named() {})', '[Function: named]'],
    ["print('hi'); console.log('a', 1, { x: 2 }); 7", 'hi\na 1 { x: 2 }\n7'],
    ['console.log(1); console.error(2)', '1\n2'],
    ['let x = 1', 'undefined'],
    ['Promise.resolve(3)', '3'],
    ['(async () => { const v = await Promise.resolve(2); return v * 21 })()', '42'],
    ['Math.max(...[3, 9, 4])', '9'],
  ])('%s → %s', async (code, output) => {
    expect(await runCode(code, roomy)).toEqual({ ok: true, output });
  });

  it('runs a ToRL-style program (sum of primes below 1000)', async () => {
    const code = `
      const isPrime = (n) => { for (let d = 2; d * d <= n; d++) if (n % d === 0) return false; return n > 1; };
      let s = 0;
      for (let n = 2; n < 1000; n++) if (isPrime(n)) s += n;
      console.log('sum =', s);`;
    expect(await runCode(code, roomy)).toEqual({ ok: true, output: 'sum = 76127' });
  });

  it('reports exceptions with their name and keeps what was printed', async () => {
    expect(await runCode("null.x", roomy)).toMatchObject({ ok: false, error: 'exception' });
    expect((await runCode('null.x', roomy)).output).toMatch(/^error: TypeError: /);
    expect(await runCode("print('before'); throw new RangeError('bad')", roomy)).toEqual({
      ok: false,
      output: 'error: RangeError: bad\noutput before the error:\nbefore',
      error: 'exception',
    });
    expect(await runCode('throw 5', roomy)).toEqual({ ok: false, output: 'error: 5', error: 'exception' });
    expect((await runCode('x = ', roomy)).output).toMatch(/^error: SyntaxError: /);
    expect(await runCode("Promise.reject(new Error('no'))", roomy)).toEqual({ ok: false, output: 'error: Error: no', error: 'exception' });
  });

  it('reports a promise that can never settle', async () => {
    expect((await runCode('new Promise(() => {})', roomy)).error).toBe('promise-pending');
  });

  it('is deterministic for deterministic programs', async () => {
    const code = 'let h = 7; for (let i = 0; i < 1000; i++) h = (h * 31 + i) % 1000003; print(h); [h, h % 7]';
    const a = await runCode(code, roomy);
    expect(await runCode(code, roomy)).toEqual(a);
    expect(a.ok).toBe(true);
  });
});

describe('runCode: no host access', () => {
  it.each([
    'typeof process',
    'typeof require',
    'typeof module',
    'typeof fetch',
    'typeof setTimeout',
    'typeof setInterval',
    'typeof queueMicrotask',
    'typeof WebAssembly',
    'typeof std',
    'typeof os',
    'typeof Deno',
    'typeof Bun',
    'typeof XMLHttpRequest',
    "typeof globalThis.constructor.constructor('return this')().process",
  ])('%s is undefined', async (code) => {
    expect(await runCode(code, roomy)).toEqual({ ok: true, output: 'undefined' });
  });

  it.each([
    ["require('fs')", /ReferenceError: 'require' is not defined/],
    ["import('fs')", /could not load module 'fs'/],
    ["import('node:child_process').then((m) => m.execSync('id'))", /could not load module/],
    ["import fs from 'fs'", /SyntaxError/],
    ["globalThis.constructor.constructor('return process')()", /ReferenceError: 'process' is not defined/],
    ["Function('return process.env')()", /ReferenceError: 'process' is not defined/],
    ["fetch('http://127.0.0.1')", /ReferenceError: 'fetch' is not defined/],
    ["setTimeout(() => 1, 0)", /ReferenceError: 'setTimeout' is not defined/],
  ])('%s fails inside the sandbox', async (code, message) => {
    const r = await runCode(code, fast);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(message);
    await healthy();
  });

  it('cannot reach host objects through print/console', async () => {
    const r = await runCode('[typeof print.constructor, Object.getOwnPropertyNames(console).sort().join(",")]', roomy);
    expect(r).toEqual({ ok: true, output: '["function", "debug,error,info,log,warn"]' });
    expect(await runCode("print.constructor('return typeof process')()", roomy)).toEqual({ ok: true, output: 'undefined' });
  });
});

describe('runCode: limits (each contained, and the next call works)', () => {
  it.each([
    ['while (true) {}', 'timeout'],
    ['for (;;) { try { for (;;) {} } catch (e) {} }', 'timeout'],
    ['while (true) { try { while (true) {} } finally { continue } }', 'timeout'],
    ["/(a+)+$/.test('a'.repeat(40) + 'b')", 'timeout'],
    ['let a = []; while (1) a.push(new Array(1e6))', ['out-of-memory', 'timeout']],
    // ≈ 10 ms per 1 MB string in QuickJS, ≈ 450 ms to fill the cap: the hard limit may win.
    ["let a = []; while (1) a.push('x'.repeat(1e6) + a.length)", ['out-of-memory', 'timeout']],
    ['let a = []; while (1) a.push(new Float64Array(1e6))', 'out-of-memory'],
    ['let a = []; for (let i = 0; ; i++) a.push({ i, s: "abc" + i })', ['out-of-memory', 'timeout']],
    ["let s = 'x'; while (1) s += s", 'out-of-memory'],
    ["'x'.repeat(2 ** 29)", 'out-of-memory'],
    ['function f() { return f() + 1 } f()', 'stack-overflow'],
    ["JSON.parse('['.repeat(1e5))", 'stack-overflow'],
    // ≈ 600 ms in QuickJS (its JSON cycle check is quadratic in the depth): the hard limit may win.
    ['let a = []; for (let i = 0; i < 1e5; i++) a = [a]; JSON.stringify(a).length', ['stack-overflow', 'timeout']],
  ])('%s → %s', async (code, expected) => {
    // Where only a memory or stack error is right, the time limit must not be the binding cap: on
    // a loaded 2-core CI machine four 8 MB allocations once took longer than 300 ms.
    const mayTimeOut = Array.isArray(expected) ? expected.includes('timeout') : expected === 'timeout';
    const limits = mayTimeOut ? fast : roomy;
    const t0 = performance.now();
    const r = await runCode(code, limits);
    const elapsed = performance.now() - t0;
    expect(r.ok).toBe(false);
    expect(Array.isArray(expected) ? expected : [expected]).toContain(r.error);
    expect(r.output).toMatch(/^error: (timed out|out of memory|stack overflow)/);
    // Bounded: the time limit plus a fresh instance load and GC slack on a loaded 2-core machine.
    expect(elapsed).toBeLessThan(limits.timeLimitMs + 5000);
    await healthy();
  });

  it.each([
    ["let a = []; while (1) a.push('x'.repeat(1e6) + a.length)", 'out-of-memory'],
    ['let a = []; for (let i = 0; i < 1e5; i++) a = [a]; JSON.stringify(a).length', 'stack-overflow'],
  ])('%s → %s when the time limit is not the binding cap', async (code, expected) => {
    expect((await runCode(code, roomy)).error).toBe(expected);
    await healthy();
  });

  it('a program that catches "out of memory" and loops still ends by the time limit', async () => {
    const r = await runCode("let a = []; try { for (;;) a.push('y'.repeat(1e6) + a.length) } catch (e) { a = null } for (;;) {}", fast);
    expect(r.error).toBe('timeout');
    await healthy();
  });

  it('caps output and marks the truncation', async () => {
    const r = await runCode("for (let i = 0; i < 2000; i++) print('line ' + i)", { ...roomy, maxOutputChars: 100 });
    expect(r.ok).toBe(true);
    const full = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n');
    expect(r.output).toBe(`${full.slice(0, 100)}\n…[output truncated: ${full.length - 100} more characters]`);
    const big = await runCode("'x'.repeat(1e6)", roomy);
    expect(big.output).toBe(`${'x'.repeat(4096)}\n…[output truncated: ${1e6 - 4096} more characters]`);
  });

  it('output cap law: the kept text is a prefix of the full output, at most maxOutputChars long', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 80 }), async (lines, cap) => {
        const r = await runCode(`${JSON.stringify(lines)}.forEach((l) => print(l))`, { ...roomy, maxOutputChars: cap });
        const full = lines.join('\n');
        expect(r.ok).toBe(true);
        if (full.length <= cap) expect(r.output).toBe(full);
        else expect(r.output).toBe(`${full.slice(0, cap)}\n…[output truncated: ${full.length - cap} more characters]`);
      }),
      { numRuns: 30 },
    );
  });

  it('recursion to depth 300 works with the default stack; deeper with a larger one', async () => {
    const rec = (n: number) => `function f(n) { return n ? f(n - 1) + 1 : 0 } f(${n})`;
    expect(await runCode(rec(300), roomy)).toEqual({ ok: true, output: '300' });
    expect((await runCode(rec(5000), roomy)).error).toBe('stack-overflow');
    expect(await runCode(rec(1000), { ...roomy, maxStackBytes: 262144 })).toEqual({ ok: true, output: '1000' });
  });

  it('a larger memory limit admits what the default refuses', async () => {
    const code = 'let a = []; for (let i = 0; i < 6; i++) a.push(new Float64Array(1e6)); a.length';
    // Default memory limit, a time limit that never binds (under load the default one did).
    expect((await runCode(code, roomy)).error).toBe('out-of-memory');
    expect(await runCode(code, { ...roomy, memoryLimitBytes: 96 * 1048576 })).toEqual({ ok: true, output: '6' });
  });

  it('repeated memory bombs do not grow the host process without bound', async () => {
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 12; i++) expect((await runCode('let a = []; while (1) a.push(new Float64Array(1e6))', roomy)).error).toBe('out-of-memory');
    // Each bomb fills one capped 48 MiB instance, which is then dropped for the GC.
    expect(process.memoryUsage().rss - before).toBeLessThan(400 * 1048576);
    await healthy();
  });

  it('leaves the host process untouched (exit code, globals)', async () => {
    await runCode('function f() { return f() } f()', fast);
    await runCode("JSON.parse('['.repeat(1e5))", fast);
    expect(process.exitCode).toBeUndefined();
    expect((globalThis as Record<string, unknown>).leak).toBeUndefined();
  });
});

describe('runCode: isolation between calls', () => {
  it.each([
    ['globalThis.leak = 5', 'typeof leak', 'undefined'],
    ['var v = 1', 'typeof v', 'undefined'],
    ['Object.prototype.polluted = 1', '({}).polluted', 'undefined'],
    ['Array.prototype.push = () => 0', 'let a = []; a.push(1); a.length', '1'],
    ['Math.max = () => -1', 'Math.max(1, 2)', '2'],
    ["console.log = () => {}; print = null", "print('still'); 1", 'still\n1'],
  ])('%s does not leak into the next call', async (first, second, output) => {
    await runCode(first, roomy);
    expect(await runCode(second, roomy)).toEqual({ ok: true, output });
  });
});

describe('createCodeTool', () => {
  it('has the OpenAI shape and the <code>/<res> tags', () => {
    const tool = createCodeTool();
    expect(tool.name).toBe('code');
    expect(tool.tag).toBe('code');
    expect(tool.resultTag).toBe('res');
    expect(tool.maxArgChars).toBe(4000);
    expect(tool.parameters.required).toEqual(['code']);
    expect(toolTagLimits([tool])).toEqual({ code: 4000 });
  });

  it('runs a call parsed from model text', async () => {
    const tool = createCodeTool();
    const text = 'Sum 1..10: <code>let s = 0; for (let i = 1; i <= 10; i++) s += i; s</code>';
    const { calls } = parseToolCalls(text, { tools: toolTagLimits([tool]) });
    expect(calls[0].valid).toBe(true);
    const res = await runTool(tool, tool.argsFromText(calls[0].body), { timeoutMs: 1000 });
    expect(formatToolResult(tool, res)).toBe('<res>55</res>');
  });

  it.each([
    ['  1 + 1  ', '1 + 1'],
    ['```js\nprint(1)\n```', 'print(1)'],
    ['```javascript\nlet a = 1;\na\n```', 'let a = 1;\na'],
    ['```\n2\n```', '2'],
  ])('argsFromText(%j)', (text, code) => {
    expect(createCodeTool().argsFromText(text)).toEqual({ code });
  });

  it('the caller timeout lowers the time limit (runTool)', async () => {
    const tool = createCodeTool({ timeLimitMs: 5000 });
    const t0 = performance.now();
    const r = await runTool(tool, { code: 'while (true) {}' }, { timeoutMs: 100 });
    expect(r.error).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(4000); // the tool's own limit would take 5 s
  });

  it('returns an aborted error for a signal aborted before the call', async () => {
    const c = new AbortController();
    c.abort();
    expect(await createCodeTool().run({ code: '1' }, { signal: c.signal })).toEqual({ ok: false, output: 'error: call aborted', error: 'aborted' });
  });

  it.each([
    [{ code: 5 }, 'argument "code" must be a string'],
    [null, 'argument "code" must be a string'],
    [{ code: '   ' }, 'empty program'],
    [{ code: 'x'.repeat(11) }, 'program is 11 characters (limit 10)'],
  ])('bad arguments %j → tool error', async (args, message) => {
    const r = await createCodeTool({ maxCodeChars: 10 }).run(args as never);
    expect(r).toEqual({ ok: false, output: `error: ${message}`, error: 'bad-arguments' });
  });

  it.each([
    [{ timeLimitMs: 0 }, 'timeLimitMs'],
    [{ timeLimitMs: Number.NaN }, 'timeLimitMs'],
    [{ timeLimitMs: 1.5 }, 'timeLimitMs'],
    [{ memoryLimitBytes: 1000 }, 'memoryLimitBytes'],
    [{ memoryLimitBytes: Number.POSITIVE_INFINITY }, 'memoryLimitBytes'],
    [{ maxStackBytes: 10 }, 'maxStackBytes'],
    [{ maxOutputChars: 0 }, 'maxOutputChars'],
    [{ maxCodeChars: -1 }, 'maxCodeChars'],
    [{ maxCodeChars: '10' }, 'maxCodeChars'],
  ])('rejects bad option %j', async (options, name) => {
    expect(() => createCodeTool(options as never)).toThrow(RangeError);
    expect(() => createCodeTool(options as never)).toThrow(`createCodeTool: options.${name} must be an integer`);
    await expect(runCode('1', options as never)).rejects.toThrow(`runCode: options.${name}`);
  });
});

describe('runCode: worker thread (hard time limit, abort, concurrency)', () => {
  it('a loop of 1 MB allocations that catches its own out-of-memory errors is stopped by the hard time limit', async () => {
    const t0 = performance.now();
    const r = await runCode(OOM_LOOP, fast);
    expect(r).toEqual({ ok: false, output: 'error: timed out (limit 300 ms)', error: 'timeout' });
    expect(performance.now() - t0).toBeLessThan(HARD_LIMIT_BOUND_MS);
    await healthy();
  });

  it('the caller timeout (runTool) is hard too', async () => {
    const tool = createCodeTool({ timeLimitMs: 10_000 });
    const t0 = performance.now();
    expect((await runTool(tool, { code: OOM_LOOP }, { timeoutMs: 200 })).error).toBe('timeout');
    expect(performance.now() - t0).toBeLessThan(HARD_LIMIT_BOUND_MS);
    await healthy();
  });

  it('the event loop keeps running while the sandbox runs an infinite loop', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      expect((await runCode('while (true) {}', { timeLimitMs: 500 })).error).toBe('timeout');
    } finally {
      clearInterval(timer);
    }
    // ≈ 50 ticks when idle; a blocked loop would give 0 or 1.
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it.each([
    ['while (true) {}', 'an interruptible loop'],
    [OOM_LOOP, 'a loop the interrupt handler rarely sees (the worker is terminated)'],
  ])('abort mid-run of %s returns aborted promptly (%s)', async (code) => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 100);
    const t0 = performance.now();
    const r = await runCode(code, { timeLimitMs: 20_000 }, { signal: c.signal });
    expect(r).toEqual({ ok: false, output: 'error: call aborted', error: 'aborted' });
    expect(performance.now() - t0).toBeLessThan(HARD_LIMIT_BOUND_MS); // the time limit is 20 s
    await healthy();
  });

  it('an abort after the call finished changes nothing', async () => {
    const c = new AbortController();
    const r = await runCode('6*7', roomy, { signal: c.signal });
    c.abort();
    expect(r).toEqual({ ok: true, output: '42' });
  });

  it.runIf(availableParallelism() >= 2)('two concurrent calls overlap', async () => {
    // Start both workers first so the timing below holds only the runs.
    await Promise.all([runCode('1', roomy), runCode('2', roomy)]);
    // Each run reports when it started and ended (the sandboxes read the host's clock). Run one
    // after the other, the two spans would not overlap; a wall-time bound instead failed when
    // other test processes shared the 2 cores.
    const busy = 'const t = Date.now(); while (Date.now() - t < 600) {} t + "," + Date.now()';
    const rs = await Promise.all([runCode(busy, roomy), runCode(busy, roomy)]);
    const [[s1, e1], [s2, e2]] = rs.map((r) => {
      expect(r.ok).toBe(true);
      return r.output.split(',').map(Number);
    });
    expect(s2).toBeLessThan(e1);
    expect(s1).toBeLessThan(e2);
  });

  it('queued calls beyond the pool size all complete, in any order', async () => {
    const rs = await Promise.all(Array.from({ length: 6 }, (_, i) => runCode(`${i} * 2`, roomy)));
    expect(rs.map((r) => r.output)).toEqual(['0', '2', '4', '6', '8', '10']);
  });

  it('a call queued behind busy workers can be aborted while it waits', async () => {
    const c = new AbortController();
    const busy = [runCode('while (true) {}', fast), runCode('while (true) {}', fast)];
    const queued = runCode('1', roomy, { signal: c.signal });
    c.abort();
    expect(await queued).toEqual({ ok: false, output: 'error: call aborted', error: 'aborted' });
    for (const r of await Promise.all(busy)) expect(r.error).toBe('timeout');
  });

  it('after terminated workers every next call works', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await runCode(OOM_LOOP, { timeLimitMs: 100 })).error).toBe('timeout');
      await healthy();
    }
  });

  it('closeCodeSandbox ends calls in flight as aborted; later calls start fresh workers', async () => {
    const inFlight = runCode('while (true) {}', { timeLimitMs: 20_000 });
    await new Promise((r) => setTimeout(r, 50));
    closeCodeSandbox();
    expect(await inFlight).toEqual({ ok: false, output: 'error: call aborted (sandbox closed)', error: 'aborted' });
    await healthy();
  });

  it('the worker never hands model text to the host eval or Function', () => {
    const src = readFileSync(new URL('./code-worker.mjs', import.meta.url), 'utf8');
    expect(src).not.toMatch(/\beval\s*\(|\bFunction\s*\(|\bvm\b|node:vm/);
    expect(src).toMatch(/c\.evalCode\(code, 'input\.js'/);
  });
});
