/**
 * The pool a question belongs to: SFT demonstrations, RL prompts, validation (choosing
 * hyper-parameters) or test (evaluated once). The four never share a question.
 */
export type Split = 'sft' | 'rl' | 'validation' | 'test';

/** A generated question with its gold answer. */
export interface TaskItem<Meta = Record<string, unknown>> {
  /** Stable id derived from the canonical question (identical questions share it). */
  id: string;
  /** Task family, e.g. `'arith'` or `'kb'`. */
  task: string;
  /** The pool the question was drawn from. */
  split: Split;
  /** Canonical question text (also the key that decides the pool). */
  question: string;
  /** What the policy sees before it starts writing: the question and a newline. */
  prompt: string;
  /** Gold answer string. */
  answer: string;
  /** Difficulty label, e.g. `'easy'`, `'hard'`, `'2-hop'`. */
  difficulty: string;
  /**
   * The oracle's minimum number of tool calls for this question, from the generator: what a
   * policy that knows exactly what it learned in SFT needs to call to be sure of the answer.
   * Evaluation reads excess and missing calls against it, per stratum (one stratum per value).
   */
  oracleCalls: number;
  meta: Meta;
}

/** One piece of a teacher trace: `policy` text is learned (loss mask 1), `tool` output is not. */
export interface TraceSegment {
  role: 'policy' | 'tool';
  text: string;
}

/** A scripted SFT demonstration for one task item (the prompt is not included in `text`). */
export interface TeacherTrace {
  taskId: string;
  prompt: string;
  /** Completion as alternating policy/tool segments. */
  segments: TraceSegment[];
  /** Concatenation of all segments. */
  text: string;
  /** Tool calls in the trace. */
  toolCalls: number;
  /** Calls the teacher did not need (over-use): optional calls and repeats. */
  redundantCalls: number;
}

/** Over-use knobs shared by the scripted teachers. */
export interface TeacherOptions {
  /** Seed of the teacher's own random stream. */
  seed: number;
  /** Probability of calling a tool when the answer is known without it. Default 0.6. */
  overuse?: number;
  /** Probability of repeating a call right after it (a purely redundant call). Default 0.2. */
  repeat?: number;
}
