// ASCII punctuation exactly as Python's string.punctuation, which the SQuAD v1.1 script strips.
const PUNCT_RE = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
// Python 3's `\b` in the official script is Unicode-aware (word characters are letters, digits and
// `_` of any script); JavaScript's `\b` is ASCII-only and would see a word boundary inside
// "Almería", deleting its final "a". Combining marks count as word characters too (Python's do
// not), so a decomposed "Garci\u0301a" keeps its "a" as well.
const ARTICLES_RE = /(?<![\p{L}\p{M}\p{N}_])(?:a|an|the)(?![\p{L}\p{M}\p{N}_])/gu;

/**
 * SQuAD answer normalisation (the official v1.1 evaluation script, also used by HotpotQA):
 * lowercase, strip ASCII punctuation, drop the articles a/an/the as whole words (word characters in
 * any script, as Python's `\b`), collapse whitespace.
 *
 * @param text - An answer string.
 * @returns The normalised string.
 * @example
 * normalizeAnswer('The  Eiffel-Tower!'); // 'eiffeltower'
 */
export function normalizeAnswer(text: string): string {
  return String(text)
    .toLowerCase()
    .replace(PUNCT_RE, '')
    .replace(ARTICLES_RE, ' ')
    .split(/\s+/)
    .filter((w) => w !== '')
    .join(' ');
}

/**
 * SQuAD exact match: normalised strings are equal.
 *
 * @param prediction - The model's answer.
 * @param gold - The reference answer.
 * @returns Whether they match after {@link normalizeAnswer}.
 * @example
 * exactMatch('the Beatles', 'Beatles'); // true
 */
export function exactMatch(prediction: string, gold: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(gold);
}

const SPECIAL = new Set(['yes', 'no', 'noanswer']);

/**
 * Token-level F1 of the SQuAD script with HotpotQA's rule: when either normalised answer is
 * `yes`, `no` or `noanswer` and the two differ, F1 is 0. An empty answer scores 0, even against an
 * empty gold (HotpotQA's `f1_score`: no common token).
 *
 * @param prediction - The model's answer.
 * @param gold - The reference answer.
 * @returns F1 in [0, 1].
 * @example
 * tokenF1('Paris France', 'Paris'); // 0.6666666666666666
 */
export function tokenF1(prediction: string, gold: string): number {
  const p = normalizeAnswer(prediction);
  const g = normalizeAnswer(gold);
  if ((SPECIAL.has(p) || SPECIAL.has(g)) && p !== g) return 0;
  const pt = p === '' ? [] : p.split(' ');
  const gt = g === '' ? [] : g.split(' ');
  if (pt.length === 0 || gt.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const t of gt) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of pt) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      same++;
      counts.set(t, c - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / pt.length;
  const recall = same / gt.length;
  return (2 * precision * recall) / (precision + recall);
}
