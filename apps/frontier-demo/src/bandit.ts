import { Rng } from '@paretopo/random';
import { MethodState, type MethodName } from '@paretopo/trainer/methods';

/**
 * A contextual bandit with the accuracy/efficiency conflict of tool-using agents: each question is
 * "easy" (answerable in the head) or "hard" (needs one calculator call), the arm is the number of
 * tool calls (0..4), and the answer is correct with a probability that depends on both. It is a toy
 * (no language model), but the rewards, N_opt tracking and advantages are the reference trainer's
 * `MethodState` (apps/trainer), built from the packages.
 */
export const ARMS = 5;
/** P(correct | calls) for easy and hard questions: one call is enough, more calls add nothing. */
export const P_CORRECT: readonly (readonly number[])[] = [
  [0.9, 0.95, 0.95, 0.95, 0.95],
  [0.1, 0.95, 0.95, 0.95, 0.95],
];
/** The warm-started policy over-uses tools, like an SFT teacher that calls them redundantly. */
const WARM_LOGITS = [0, 0.5, 1.5, 1.0, 0.5];

/** The methods compared, named as in METHOD.md §6. */
export const BANDIT_METHODS = ['grpo-acc', 'grpo-ws', 'otc-grpo', 'mo-grpo', 'paretopo-s1', 'paretopo-s2', 'paretopo'] as const satisfies readonly MethodName[];
export type BanditMethod = (typeof BANDIT_METHODS)[number];

/** Question ids for the N_opt tracker, built once (64 distinct questions, half of each kind). */
const QUESTION_IDS = Array.from({ length: 64 }, (_, q) => `q${q}`);

/** Options of {@link trainBandit}. */
export interface BanditOptions {
  readonly steps?: number;
  readonly questionsPerStep?: number;
  readonly groupSize?: number;
  readonly learningRate?: number;
  readonly seed?: number;
}

/** Expected accuracy and tool calls of a policy, averaged over easy and hard questions. */
export interface BanditPoint {
  readonly accuracy: number;
  readonly calls: number;
}

/** Policy (softmax over arms, one row of logits per question kind) and its expected figures. */
function evaluate(logits: Float64Array): BanditPoint {
  let accuracy = 0;
  let calls = 0;
  const probs = new Float64Array(ARMS);
  for (let kind = 0; kind < 2; kind++) {
    softmax(logits, kind * ARMS, probs);
    for (let a = 0; a < ARMS; a++) {
      accuracy += 0.5 * probs[a] * P_CORRECT[kind][a];
      calls += 0.5 * probs[a] * a;
    }
  }
  return { accuracy, calls };
}

function softmax(logits: Float64Array, offset: number, out: Float64Array): void {
  let max = -Infinity;
  for (let a = 0; a < ARMS; a++) max = Math.max(max, logits[offset + a]);
  let sum = 0;
  for (let a = 0; a < ARMS; a++) sum += out[a] = Math.exp(logits[offset + a] - max);
  for (let a = 0; a < ARMS; a++) out[a] /= sum;
}

/**
 * Trains the bandit policy with one method's advantages (REINFORCE on the softmax logits, same
 * learning rate, batch and steps for every method) and returns the expected accuracy and calls
 * before and after.
 */
export function trainBandit(method: BanditMethod, options: BanditOptions = {}): { before: BanditPoint; after: BanditPoint } {
  const steps = options.steps ?? 200;
  const Q = options.questionsPerStep ?? 16;
  const G = options.groupSize ?? 8;
  const lr = options.learningRate ?? 0.5;
  const rng = new Rng(options.seed ?? 1);
  // 32-bit uniforms: the stream this demo has always drawn (published figures stay the same).
  const rand = (): number => rng.nextUint32() * 2.3283064365386963e-10;
  const n = Q * G;
  const logits = new Float64Array(2 * ARMS);
  for (let kind = 0; kind < 2; kind++) logits.set(WARM_LOGITS, kind * ARMS);
  const before = evaluate(logits);

  // Rewards, N_opt tracking and advantages are the reference trainer's, so the bandit and
  // `paretopo train` can never disagree on what a method means.
  const state = new MethodState(method, { totalSteps: steps });

  const kinds = new Int32Array(n);
  const taskIds: string[] = new Array(n).fill('');
  const arms = new Int32Array(n);
  const correct: boolean[] = new Array(n).fill(false);
  const groupIds = new Int32Array(n);
  const probs = new Float64Array(ARMS);
  const grad = new Float64Array(2 * ARMS);

  for (let step = 0; step < steps; step++) {
    for (let q = 0; q < Q; q++) {
      // 64 distinct questions, half of each kind, so N_opt is tracked per question as in training.
      const question = Math.floor(rand() * 64);
      const kind = question & 1;
      softmax(logits, kind * ARMS, probs);
      for (let g = 0; g < G; g++) {
        const i = q * G + g;
        let u = rand();
        let a = 0;
        while (a < ARMS - 1 && u >= probs[a]) u -= probs[a++];
        kinds[i] = kind;
        taskIds[i] = QUESTION_IDS[question];
        arms[i] = a;
        correct[i] = rand() < P_CORRECT[kind][a];
        groupIds[i] = q;
      }
    }
    const adv = state.step({ correct, calls: arms, taskIds, groupIds }).advantages;

    grad.fill(0);
    for (let i = 0; i < n; i++) {
      const off = kinds[i] * ARMS;
      softmax(logits, off, probs);
      for (let a = 0; a < ARMS; a++) grad[off + a] += (adv[i] * ((a === arms[i] ? 1 : 0) - probs[a])) / n;
    }
    for (let j = 0; j < grad.length; j++) logits[j] += lr * grad[j];
  }
  return { before, after: evaluate(logits) };
}
