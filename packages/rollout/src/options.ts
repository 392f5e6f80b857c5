import { stopSequences, toolTagLimits, type Tool } from '@paretopo/envs';
import { describeValue } from '@paretopo/pareto';
import type { RolloutTask } from './types';

/** Options shared by {@link rollout}, {@link chatRollout} and {@link evaluate}; all have defaults. */
export interface LoopOptions {
  /** Samples per task (G). Default 8 for `rollout`, 1 for `chatRollout` and `evaluate`. */
  groupSize?: number;
  /**
   * Tools the policy may call (envs' `Tool`s). Default `[]`. A task with its own `tools`
   * ({@link RolloutTask.tools}) uses those instead, for all of its episodes.
   */
  tools?: readonly Tool<any>[];
  /** Most policy turns (generation calls) per episode. Default 8. */
  maxTurns?: number;
  /** Most tool calls (valid and invalid) per episode; one more ends it. Default 8. */
  maxToolCalls?: number;
  /** Most policy-generated tokens per episode (all turns). Default 512. */
  maxTokens?: number;
  /** Tool output characters shown to the model (inside the result tags). Default 1000. */
  toolOutputChars?: number;
  /** Most tool calls in flight across the batch. Default 8. */
  toolConcurrency?: number;
  /** Per tool-call time limit in ms; a timeout becomes tool output. Default 10000. */
  toolTimeoutMs?: number;
  /** Base seed; each generation call derives its own. Default 0. */
  seed?: number;
  /** Sampling temperature. Default 1 for rollouts, 0 for `evaluate`. */
  temperature?: number;
  /** Answer equivalence for `correct`. Default envs' `defaultAnswerMatch`. */
  match?: (prediction: string, gold: string) => boolean;
  /** Answer tag of the text-tag protocol. Default `'ans'`. */
  answerTag?: string;
  /** Aborts generation and tool calls. */
  signal?: AbortSignal;
}

/**
 * One validated tool list and what the loop derives from it, computed once per distinct list
 * (never per turn or token). Tool sets whose stop strings are equal share one `stops` array, so
 * the token driver can batch their episodes by reference.
 */
export interface ToolSet {
  tools: readonly Tool<any>[];
  /** Tag → longest body (envs' `toolTagLimits`). */
  tagLimits: Record<string, number>;
  /** Closing tool tags, then the closing answer tag (envs' `stopSequences`). */
  stops: readonly string[];
  /** Result tag for an output whose call names no known tool. */
  defaultResultTag: string;
}

/** {@link LoopOptions} with every default filled in. */
export interface ResolvedLoopOptions {
  groupSize: number;
  /** Tool set of each task, by task index: its own `tools` when present, else `options.tools`. */
  toolSets: readonly ToolSet[];
  maxTurns: number;
  maxToolCalls: number;
  maxTokens: number;
  toolOutputChars: number;
  toolConcurrency: number;
  toolTimeoutMs: number;
  seed: number;
  temperature: number;
  match: ((prediction: string, gold: string) => boolean) | undefined;
  answerTag: string;
  signal: AbortSignal | undefined;
}

function intOption(fn: string, name: string, value: unknown, fallback: number, min: number, allowInf = false): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' && ((allowInf && value === Number.POSITIVE_INFINITY) || (Number.isInteger(value) && value >= min));
  if (!ok) throw new RangeError(`${fn}: options.${name} must be an integer >= ${min} (got ${describeValue(value)})`);
  return value as number;
}

/** Checks a tool list: an array of `Tool`s with distinct tags and names (errors name `where`). */
function checkTools(fn: string, tools: unknown, where: string): asserts tools is readonly Tool<any>[] {
  if (!Array.isArray(tools)) throw new TypeError(`${fn}: ${where} must be an array of tools (got ${describeValue(tools)})`);
  const tags = new Set<string>();
  const names = new Set<string>();
  for (let i = 0; i < tools.length; i++) {
    const t = tools[i] as Partial<Tool> | null;
    if (t === null || typeof t !== 'object' || typeof t.tag !== 'string' || typeof t.name !== 'string' || typeof t.run !== 'function') {
      throw new TypeError(`${fn}: ${where}[${i}] must be a Tool with name, tag and run (got ${describeValue(t)})`);
    }
    if (tags.has(t.tag) || names.has(t.name)) {
      throw new RangeError(`${fn}: ${where}[${i}] repeats tag <${t.tag}> or name "${t.name}"`);
    }
    tags.add(t.tag);
    names.add(t.name);
  }
}

