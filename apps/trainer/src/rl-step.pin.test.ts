import { arithTasks, createCalculator } from '@paretopo/envs';
import { createBackend } from '@paretopo/kernels';
import { AdamW, PRESETS, TagTokenizer, TinyGPT } from '@paretopo/policy';
import { describe, expect, it } from 'vitest';
import { createEnvironment } from './environment';
import { MethodState } from './methods';
import { frozenReference, rlStep } from './rl-step';
import { paramsHash } from './run/checkpoint';
import { sft } from './sft';

// Pins a short run on the `tiny` preset (the demo's shapes) bit for bit: the SFT warm start's
// weights, then three RL steps' final weights and metrics. Any change to the arithmetic of
// sampling, forward, backward or AdamW shows here; a change meant to alter results must say why
// in a changeset and update these hashes.
describe('rlStep: pinned results (tiny preset, js backend)', () => {
  it('a short SFT then 3 RL steps give the pinned weights and metrics', async () => {
    const backend = await createBackend('js');
    const tok = TagTokenizer.create();
    const model = TinyGPT.create({ ...PRESETS.tiny, vocab: tok.size }, backend, { seed: 1 });
    const env = createEnvironment('arith', { seed: 1, sftCount: 256, rlCount: 64, validationCount: 1, testCount: 1 });
    const traces = env.demonstrations({ seed: 2, overuse: 0.6, repeat: 0.2 });
    await sft(model, new AdamW(backend, model.layout, { lr: 3e-3, warmupSteps: 5, totalSteps: 40 }), tok, traces, { steps: 40, batchSize: 16 });
    expect(paramsHash(model.params)).toMatchInlineSnapshot(`"517e371694a8f211cfba47dbe0600f83fa1c42279d324784a3c5aa65ab7a4fb8"`);
    const reference = frozenReference(model);
    const optimizer = new AdamW(backend, model.layout, { lr: 5e-4, totalSteps: 3, clipNorm: 1 });
    const parts = { model, reference, tokenizer: tok, optimizer, method: new MethodState('paretopo', { totalSteps: 3 }), tools: [createCalculator()] };
    const tasks = arithTasks({ seed: 7, count: 3 });
    const rows = [];
    for (let s = 0; s < 3; s++) {
      const r = await rlStep(parts, tasks, { groupSize: 8, seed: 11, maxTurns: 4, maxToolCalls: 4, maxTokens: 64 });
      rows.push({ ...r, seconds: 0, tokensPerSecond: 0 });
    }
    expect(rows.map((r) => [r.tokens, r.generatedTokens, r.meanCalls, r.accuracy])).toMatchInlineSnapshot(`
      [
        [
          1571,
          257,
          1.25,
          0,
        ],
        [
          1065,
          214,
          0.9583333333333334,
          0,
        ],
        [
          1332,
          259,
          1.125,
          0,
        ],
      ]
    `);
    expect(paramsHash(model.params)).toMatchInlineSnapshot(`"dd8c911d7036933da359f1da77534d734374dc9aa5e6206907a416f6731f2cb1"`);
    expect(JSON.stringify(rows)).toMatchInlineSnapshot(`"[{"step":0,"stage":1,"weights":[0.6,0.4],"rPareto":0.5,"deltaHvSmoothed":0,"archiveSize":1,"switchStep":1,"accuracy":0,"meanCalls":1.25,"meanToolReward":0.630773235282996,"hv":0,"meanAbsAdvantage":0.05487295871273284,"loss":0.036928013851546905,"kl":0,"entropy":2.8692087589070954,"clipFraction":0,"dualClipFraction":0,"gradNorm":0.07811125894272973,"lr":0.00038750000000000004,"episodes":24,"generatedTokens":257,"tokens":1571,"tokensPerSecond":0,"seconds":0},{"step":1,"stage":2,"weights":[0.6,0.4],"rPareto":0.5007125828576263,"deltaHvSmoothed":0.0004750552741539381,"archiveSize":1,"switchStep":1,"accuracy":0,"meanCalls":0.9583333333333334,"meanToolReward":0.6782787626983898,"hv":0,"meanAbsAdvantage":0.5625,"loss":0.20211316988946584,"kl":0.010374820276058789,"entropy":2.8771326519618525,"clipFraction":0,"dualClipFraction":0,"gradNorm":0.8654290611808275,"lr":0.00016250000000000007,"episodes":24,"generatedTokens":214,"tokens":1065,"tokensPerSecond":0,"seconds":0},{"step":2,"stage":2,"weights":[0.6,0.4],"rPareto":0.5006996170611807,"deltaHvSmoothed":0.000466411407941478,"archiveSize":1,"switchStep":1,"accuracy":0,"meanCalls":1.125,"meanToolReward":0.6821649288186832,"hv":0,"meanAbsAdvantage":0.8125,"loss":0.6602390656291046,"kl":0.007404764567332126,"entropy":2.9417926086882367,"clipFraction":0,"dualClipFraction":0,"gradNorm":1.2820339622420445,"lr":0.00005,"episodes":24,"generatedTokens":259,"tokens":1332,"tokensPerSecond":0,"seconds":0}]"`);
  });
});
