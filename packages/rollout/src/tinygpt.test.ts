import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '@paretopo/kernels';
import { TagTokenizer, TinyGPT, asRolloutPolicy, nextTokenTargets } from '@paretopo/policy';
import { createCalculator } from '@paretopo/envs';
import { rollout } from './rollout';

// The local policy end to end: a real (untrained, seeded) TinyGPT behind the Policy interface.
// What RL relies on is checked here: at temperature 1 with no top-k, the log-prob the rollout
// recorded for each generated token equals the training forward's log-prob of that token in the
// packed trajectory, so the PPO ratio π_θ/π_old starts at exactly 1.
describe('rollout with a local TinyGPT policy', () => {
  const tok = TagTokenizer.create();
  const tasks = [
    { id: 'a', prompt: 'Q: 12*34=?\n', answer: '408' },
    { id: 'b', prompt: 'Q: 7+5=?\n', answer: '12' },
  ];
  let backend: Backend | undefined;
  afterAll(async () => backend?.dispose());

  it('records sampling log-probs that match a training forward on the packed trajectories', async () => {
    backend = await createBackend('js');
    const config = { layers: 1, dModel: 32, heads: 2, context: 128, vocab: tok.size, mlpRatio: 4 };
    const model = TinyGPT.create(config, backend, { seed: 3 });
    const traj = await rollout(asRolloutPolicy(model, tok), tasks, {
      groupSize: 4,
      tools: [createCalculator()],
      maxTokens: 40,
      maxContextTokens: 128,
      temperature: 1,
      seed: 11,
    });
    expect(traj.offsets.length).toBe(tasks.length * 4 + 1);
    expect(Array.from(traj.groupIds)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);

    const generated = traj.episodes.reduce((s, e) => s + e.generatedTokens, 0);
    const masked = traj.lossMask.reduce((s, m) => s + m, 0);
    expect(masked).toBe(generated);
    expect(masked).toBeGreaterThan(0);

    const fwd = await model.forward({ tokens: traj.tokens, seqOffsets: traj.offsets, targets: nextTokenTargets(traj.tokens, traj.offsets) });
    let maxDiff = 0;
    for (let e = 0; e < traj.offsets.length - 1; e++) {
      // A generated token never opens an episode: the prompt comes first.
      expect(traj.lossMask[traj.offsets[e]]).toBe(0);
      for (let t = traj.offsets[e] + 1; t < traj.offsets[e + 1]; t++) {
        if (traj.lossMask[t] === 0) {
          expect(traj.oldLogprobs[t]).toBe(0);
          continue;
        }
        maxDiff = Math.max(maxDiff, Math.abs(traj.oldLogprobs[t] - fwd.logprobs[t - 1]));
      }
    }
    expect(maxDiff).toBeLessThan(1e-3);
  });

  it('gives the G samples of one prompt different texts (distinct random streams)', async () => {
    backend ??= await createBackend('js');
    const config = { layers: 1, dModel: 32, heads: 2, context: 128, vocab: tok.size, mlpRatio: 4 };
    const model = TinyGPT.create(config, backend, { seed: 3 });
    const traj = await rollout(asRolloutPolicy(model, tok), tasks.slice(0, 1), { groupSize: 4, maxTokens: 20, seed: 5 });
    const texts = new Set<string>();
    for (let e = 0; e < 4; e++) texts.add(tok.decode(traj.tokens.subarray(traj.offsets[e], traj.offsets[e + 1])));
    expect(texts.size).toBeGreaterThan(1);
  });
});