/**
 * The tool set of every task: `options.tools` unless the task brings its own `tools` (checked
 * like `options.tools`, errors naming `tasks[i].tools`). A list shared by several tasks (the
 * same array) is checked and resolved once.
 */
function resolveToolSets(fn: string, tasks: readonly RolloutTask[], tools: readonly Tool<any>[], answerTag: string): ToolSet[] {
  const stopsByKey = new Map<string, readonly string[]>();
  const make = (list: readonly Tool<any>[]): ToolSet => {
    const stops = stopSequences(
      list.map((t) => t.tag),
      answerTag,
    );
    const key = stops.join('\n');
    let shared = stopsByKey.get(key);
    if (shared === undefined) {
      shared = stops;
      stopsByKey.set(key, shared);
    }
    return { tools: list, tagLimits: toolTagLimits(list), stops: shared, defaultResultTag: list[0]?.resultTag ?? 'res' };
  };
  const global = make(tools);
  const byList = new Map<readonly Tool<any>[], ToolSet>([[tools, global]]);
  const out: ToolSet[] = new Array(tasks.length);
  for (let i = 0; i < tasks.length; i++) {
    const own = tasks[i].tools;
    if (own === undefined) {
      out[i] = global;
      continue;
    }
    let set = byList.get(own);
    if (set === undefined) {
      checkTools(fn, own, `tasks[${i}].tools`);
      set = make(own);
      byList.set(own, set);
    }
    out[i] = set;
  }
  return out;
}

/** Validates tasks and options at the public edge (throws TypeError / RangeError naming `fn`). */
export function resolveLoopOptions(
  fn: string,
  tasks: unknown,
  options: LoopOptions | undefined,
  defaults: { groupSize: number; temperature: number },
): ResolvedLoopOptions {
  if (!Array.isArray(tasks)) throw new TypeError(`${fn}: tasks must be an array (got ${describeValue(tasks)})`);
  for (let i = 0; i < tasks.length; i++) {
    const t = tasks[i] as Partial<RolloutTask> | null;
    if (t === null || typeof t !== 'object' || typeof t.id !== 'string' || typeof t.prompt !== 'string' || typeof t.answer !== 'string') {
      throw new TypeError(`${fn}: tasks[${i}] must have string id, prompt and answer (got ${describeValue(t)})`);
    }
  }
  const o = options ?? {};
  if (typeof o !== 'object') throw new TypeError(`${fn}: options must be an object (got ${describeValue(o)})`);
  const tools = o.tools ?? [];
  checkTools(fn, tools, 'options.tools');
  const seed = o.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new RangeError(`${fn}: options.seed must be a finite number (got ${describeValue(seed)})`);
  }
  const temperature = o.temperature ?? defaults.temperature;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw new RangeError(`${fn}: options.temperature must be a finite number >= 0 (got ${describeValue(temperature)})`);
  }
  if (o.match !== undefined && typeof o.match !== 'function') {
    throw new TypeError(`${fn}: options.match must be a function (got ${describeValue(o.match)})`);
  }
  const answerTag = o.answerTag ?? 'ans';
  if (typeof answerTag !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(answerTag)) {
    throw new TypeError(`${fn}: options.answerTag must be a tag name (got ${describeValue(answerTag)})`);
  }
  return {
    groupSize: intOption(fn, 'groupSize', o.groupSize, defaults.groupSize, 1),
    toolSets: resolveToolSets(fn, tasks as readonly RolloutTask[], tools, answerTag),
    maxTurns: intOption(fn, 'maxTurns', o.maxTurns, 8, 1),
    maxToolCalls: intOption(fn, 'maxToolCalls', o.maxToolCalls, 8, 0, true),
    maxTokens: intOption(fn, 'maxTokens', o.maxTokens, 512, 1),
    toolOutputChars: intOption(fn, 'toolOutputChars', o.toolOutputChars, 1000, 0, true),
    toolConcurrency: intOption(fn, 'toolConcurrency', o.toolConcurrency, 8, 1, true),
    toolTimeoutMs: intOption(fn, 'toolTimeoutMs', o.toolTimeoutMs, 10_000, 1, true),
    seed,
    temperature,
    match: o.match,
    answerTag,
    signal: o.signal,
  };
}

/** A 32-bit seed for generation call `round` of a run seeded with `seed` (distinct across rounds and seeds). */
export function roundSeed(seed: number, round: number, stream = 0): number {
  let h = Math.imul((seed | 0) ^ 0x5bd1e995, 0x9e3779b1);
  h = Math.imul(h ^ (round + 1), 0x85ebca6b);
  h = Math.imul(h ^ (stream + 1), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
