import type { WorkCounter } from './work';

/** A tool call found in model text, valid or not. Spans are UTF-16 offsets into the parsed text. */
export interface ToolCallRecord {
  /** Tag name as written, e.g. `'calc'` (also for unknown tags). */
  tag: string;
  /** Text between the opening and closing tag (to the end of text when unclosed). */
  body: string;
  /** Offset of `<` of the opening tag. */
  start: number;
  /** Offset just past the closing tag (or the end of the text when unclosed). */
  end: number;
  /** Offset of the first body character. */
  bodyStart: number;
  /** Offset just past the last body character. */
  bodyEnd: number;
  /** Whether the call can be run. */
  valid: boolean;
  /** Why the call is invalid, worded for the model (it becomes the tool output). */
  error?: string;
}

/** The final answer found in model text. */
export interface AnswerRecord {
  /** Trimmed text between `<ans>` and `</ans>`. */
  text: string;
  start: number;
  end: number;
}

/** Result of {@link parseToolCalls}. */
export interface ParsedCalls {
  /** Every call in text order, up to the first complete answer. */
  calls: ToolCallRecord[];
  /** The first complete answer, or `null`. */
  answer: AnswerRecord | null;
  /** Set when an answer tag opened but never closed (the trajectory is malformed). */
  unclosedAnswer: boolean;
  validCalls: number;
  invalidCalls: number;
}

/** Which tags {@link parseToolCalls} recognises. */
export interface ParseCallsOptions {
  /** Registered tool tags with their longest accepted body, e.g. `{ calc: 200 }`. */
  tools: Record<string, number>;
  /** Answer tag. Default `'ans'`. */
  answerTag?: string;
  /** Tags the environment writes (tool outputs); their content is skipped. Default `['res', 'doc']`. */
  resultTags?: readonly string[];
  /** Stop at the first complete answer (text after it is ignored). Default true. */
  stopAtAnswer?: boolean;
}

/** The result tags skipped when `options.resultTags` is not given (shared, never mutated). */
const DEFAULT_RESULT_TAGS: ReadonlySet<string> = new Set(['res', 'doc']);
/** Longest tag name, so one tag is read in a bounded number of steps. */
const MAX_TAG_NAME = 32;

/** An opening `<name>` or closing `</name>` tag found by {@link scanTags}. */
export interface TagToken {
  name: string;
  /** Offset of `<`. */
  start: number;
  /** Offset just past `>`. */
  end: number;
  closing: boolean;
}

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isNameChar = (c: number): boolean => isLetter(c) || (c >= 48 && c <= 57) || c === 95 || c === 45;

/**
 * Every `<name>` and `</name>` in a text (names: a letter, then up to 31 letters, digits, `_`, `-`),
 * in one left-to-right pass. A failed tag resumes at the character that broke it: the characters
 * before it cannot hold a `<`, so no tag is missed and no character is read more than twice.
 *
 * @internal Exported for the linearity tests; the parser's building block.
 * @param text - Any text.
 * @param work - Optional step counter (one step per character read).
 * @returns Tags in text order.
 * @example
 * scanTags('a<b>c</b>').map((t) => t.name); // ['b', 'b']
 */
export function scanTags(text: string, work?: WorkCounter): TagToken[] {
  const tags: TagToken[] = [];
  const n = text.length;
  let steps = 0;
  let i = 0;
  while (i < n) {
    steps++;
    if (text.charCodeAt(i) !== 60) {
      i++;
      continue;
    }
    const start = i;
    let j = i + 1;
    const closing = j < n && text.charCodeAt(j) === 47;
    if (closing) j++;
    const nameStart = j;
    steps++;
    if (j < n && isLetter(text.charCodeAt(j))) {
      j++;
      while (j < n && j - nameStart < MAX_TAG_NAME && isNameChar(text.charCodeAt(j))) {
        steps++;
        j++;
      }
      steps++;
      if (j < n && text.charCodeAt(j) === 62) {
        tags.push({ name: text.slice(nameStart, j), start, end: j + 1, closing });
        i = j + 1;
        continue;
      }
    }
    i = j > start + 1 ? j : start + 1;
  }
  if (work) work.steps += steps;
  return tags;
}

/**
 * Finds tool calls and the answer in model text with the text-tag protocol. Pure and total:
 * for any string it returns records and never throws, in time linear in the text (one pass finds
 * every tag; each tag name's closing tags are then consumed by a cursor that only moves forward).
 * A registered `<tag>body</tag>` is a valid
 * call when its trimmed body is non-empty and not longer than the tool's limit; an unclosed tool
 * tag, an empty or oversized body, or an unknown `<name>` tag becomes an invalid call whose
 * `error` is meant to be shown to the model as the tool output. Content of result tags (`<res>`,
 * `<doc>`) is skipped, so tool outputs that contain tags never count as calls.
 *
 * @param text - Generated text (one segment or a whole episode).
 * @param options - Registered tools and tag names (see {@link ParseCallsOptions}).
 * @returns Calls in order, the first answer, and the valid/invalid counts.
 * @example
 * parseToolCalls('<calc>2+3</calc><res>5</res><ans>5</ans>', { tools: { calc: 200 } }).answer?.text; // '5'
 */
