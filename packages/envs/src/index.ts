export { EnvError } from './errors';
export { hashString } from './hash';
export {
  rational,
  addRational,
  subRational,
  mulRational,
  divRational,
  equalRational,
  decimalToRational,
  formatRational,
} from './rational';
export type { Rational, FormatRationalOptions } from './rational';
export { toOpenAITool, formatToolCall, formatToolResult, runTool, toolTagLimits } from './tool';
export type { Tool, ToolResult, ToolRunOptions, JsonSchema, OpenAIToolSpec } from './tool';
export { evaluateArithmetic, calculate, createCalculator } from './calculator';
export type { CalculatorOptions, CalculatorArgs, ArithmeticOutcome, ArithmeticErrorCode } from './calculator';
export { createCodeTool, runCode, closeCodeSandbox } from './code';
export type { CodeToolOptions, CodeArgs, CodeErrorCode } from './code';
export {
  SEARCH_STOP_WORDS,
  SearchIndex,
  createSearchIndex,
  loadSearchIndex,
  searchOutput,
  searchRetriever,
  searchTool,
} from './search';
export type {
  SearchArgs,
  SearchHit,
  SearchIndexOptions,
  SearchOutputOptions,
  SearchPassage,
  SerializedSearchIndex,
} from './search';
export { parseToolCalls, stopSequences } from './parse-calls';
export type { ToolCallRecord, AnswerRecord, ParsedCalls, ParseCallsOptions } from './parse-calls';
export { normalizeAnswer, exactMatch, tokenF1 } from './qa-match';
export { parseNumber, numericEqual } from './numeric';
export { extractBoxed, extractAnswerTag, extractFinalAnswer } from './extract';
export { normalizeMathAnswer, mathEqual, MATH_EQUAL_KNOWN_GAPS } from './math-equal';
export { onAbort, requestAbort } from './abort';
export { readJsonl, readJsonlSync } from './jsonl';
export type { JsonlRecord, ReadJsonlOptions } from './jsonl';
export { readJsonArray, splitJsonArray } from './json-array';
export type { JsonArrayElement, JsonArrayText, ReadJsonArrayOptions } from './json-array';
export {
  findDataDir,
  gsm8kFinalAnswer,
  loadGsm8k,
  loadMath500,
  loadHotpotQA,
  loadMultihopEval,
  MULTIHOP_EVAL_SETS,
} from './loaders';
export type { Gsm8kItem, MathItem, HotpotItem, MultihopItem, Passage } from './loaders';
export { episodeFacts } from './episode';
export { defaultAnswerMatch, qaAnswerMatch } from './answer-match';
export type { EpisodeFacts, EpisodeFactsOptions, EpisodeLimits, FinishReason } from './episode';
export { DEFAULT_POOL_FRACTIONS, POOLS, poolOf } from './tasks/pools';
export type { PoolCounts, PoolFractions } from './tasks/pools';
export type { Split, TaskItem, TraceSegment, TeacherTrace, TeacherOptions } from './tasks/types';
export { ARITH_ORACLE_MIX, arithFacts, arithPools, arithTasks, arithTeacher, inOneDigitTable } from './tasks/arith';
export type { ArithMeta, ArithOp, ArithOptions, ArithPoolOptions, ArithStep } from './tasks/arith';
export {
  KB_ORACLE_MIX,
  createKbWorld,
  kbParametricSentences,
  kbPools,
  kbQuery,
  kbQuestionSpace,
  kbTasks,
  kbTeacher,
} from './tasks/kb';
export { gsm8kTasks, hotpotQATasks } from './tasks/benchmarks';
export type { BenchmarkTask, Gsm8kTaskOptions, HotpotQATaskOptions } from './tasks/benchmarks';
export type {
  KbEntity,
  KbEntityType,
  KbFact,
  KbFactStatus,
  KbMeta,
  KbPoolOptions,
  KbQuestion,
  KbRelation,
  KbTaskOptions,
  KbTeacherOptions,
  KbWorld,
  KbWorldOptions,
} from './tasks/kb';
export type { ResolvedIndexOptions } from './search';
