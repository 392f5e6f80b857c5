import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_BACKENDS } from './backends/builtins';
import { OP_DEFINITIONS } from './ops/catalog';
import { Op, OP_NAMES } from './ops/names';
import { createBackend, knownGaps, listBackends, registerBackend, type Backend, type BackendInfo } from './registry';

function fake(info: Partial<BackendInfo> & Pick<BackendInfo, 'name'>, disposed: string[] = []): Backend {
  return {
    info: { precision: 'f32', fallbacks: [], ...info },
    run: async () => undefined as never,
    dispose: async () => {
      disposed.push(info.name);
    },
  };
}

afterEach(() => {
  for (const b of BUILTIN_BACKENDS) registerBackend(b.name, b.factory, b.priority);
});

describe('registry', () => {
  it('importing the package installs no navigator.gpu', () => {
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
  });

  it('tries hardware GPU first, then the js path before the gpu.js CPU modes', () => {
    expect(listBackends()).toEqual(['webgpu', 'headlessgl', 'js', 'webasm', 'cpu', 'reference']);
  });

  it('auto falls back with a logged reason when a backend cannot start', async () => {
    registerBackend('webgpu', async () => {
      throw new Error('no adapter here');
    }, 100);
    registerBackend('headlessgl', async () => {
      throw new Error('gl missing');
    }, 90);
    const lines: string[] = [];
    const backend = await createBackend('auto', { log: (l) => lines.push(l) });
    expect(backend.info.name).toBe('js');
    expect(backend.info.fallbacks.slice(0, 2)).toEqual(['webgpu: cannot start (no adapter here)', 'headlessgl: cannot start (gl missing)']);
    expect(lines.join('\n')).toMatch(/webgpu: cannot start \(no adapter here\); falling back[\s\S]*using js/);
  });

  it('auto never picks a software adapter unless allowSoftwareGpu', async () => {
    const disposed: string[] = [];
    registerBackend('webgpu', async () => fake({ name: 'webgpu', adapter: 'llvmpipe', software: true }, disposed), 100);
    registerBackend('headlessgl', async () => {
      throw new Error('gl missing');
    }, 90);
    const cpu = await createBackend('auto');
    expect(cpu.info.name).toBe('js');
    expect(cpu.info.fallbacks[0]).toMatch(/webgpu: adapter 'llvmpipe' is a software rasteriser/);
    expect(disposed).toEqual(['webgpu']);
    const gpu = await createBackend('auto', { allowSoftwareGpu: true });
    expect(gpu.info).toMatchObject({ name: 'webgpu', adapter: 'llvmpipe', software: true });
  });

  it('picks a hardware adapter first', async () => {
    registerBackend('webgpu', async () => fake({ name: 'webgpu', adapter: 'NVIDIA H100', software: false }), 100);
    expect((await createBackend('auto')).info.adapter).toBe('NVIDIA H100');
  });

  it('an explicit selection reports its own failure', async () => {
    registerBackend('headlessgl', async () => {
      throw new Error('gl missing');
    }, 90);
    await expect(createBackend('headlessgl')).rejects.toThrow('gl missing');
  });

  it('the real headlessgl mode fails here with a reason naming headless-gl', async () => {
    await expect(createBackend('headlessgl')).rejects.toThrow(/headless-gl|headlessgl/);
  });

  it('the real auto selection on this machine reports its choice and every skipped backend', async () => {
    const lines: string[] = [];
    const backend = await createBackend('auto', { log: (l) => lines.push(l) });
    expect(lines.at(-1)).toMatch(new RegExp(`^kernels: using ${backend.info.name}`));
    if (backend.info.name === 'js') {
      expect(backend.info.fallbacks.some((f) => f.startsWith('webgpu: '))).toBe(true);
      expect(backend.info.fallbacks.some((f) => f.startsWith('headlessgl: cannot start'))).toBe(true);
    }
    await backend.dispose();
  });

  it('rejects bad selections and registrations', async () => {
    await expect(createBackend('tpu' as never)).rejects.toThrow(RangeError);
    expect(() => registerBackend('js', 3 as never, 1)).toThrow(/factory must be a function/);
    expect(() => registerBackend('js', async () => fake({ name: 'js' }), NaN)).toThrow(/priority must be a finite number/);
  });
});

describe('ops and gaps', () => {
  it('registers each op at most once, under a known name', () => {
    const names = OP_DEFINITIONS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(OP_NAMES).toContain(n);
  });

  it('lists a reason for every gap, and an op without a gpu.js kernel is a gap on every gpu.js backend', () => {
    for (const gap of knownGaps()) expect(gap.reason.length).toBeGreaterThan(0);
    for (const def of OP_DEFINITIONS.filter((d) => !d.gpu)) {
      const covered = knownGaps().filter((g) => g.op === def.name).map((g) => g.backend);
      for (const b of ['cpu', 'webasm', 'webgpu', 'headlessgl']) expect(covered, `${def.name} on ${b}`).toContain(b);
    }
    expect(knownGaps().filter((g) => g.backend === 'js' || g.backend === 'reference')).toEqual([]);
  });

  it('validates once at the edge: unknown op, non-object args, bad shapes', async () => {
    const backend = await createBackend('reference');
    await expect(backend.run('nope' as never, {} as never)).rejects.toThrow("reference.run: unknown op 'nope'");
    await expect(backend.run(Op.Matmul, null as never)).rejects.toThrow('matmul: args must be an object (got null)');
    const a = new Float32Array(4);
    await expect(backend.run(Op.Matmul, { a, b: a, out: a, m: 2, k: 2, n: 0 })).rejects.toThrow('matmul: n must be an integer >= 1 (got 0)');
  });
});
