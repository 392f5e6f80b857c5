import { arithTasks, createCalculator } from '@paretopo/envs';
import { expect, it } from 'vitest';
import { charTokenizer, rollout, scriptedPolicy, type Policy } from './index';

it('README example: rollouts with a token-level policy', async () => {
  const policy: Policy = scriptedPolicy(charTokenizer(), ({ text }) =>
    text.includes('<res>') ? `<ans>${text.match(/<res>(.*?)<\/res>/)![1]}</ans>` : `<calc>${text.slice(8, -2)}</calc>`,
  );
  const tasks = arithTasks({ seed: 1, count: 4 });
  const out = await rollout(policy, tasks, { groupSize: 8, tools: [createCalculator()], maxTurns: 4, maxTokens: 128 });
  expect(out.offsets.length).toBe(33);
  expect(out.episodes.every((e) => e.finishReason === 'answer' && e.correct)).toBe(true);
  expect([tasks[0].prompt, out.episodes[0].text]).toEqual(['What is 34*2?\n', '<calc>34*2</calc><res>68</res><ans>68</ans>']);
});
