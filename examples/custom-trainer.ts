/**
 * A custom trainer assembled from the paretopo packages in under 60 lines: the `kb` task (BM25
 * search over a generated world), a supervised warm start on its scripted teacher, then RL with
 * RLOO on a scalarised (correctness, tool-efficiency) reward and the METHOD.md §5 loss.
 * Swap `getEstimator('rloo')` for any name in `listEstimators()` to change the method.
 * The test suite runs it with a micro model (apps/trainer/src/example.test.ts).
 */
import { NOptTracker, broadcastToTokens, getEstimator, toolEfficiencyReward } from '@paretopo/advantage';
import { createKbWorld, createSearchIndex, kbTasks, kbTeacher, searchTool } from '@paretopo/envs';
import { createBackend } from '@paretopo/kernels';
import { AdamW, TagTokenizer, TinyGPT, asRolloutPolicy } from '@paretopo/policy';
import { rollout } from '@paretopo/rollout';
import { frozenReference, policyGradient, sft } from '@paretopo/trainer';

export interface CustomRunOptions {
  steps?: number;
  sftSteps?: number;
  model?: { layers: number; dModel: number; heads: number; context: number };
}

export async function customTrainer({ steps = 30, sftSteps = 300, model = { layers: 2, dModel: 64, heads: 4, context: 256 } }: CustomRunOptions = {}) {
  const backend = await createBackend('auto');
  const world = createKbWorld({ seed: 1 });
  const tools = [searchTool(createSearchIndex(world.passages), { topK: 1, showTitles: false })];
  const train = kbTasks(world, { seed: 2, count: 1024 });
  const tok = TagTokenizer.create();
  const policy = TinyGPT.create({ ...model, mlpRatio: 4, vocab: tok.size }, backend, { seed: 1 });
  await sft(policy, new AdamW(backend, policy.layout, { lr: 3e-3 }), tok, kbTeacher(world, train, { seed: 3 }), { steps: sftSteps, batchSize: 16 });

  const reference = frozenReference(policy);
  const optimizer = new AdamW(backend, policy.layout, { lr: 3e-4 });
  const estimator = getEstimator('rloo');
  const nOpt = new NOptTracker();
  const log: { step: number; accuracy: number; calls: number; loss: number }[] = [];
  for (let step = 0; step < steps; step++) {
    const tasks = Array.from({ length: 4 }, (_, i) => train[(step * 4 + i) % train.length]);
    const traj = await rollout(asRolloutPolicy(policy, tok), tasks, { groupSize: 8, tools, maxTurns: 4, maxTokens: 160, maxContextTokens: model.context, seed: step });
    const calls = traj.episodes.map((e) => e.validCalls + e.invalidCalls);
    const correct = traj.episodes.map((e) => e.correct);
    nOpt.observeBatch(traj.taskIds, calls, correct);
    // METHOD.md §1: r = 0.6·r_task + 0.4·exp(−0.5·|N_call − N_opt|), N_opt = 0 until a correct answer.
    const reward = Float64Array.from(calls, (c, i) => 0.6 * Number(correct[i]) + 0.4 * toolEfficiencyReward(c, nOpt.get(traj.taskIds[i]) ?? 0));
    const advantages = estimator.compute(reward, traj.groupIds);
    const grads = new Float32Array(policy.params.length);
    const tokenAdv = broadcastToTokens(advantages, traj.offsets, traj.lossMask);
    const loss = await policyGradient(policy, reference, traj, tokenAdv, { epsLow: 0.2, epsHigh: 0.2, betaKl: 0.001, aggregation: 'token-mean' }, grads);
    await optimizer.step(policy.params, grads);
    const n = calls.length;
    log.push({ step, accuracy: correct.filter(Boolean).length / n, calls: calls.reduce((a, b) => a + b, 0) / n, loss: loss.loss });
  }
  await backend.dispose();
  return log;
}
