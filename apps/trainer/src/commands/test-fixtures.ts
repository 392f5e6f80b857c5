/**
 * Shared by the trainer's command tests: a micro model and tiny pools, for tests that check the
 * wiring (files, resume, stages, folders), not learning.
 */
export const MICRO_MODEL = Object.freeze({ layers: 1, dModel: 16, heads: 2, context: 128 });

/** Tiny question pools (validation and test of 4 questions each). */
export const MICRO_TASK = Object.freeze({ seed: 3, sftCount: 32, rlCount: 32, validationCount: 4, testCount: 4 });

/** Run options without a progress bar or log lines. */
export const quiet = Object.freeze({ progress: false as const, log: (_line: string) => {} });
