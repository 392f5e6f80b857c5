/**
 * The ParetoPO configuration `paretopo demo` trains: the study's primary arm at the learning rate
 * its validation sweep chose. Set it from a finished study's results.md ("the primary arm's
 * configuration" line, also `primaryChoice` in results.json) and say so in `source`; the demo
 * prints `source` so its output says which configuration it shows.
 *
 * @example
 * DEMO_CHOICE.method; // 'paretopo'
 */
export const DEMO_CHOICE: Readonly<{
  /** Where the choice comes from, printed by the demo. */
  source: string;
  /** The trainer method. */
  method: 'paretopo';
  /** The chosen learning rate; null: the trainer's default. */
  lr: number | null;
  /** Train-config overrides of the arm (e.g. `{ reward: { toolGate: 'correct' } }`). */
  config: Readonly<Record<string, unknown>>;
}> = Object.freeze({
  source: 'the protocol\'s primary arm (paretopo) with the default learning rate: the study (docs/results/PROTOCOL.md) has not chosen one yet',
  method: 'paretopo',
  lr: null,
  config: Object.freeze({}),
});
