// Class 6 of issue 14 (docs/RELIABILITY.md): a program cut short never reports success, abandoned
// calls never hold up later ones, and a signal shared by many calls holds one listener. Limits
// that are not under test are 10 s, far from anything a loaded CI machine reaches (see code.test.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { onAbort } from './abort';
import { createCalculator } from './calculator';
import { closeCodeSandbox, runCode } from './code';
import { SandboxPool, type SandboxJob } from './code-pool';
import { runTool } from './tool';

const roomy = { timeLimitMs: 10_000 };
afterAll(() => closeCodeSandbox());

const job = (code: string, timeLimitMs = 10_000, deadline?: number): SandboxJob => ({
  code,
  timeLimitMs,
  memoryLimitBytes: 32 * 1048576,
  maxStackBytes: 65536,
  maxOutputChars: 4096,
  deadline,
});

describe('a program cut short inside a promise job is a failure', () => {
  it('the time limit ending a promise job is a timeout, not ok with the last value', async () => {
    const r = await runCode('Promise.resolve().then(() => { for (;;) {} }); 1', { timeLimitMs: 300 });
    expect(r).toMatchObject({ ok: false, error: 'timeout' });
    expect(r.output).toMatch(/^error: timed out \(limit 300 ms\)/);
  });

  it.each([
    ['out of memory', "Promise.resolve().then(() => { const a = []; for (;;) a.push(new Array(1e5).fill(a.length)); }); 1", 'out-of-memory'],
    ['stack overflow', 'Promise.resolve().then(function f() { return f() + 1; }); 1', 'stack-overflow'],
    ['stack overflow in a catch handler', 'Promise.reject(new Error("x")).catch(function g() { return g() + 1; }); 1', 'stack-overflow'],
  ])('%s inside a job is reported as such', async (_, code, error) => {
    const r = await runCode(code, roomy);
    expect(r).toMatchObject({ ok: false, error });
  });

  it('ordinary promise work still succeeds, including an error the program handles itself', async () => {
    expect(await runCode('Promise.resolve(2).then((x) => x * 21)', roomy)).toEqual({ ok: true, output: '42' });
    expect(await runCode('Promise.resolve().then(() => { throw new Error("x"); }).catch(() => 0); 2', roomy)).toEqual({ ok: true, output: '2' });
    expect(await runCode('let n = 0; try { (function f() { n++; f(); })(); } catch (e) {} n > 10', roomy)).toEqual({ ok: true, output: 'true' });
    expect(await runCode('6*7', roomy)).toEqual({ ok: true, output: '42' });
  });
});

describe('SandboxPool and abandoned calls', () => {
  it('queued jobs whose caller deadline passed leave the queue before the busy worker is free, and never run', async () => {
    const pool = new SandboxPool(1);
    try {
      const order: string[] = [];
      const busy = pool.run(job('for (;;) {}', 1500), undefined).then((r) => {
        order.push('busy');
        return r;
      });
      const abandoned = Array.from({ length: 5 }, (_, i) =>
        pool.run(job(`print('ran ${i}')`, 10_000, performance.now() + 20), undefined).then((r) => {
          order.push('abandoned');
          return r;
        }),
      );
      const results = await Promise.all(abandoned);
      for (const r of results) expect(r).toMatchObject({ ok: false, error: 'timeout' });
      expect(await busy).toMatchObject({ ok: false, error: 'timeout' });
      expect(order).toEqual(['abandoned', 'abandoned', 'abandoned', 'abandoned', 'abandoned', 'busy']);
      expect(await pool.run(job('1+1'), undefined)).toEqual({ ok: true, output: '2' });
    } finally {
      pool.close();
    }
  });

  it('runCode with a caller timeout counts the wait for a worker', async () => {
    const pool = new SandboxPool(1);
    try {
      const busy = pool.run(job('for (;;) {}', 800), undefined);
      const late = await pool.run(job('1', 100, performance.now() + 100), undefined);
      expect(late).toMatchObject({ ok: false, error: 'timeout' });
      await busy;
    } finally {
      pool.close();
    }
  });
});

describe('one listener per shared signal', () => {
  it('40 calls sharing one signal raise no MaxListenersExceededWarning, and an abort ends them all', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    const pool = new SandboxPool(1);
    try {
      const controller = new AbortController();
      const calc = createCalculator();
      const calls = [
        ...Array.from({ length: 20 }, () => pool.run(job('for (;;) {}'), controller.signal)),
        ...Array.from({ length: 20 }, () => runTool(calc, { expression: '1+1' }, { signal: controller.signal })),
      ];
      const tools = await Promise.all(calls.slice(20));
      for (const r of tools) expect(r).toEqual({ ok: true, output: '2' });
      controller.abort();
      for (const r of await Promise.all(calls.slice(0, 20))) expect(r).toMatchObject({ ok: false, error: 'aborted' });
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((n) => n === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      pool.close();
    }
  });

  it('onAbort runs each callback once, not after it is stopped, and at once for an aborted signal', async () => {
    const c = new AbortController();
    const seen: string[] = [];
    onAbort(c.signal, () => seen.push('a'));
    const stopB = onAbort(c.signal, () => seen.push('b'));
    stopB();
    c.abort();
    c.abort();
    expect(seen).toEqual(['a']);
    onAbort(c.signal, () => seen.push('late'));
    await Promise.resolve();
    expect(seen).toEqual(['a', 'late']);
  });
});
