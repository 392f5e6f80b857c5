import {
  arithTasks,
  arithTeacher,
  createCalculator,
  createKbWorld,
  createSearchIndex,
  kbParametricSentences,
  kbTasks,
  kbTeacher,
  searchRetriever,
  searchTool,
  type TaskItem,
  type TeacherTrace,
  type Tool,
} from '@paretopo/envs';
import type { EnvName } from './config/schema';

/** A built-in task with everything the trainer needs: question pools, tools, and the scripted teacher. */
export interface Environment {
  name: EnvName;
  /** Questions the scripted teacher demonstrates in SFT. */
  sft: TaskItem<any>[];
  /** Questions RL samples its prompts from. */
  rl: TaskItem<any>[];
  /** Held-out questions for choosing hyper-parameters (periodic evaluation during training). */
  validation: TaskItem<any>[];
  /** Held-out questions evaluated once per final run (never used for choosing). */
  test: TaskItem<any>[];
  tools: readonly Tool<any>[];
  /** Generated-token budget per episode that fits this task's answers. */
  maxTokens: number;
  /**
   * SFT demonstrations: the teacher's traces over `train`, interleaved with background knowledge
   * as plain text (arith: the one-digit table; kb: the parametric facts), which the policy may
   * use without a tool.
   */
  demonstrations(options: { seed: number; overuse: number; repeat: number }): Demonstration[];
}

type Demonstration = Pick<TeacherTrace, 'prompt' | 'segments'>;

const asText = (text: string): Demonstration => ({ prompt: '', segments: [{ role: 'policy', text }] });

// Background knowledge as plain text, one item after every `every` traces (cycling), so the
// policy learns it as parametric knowledge without ever seeing a test question.
function interleave(traces: readonly Demonstration[], facts: readonly Demonstration[], every: number): Demonstration[] {
  if (facts.length === 0) return [...traces];
  const out: Demonstration[] = [];
  for (let i = 0; i < traces.length; i++) {
    out.push(traces[i]);
    if (i % every === every - 1) out.push(facts[Math.floor(i / every) % facts.length]);
  }
  return out;
}

/**
 * The one-digit arithmetic table (`7*8=56`, `9-4=5`, `3+6=9`): the "in the head" knowledge of
 * `arith`. Every easy question, train or test, is answerable from it; the questions themselves
 * stay split, so a test question is never seen, only the fact behind it.
 *
 * @returns 207 facts (81 sums, 45 differences ≥ 0, 81 products of 1–9), in a fixed order
 * @example
 * arithFacts().includes('7*8=56'); // true
 */
export function arithFacts(): string[] {
  const out: string[] = [];
  for (const op of ['+', '-', '*'] as const) {
    for (let a = 1; a <= 9; a++) {
      for (let b = 1; b <= 9; b++) {
        if (op === '-' && b > a) continue;
        out.push(`${a}${op}${b}=${op === '+' ? a + b : op === '-' ? a - b : a * b}`);
      }
    }
  }
  return out;
}

/** Options of {@link createEnvironment}. */
export interface EnvironmentOptions {
  /** Seed of the question generator and of the kb world. */
  seed: number;
  sftCount: number;
  rlCount: number;
  validationCount: number;
  testCount: number;
}

/**
 * Builds a built-in environment: `arith` (calculator; small operations can be done in the head)
 * or `kb` (BM25 search over a generated world; half of its facts are parametric).
 *
 * @param name - `'arith'` or `'kb'`
 * @param options - seed and pool sizes
 * @returns the environment
 * @example
 * const env = createEnvironment('arith', { seed: 1, sftCount: 64, rlCount: 64, validationCount: 16, testCount: 16 });
 * env.tools[0].name; // 'calculator'
 */
export function createEnvironment(name: EnvName, options: EnvironmentOptions): Environment {
  const { seed, sftCount, rlCount, validationCount, testCount } = options;
  if (name === 'arith') {
    const sft = arithTasks({ seed, count: sftCount });
    const rl = arithTasks({ seed: seed + 1, count: rlCount });
    // A different generator seed for the held-out pools: their questions are disjoint from train by the split.
    const validation = arithTasks({ seed: seed + 104729, count: validationCount, split: 'test' });
    const test = arithTasks({ seed: seed + 7919, count: testCount, split: 'test' });
    return {
      name,
      sft,
      rl,
      validation,
      test,
      tools: [createCalculator()],
      maxTokens: 64,
      demonstrations: (o) => interleave(arithTeacher(sft, o), arithFacts().map(asText), 4),
    };
  }
  if (name === 'kb') {
    const world = createKbWorld({ seed });
    const index = createSearchIndex(world.passages);
    const searchOptions = { topK: 1, showTitles: false };
    const sft = kbTasks(world, { seed: seed + 1, count: sftCount });
    const rl = kbTasks(world, { seed: seed + 2, count: rlCount });
    const validation = kbTasks(world, { seed: seed + 104729, count: validationCount, split: 'test' });
    const test = kbTasks(world, { seed: seed + 7919, count: testCount, split: 'test' });
    return {
      name,
      sft,
      rl,
      validation,
      test,
      tools: [searchTool(index, searchOptions)],
      maxTokens: 160,
      demonstrations: (o) => {
        const retrieve = searchRetriever(index, searchOptions);
        const traces = kbTeacher(world, sft, { ...o, retrieve: (q) => retrieve(q) });
        return interleave(traces, kbParametricSentences(world).map(asText), 4);
      },
    };
  }
  throw new RangeError(`createEnvironment: name must be 'arith' or 'kb' (got ${JSON.stringify(name)})`);
}
