import { createCalculator, runTool } from '@paretopo/envs';
import { bench, describe } from 'vitest';
import { charTokenizer, rollout, scriptedPolicy } from '../src/index';

// Loop overhead per tool round-trip: a scripted policy (≈ free) writes one calculator call and
// then the answer, so everything above the calculator's own time is the loop (batching,
// parsing, runTool, tool-output encoding, packing, episode facts). Baseline: the same number of
// calculator calls through runTool alone, awaited together as the loop does.
const calc = createCalculator();
const tok = charTokenizer();
const expr = '371*46';
const policy = scriptedPolicy(tok, ({ text }) => (text.includes('<res>') ? '<ans>17066</ans>' : `<calc>${expr}</calc>`));
const answerOnly = scriptedPolicy(tok, () => '<ans>17066</ans>');

for (const episodes of [64, 512]) {
  const tasks = Array.from({ length: episodes / 8 }, (_, i) => ({ id: `q${i}`, prompt: `What is ${expr}? (${i})\n`, answer: '17066' }));
  describe(`${episodes} episodes (G = 8), one calculator round-trip each`, () => {
    bench('baseline: runTool(calculator) × episodes', async () => {
      await Promise.all(Array.from({ length: episodes }, () => runTool(calc, { expression: expr }, { timeoutMs: 10_000 })));
    });
    bench('rollout: answer only (no tool, 1 turn)', async () => {
      await rollout(answerOnly, tasks, { groupSize: 8, tools: [calc] });
    });
    bench('rollout: call + answer (2 turns)', async () => {
      await rollout(policy, tasks, { groupSize: 8, tools: [calc] });
    });
  });
}
