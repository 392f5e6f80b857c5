import { parseNumber } from './numeric';
import { exactMatch, normalizeAnswer } from './qa-match';
import { equalRational } from './rational';

// Longest answer a grader reads: no right answer to these benchmarks is longer, and the cap keeps
// every regex below linear in practice whatever a policy emits.
const MAX_ANSWER = 200;

// A gold answer that is one bare number (GSM8K, arith): an optional sign, digits with optional
// thousands commas, optional decimals or a `/b` denominator, optionally `$…` or `…%`.
const BARE_GOLD_RE = /^\$?[-+\u2212]?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\/\d+)?%?$/;

// A numeric prediction: currency and sign, one number, a percent sign, then at most four unit
// words ("18 dollars", "$1,250.50", "45%", "3 eggs per day"). Anything before the number other
// than `$` or a sign is refused: "not 18", "x-18", "about 18" are not the answer 18.
const NUMERIC_PREDICTION_RE =
  /^(?:\\?\$)?\s?([-+\u2212\u2013]?)\s?(?:\\?\$)?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(\/\d+)?(?:\s?\\?%)?((?:[\s-]+[A-Za-z]+){0,4})\.?$/;

// Unit words that change the value or hedge it: "2 million" is not 2, "18 or more" is not 18.
const VALUE_WORDS = new Set([
  'hundred', 'hundreds', 'thousand', 'thousands', 'million', 'millions', 'billion', 'billions', 'trillion', 'trillions',
  'k', 'm', 'mn', 'bn', 'dozen', 'dozens', 'minus', 'negative', 'plus', 'times', 'less', 'more', 'fewer', 'than', 'not',
  'no', 'or', 'and', 'to', 'over', 'under', 'below', 'above', 'about', 'approximately', 'around', 'nearly', 'almost',
  'roughly', 'least', 'most',
]);

/**
 * Whether words written after a number change or hedge its value (`million`, `or more`, `about`),
 * so that dropping them as a unit would turn a wrong answer into a right one.
 *
 * @param words - the text after the number
 * @returns true when any word is a scale, comparison or hedge word
 * @example
 * changesValue(' million dollars'); // true
 */
export function changesValue(words: string): boolean {
  for (const word of words.toLowerCase().split(/[^a-z]+/)) if (VALUE_WORDS.has(word)) return true;
  return false;
}

function numericPrediction(text: string): ReturnType<typeof parseNumber> {
  const m = NUMERIC_PREDICTION_RE.exec(text.trim());
  if (m === null) return null;
  const [, sign, digits, denominator, units] = m;
  if (changesValue(units)) return null;
  const negative = sign !== '' && sign !== '+';
  return parseNumber(`${negative ? '-' : ''}${digits}${denominator ?? ''}`);
}

// Signed numbers as written, thousands commas dropped: "1,045 AD" → ["1045"], "1990-1995" →
// ["1990", "1995"] (a hyphen after a digit or letter is a range or a compound, not a sign).
const NUMBERS_RE = /(?<![\p{L}\p{N}])[-\u2212]?\d+(?:\.\d+)?|\d+(?:\.\d+)?/gu;

function numbersOf(text: string): string[] {
  const found = text.replace(/(\d),(?=\d{3}(?!\d))/g, '$1').match(NUMBERS_RE) ?? [];
  return found.map((n) => n.replace('\u2212', '-'));
}

/**
 * Answer equivalence for short factual answers (HotpotQA): SQuAD exact match (the official
 * HotpotQA metric) with two refusals the official script lacks, both ways to accept a wrong
 * answer: an answer that normalises to nothing, and an answer whose numbers differ from the gold's
 * as written (SQuAD deletes `-` and `.`, so it takes `1.8` and `-18` for `18`).
 *
 * @param prediction - The model's answer.
 * @param gold - The reference answer.
 * @returns Whether they match.
 * @example
 * qaAnswerMatch('the Beatles', 'Beatles'); // true
 * qaAnswerMatch('1.8', '18');              // false (SQuAD EM: true)
 */
export function qaAnswerMatch(prediction: string, gold: string): boolean {
  if (typeof prediction !== 'string' || typeof gold !== 'string') return false;
  if (prediction.length > MAX_ANSWER || gold.length > MAX_ANSWER) return false;
  if (normalizeAnswer(prediction) === '' || !exactMatch(prediction, gold)) return false;
  const a = numbersOf(prediction);
  const b = numbersOf(gold);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Default answer equivalence (GSM8K and the built-in `arith` and `kb` tasks, and the rollout
 * loop's default). When the gold is one bare number (`18`, `-3`, `1,250`, `0.5`, `3/4`), the
 * prediction must be one number with the same exact value, written with at most a currency sign,
 * a percent sign and a few unit words after it (`$18`, `18.00`, `18 dollars`); anything else
 * around the number (`-18`, `1.8`, `1-8`, `not 18`, `2 million` for 2) is refused. Otherwise
 * {@link qaAnswerMatch}.
 *
 * @param prediction - The model's answer.
 * @param gold - The reference answer.
 * @returns Whether they match.
 * @example
 * defaultAnswerMatch('1,702', '1702'); // true
 * defaultAnswerMatch('-18', '18');     // false
 */
export function defaultAnswerMatch(prediction: string, gold: string): boolean {
  if (typeof prediction !== 'string' || typeof gold !== 'string') return false;
  if (prediction.length > MAX_ANSWER || gold.length > MAX_ANSWER) return false;
  const g = gold.trim().replace(/\u2212/g, '-');
  if (!BARE_GOLD_RE.test(g)) return qaAnswerMatch(prediction, gold);
  const want = parseNumber(g);
  const got = numericPrediction(prediction);
  return want !== null && got !== null && equalRational(want, got);
}
