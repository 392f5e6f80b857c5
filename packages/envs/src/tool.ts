import { onAbort } from './abort';

/** A JSON Schema object as used by OpenAI function calling (kept structural and open). */
export interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  enum?: unknown[];
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
}

/** What a tool returns. Errors are data (`ok: false`), never exceptions: they go back to the model. */
export interface ToolResult {
  /** Whether the tool produced a real answer. */
  ok: boolean;
  /** Text shown to the model between the result tags (the error message when `ok` is false). */
  output: string;
  /** Machine-readable reason when `ok` is false, e.g. `'division-by-zero'`, `'timeout'`. */
  error?: string;
}

/** Per-call limits passed to {@link Tool.run}. */
export interface ToolRunOptions {
  /** Abort the call; the result is then `{ ok: false, error: 'aborted' }`. */
  signal?: AbortSignal;
  /** Wall-clock limit in milliseconds; the result is then `{ ok: false, error: 'timeout' }`. */
  timeoutMs?: number;
}

/**
 * A tool in OpenAI function-calling shape plus its text-tag form. In text the model writes
 * `<tag>argument text</tag>` and the environment answers `<resultTag>output</resultTag>`, e.g.
 * `<calc>37*46</calc>` → `<res>1702</res>`. A sandboxed code interpreter or a BM25 search tool
 * implements the same interface.
 */
export interface Tool<Args = Record<string, unknown>> {
  /** Function name for native tool calls, e.g. `'calculator'`. */
  readonly name: string;
  /** One or two sentences telling the model when to use the tool. */
  readonly description: string;
  /** JSON Schema of the arguments object for native tool calls. */
  readonly parameters: JsonSchema;
  /** Text-tag name of a call, e.g. `'calc'`. */
  readonly tag: string;
  /** Text-tag name wrapped around the output, e.g. `'res'`. */
  readonly resultTag: string;
  /** Longest tag body (characters) accepted as a call; longer ones are invalid calls. */
  readonly maxArgChars: number;
  /** Turns a text-tag body into the arguments object. Must not throw. */
  argsFromText(text: string): Args;
  /** Runs the tool. Implementations should not throw; {@link runTool} guards those that do. */
  run(args: Args, options?: ToolRunOptions): Promise<ToolResult>;
}

/** The OpenAI chat-completions `tools[]` entry for a tool. */
export interface OpenAIToolSpec {
  type: 'function';
  function: { name: string; description: string; parameters: JsonSchema };
}

/**
 * Describes a tool in the OpenAI `tools` array format.
 *
 * @param tool - Any tool.
 * @returns `{ type: 'function', function: { name, description, parameters } }`.
 * @example
 * toOpenAITool(createCalculator()).function.name; // 'calculator'
 */
export function toOpenAITool(tool: Pick<Tool<unknown>, 'name' | 'description' | 'parameters'>): OpenAIToolSpec {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

/**
 * Writes a call in the text-tag protocol.
 *
 * @param tool - The tool (its `tag` is used).
 * @param body - The argument text.
 * @returns `<tag>body</tag>`.
 * @example
 * formatToolCall(createCalculator(), '37*46'); // '<calc>37*46</calc>'
 */
export function formatToolCall(tool: Pick<Tool<unknown>, 'tag'>, body: string): string {
  return `<${tool.tag}>${body}</${tool.tag}>`;
}

/**
 * Writes a tool's output in the text-tag protocol, cut to `maxChars` characters.
 *
 * @param tool - The tool (its `resultTag` is used).
 * @param result - What the tool returned.
 * @param maxChars - Output cap in characters (default: no cap).
 * @returns `<resultTag>output</resultTag>`.
 * @example
 * formatToolResult(createCalculator(), { ok: true, output: '1702' }); // '<res>1702</res>'
 */
export function formatToolResult(
  tool: Pick<Tool<unknown>, 'resultTag'>,
  result: ToolResult,
  maxChars = Number.POSITIVE_INFINITY,
): string {
  const output = result.output.length > maxChars ? result.output.slice(0, maxChars) : result.output;
  return `<${tool.resultTag}>${output}</${tool.resultTag}>`;
}

/**
 * Runs a tool with a timeout and abort signal, turning any exception, timeout or abort into a
 * tool error. Never rejects.
 *
 * @param tool - The tool.
 * @param args - Its arguments.
 * @param options - `timeoutMs` (default: none) and `signal`.
 * @returns The tool's result, or `{ ok: false, output: 'error: …', error }`.
 * @example
 * (await runTool(createCalculator(), { expression: '1/0' })).error; // 'division-by-zero'
 */
export async function runTool<Args>(tool: Tool<Args>, args: Args, options: ToolRunOptions = {}): Promise<ToolResult> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) return { ok: false, output: 'error: call aborted', error: 'aborted' };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopWatching: (() => void) | undefined;
  const guards: Promise<ToolResult>[] = [];
  if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
    guards.push(
      new Promise((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, output: `error: timed out after ${timeoutMs} ms`, error: 'timeout' }),
          timeoutMs,
        );
      }),
    );
  }
  if (signal) {
    guards.push(
      new Promise((resolve) => {
        stopWatching = onAbort(signal, () => resolve({ ok: false, output: 'error: call aborted', error: 'aborted' }));
      }),
    );
  }
  const call = (async (): Promise<ToolResult> => {
    try {
      return await tool.run(args, options);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, output: `error: ${message}`, error: 'exception' };
    }
  })();
  try {
    return await Promise.race([call, ...guards]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    stopWatching?.();
  }
}

/**
 * The tag → longest-body map that {@link parseToolCalls} takes, from a list of tools.
 *
 * @param tools - Registered tools.
 * @returns e.g. `{ calc: 200 }`.
 * @example
 * toolTagLimits([createCalculator()]); // { calc: 200 }
 */
export function toolTagLimits(tools: readonly Pick<Tool<unknown>, 'tag' | 'maxArgChars'>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tools) out[t.tag] = t.maxArgChars;
  return out;
}
