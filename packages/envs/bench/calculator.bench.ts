import { bench, describe } from 'vitest';
import { calculate } from '../src/calculator';
import { parseToolCalls } from '../src/parse-calls';
import { Rng } from '@paretopo/random';

// Expressions with 1, 8 and 30 operators (the last near the 200-character limit).
function expressions(ops: number, count: number, seed: number): string[] {
  const rng = new Rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = String(rng.int(1, 9999));
    for (let k = 0; k < ops; k++) s += rng.pick(['+', '-', '*', '/']) + String(rng.int(1, 999));
    out.push(s);
  }
  return out;
}

for (const ops of [1, 8, 30]) {
  const exprs = expressions(ops, 1000, ops);
  describe(`calculator: 1000 expressions with ${ops} operator(s)`, () => {
    bench('calculate (tokenize + parse + exact eval + format)', () => {
      for (const e of exprs) calculate(e);
    });
    bench('baseline: Number.parseFloat over the same strings', () => {
      let s = 0;
      for (const e of exprs) s += Number.parseFloat(e);
      if (s === -1) throw new Error('unreachable');
    });
    bench('baseline: JSON.parse of the same strings as JSON strings', () => {
      for (const e of exprs) JSON.parse(`"${e}"`);
    });
  });
}

const episodes = expressions(1, 1000, 99).map((e, i) => `<calc>${e}</calc><res>${i}</res> then <ans>${i}</ans>`);
describe('parseToolCalls: 1000 short episodes', () => {
  bench('parseToolCalls', () => {
    for (const t of episodes) parseToolCalls(t, { tools: { calc: 200 } });
  });
  bench('baseline: two indexOf scans per episode', () => {
    let n = 0;
    for (const t of episodes) n += t.indexOf('</calc>') + t.indexOf('</ans>');
    if (n === -1) throw new Error('unreachable');
  });
});
