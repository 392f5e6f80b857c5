import { bench, describe } from 'vitest';
import { broadcastToTokens } from '../src/index';
import { setWasmKernels } from '../src/wasm/switch';
import { seededRandom } from '@paretopo/test-utils';

// 16 M tokens: 65,536 sequences of 256 tokens. Each: a prompt (mask 0), then generated text with
// one or two tool outputs (mask 0) inside, as multi-turn rollouts produce.
const SEQS = 65_536;
const LEN = 256;
const T = SEQS * LEN;
const rand = seededRandom(7);
const adv = Float64Array.from({ length: SEQS }, () => rand() * 2 - 1);
const offsets = Int32Array.from({ length: SEQS + 1 }, (_, s) => s * LEN);
const mask = new Uint8Array(T);
for (let s = 0; s < SEQS; s++) {
  const base = s * LEN;
  const prompt = 32 + Math.floor(rand() * 64);
  mask.fill(1, base + prompt, base + LEN);
  for (let tool = 0; tool < 2; tool++) {
    const at = prompt + Math.floor(rand() * (LEN - prompt - 24));
    mask.fill(0, base + at, base + at + 8 + Math.floor(rand() * 16));
  }
}
const out = new Float32Array(T);
const src = Float32Array.from({ length: T }, () => rand());

// Warm-up, so that V8's optimised code for the kernel is in place before the timing (see
// advantages.bench.ts).
for (let i = 0; i < 20; i++) broadcastToTokens(adv, offsets, mask, out);

describe('16 M tokens', () => {
  bench('baseline: Float32Array.prototype.set (16 M floats)', () => {
    out.set(src);
  });
  bench('broadcastToTokens', () => {
    broadcastToTokens(adv, offsets, mask, out);
  });
  bench('broadcastToTokens (JavaScript path)', () => {
    setWasmKernels(false);
    broadcastToTokens(adv, offsets, mask, out);
    setWasmKernels(true);
  });
});
