import { createHash } from 'node:crypto';
import {
  createCodeTool,
  gsm8kTasks,
  hotpotQATasks,
  loadGsm8k,
  loadHotpotQA,
  loadMath500,
  mathEqual,
  qaAnswerMatch,
  type Tool,
} from '@paretopo/envs';
import type { RolloutTask } from '@paretopo/rollout';
import type { BenchmarkName } from './config/schema';

/** A benchmark question as the loop runs it: its own tools where it has them (HotpotQA's search, GSM8K's calculator). */
export type BenchmarkQuestion = RolloutTask & { oracleCalls?: number };

/** What an evaluation or a run on a real benchmark needs: questions, shared tools, token budget, answer rule. */
export interface BenchmarkSuite {
  tasks: BenchmarkQuestion[];
  tools: readonly Tool<any>[];
  maxTokens: number;
  /** The benchmark's answer equivalence (default: the rollout's numeric or exact match). */
  match?: (prediction: string, gold: string) => boolean;
}

/** The first `limit` items (all when `limit` is 0), taken before any per-question work such as HotpotQA's indexes. */
const firstOf = <T>(items: T[], limit: number): T[] => (limit > 0 ? items.slice(0, limit) : items);

/**
 * Loads a real benchmark with its tools and answer rule: GSM8K with the calculator, MATH-500 in the
 * ToRL setting (a sandboxed JavaScript interpreter, MATH-style equivalence), HotpotQA with a search
 * over each question's own 10 paragraphs (SQuAD exact match without its ways to accept a wrong answer).
 *
 * @param name - `gsm8k`, `math500` or `hotpotqa`
 * @param data - the data file (default: the loader's, under $PARETOPO_DATA_DIR or ../shared/data)
 * @param limit - the first `limit` questions (0: all)
 * @returns questions, shared tools, token budget and answer rule
 * @example
 * (await benchmarkSuite('gsm8k', undefined, 10)).tasks.length; // 10
 */
export async function benchmarkSuite(name: BenchmarkName, data: string | undefined, limit = 0): Promise<BenchmarkSuite> {
  if (name === 'gsm8k') return { tasks: gsm8kTasks(firstOf(await loadGsm8k(data), limit)), tools: [], maxTokens: 512 };
  if (name === 'hotpotqa') return { tasks: hotpotQATasks(firstOf(await loadHotpotQA(data), limit)), tools: [], maxTokens: 256, match: qaAnswerMatch };
  if (name === 'math500') {
    const items = firstOf(await loadMath500(data), limit);
    return { tasks: items.map((q) => ({ id: q.id, prompt: `${q.problem}\n`, answer: q.answer })), tools: [createCodeTool()], maxTokens: 1024, match: mathEqual };
  }
  throw new RangeError(`benchmarkSuite: name must be one of gsm8k, math500, hotpotqa (got ${JSON.stringify(name)})`);
}

/** The pools of a training run on a real benchmark, and where each came from. */
export interface BenchmarkPools extends Omit<BenchmarkSuite, 'tasks'> {
  /** RL prompts. */
  rl: BenchmarkQuestion[];
  /** Held-out questions evaluated during the run. */
  validation: BenchmarkQuestion[];
  /** Held-out questions evaluated once at the end. */
  test: BenchmarkQuestion[];
  /** One line saying which file and split each pool came from (logged at start). */
  provenance: string;
}

/** Options of {@link benchmarkPools}. */
export interface BenchmarkPoolOptions {
  /** The benchmark's evaluation file (default: the loader's). */
  eval?: string;
  /** The benchmark's train split, in the loader's format: the RL prompts. */
  train?: string;
  /** Seed of the hash that splits the evaluation file. */
  seed: number;
  validationCount: number;
  testCount: number;
}

const normalise = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * Splits a real benchmark into RL, validation and test pools with no question in two of them. The
 * evaluation file (GSM8K test, MATH-500, HotpotQA distractor dev) is ordered by SHA-256 of (seed,
 * question id): the first `validationCount` are the validation pool, the next `testCount` the test
 * pool. RL prompts come from `train` (the benchmark's train split; a question whose text is also in
 * the evaluation file is dropped, and ids get a `train:` prefix so they never meet an evaluation
 * id), or, without it, from the rest of the evaluation file.
 *
 * @param name - the benchmark
 * @param options - data files, seed, pool sizes
 * @returns the pools, tools, token budget, answer rule and a provenance line
 * @throws RangeError when a pool would be empty (naming the sizes to lower)
 * @example
 * const p = await benchmarkPools('gsm8k', { seed: 1, validationCount: 100, testCount: 500 });
 * p.rl.length; // 719: the GSM8K test file's 1,319 questions less the 600 held out
 */
export async function benchmarkPools(name: BenchmarkName, options: BenchmarkPoolOptions): Promise<BenchmarkPools> {
  const { seed, validationCount: v, testCount: t } = options;
  const suite = await benchmarkSuite(name, options.eval);
  const key = (id: string) => createHash('sha256').update(`${seed}:${id}`).digest('hex');
  const ordered = suite.tasks.map((q) => ({ q, k: key(q.id) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.q);
  const from = options.eval ?? `the ${name} file under the data folder`;
  if (ordered.length < v + t + (options.train === undefined ? 1 : 0)) {
    const rl = options.train === undefined ? ' and at least 1 for RL (or pass data.train, the train split)' : '';
    throw new RangeError(`benchmarkPools: ${from} holds ${ordered.length} questions, fewer than task.validationCount ${v} + task.testCount ${t}${rl}; lower them`);
  }
  const validation = ordered.slice(0, v);
  const test = ordered.slice(v, v + t);
  let rl: BenchmarkQuestion[];
  let provenance: string;
  if (options.train === undefined) {
    rl = ordered.slice(v + t);
    provenance = `${name}: RL ${rl.length}, validation ${v}, test ${t} questions, all from ${from} split by a hash of each id (no train split given: RL draws from questions the validation and test pools never hold; the test figure is on ${t} of its ${ordered.length} questions, not the whole benchmark)`;
  } else {
    const held = new Set(suite.tasks.map((q) => normalise(q.prompt)));
    const train = (await benchmarkSuite(name, options.train)).tasks;
    rl = train.filter((q) => !held.has(normalise(q.prompt))).map((q) => ({ ...q, id: `train:${q.id}` }));
    if (rl.length === 0) throw new RangeError(`benchmarkPools: data.train ${options.train} holds no question that is not also in ${from}`);
    const dropped = train.length - rl.length;
    provenance = `${name}: RL ${rl.length} questions from ${options.train}${dropped > 0 ? ` (${dropped} also in the evaluation file dropped)` : ''}; validation ${v}, test ${t} from ${from}, split by a hash of each id`;
  }
  return { rl, validation, test, tools: suite.tools, maxTokens: suite.maxTokens, match: suite.match, provenance };
}
