/**
 * The content of the last `\boxed{…}` (or `\fbox{…}`) in a text, with nested braces balanced.
 * The last box wins because solutions often box intermediate results before the final one.
 * The brace-less form `\boxed 5` is read up to the next whitespace or `$`.
 *
 * @param text - A model solution.
 * @returns The box content, or `null` when there is no complete box.
 * @example
 * extractBoxed('so \\boxed{1} then \\boxed{\\frac{1}{2}}.'); // '\\frac{1}{2}'
 */
export function extractBoxed(text: string): string | null {
  if (typeof text !== 'string') return null;
  let idx = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
  while (idx >= 0) {
    const found = readBox(text, idx);
    if (found !== null) return found;
    idx = Math.max(text.lastIndexOf('\\boxed', idx - 1), text.lastIndexOf('\\fbox', idx - 1));
  }
  return null;
}

function readBox(text: string, at: number): string | null {
  let i = at + (text.startsWith('\\boxed', at) ? 6 : 5);
  if (text[i] === ' ') {
    const m = /^ +([^\s$]+)/.exec(text.slice(i));
    return m ? m[1] : null;
  }
  if (text[i] !== '{') return null;
  let depth = 0;
  const start = i + 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i);
  }
  return null;
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
