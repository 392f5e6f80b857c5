import {
  arithFacts,
  arithPools,
  arithTeacher,
  createCalculator,
  createKbWorld,
  createSearchIndex,
  kbParametricSentences,
  kbPools,
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
   * SFT demonstrations: the teacher's traces over `sft`, interleaved with background knowledge
   * as plain text (arith: the one-digit table; kb: the parametric facts), which the policy may
   * use without a tool.
   */
  demonstrations(options: { seed: number; overuse: number; repeat: number }): Demonstration[];
  /**
   * The teacher's traces over `sft` alone, without the background text: what a pretrained model's
   * warm start needs (it knows the one-digit table; it has to learn the task's tool tags).
   */
  teacherTraces(options: { seed: number; overuse: number; repeat: number }): Demonstration[];
}

export type Demonstration = Pick<TeacherTrace, 'prompt' | 'segments'>;

const asText = (text: string): Demonstration => ({ prompt: '', segments: [{ role: 'policy', text }] });

// Background knowledge as plain text, one item after every `every` traces (cycling), so the
// policy learns it as parametric knowledge without ever seeing a held-out question.
function interleave(traces: readonly Demonstration[], facts: readonly Demonstration[], every: number): Demonstration[] {
  if (facts.length === 0) return [...traces];
  const out: Demonstration[] = [];
  for (let i = 0; i < traces.length; i++) {
    out.push(traces[i]);
    if (i % every === every - 1) out.push(facts[Math.floor(i / every) % facts.length]);
  }
  return out;
}

/** Options of {@link createEnvironment}. */
export interface EnvironmentOptions {
  /** Seed of the pools' draw and of the kb world (pool membership depends only on the question). */
  seed: number;
  /** SFT questions (repeats only after every question of a stratum was used). */
  sftCount: number;
  /** RL prompts (same rule). */
  rlCount: number;
  /** Validation questions, all distinct. */
  validationCount: number;
  /** Test questions, all distinct. */
  testCount: number;
}

/**
 * Builds a built-in environment with four disjoint pools of the same oracle-count mix: `arith`
 * (1–3-operation questions and a one-operation calculator; one-digit steps are done in the head,
 * 0–3 calls per question) or `kb` (BM25 search over a generated world of 368 entities and 960
 * facts, 25 % of them taught in SFT; 1–3 hops, 0–3 searches). See `@paretopo/envs`' `arithPools`
 * and `kbPools`.
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
  const counts = { sft: sftCount, rl: rlCount, validation: validationCount, test: testCount };
  if (name === 'arith') {
    const pools = arithPools({ seed, counts });
    return {
      name,
      ...pools,
      // One operation per call: a question costs one call per step outside the one-digit table.
      tools: [createCalculator({ maxOperations: 1 })],
      // Generated tokens (seed 1, 4,096 SFT questions): the oracle needs at most 35, the teacher
      // at most 63 even when it calls every step twice; 72 leaves room without letting a
      // rambling policy cost much. (Printed and pinned by environment.test.ts, "maxTokens comments".)
      maxTokens: 72,
      demonstrations: (o) => interleave(arithTeacher(pools.sft, o), arithFacts().map(asText), 4),
      teacherTraces: (o) => arithTeacher(pools.sft, o),
    };
  }
  if (name === 'kb') {
    const world = createKbWorld({ seed });
    const index = createSearchIndex(world.passages);
    const searchOptions = { topK: 1, showTitles: false };
    const pools = kbPools(world, { seed, counts });
    return {
      name,
      ...pools,
      tools: [searchTool(index, searchOptions)],
      // Generated tokens (seed 1, 4,096 SFT questions, teacher seed 2): the lean teacher (= the
      // oracle's searches) writes at most 87, the default over-using one at most 85 (mean 43 / 41);
      // stating known facts costs more than searching. Whole episodes (prompt, searches and their
      // documents) take at most 223 of the tiny model's 256-token context. (Printed and pinned by
      // environment.test.ts, "maxTokens comments".)
      maxTokens: 128,
      demonstrations: (o) => {
        const retrieve = searchRetriever(index, searchOptions);
        const traces = kbTeacher(world, pools.sft, { ...o, retrieve: (q) => retrieve(q) });
        return interleave(traces, kbParametricSentences(world).map(asText), 4);
      },
      teacherTraces: (o) => {
        const retrieve = searchRetriever(index, searchOptions);
        return kbTeacher(world, pools.sft, { ...o, retrieve: (q) => retrieve(q) });
      },
    };
  }
  throw new RangeError(`createEnvironment: name must be 'arith' or 'kb' (got ${JSON.stringify(name)})`);
}
