/**
 * What `paretopo demo` trains, copied from a finished study (docs/results/<task>/results.md: "the
 * primary arm's configuration" line and the validation sweep's chosen learning rates; also
 * `primaryChoice` and `sweep` in results.json): ParetoPO as the study's primary arm at its chosen
 * learning rate, the accuracy-only baseline grpo-acc at the rate the study chose for it, both with
 * the study's RL budget. `source` says where the values come from; the demo prints it.
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
}> = Object.freeze({
  source: "the protocol's primary arm (paretopo) with the default learning rate: the study (docs/results/PROTOCOL.md) has not chosen one yet",
  method: 'paretopo',
  lr: null,
  config: Object.freeze({}),
  baselineLr: null,
  budget: Object.freeze({}),
});
