import type { Tool, ToolResult } from '@paretopo/envs';

/** Test-only tools (not exported from the package). */
export interface Gauge {
  now: number;
  max: number;
  total: number;
}

/** `<slow>ms</slow>`: sleeps `ms`, counting calls in flight in `gauge`. */
export function slowTool(gauge: Gauge): Tool<{ ms: number }> {
  return {
    name: 'slow',
    description: 'Sleeps.',
    parameters: { type: 'object', properties: { ms: { type: 'number' } } },
    tag: 'slow',
    resultTag: 'res',
    maxArgChars: 10,
    argsFromText: (text) => ({ ms: Number(text) }),
    run: async (args): Promise<ToolResult> => {
      gauge.now++;
      gauge.total++;
      if (gauge.now > gauge.max) gauge.max = gauge.now;
      await new Promise((r) => setTimeout(r, Number.isFinite(args.ms) ? args.ms : 1));
      gauge.now--;
      return { ok: true, output: `slept ${args.ms}` };
    },
  };
}

/** `<hang>x</hang>`: never answers (only a timeout ends it). */
export function hangTool(): Tool<{ x: string }> {
  return {
    name: 'hang',
    description: 'Never returns.',
    parameters: { type: 'object', properties: { x: { type: 'string' } } },
    tag: 'hang',
    resultTag: 'res',
    maxArgChars: 10,
    argsFromText: (text) => ({ x: text }),
    run: () => new Promise<ToolResult>(() => {}),
  };
}

/** `<fail>x</fail>`: throws. */
export function failTool(): Tool<{ x: string }> {
  return {
    name: 'fail',
    description: 'Throws.',
    parameters: { type: 'object', properties: { x: { type: 'string' } } },
    tag: 'fail',
    resultTag: 'res',
    maxArgChars: 10,
    argsFromText: (text) => ({ x: text }),
    run: async () => {
      throw new Error('boom');
    },
  };
}

/** Ids of generated tokens are shifted by this much, so a test can tell them apart by value. */
export const GEN = 65536;

/** Number of generated runs (policy turns) in a context whose generated ids are >= GEN. */
export function turnsIn(tokens: Int32Array): number {
  let runs = 0;
  for (let i = 0; i < tokens.length; i++) if (tokens[i] >= GEN && (i === 0 || tokens[i - 1] < GEN)) runs++;
  return runs;
}
