/**
 * What `paretopo demo` trains, copied from a finished study (docs/results/<task>/results.md: "the
 * primary arm's configuration" line and the validation sweep's chosen learning rates; also
 * `primaryChoice` and `sweep` in results.json): ParetoPO as the study's primary arm at its chosen
 * learning rate, the accuracy-only baseline grpo-acc at the rate the study chose for it, both with
 * the study's RL budget, from a warm start trained as the study's. `source` says where the values come from; the demo prints it.
 *
 * @example
 * DEMO_CHOICE.method; // 'paretopo'
 */
export const DEMO_CHOICE: Readonly<{
  /** Where the choice comes from, printed by the demo. */
  source: string;
  /** The trainer method. */
  method: 'paretopo';
  /** ParetoPO's chosen learning rate; null: the trainer's default. */
  lr: number | null;
  /** Train-config overrides of the arm (e.g. `{ reward: { toolGate: 'correct' } }`). */
  config: Readonly<Record<string, unknown>>;
  /** grpo-acc's chosen learning rate; null: the trainer's default. */
  baselineLr: number | null;
  /** The study's RL budget and schedule (train-config keys), for both runs; empty: the trainer's defaults. */
  budget: Readonly<Record<string, unknown>>;
  /** The study's warm-start settings (sft-config keys); empty: the sft defaults. */
  sft: Readonly<Record<string, unknown>>;
}> = Object.freeze({
  source:
    "the arith study's choice (docs/results/arith/results.md, 2026-12-07): paretopo at lr 0.00025, grpo-acc at lr 0.00025, 150 RL steps × 8 prompts × G 8, 10 warmup steps, constant lr, from a warm start trained as the study's (4,000 SFT steps, seed 1)",
  method: 'paretopo',
  lr: 0.00025,
  config: Object.freeze({}),
  baselineLr: 0.00025,
  budget: Object.freeze({ steps: 150, promptsPerStep: 8, groupSize: 8, warmupSteps: 10, lrSchedule: 'constant' }),
  sft: Object.freeze({ seed: 1, steps: 4000 }),
});
