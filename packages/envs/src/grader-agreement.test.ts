import { describe, expect, it } from 'vitest';
import { defaultAnswerMatch, qaAnswerMatch } from './answer-match';
import { findDataDir, loadGsm8k, loadHotpotQA, loadMath500 } from './loaders';
import { mathEqual } from './math-equal';

/*
 * Agreement of each benchmark's default grader with the official graders, on the real golds and
 * generated right and wrong surface forms. The reference graders below are written from the
 * official graders' documented behaviour (none of their code is copied):
 *
 * - OpenAI grade-school-math (`dataset.py`): the completion's answer is the first `#### ` followed
 *   by `-?[0-9.,]+`, commas deleted, compared with the gold as a string.
 * - Qwen2.5-Math (`extract_answer` without a box, then `math_equal`): the last `-?\d*\.?\d+` of
 *   the text with commas deleted, equal to the gold within relative 1e-4, the gold ×100 or /100
 *   also counting (its percentage rule).
 * - HotpotQA v1 (`hotpot_evaluate_v1.py`, SQuAD's normalisation): lowercase, delete
 *   `string.punctuation`, delete the whole words a/an/the (Python 3 `\b`: word characters of any
 *   script), collapse whitespace; exact match of the results.
 * - MATH (Hendrycks `is_equiv`, PRM800K's and Qwen's graders): a right form is the gold rewritten
 *   by a change all of them document as notation only (`\dfrac`, `$…$`, `\left`/`\right`, spaces,
 *   a variable prefix `x =`, matrix brackets, braced one-character subscripts, `{,}` commas); a
 *   wrong form changes the value (a digit, the sign, `-x =`).
 *
 * Where the two GSM8K graders disagree the pair is left out; pairs that an official grader accepts
 * although the answer is wrong (its "false accepts", e.g. SQuAD taking `19.41` for `1941`) are
 * counted apart and must be refused.
 */

const dataDir = findDataDir();
if (dataDir === null) console.log('[envs] grader agreement tests skipped: no shared/data folder above the working directory and PARETOPO_DATA_DIR is unset');

function openaiGsm8k(prediction: string, gold: string): boolean {
  const m = /#### (-?[0-9.,]+)/.exec(`#### ${prediction}`);
  return m !== null && m[1].trim().replace(/,/g, '') === gold.replace(/,/g, '');
}

function qwenGsm8k(prediction: string, gold: string): boolean {
  const found = prediction.replace(/,/g, '').match(/-?\d*\.?\d+/g);
  if (found === null) return false;
  const p = Number(found[found.length - 1]);
  const g = Number(gold.replace(/,/g, ''));
  return [g / 100, g, g * 100].some((x) => Math.abs(p - x) <= 1e-4 * Math.max(Math.abs(p), Math.abs(x)));
}

const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
const isWordChar = (c: string): boolean => /[\p{L}\p{N}_]/u.test(c);

// SQuAD normalisation character by character (not the regexes of qa-match.ts, so it can serve as
// their oracle).
function squadNormalize(text: string): string {
  const chars = [...text.toLowerCase()].filter((c) => !PUNCTUATION.has(c));
  let out = '';
  let i = 0;
  while (i < chars.length) {
    if (!isWordChar(chars[i])) {
      out += chars[i++];
      continue;
    }
    let j = i;
    while (j < chars.length && isWordChar(chars[j])) j++;
    const word = chars.slice(i, j).join('');
    out += word === 'a' || word === 'an' || word === 'the' ? ' ' : word;
    i = j;
  }
  return out.split(/\s+/).filter((w) => w !== '').join(' ');
}

const hotpotEm = (prediction: string, gold: string): boolean => squadNormalize(prediction) === squadNormalize(gold);

interface Tally {
  pairs: number;
  agreed: number;
  falseAccepts: string[];
  falseRejects: string[];
  officialFalseAcceptsRefused: number;
}

function tally(): Tally {
  return { pairs: 0, agreed: 0, falseAccepts: [], falseRejects: [], officialFalseAcceptsRefused: 0 };
}

function record(t: Tally, ours: boolean, label: boolean, what: string): void {
  t.pairs++;
  if (ours === label) t.agreed++;
  else (ours ? t.falseAccepts : t.falseRejects).push(what);
}

const report = (name: string, t: Tally): string =>
  `[envs] ${name}: ${t.agreed}/${t.pairs} agree with the official graders, ${t.falseAccepts.length} false accepts, ${t.falseRejects.length} false rejects; ${t.officialFalseAcceptsRefused} wrong answers an official grader accepts are refused`;

