import { arithTasks, arithTeacher } from '@paretopo/envs';
import { createBackend } from '@paretopo/kernels';
import { AdamW, TagTokenizer, TinyGPT } from '@paretopo/policy';
import { describe, expect, it } from 'vitest';
import { packTeacherTraces, sft } from './sft';

const tok = TagTokenizer.create();

describe('packTeacherTraces', () => {
  it('masks in the teacher policy spans only (not the prompt, not <res>…</res>)', () => {
    const trace = {
      prompt: 'What is 2*3?\n',
      segments: [
        { role: 'policy' as const, text: '<calc>2*3</calc>' },
        { role: 'tool' as const, text: '<res>6</res>' },
        { role: 'policy' as const, text: '<ans>6</ans>' },
      ],
    };
    const p = packTeacherTraces(tok, [trace, trace]);
    // prompt 13 tokens, <calc>2*3</calc> 5, <res>6</res> 3, <ans>6</ans> 3
    const one = [...Array(13).fill(0), ...Array(5).fill(1), 0, 0, 0, 1, 1, 1];
    expect(Array.from(p.lossMask)).toEqual([...one, ...one]);
    expect(Array.from(p.offsets)).toEqual([0, 24, 48]);
    expect(tok.decode(p.tokens.subarray(0, 24))).toBe(trace.prompt + '<calc>2*3</calc><res>6</res><ans>6</ans>');
    expect(() => packTeacherTraces(tok, [trace], 10)).toThrow(/trace 0 has 24 tokens, more than maxTokens 10/);
  });
});

describe('sft', () => {
  it('lowers the masked NLL on arith teacher traces within 30 steps', async () => {
    const backend = await createBackend('js');
    const model = TinyGPT.create({ layers: 1, dModel: 32, heads: 2, context: 128, vocab: tok.size, mlpRatio: 4 }, backend, { seed: 1 });
    const traces = arithTeacher(arithTasks({ seed: 1, count: 64 }), { seed: 2 });
    const losses = await sft(model, new AdamW(backend, model.layout, { lr: 1e-2 }), tok, traces, { steps: 30, batchSize: 8 });
    expect(losses).toHaveLength(30);
    expect(losses.every(Number.isFinite)).toBe(true);
    const tail = losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
    expect(losses[0]).toBeGreaterThan(Math.log(tok.size) - 1); // ≈ uniform at init
    expect(tail).toBeLessThan(0.6 * losses[0]);
  });

  it('rejects bad arguments', async () => {
    const backend = await createBackend('js');
    const model = TinyGPT.create({ layers: 1, dModel: 32, heads: 2, context: 128, vocab: tok.size, mlpRatio: 4 }, backend, { seed: 1 });
    const opt = new AdamW(backend, model.layout);
    await expect(sft(model, opt, tok, [])).rejects.toThrow(/traces must not be empty/);
    const traces = arithTeacher(arithTasks({ seed: 1, count: 2 }), { seed: 2 });
    await expect(sft(model, opt, tok, traces, { batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});