export function parseToolCalls(text: string, options: ParseCallsOptions): ParsedCalls {
  return parseToolCallsCounted(text, options);
}

/**
 * {@link parseToolCalls} with a step counter.
 *
 * @internal Exported for the linearity tests.
 * @param text - Generated text.
 * @param options - As for {@link parseToolCalls}.
 * @param work - Step counter, advanced by the tag scan and by every tag and closing tag visited.
 * @returns As {@link parseToolCalls}.
 * @example
 * const work = { steps: 0 };
 * parseToolCallsCounted('<a>'.repeat(3), { tools: {} }, work).invalidCalls; // 3
 */
export function parseToolCallsCounted(text: string, options: ParseCallsOptions, work?: WorkCounter): ParsedCalls {
  const tools = options?.tools;
  if (tools === null || typeof tools !== 'object') {
    throw new TypeError(`parseToolCalls: options.tools must be an object of tag → max length (got ${String(tools)})`);
  }
  for (const key of Object.keys(tools)) {
    const limit = tools[key];
    if (typeof limit !== 'number' || !(limit >= 0)) {
      throw new RangeError(`parseToolCalls: options.tools.${key} must be a length limit >= 0 (got ${String(limit)})`);
    }
  }
  const answerTag = options.answerTag ?? 'ans';
  const resultTags: ReadonlySet<string> = options.resultTags === undefined ? DEFAULT_RESULT_TAGS : new Set(options.resultTags);
  const stopAtAnswer = options.stopAtAnswer ?? true;
  const out: ParsedCalls = { calls: [], answer: null, unclosedAnswer: false, validCalls: 0, invalidCalls: 0 };
  if (typeof text !== 'string') return out;
  const available = Object.keys(tools).map((k) => `<${k}>`).join(' ') || 'none';
  const tags = scanTags(text, work);
  // Closing tags per name, in text order, each with a cursor: tags are visited left to right, so
  // "the first closing tag at or after bodyStart" never moves back and the search is amortised O(1).
  const closes = new Map<string, { at: number[]; next: number }>();
  for (const t of tags) {
    if (!t.closing) continue;
    const list = closes.get(t.name);
    if (list) list.at.push(t.start);
    else closes.set(t.name, { at: [t.start], next: 0 });
  }
  let steps = tags.length;
  let pos = 0;
  for (const t of tags) {
    if (t.closing || t.start < pos) continue;
    const tag = t.name;
    const start = t.start;
    const bodyStart = t.end;
    let close = -1;
    const list = closes.get(tag);
    if (list) {
      while (list.next < list.at.length && list.at[list.next] < bodyStart) {
        list.next++;
        steps++;
      }
      if (list.next < list.at.length) close = list.at[list.next];
    }
    const closed = close >= 0;
    const bodyEnd = closed ? close : text.length;
    const end = closed ? close + tag.length + 3 : text.length;
    if (resultTags.has(tag)) {
      pos = end;
      continue;
    }
    if (tag === answerTag) {
      if (!closed) {
        out.unclosedAnswer = true;
        break;
      }
      if (out.answer === null) out.answer = { text: text.slice(bodyStart, bodyEnd).trim(), start, end };
      pos = end;
      if (stopAtAnswer) break;
      continue;
    }
    let record: ToolCallRecord;
    if (!Object.prototype.hasOwnProperty.call(tools, tag)) {
      // An unclosed unknown tag covers only itself, so text after it is still parsed.
      const recEnd = closed ? end : bodyStart;
      record = {
        tag,
        body: closed ? text.slice(bodyStart, bodyEnd) : '',
        start,
        end: recEnd,
        bodyStart,
        bodyEnd: closed ? bodyEnd : bodyStart,
        valid: false,
        error: `unknown tool <${tag}>; available: ${available}`,
      };
      pos = recEnd;
    } else {
      const body = text.slice(bodyStart, bodyEnd);
      record = { tag, body, start, end, bodyStart, bodyEnd, valid: false };
      const limit = tools[tag];
      if (!closed) record.error = `unclosed <${tag}>: end the call with </${tag}>`;
      else if (body.trim() === '') record.error = `empty <${tag}> call`;
      else if (body.length > limit) record.error = `<${tag}> argument is ${body.length} characters (limit ${limit})`;
      else record.valid = true;
      pos = end;
    }
    out.calls.push(record);
    if (record.valid) out.validCalls++;
    else out.invalidCalls++;
  }
  if (work) work.steps += steps;
  return out;
}

/**
 * Stop strings for generation in the text-tag protocol: closing tags of the tools and the answer.
 *
 * @param toolTags - Tool tags, e.g. `['calc']`.
 * @param answerTag - Answer tag. Default `'ans'`.
 * @returns e.g. `['</calc>', '</ans>']`.
 * @example
 * stopSequences(['calc', 'search']); // ['</calc>', '</search>', '</ans>']
 */
export function stopSequences(toolTags: readonly string[], answerTag = 'ans'): string[] {
  return [...toolTags.map((t) => `</${t}>`), `</${answerTag}>`];
}
