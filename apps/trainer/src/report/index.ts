// What the commands and the package's entry point use; the modules' other exports serve each other
// and their tests.
export { welchTTest, pairedBootstrapCi, signFlipTest, holmAdjust } from './stats';
export { readRunFolder, readCompareFolder, readRuns } from './read-runs';
export { aggregateResults, resultsJson } from './results';
export type { ClaimCheck, Comparison, MethodResults, Results } from './results';
export { renderResultsMarkdown } from './results-markdown';
export { renderReportHtml, writeReport } from './html';
