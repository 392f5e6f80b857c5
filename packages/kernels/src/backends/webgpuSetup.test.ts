import { expect, it } from 'vitest';
import { requestWebGpuAdapter } from './webgpuSetup';

// Node 21+ ships a `navigator` without `gpu`: the setup must add `gpu` to it, not replace it.
it('adds gpu to an existing navigator without clobbering it, and names the adapter', async () => {
  const existing = { userAgent: 'test-agent' };
  Object.defineProperty(globalThis, 'navigator', { value: existing, configurable: true });
  const g = globalThis as unknown as { navigator: { userAgent: string; gpu?: unknown } };
  try {
    const summary = await requestWebGpuAdapter();
    expect(summary.adapter.length).toBeGreaterThan(0);
    expect(typeof summary.software).toBe('boolean');
  } catch (error) {
    // No adapter on this machine: the error must say so clearly.
    expect(String(error)).toMatch(/webgpu: no WebGPU adapter available/);
  }
  expect(g.navigator).toBe(existing);
  expect(g.navigator.userAgent).toBe('test-agent');
  expect(g.navigator.gpu).toBeDefined();
});
