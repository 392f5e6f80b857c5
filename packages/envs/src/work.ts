/**
 * A step counter that the parsers of model output advance once per character or token they look
 * at. Tests pass one in to show that work grows linearly with the input (a count, unlike wall
 * time, does not depend on how loaded the machine is); production calls pass none.
 *
 * @example
 * const work: WorkCounter = { steps: 0 };
 * scanTags('<a><b>', work); // from './parse-calls'
 * work.steps; // 6 (one per character here)
 */
export interface WorkCounter {
  /** Steps taken so far. */
  steps: number;
}