describe.skipIf(dataDir === null)('default graders agree with the official graders on real golds (../shared/data)', () => {
  it('GSM8K (defaultAnswerMatch vs OpenAI grade-school-math and Qwen2.5-Math, where they agree)', async () => {
    const t = tally();
    for (const { answer: g } of await loadGsm8k()) {
      const n = Number(g);
      const right = [g, n.toLocaleString('en-US'), `${g} dollars`, ` ${g} `, `${g} eggs per day`];
      const wrong = [String(n + 1), String(n - 1), `${g}0`, String(-n)];
      if (g.length >= 2 && /^\d\d/.test(g)) for (const sep of ['.', '/', '-', ' ']) wrong.push(`${g[0]}${sep}${g.slice(1)}`);
      if (g.length >= 2) wrong.push(g.slice(1), [...g].reverse().join(''));
      for (const p of [...right, ...wrong]) {
        const a = openaiGsm8k(p, g);
        if (a === qwenGsm8k(p, g)) record(t, defaultAnswerMatch(p, g), a, `${JSON.stringify(p)} vs ${g}`);
      }
      // Not the gold, whatever the graders say: a scaled or hedged number.
      for (const p of [`${g} million`, `${g} thousand`, `${g} or ${n + 1}`, `about ${g}`]) {
        const a = openaiGsm8k(p, g);
        if (a !== qwenGsm8k(p, g)) continue;
        expect(defaultAnswerMatch(p, g), `${p} vs ${g}`).toBe(false);
        if (a) t.officialFalseAcceptsRefused++;
        else record(t, false, false, p);
      }
    }
    console.log(report('GSM8K defaultAnswerMatch', t));
    expect(t.pairs).toBeGreaterThan(15_000);
    expect(t.falseAccepts.slice(0, 10)).toEqual([]);
    expect(t.falseRejects.slice(0, 10)).toEqual([]);
  });

  it('HotpotQA (qaAnswerMatch vs HotpotQA v1 exact match)', async () => {
    const t = tally();
    for (const { answer: g } of await loadHotpotQA()) {
      const right = [g, g.toLowerCase(), g.toUpperCase(), `the ${g}`, `${g}.`, `  ${g.replace(/ /g, '  ')} `];
      const wrong = [`${g} Jr`, `not ${g}`, g.slice(0, -1), `${g}s`];
      const words = g.split(' ');
      if (words.length > 1) wrong.push(words.slice(1).join(' '), words.slice(0, -1).join(' '), [...words.slice(0, -1), 'Smith'].join(' '));
      const number = /\d+/.exec(g);
      if (number !== null) wrong.push(g.replace(number[0], String(Number(number[0]) + 1)));
      for (const p of [...right, ...wrong]) {
        // A "wrong" form can normalise to the gold (the official label rules).
        record(t, qaAnswerMatch(p, g), hotpotEm(p, g), `${JSON.stringify(p)} vs ${JSON.stringify(g)}`);
      }
      // SQuAD deletes `.`, `-` and `/`, so it takes a different number for the gold's.
      if (number !== null && number[0].length >= 2) {
        const n = number[0];
        for (const sep of ['.', '-', '/']) {
          const p = g.replace(n, `${n[0]}${sep}${n.slice(1)}`);
          if (!hotpotEm(p, g)) continue;
          expect(qaAnswerMatch(p, g), `${p} vs ${g}`).toBe(false);
          t.officialFalseAcceptsRefused++;
        }
      }
    }
    console.log(report('HotpotQA qaAnswerMatch', t));
    expect(t.pairs).toBeGreaterThan(2_500);
    expect(t.falseAccepts.slice(0, 10)).toEqual([]);
    expect(t.falseRejects.slice(0, 10)).toEqual([]);
  });

  it('MATH-500 (mathEqual vs notation-only rewrites and value changes of the gold)', async () => {
    const t = tally();
    for (const { answer: g } of await loadMath500()) {
      const right = [g, `$${g}$`, ` ${g} `, g.replace(/\\frac/g, '\\dfrac'), g.replace(/, /g, ',')];
      if (/pmatrix/.test(g)) right.push(g.replace(/pmatrix/g, 'bmatrix'));
      if (/_\d/.test(g)) right.push(g.replace(/_(\d)/g, '_{$1}'));
      if (/^\d{1,3}(,\d{3})+$/.test(g)) right.push(g.replace(/,/g, '{,}'));
      if (/^-?\d+$/.test(g) && Number(g) >= 1000) right.push(g.replace(/\B(?=(\d{3})+$)/g, '{,}'));
      if (/^-?[\d.]+$|^\\frac/.test(g)) right.push(`x = ${g}`);
      if (/^\(.*\)$/.test(g) && !g.includes('\\left')) right.push(`\\left${g.slice(0, -1)}\\right)`);
      const wrong: string[] = [];
      const digit = /\d/.exec(g);
      if (digit !== null) wrong.push(g.slice(0, digit.index) + String((Number(digit[0]) + 1) % 10) + g.slice(digit.index + 1));
      const negatable = /^(\d|\\frac|\\sqrt)/.test(g) && !/^0+(\.0+)?$/.test(g);
      if (negatable) wrong.push(`-${g}`);
      for (const p of right) record(t, mathEqual(p, g), true, `${JSON.stringify(p)} vs ${JSON.stringify(g)}`);
      for (const p of wrong) record(t, mathEqual(p, g), false, `${JSON.stringify(p)} vs ${JSON.stringify(g)}`);
      // Hendrycks' and Qwen's `strip_string` drop any left side of ≤ 2 characters, so they read
      // `-x=5` (x = −5) as 5.
      if (negatable) {
        expect(mathEqual(`-x=${g}`, g), `-x=${g} vs ${g}`).toBe(false);
        t.officialFalseAcceptsRefused++;
      }
    }
    console.log(report('MATH-500 mathEqual', t));
    expect(t.pairs).toBeGreaterThan(2_500);
    expect(t.falseAccepts.slice(0, 10)).toEqual([]);
    expect(t.falseRejects.slice(0, 10)).toEqual([]);
  });
});
