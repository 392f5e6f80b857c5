import { describe, expect, it } from 'vitest';
import { onAbort, requestAbort } from './abort';

describe('onAbort and requestAbort', () => {
  it('onAbort runs each callback once, and not after stop()', async () => {
    const c = new AbortController();
    let a = 0;
    let b = 0;
    onAbort(c.signal, () => a++);
    const stop = onAbort(c.signal, () => b++);
    stop();
    c.abort();
    c.abort();
    expect([a, b]).toEqual([1, 0]);
  });

  it('requestAbort fires on its timer and says so', async () => {
    const r = requestAbort(1);
    await new Promise((resolve) => r.signal.addEventListener('abort', resolve, { once: true }));
    expect(r.timedOut()).toBe(true);
    r.done();
  });

  it("requestAbort follows the caller's signal (not a time-out), and done() stops both", () => {
    const c = new AbortController();
    const r = requestAbort(60_000, c.signal);
    c.abort();
    expect(r.signal.aborted).toBe(true);
    expect(r.timedOut()).toBe(false);
    r.done();
    const c2 = new AbortController();
    const r2 = requestAbort(60_000, c2.signal);
    r2.done();
    c2.abort();
    expect(r2.signal.aborted).toBe(false);
  });
});
