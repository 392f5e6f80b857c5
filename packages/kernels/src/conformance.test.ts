import { afterAll, describe, expect, it } from 'vitest';
import { checkOp } from './conformance/harness';
import { OP_DEFINITIONS } from './ops/catalog';
import { createBackend, knownGaps, listBackends, type Backend, type BackendName } from './registry';

// One suite for every registered op on every backend that starts on this machine. WebGPU is skipped
// with its reason when no adapter exists, unless PARETOPO_REQUIRE_WEBGPU=1 (CI, with lavapipe).
const REQUIRE_WEBGPU = process.env.PARETOPO_REQUIRE_WEBGPU === '1';

const started: { name: BackendName; backend: Backend }[] = [];
const unavailable: { name: BackendName; reason: string }[] = [];
for (const name of listBackends()) {
  if (name === 'reference') continue;
  try {
    started.push({ name, backend: await createBackend(name) });
  } catch (error) {
    unavailable.push({ name, reason: error instanceof Error ? error.message : String(error) });
  }
}
afterAll(async () => {
  for (const { backend } of started) await backend.dispose();
});

describe('backend availability', () => {
  for (const { name, reason } of unavailable) {
    if (name === 'webgpu' && REQUIRE_WEBGPU) {
      it('webgpu starts (PARETOPO_REQUIRE_WEBGPU=1)', () => {
        throw new Error(`webgpu is required but unavailable: ${reason}`);
      });
    } else {
      console.log(`conformance: skipping ${name} (${reason})`);
      it.skip(`${name}: unavailable (${reason})`, () => {});
    }
  }
  it('the js backend is always available', () => {
    expect(started.map((s) => s.name)).toContain('js');
  });
});

for (const { name, backend } of started) {
  const gpuClass = name === 'webgpu' || name === 'headlessgl' || name === 'webasm' || name === 'cpu';
  // WebGPU on a software adapter compiles every shape through LLVM: keep its shapes tiny.
  const small = name === 'webgpu' && backend.info.software !== false;
  describe(`${name}${backend.info.adapter ? ` (${backend.info.adapter})` : ''}`, () => {
    for (const def of OP_DEFINITIONS) {
      const gap = knownGaps().find((g) => g.backend === name && g.op === def.name);
      if (gap) {
        it.skip(`${def.name}: known gap (${gap.reason})`, () => {});
        continue;
      }
      it(`${def.name} matches the float64 reference`, async () => {
        const outcomes = await checkOp(backend, def, { small, seed: 0x5eed, tolerance: gpuClass ? 'gpu' : 'js' });
        const failed = outcomes.filter((o) => o.errors.length > 0).map((o) => `${o.label}: ${o.errors.join('; ')}`);
        expect(failed).toEqual([]);
        expect(outcomes.length).toBeGreaterThan(0);
      });
    }
  });
}
