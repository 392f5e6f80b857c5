import { bench, describe } from 'vitest';
import { extractBoxed } from '../src/extract';
import { mathEqual } from '../src/math-equal';
import { numericEqual } from '../src/numeric';
import { Rng } from '@paretopo/random';
import { exactMatch, tokenF1 } from '../src/qa-match';

const rng = new Rng(1);
const pairs: [string, string][] = [];
const forms = [
  (a: number, b: number) => [`\\dfrac{${a}}{${b}}`, `\\frac${a % 10}${b % 10}`],
  (a: number, b: number) => [`\\left( ${a}, \\sqrt{${b}} \\right)`, `(${a},\\sqrt${b % 10})`],
  (a: number) => [`${a}^\\circ`, `${a}`],
  (a: number, b: number) => [`${a}.${b}0`, `${a}.${b}`],
];
for (let i = 0; i < 1000; i++) {
  const [p, g] = rng.pick(forms)(rng.int(1, 999), rng.int(1, 99));
  pairs.push([p, g]);
}
const qa: [string, string][] = pairs.map((_, i) => [`The answer is the ${i}th Street, Paris!`, `${i}th street paris`]);
const boxed = pairs.map(([p]) => `We compute things and so on. Thus the answer is $\\boxed{${p}}$.`);

describe('answer matching: 1000 pairs', () => {
  bench('mathEqual (LaTeX normalise + numeric/tuple compare)', () => {
    for (const [p, g] of pairs) mathEqual(p, g);
  });
  bench('numericEqual', () => {
    for (const [p, g] of pairs) numericEqual(p, g);
  });
  bench('exactMatch (SQuAD)', () => {
    for (const [p, g] of qa) exactMatch(p, g);
  });
  bench('tokenF1 (SQuAD/HotpotQA)', () => {
    for (const [p, g] of qa) tokenF1(p, g);
  });
  bench('extractBoxed', () => {
    for (const t of boxed) extractBoxed(t);
  });
  bench('baseline: string === after toLowerCase', () => {
    let n = 0;
    for (const [p, g] of pairs) if (p.toLowerCase() === g.toLowerCase()) n++;
    if (n === -1) throw new Error('unreachable');
  });
});
