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
  /** Training questions (RL samples prompts from this pool; SFT demonstrates on it). */
  train: TaskItem<any>[];
  /** Held-out questions (disjoint from `train` by construction). */
  test: TaskItem<any>[];
  tools: readonly Tool<any>[];
  /** Generated-token budget per episode that fits this task's answers. */
  maxTokens: number;
  /**
   * SFT demonstrations: the teacher's traces over `train`, and for `kb` the parametric facts as
   * plain sentences (the world knowledge the policy may use without searching).
   */
  demonstrations(options: { seed: number; overuse: number; repeat: number }): Pick<TeacherTrace, 'prompt' | 'segments'>[];
}

/** Options of {@link createEnvironment}. */
export interface EnvironmentOptions {
  /** Seed of the question generator and of the kb world. */
  seed: number;
  trainCount: number;
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
 * const env = createEnvironment('arith', { seed: 1, trainCount: 64, testCount: 16 });
 * env.tools[0].name; // 'calculator'
 */
export function createEnvironment(name: EnvName, options: EnvironmentOptions): Environment {
  const { seed, trainCount, testCount } = options;
  if (name === 'arith') {
    const train = arithTasks({ seed, count: trainCount });
    // A different generator seed for the test pool: its questions are disjoint by the split anyway.
    const test = arithTasks({ seed: seed + 7919, count: testCount, split: 'test' });
    return {
      name,
      train,
      test,
      tools: [createCalculator()],
      maxTokens: 64,
      demonstrations: (o) => arithTeacher(train, o),
    };
  }
  if (name === 'kb') {
    const world = createKbWorld({ seed });
    const index = createSearchIndex(world.passages);
    const searchOptions = { topK: 1, showTitles: false };
    const train = kbTasks(world, { seed: seed + 1, count: trainCount });
    const test = kbTasks(world, { seed: seed + 7919, count: testCount, split: 'test' });
    return {
      name,
      train,
      test,
      tools: [searchTool(index, searchOptions)],
      maxTokens: 160,
      demonstrations: (o) => {
        const retrieve = searchRetriever(index, searchOptions);
        const traces: Pick<TeacherTrace, 'prompt' | 'segments'>[] = kbTeacher(world, train, { ...o, retrieve: (q) => retrieve(q) });
        // The parametric facts as plain text, repeated through the data so the policy can learn them.
        const facts = kbParametricSentences(world).map((s) => ({ prompt: '', segments: [{ role: 'policy' as const, text: s }] }));
        const out: Pick<TeacherTrace, 'prompt' | 'segments'>[] = [];
        for (let i = 0; i < traces.length; i++) {
          out.push(traces[i]);
          if (i % 4 === 3) out.push(facts[(i >> 2) % facts.length]);
        }
        return out;
      },
    };
  }
  throw new RangeError(`createEnvironment: name must be 'arith' or 'kb' (got ${JSON.stringify(name)})`);
}
