import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describeValue } from '@paretopo/pareto';
import { EnvError } from './errors';
import { readJsonl } from './jsonl';

/**
 * Locates the shared real-data folder: `$PARETOPO_DATA_DIR` when set, otherwise the first
 * `shared/data` folder found walking up from `from` (the repository at `<root>` keeps its data
 * in `<root>/../shared/data`, which this finds from anywhere inside the repository).
 *
 * @param from - Directory to start from. Default `process.cwd()`.
 * @returns The absolute folder path, or `null` when there is none.
 * @example
 * findDataDir('/work/main/packages/envs'); // '/work/shared/data' (where it exists)
 */
export function findDataDir(from: string = process.cwd()): string | null {
  const env = process.env.PARETOPO_DATA_DIR;
  if (env !== undefined && env !== '') return isDir(env) ? resolve(env) : null;
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'shared', 'data');
    if (isDir(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function isDir(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function field<T>(record: unknown, key: string, kind: 'string' | 'number' | 'object', path: string, line: number): T {
  const value = (record as Record<string, unknown> | null)?.[key];
  if (typeof value !== kind || value === null) {
    throw new EnvError('data-field', `${path}:${line}: field "${key}" must be a ${kind} (got ${describeValue(value)})`, {
      path,
      line,
    });
  }
  return value as T;
}

/**
 * The final answer of a GSM8K solution: the text after the last `####`, trimmed, with
 * thousands commas removed (`"#### 1,234"` → `'1234'`).
 *
 * @param solution - A GSM8K `answer` field.
 * @returns The answer string, or `null` when there is no `####` line.
 * @example
 * gsm8kFinalAnswer('9 * 2 = 18\n#### 18'); // '18'
 */
export function gsm8kFinalAnswer(solution: string): string | null {
  const hash = solution.lastIndexOf('####');
  if (hash < 0) return null;
  const answer = solution.slice(hash + 4).trim().replace(/,/g, '');
  return answer === '' ? null : answer;
}

/** One GSM8K problem. */
export interface Gsm8kItem {
  /** `gsm8k-<line>`. */
  id: string;
  question: string;
  /** Final numeric answer, commas removed. */
  answer: string;
  /** Full worked solution with `<<…>>` annotations. */
  solution: string;
}

/**
 * Loads GSM8K from a JSONL file of `{ question, answer }` (answers end in `#### n`).
 *
 * @param path - Default `<data>/gsm8k/test.jsonl` (see {@link findDataDir}).
 * @returns The problems in file order.
 * @example
 * (await loadGsm8k())[0].answer; // '18'
 */
export async function loadGsm8k(path?: string): Promise<Gsm8kItem[]> {
  const file = path ?? dataFile('loadGsm8k', 'gsm8k/test.jsonl');
  const items: Gsm8kItem[] = [];
  for await (const { value, line } of readJsonl(file)) {
    const question = field<string>(value, 'question', 'string', file, line);
    const solution = field<string>(value, 'answer', 'string', file, line);
    const answer = gsm8kFinalAnswer(solution);
    if (answer === null) {
      throw new EnvError('data-field', `${file}:${line}: GSM8K answer has no "#### n" line`, { path: file, line });
    }
    items.push({ id: `gsm8k-${line}`, question, answer, solution });
  }
  return items;
}

/** One MATH-500 problem. */
export interface MathItem {
  /** `unique_id` when present (e.g. `test/precalculus/807.json`), else `math500-<line>`. */
  id: string;
  problem: string;
  /** Gold answer in LaTeX. */
  answer: string;
  solution: string;
  level?: number;
  subject?: string;
}

/**
 * Loads MATH-500 from a JSONL file of `{ problem, solution, answer, subject?, level?, unique_id? }`.
 *
 * @param path - Default `<data>/math500/test.jsonl`.
 * @returns The problems in file order.
 * @example
 * (await loadMath500())[0].answer; // '\\left( 3, \\frac{\\pi}{2} \\right)'
 */
export async function loadMath500(path?: string): Promise<MathItem[]> {
  const file = path ?? dataFile('loadMath500', 'math500/test.jsonl');
  const items: MathItem[] = [];
  for await (const { value, line } of readJsonl<Record<string, unknown>>(file)) {
    const problem = field<string>(value, 'problem', 'string', file, line);
    const answer = field<string>(value, 'answer', 'string', file, line);
    const item: MathItem = {
      id: typeof value.unique_id === 'string' ? value.unique_id : `math500-${line}`,
      problem,
      answer,
      solution: typeof value.solution === 'string' ? value.solution : '',
    };
    if (typeof value.level === 'number') item.level = value.level;
    if (typeof value.subject === 'string') item.subject = value.subject;
    items.push(item);
  }
  return items;
}

/** A retrievable passage: one paragraph (HotpotQA) or one sentence (the `kb` world). */
export interface Passage {
  id: string;
  title: string;
  text: string;
}

/** One HotpotQA distractor question with its own 10-paragraph corpus. */
export interface HotpotItem {
  id: string;
  question: string;
  answer: string;
  type?: string;
  level?: string;
  /** The question's context paragraphs, `id` = `<question id>#<index>`, text = joined sentences. */
  passages: (Passage & { sentences: string[] })[];
  /** Gold supporting sentences as (paragraph title, 0-based sentence index). */
  supportingFacts: { title: string; sentence: number }[];
}

/**
 * Loads HotpotQA distractor questions from a JSONL file in the Hugging Face layout
 * (`context: { title[], sentences[][] }`, `supporting_facts: { title[], sent_id[] }`).
 *
 * @param path - Default `<data>/hotpotqa-distractor/dev.jsonl`.
 * @returns The questions in file order, each with its passages.
 * @example
 * (await loadHotpotQA())[0].passages.length; // 10
 */
export async function loadHotpotQA(path?: string): Promise<HotpotItem[]> {
  const file = path ?? dataFile('loadHotpotQA', 'hotpotqa-distractor/dev.jsonl');
  const items: HotpotItem[] = [];
  for await (const { value, line } of readJsonl<Record<string, unknown>>(file)) {
    const id = typeof value.id === 'string' ? value.id : `hotpotqa-${line}`;
    const context = field<{ title?: unknown; sentences?: unknown }>(value, 'context', 'object', file, line);
    const titles = context.title;
    const sentences = context.sentences;
    if (!Array.isArray(titles) || !Array.isArray(sentences) || titles.length !== sentences.length) {
      throw new EnvError('data-field', `${file}:${line}: context.title and context.sentences must be arrays of equal length`, {
        path: file,
        line,
      });
    }
    const passages = titles.map((title, i) => {
      const sents = (Array.isArray(sentences[i]) ? sentences[i] : []).map(String);
      return { id: `${id}#${i}`, title: String(title), text: sents.join('').trim(), sentences: sents };
    });
    const sf = value.supporting_facts as { title?: unknown; sent_id?: unknown } | undefined;
    const supportingFacts =
      sf && Array.isArray(sf.title) && Array.isArray(sf.sent_id)
        ? sf.title.map((t, i) => ({ title: String(t), sentence: Number((sf.sent_id as unknown[])[i]) }))
        : [];
    const item: HotpotItem = {
      id,
      question: field<string>(value, 'question', 'string', file, line),
      answer: field<string>(value, 'answer', 'string', file, line),
      passages,
      supportingFacts,
    };
    if (typeof value.type === 'string') item.type = value.type;
    if (typeof value.level === 'string') item.level = value.level;
    items.push(item);
  }
  return items;
}

/**
 * The multi-hop evaluation sets shipped in `<data>/multihop-eval`.
 *
 * @example
 * MULTIHOP_EVAL_SETS.includes('bamboogle'); // true
 */
export const MULTIHOP_EVAL_SETS = ['hotpotqa_500', '2wiki_500', 'musique_500', 'bamboogle'] as const;

/** One question of a multi-hop evaluation set (single gold answer, no aliases). */
export interface MultihopItem {
  /** `<set>-<idx>`. */
  id: string;
  dataset: string;
  question: string;
  answer: string;
}

/**
 * Loads a multi-hop evaluation set (`{ idx, question, answer }` per line, R1-Searcher format).
 *
 * @param set - One of {@link MULTIHOP_EVAL_SETS}, or any file name stem in the folder.
 * @param path - Explicit file path (default `<data>/multihop-eval/<set>.jsonl`).
 * @returns The questions in file order.
 * @example
 * (await loadMultihopEval('bamboogle')).length; // 125
 */
export async function loadMultihopEval(set: string, path?: string): Promise<MultihopItem[]> {
  if (typeof set !== 'string' || !/^[\w-]+$/.test(set)) {
    throw new TypeError(`loadMultihopEval: set must be a file name stem like "bamboogle" (got ${describeValue(set)})`);
  }
  const file = path ?? dataFile('loadMultihopEval', `multihop-eval/${set}.jsonl`);
  const items: MultihopItem[] = [];
  for await (const { value, line } of readJsonl<Record<string, unknown>>(file)) {
    const idx = typeof value.idx === 'number' || typeof value.idx === 'string' ? value.idx : line;
    items.push({
      id: `${set}-${idx}`,
      dataset: set,
      question: field<string>(value, 'question', 'string', file, line),
      answer: String(field<string>(value, 'answer', 'string', file, line)),
    });
  }
  return items;
}

function dataFile(fn: string, rel: string): string {
  const dir = findDataDir();
  if (dir === null) {
    throw new EnvError(
      'no-data',
      `${fn}: no data folder found (set PARETOPO_DATA_DIR or keep the data in <repo>/../shared/data), so no default path for ${rel}`,
    );
  }
  return join(dir, rel);
}
