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
    expect(paramsHash(model.params)).toMatchInlineSnapshot(`"c9b45db9698a302f9113a535b79e9bce527aca332466e2b17349c5e8c2046c8c"`);
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
          706,
          211,
          0.6666666666666666,
          0,
        ],
        [
          965,
          235,
          0.9166666666666666,
          0,
        ],
        [
          659,
          194,
          0.4583333333333333,
          0,
        ],
      ]
    `);
    expect(paramsHash(model.params)).toMatchInlineSnapshot(`"0a78dfc967b0d6127f760a9bd848125c1edf5e559b56e38a7d1d4f67da620b48"`);
    expect(JSON.stringify(rows)).toMatchInlineSnapshot(`"[{"step":0,"stage":1,"weights":[0.6,0.4],"rPareto":0.5,"deltaHvSmoothed":0,"archiveSize":1,"switchStep":1,"accuracy":0,"meanCalls":0.6666666666666666,"meanToolReward":0.7441378615478463,"hv":0,"meanAbsAdvantage":0.030827118352445337,"loss":0.018559163459306065,"kl":0,"entropy":2.8698555361038136,"clipFraction":0,"gradNorm":0.07094749420528816,"lr":0.00038750000000000004,"episodes":24,"generatedTokens":211,"tokens":706,"tokensPerSecond":0,"seconds":0},{"step":1,"stage":2,"weights":[0.6,0.4],"rPareto":0.5,"deltaHvSmoothed":0,"archiveSize":1,"switchStep":1,"accuracy":0,"meanCalls":0.9166666666666666,"meanToolReward":0.6715735467670342,"hv":0,"meanAbsAdvantage":0.46875,"loss":0.09896104555480369,"kl":0.024875595671536112,"entropy":2.762067606094036,"clipFraction":0,"gradNorm":0.6631390657425731,"lr":0.00016250000000000007,"episodes":24,"generatedTokens":235,"tokens":965,"tokensPerSecond":0,"seconds":0},{"step":2,"stage":2,"weights":[0.6,0.4],"rPareto":0.50132635266881,"deltaHvSmoothed":0.0008842353429929195,"archiveSize":1,"switchStep":1,"accuracy":0,"meanCalls":0.4583333333333333,"meanToolReward":0.8325613958471383,"hv":0,"meanAbsAdvantage":0.5625,"loss":0.13662924198061252,"kl":0.03130137835009702,"entropy":2.7504398810494806,"clipFraction":0,"gradNorm":0.918984243964216,"lr":0.00005,"episodes":24,"generatedTokens":194,"tokens":659,"tokensPerSecond":0,"seconds":0}]"`);
  });
});
