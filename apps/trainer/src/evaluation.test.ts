import { summarizeEpisodes, type EpisodeRecord } from '@paretopo/rollout';
import { describe, expect, it } from 'vitest';
import { evalRowOf, oracleFiguresOf, oracleMapOf } from './evaluation';

const episode = (taskId: string, calls: number, correct: boolean): EpisodeRecord => ({
  index: 0,
  taskId,
  groupId: 0,
  toolCalls: [],
  answer: correct ? 'x' : null,
  finishReason: 'answer',
  correct,
  validCalls: calls,
  invalidCalls: 0,
  turns: 1,
  generatedTokens: 1,
  text: '',
});

describe('oracleFiguresOf', () => {
  // Task a needs 0 calls, b needs 2. Episodes: a with 1 call (1 excess), a with 0, b with 1 (1 missing), b with 3 (1 excess).
  const result = summarizeEpisodes([episode('a', 1, true), episode('a', 0, true), episode('b', 1, false), episode('b', 3, true)]);
  const oracle = new Map([
    ['a', 0],
    ['b', 2],
  ]);

  it('counts excess and missing calls overall and per stratum', () => {
    const f = oracleFiguresOf(result, 0.5, oracle);
    expect(f.meanOracleCalls).toBe(1);
    expect(f.excessCalls).toBe(0.5);
    expect(f.missingCalls).toBe(0.25);
    expect(f.strata).toEqual([
      { oracleCalls: 0, n: 2, accuracy: 1, meanCalls: 0.5, excessCalls: 0.5, missingCalls: 0 },
      { oracleCalls: 2, n: 2, accuracy: 0.5, meanCalls: 2, excessCalls: 0.5, missingCalls: 0.5 },
    ]);
  });

  it('charges only excess calls in the efficiency, so skipping a needed call earns nothing', () => {
    const f = oracleFiguresOf(result, 0.5, oracle);
    const eff = (2 * Math.exp(-0.5) + 2) / 4;
    expect(f.efficiency).toBeCloseTo(eff, 15);
    expect(f.hv).toBeCloseTo(0.75 * eff, 15);
    // The same policy calling fewer times than needed on b scores no higher efficiency than the oracle's exact count.
    const under = oracleFiguresOf(summarizeEpisodes([episode('b', 0, false)]), 0.5, oracle);
    const exact = oracleFiguresOf(summarizeEpisodes([episode('b', 2, false)]), 0.5, oracle);
    expect(under.efficiency).toBe(exact.efficiency);
  });

  it('refuses an episode whose task has no oracle count', () => {
    expect(() => oracleFiguresOf(result, 0.5, new Map([['a', 0]]))).toThrow(/oracleFiguresOf: oracleCalls has no entry for task "b"/);
  });

  it('evalRowOf adds the figures only when a map is given; oracleMapOf needs every task to carry a count', () => {
    expect(evalRowOf(3, result, 0.5).oracle).toBeUndefined();
    expect(evalRowOf(3, result, 0.5, oracle).oracle?.excessCalls).toBe(0.5);
    expect(oracleMapOf([{ id: 'a', oracleCalls: 0 }, { id: 'b' }])).toBeUndefined();
    expect(oracleMapOf([{ id: 'a', oracleCalls: 1 }])?.get('a')).toBe(1);
  });
});
