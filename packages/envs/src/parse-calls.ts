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

const TAG_RE = /<([A-Za-z][A-Za-z0-9_-]{0,31})>/g;
/** The result tags skipped when `options.resultTags` is not given (shared, never mutated). */
const DEFAULT_RESULT_TAGS: ReadonlySet<string> = new Set(['res', 'doc']);

/**
 * Finds tool calls and the answer in model text with the text-tag protocol. Pure and total:
 * for any string it returns records and never throws. A registered `<tag>body</tag>` is a valid
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
  const known = Object.keys(tools);
  // One shared scanner: parsing is synchronous and never re-enters, so resetting lastIndex is
  // enough, and the rollout loop calls this once per turn and again for the episode's facts.
  const re = TAG_RE;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const tag = m[1];
    const start = m.index;
    const bodyStart = start + m[0].length;
    const closeTag = `</${tag}>`;
    const close = text.indexOf(closeTag, bodyStart);
    const closed = close >= 0;
    const bodyEnd = closed ? close : text.length;
    const end = closed ? close + closeTag.length : text.length;
    const body = text.slice(bodyStart, bodyEnd);
    if (resultTags.has(tag)) {
      re.lastIndex = end;
      continue;
    }
    if (tag === answerTag) {
      if (!closed) {
        out.unclosedAnswer = true;
        break;
      }
      if (out.answer === null) out.answer = { text: body.trim(), start, end };
      re.lastIndex = end;
      if (stopAtAnswer) break;
      continue;
    }
    const record: ToolCallRecord = { tag, body, start, end, bodyStart, bodyEnd, valid: false };
    if (!Object.prototype.hasOwnProperty.call(tools, tag)) {
      record.error = `unknown tool <${tag}>; available: ${known.map((k) => `<${k}>`).join(' ') || 'none'}`;
      if (!closed) record.end = record.bodyEnd = bodyStart;
      if (!closed) record.body = '';
      re.lastIndex = record.end;
    } else {
      const limit = tools[tag];
      if (!closed) record.error = `unclosed <${tag}>: end the call with </${tag}>`;
      else if (body.trim() === '') record.error = `empty <${tag}> call`;
      else if (body.length > limit) record.error = `<${tag}> argument is ${body.length} characters (limit ${limit})`;
      else record.valid = true;
      re.lastIndex = end;
    }
    out.calls.push(record);
    if (record.valid) out.validCalls++;
    else out.invalidCalls++;
  }
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
