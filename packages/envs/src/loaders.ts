import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describeValue } from '@paretopo/pareto';
import { EnvError } from './errors';
import { readJsonArray, sniffJsonFile } from './json-array';
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

/** Where a record is: a JSONL line, or an element of a JSON array file. */
interface Loc {
  path: string;
  line?: number;
  /** 0-based element index and its byte offset, for a JSON array file. */
  index?: number;
  offset?: number;
}

const where = (at: Loc): string => (at.line !== undefined ? `${at.path}:${at.line}` : `${at.path}: element [${at.index}] (byte ${at.offset})`);

function dataError(at: Loc, what: string): EnvError {
  return new EnvError('data-field', `${where(at)}: ${what}`, { path: at.path, line: at.line, offset: at.offset });
}

function field<T>(record: unknown, key: string, kind: 'string' | 'number' | 'object', at: Loc): T {
  const value = (record as Record<string, unknown> | null)?.[key];
  if (typeof value !== kind || value === null) throw dataError(at, `field "${key}" must be a ${kind} (got ${describeValue(value)})`);
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
    const question = field<string>(value, 'question', 'string', { path: file, line });
    const solution = field<string>(value, 'answer', 'string', { path: file, line });
    const answer = gsm8kFinalAnswer(solution);
    if (answer === null) {
      throw dataError({ path: file, line }, 'GSM8K answer has no "#### n" line');
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
    const problem = field<string>(value, 'problem', 'string', { path: file, line });
    const answer = field<string>(value, 'answer', 'string', { path: file, line });
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
 * Loads HotpotQA questions from either layout, in either container, told apart by content:
 * the Hugging Face layout (`id`, `context: { title[], sentences[][] }`, `supporting_facts:
 * { title[], sent_id[] }`) or the official one (`_id`, `context: [[title, sentences[]], …]`,
 * `supporting_facts: [[title, sent_index], …]`), one question per line (JSONL) or all in one JSON
 * array (the official `hotpot_train_v1.1.json` and `hotpot_dev_distractor_v1.json`: a file whose
 * first non-space byte is `[`), gzip-compressed or not (by its magic bytes). A JSON array is read
 * streamed ({@link readJsonArray}), one question's text held at a time, so the 566 MB train file
 * loads although it is over V8's string limit (about 60 MB of memory to split it); the questions
 * themselves are all kept (1.45 GB of heap for a train-size file of 90,447 questions, measured on
 * the dev questions repeated to 560 MB).
 *
 * @param path - Default `<data>/hotpotqa-distractor/dev.jsonl`.
 * @returns The questions in file order, each with its passages; the same items for the same
 *   question in either layout. A question without an id gets `hotpotqa-<n>` (`n` = the JSONL line
 *   or the 1-based array position).
 * @throws EnvError `'data-field'` naming `path:line` (JSONL) or `path: element [i] (byte n)` (array)
 * @example
 * (await loadHotpotQA())[0].passages.length; // 10
 * (await loadHotpotQA('hotpot_train_v1.1.json')).length; // 90447
 */
export async function loadHotpotQA(path?: string): Promise<HotpotItem[]> {
  const fn = 'loadHotpotQA';
  if (path !== undefined && (typeof path !== 'string' || path === '')) {
    throw new TypeError(`${fn}: path must be a non-empty string or undefined (got ${describeValue(path)})`);
  }
  const file = path ?? dataFile(fn, 'hotpotqa-distractor/dev.jsonl');
  const { gzip, array } = await sniffJsonFile(fn, file);
  const items: HotpotItem[] = [];
  if (array) {
    for await (const { value, index, offset } of readJsonArray(file, { gzip })) items.push(hotpotItem(value, { path: file, index, offset }, index + 1));
  } else {
    for await (const { value, line } of readJsonl(file, { gzip })) items.push(hotpotItem(value, { path: file, line }, line));
  }
  return items;
}

/** A pair of the official layout as an error shows it: `["T", Array(3)]`, else the value. */
const describePair = (v: unknown): string => (Array.isArray(v) && v.length === 2 ? `[${describeValue(v[0])}, ${describeValue(v[1])}]` : describeValue(v));

/** One HotpotQA record, in either layout, as a {@link HotpotItem}. */
function hotpotItem(value: unknown, at: Loc, n: number): HotpotItem {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw dataError(at, `a HotpotQA question must be an object (got ${describeValue(value)})`);
  }
  const record = value as Record<string, unknown>;
  const id = typeof record.id === 'string' ? record.id : typeof record._id === 'string' ? record._id : `hotpotqa-${n}`;
  const context = record.context;
  let titles: unknown[];
  let sentences: unknown[];
  if (Array.isArray(context)) {
    // Official layout: [[title, [sentence, …]], …].
    titles = [];
    sentences = [];
    context.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || !Array.isArray(pair[1])) {
        throw dataError(at, `context[${i}] must be [title, [sentence, …]] (got ${describePair(pair)})`);
      }
      titles.push(pair[0]);
      sentences.push(pair[1]);
    });
  } else if (context !== null && typeof context === 'object') {
    const hf = context as { title?: unknown; sentences?: unknown };
    if (!Array.isArray(hf.title) || !Array.isArray(hf.sentences) || hf.title.length !== hf.sentences.length) {
      throw dataError(at, 'context.title and context.sentences must be arrays of equal length');
    }
    titles = hf.title;
    sentences = hf.sentences;
  } else {
    throw dataError(
      at,
      `field "context" must be an object { title, sentences } (Hugging Face layout) or an array of [title, sentences] (official layout) (got ${describeValue(context)})`,
    );
  }
  const passages = titles.map((title, i) => {
    const sents = (Array.isArray(sentences[i]) ? (sentences[i] as unknown[]) : []).map(String);
    return { id: `${id}#${i}`, title: String(title), text: sents.join('').trim(), sentences: sents };
  });
  const sf = record.supporting_facts;
  let supportingFacts: HotpotItem['supportingFacts'] = [];
  if (Array.isArray(sf)) {
    supportingFacts = sf.map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || !Number.isInteger(pair[1])) {
        throw dataError(at, `supporting_facts[${i}] must be [title, sentence index] (got ${describePair(pair)})`);
      }
      return { title: String(pair[0]), sentence: pair[1] as number };
    });
  } else if (sf !== null && typeof sf === 'object') {
    const hf = sf as { title?: unknown; sent_id?: unknown };
    if (Array.isArray(hf.title) && Array.isArray(hf.sent_id)) {
      const ids = hf.sent_id as unknown[];
      supportingFacts = hf.title.map((t, i) => ({ title: String(t), sentence: Number(ids[i]) }));
    }
  }
  const item: HotpotItem = {
    id,
    question: field<string>(record, 'question', 'string', at),
    answer: field<string>(record, 'answer', 'string', at),
    passages,
    supportingFacts,
  };
  if (typeof record.type === 'string') item.type = record.type;
  if (typeof record.level === 'string') item.level = record.level;
  return item;
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
      question: field<string>(value, 'question', 'string', { path: file, line }),
      answer: String(field<string>(value, 'answer', 'string', { path: file, line })),
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
