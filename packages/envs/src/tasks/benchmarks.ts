import { createCalculator } from '../calculator';
import { describeValue } from '@paretopo/pareto';
import type { Gsm8kItem, HotpotItem } from '../loaders';
import { deferredSearchIndex, resolveOutput, searchToolOf, type SearchIndexOptions, type SearchOutputOptions } from '../search';
import type { Tool } from '../tool';

/**
 * A benchmark question as a task for the agent loop (the shape of `@paretopo/rollout`'s
 * `RolloutTask`): what the policy sees, the gold answer, and the tools its episodes may call.
 */
export interface BenchmarkTask {
  /** The loader's id (`gsm8k-<line>`, HotpotQA's `id`). */
  id: string;
  /** What the policy sees first (see each helper's `prompt` option). */
  prompt: string;
  /** Gold answer. */
  answer: string;
  /** The task's own tools; absent when the caller asked for none (the loop's `options.tools` apply). */
  tools?: readonly Tool<any>[];
}

/** Options of {@link gsm8kTasks}. */
export interface Gsm8kTaskOptions {
  /**
   * Tools attached to every task (one array, shared). Default: one calculator
   * (`[createCalculator()]`). `null`: tasks carry no `tools`, so the loop's `options.tools` decide.
   */
  tools?: readonly Tool<any>[] | null;
  /** Prompt of an item. Default: the question and a newline (`${question}\n`). */
  prompt?: (item: Gsm8kItem) => string;
}

/** Options of {@link hotpotQATasks}: the search tool's output settings, plus the index and the prompt. */
export interface HotpotQATaskOptions extends SearchOutputOptions {
  /** Settings of each question's index (see {@link SearchIndexOptions}). Default: the defaults. */
  index?: SearchIndexOptions;
  /** Prompt of an item. Default: the question and a newline (`${question}\n`). */
  prompt?: (item: HotpotItem) => string;
}

const questionPrompt = (item: { question: string }): string => `${item.question}\n`;

function checkItems(fn: string, items: unknown, passages: boolean): void {
  if (!Array.isArray(items)) throw new TypeError(`${fn}: items must be an array (got ${describeValue(items)})`);
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as Partial<HotpotItem> | null;
    if (
      it === null ||
      typeof it !== 'object' ||
      typeof it.id !== 'string' ||
      typeof it.question !== 'string' ||
      typeof it.answer !== 'string' ||
      (passages && !Array.isArray(it.passages))
    ) {
      const want = passages ? 'string id, question and answer and a passages array' : 'string id, question and answer';
      throw new TypeError(`${fn}: items[${i}] must have ${want} (got ${describeValue(it)})`);
    }
  }
}

/**
 * `options.prompt` (default: the question and a newline) as a checked function: errors name `fn`,
 * and a prompt that returns something other than a string names `items[i]`.
 */
function promptFn<T extends { question: string }>(fn: string, prompt: unknown): (item: T, i: number) => string {
  const p = prompt ?? questionPrompt;
  if (typeof p !== 'function') throw new TypeError(`${fn}: options.prompt must be a function (got ${describeValue(p)})`);
  return (item, i) => {
    const text: unknown = p(item);
    if (typeof text !== 'string') throw new TypeError(`${fn}: options.prompt must return a string (got ${describeValue(text)} for items[${i}])`);
    return text;
  };
}

/**
 * Turns loaded GSM8K problems ({@link loadGsm8k}) into loop tasks with the calculator: prompt =
 * the question and a newline, answer = the `#### n` number, `tools` = one calculator shared by
 * every task (so `evaluate(policy, gsm8kTasks(items))` needs no `tools` option).
 *
 * @param items - Problems from {@link loadGsm8k} (or any `{ id, question, answer }`).
 * @param options - See {@link Gsm8kTaskOptions}.
 * @returns One task per item, in order.
 * @example
 * const tasks = gsm8kTasks(await loadGsm8k());
 * [tasks[0].answer, tasks[0].tools?.[0].name]; // ['18', 'calculator']
 */
export function gsm8kTasks(items: readonly Gsm8kItem[], options: Gsm8kTaskOptions = {}): BenchmarkTask[] {
  checkItems('gsm8kTasks', items, false);
  const tools = options.tools === undefined ? [createCalculator()] : options.tools;
  if (tools !== null && !Array.isArray(tools)) {
    throw new TypeError(`gsm8kTasks: options.tools must be an array of tools or null (got ${describeValue(tools)})`);
  }
  const prompt = promptFn<Gsm8kItem>('gsm8kTasks', options.prompt);
  return items.map((item, i) => {
    const task: BenchmarkTask = { id: item.id, prompt: prompt(item, i), answer: item.answer };
    if (tools !== null) task.tools = tools;
    return task;
  });
}

/**
 * Turns loaded HotpotQA distractor questions ({@link loadHotpotQA}) into loop tasks, each with a
 * `search` tool (`<search>…</search>` → `<doc>…</doc>`) over *its own* context paragraphs
 * (usually 10: the gold paragraphs and the distractors), so a model retrieves only from its
 * question's corpus. Prompt = the question and a newline; answer = the gold answer. Each
 * question's corpus and the index options are checked here; its index is built at its first
 * search and kept, so the 90,447 questions of the official train split cost only the indexes that
 * episodes search (built here at once, 9,045 questions' indexes took 67 s and 2.1 GB of heap).
 *
 * @param items - Questions from {@link loadHotpotQA} (`passages` = the question's paragraphs).
 * @param options - Search output (`topK` 3, `maxChars` 1000, `showTitles` true, …), `index`, `prompt`.
 * @returns One task per item, in order, each with `tools: [search over its passages]`.
 * @example
 * const tasks = hotpotQATasks(await loadHotpotQA(), { topK: 2 });
 * (await tasks[0].tools![0].run({ query: 'Tinted Windows band' })).output; // 'Tinted Windows (band): Tinted Windows is an American rock supergroup…' (question 0's paragraphs)
 */
export function hotpotQATasks(items: readonly HotpotItem[], options: HotpotQATaskOptions = {}): BenchmarkTask[] {
  checkItems('hotpotQATasks', items, true);
  const o = resolveOutput('hotpotQATasks', options);
  const prompt = promptFn<HotpotItem>('hotpotQATasks', options.prompt);
  return items.map((item, i) => {
    let index;
    try {
      index = deferredSearchIndex(item.passages, options.index);
    } catch (err) {
      const E = err instanceof RangeError ? RangeError : TypeError;
      throw new E(`hotpotQATasks: items[${i}] (${item.id}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return { id: item.id, prompt: prompt(item, i), answer: item.answer, tools: [searchToolOf(index, o)] };
  });
}
