import type { WorkCounter } from './work';

/**
 * The content of the last `\boxed{…}` (or `\fbox{…}`) in a text, with nested braces balanced.
 * The last box wins because solutions often box intermediate results before the final one.
 * The brace-less form `\boxed 5` is read up to the next whitespace or `$`. Linear in the text:
 * one pass matches every brace (a backslash escapes the next character), so no box is rescanned.
 *
 * @param text - A model solution.
 * @returns The box content, or `null` when there is no complete box.
 * @example
 * extractBoxed('so \\boxed{1} then \\boxed{\\frac{1}{2}}.'); // '\\frac{1}{2}'
 */
export function extractBoxed(text: string): string | null {
  return extractBoxedCounted(text);
}

const BOX_NAMES = ['\\boxed', '\\fbox'] as const;

/**
 * {@link extractBoxed} with a step counter.
 *
 * @internal Exported for the linearity tests.
 * @param text - A model solution.
 * @param work - Step counter, advanced once per character visited.
 * @returns As {@link extractBoxed}.
 * @example
 * extractBoxedCounted('\\boxed{1}', { steps: 0 }); // '1'
 */
export function extractBoxedCounted(text: string, work?: WorkCounter): string | null {
  if (typeof text !== 'string') return null;
  const n = text.length;
  let steps = 0;
  // Where each box keyword ends (the character after `\boxed` / `\fbox`), in text order.
  const boxes: number[] = [];
  for (const name of BOX_NAMES) {
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) boxes.push(at + name.length);
  }
  boxes.sort((a, b) => a - b);
  steps += n * BOX_NAMES.length + boxes.length;
  // Matching `}` of every `{`, from one pass with a stack. A box's own scan from its `{` would
  // read escapes the same way: the `{` after `\boxed` is never escaped, so both agree from there on.
  const closeOf = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    steps++;
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 123) stack.push(i);
    else if (c === 125 && stack.length > 0) closeOf[stack.pop() as number] = i;
  }
  let found: string | null = null;
  for (let k = boxes.length - 1; k >= 0 && found === null; k--) {
    const i = boxes[k];
    steps++;
    if (text.charCodeAt(i) === 123) {
      if (closeOf[i] >= 0) found = text.slice(i + 1, closeOf[i]);
    } else if (text.charCodeAt(i) === 32) {
      // Each brace-less box reads only its own run of spaces and the word after it.
      let j = i;
      while (j < n && text.charCodeAt(j) === 32) j++;
      let e = j;
      while (e < n && !/[\s$]/.test(text[e])) e++;
      steps += e - i;
      if (e > j) found = text.slice(j, e);
    }
  }
  if (work) work.steps += steps;
  return found;
}

/**
 * The trimmed content of the first complete `<tag>…</tag>` (default `<ans>`). The first one wins
 * because an episode ends at its answer.
 *
 * @param text - Model output.
 * @param tag - Answer tag name. Default `'ans'`.
 * @returns The answer text, or `null`.
 * @example
 * extractAnswerTag('<calc>2+2</calc><res>4</res><ans> 4 </ans>'); // '4'
 */
export function extractAnswerTag(text: string, tag = 'ans'): string | null {
  if (typeof text !== 'string') return null;
  const open = `<${tag}>`;
  const start = text.indexOf(open);
  if (start < 0) return null;
  const end = text.indexOf(`</${tag}>`, start + open.length);
  return end < 0 ? null : text.slice(start + open.length, end).trim();
}

/**
 * The final answer of a solution: `<ans>…</ans>` if present, else the last `\boxed{…}`, else
 * the text after the last GSM8K-style `####`.
 *
 * @param text - Model output.
 * @returns The answer text, or `null`.
 * @example
 * extractFinalAnswer('… so 18 in total.\n#### 18'); // '18'
 */
export function extractFinalAnswer(text: string): string | null {
  const tagged = extractAnswerTag(text);
  if (tagged !== null) return tagged;
  const boxed = extractBoxed(text);
  if (boxed !== null) return boxed.trim();
  if (typeof text !== 'string') return null;
  const hash = text.lastIndexOf('####');
  if (hash < 0) return null;
  const rest = text.slice(hash + 4).trim().split('\n')[0].trim();
  return rest === '' ? null : rest;
}
