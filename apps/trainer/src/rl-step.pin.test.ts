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
    expect(paramsHash(model.params)).toMatchInlineSnapshot(`"e4bb7191d2fe66ef071af7b4ce64da8454fe5612bb96a5884907b4cae01cab6a"`);
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
          1703,
          330,
          1.5,
          0,
        ],
        [
          1254,
          259,
          1.0833333333333333,
          0,
        ],
        [
          1124,
          268,
          1.0833333333333333,
          0,
        ],
      ]
    `);
    expect(paramsHash(model.params)).toMatchInlineSnapshot(`"5198ba23ef57d8ae848bd7ddb056610529de7e826021edbb981b93017488850f"`);
    expect(JSON.stringify(rows)).toMatchInlineSnapshot(`"[{"step":0,"stage":1,"weights":[0.6,0.4],"rPareto":0.5,"deltaHvSmoothed":0,"archiveSize":1,"switchStep":1,"accuracy":0,"meanCalls":1.5,"meanToolReward":0.5532976459880504,"hv":0,"meanAbsAdvantage":0.048697595694267015,"callsVaryingGroups":1,"correctCallsVaryingGroups":0,"loss":0.027977238805953923,"kl":0,"entropy":2.879595505107533,"clipFraction":0,"dualClipFraction":0,"gradNorm":0.04867428557813518,"lr":0.00038750000000000004,"episodes":24,"generatedTokens":330,"tokens":1703,"tokensPerSecond":0,"seconds":0},{"step":1,"stage":2,"weights":[0.6,0.4],"rPareto":0.5017000724468829,"deltaHvSmoothed":0.0011333821165521994,"archiveSize":1,"switchStep":1,"accuracy":0,"meanCalls":1.0833333333333333,"meanToolReward":0.6666358576432704,"hv":0,"meanAbsAdvantage":0.6666666666666666,"callsVaryingGroups":1,"correctCallsVaryingGroups":0,"loss":0.22105261160442038,"kl":0.010152212465137552,"entropy":2.77907285543022,"clipFraction":0,"dualClipFraction":0,"gradNorm":0.7971794654684441,"lr":0.00016250000000000007,"episodes":24,"generatedTokens":259,"tokens":1254,"tokensPerSecond":0,"seconds":0},{"step":2,"stage":2,"weights":[0.6,0.4],"rPareto":0.5020089190615429,"deltaHvSmoothed":0.0013392801751041764,"archiveSize":1,"switchStep":1,"accuracy":0,"meanCalls":1.0833333333333333,"meanToolReward":0.6985594846639901,"hv":0,"meanAbsAdvantage":0.8020833333333334,"callsVaryingGroups":1,"correctCallsVaryingGroups":0,"loss":0.3404982421738222,"kl":0.013169020386707924,"entropy":2.7958542624516274,"clipFraction":0,"dualClipFraction":0,"gradNorm":1.0964537121835363,"lr":0.00005,"episodes":24,"generatedTokens":268,"tokens":1124,"tokensPerSecond":0,"seconds":0}]"`);
  });
});
