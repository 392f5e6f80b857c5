import { describe, expect, it } from 'vitest';
import { createCalculator } from './calculator';
import { type Tool, formatToolCall, formatToolResult, runTool, toolTagLimits } from './tool';

function fakeTool(run: Tool['run']): Tool {
  return { name: 'fake', description: 'd', parameters: { type: 'object' }, tag: 'f', resultTag: 'r', maxArgChars: 10, argsFromText: () => ({}), run };
}

describe('runTool', () => {
  it('turns a thrown exception into a tool error', async () => {
    const r = await runTool(fakeTool(async () => { throw new Error('boom'); }), {});
    expect(r).toEqual({ ok: false, output: 'error: boom', error: 'exception' });
  });

  it('times out a slow tool', async () => {
    const r = await runTool(fakeTool(() => new Promise((res) => setTimeout(() => res({ ok: true, output: 'late' }), 500))), {}, { timeoutMs: 10 });
    expect(r.error).toBe('timeout');
  });

  it('honours an abort signal (before and during the call)', async () => {
    const slow = fakeTool(() => new Promise((res) => setTimeout(() => res({ ok: true, output: 'late' }), 500)));
    const pre = new AbortController();
    pre.abort();
    expect((await runTool(slow, {}, { signal: pre.signal })).error).toBe('aborted');
    const during = new AbortController();
    const p = runTool(slow, {}, { signal: during.signal });
    during.abort();
    expect((await p).error).toBe('aborted');
  });

  it('passes a normal result through', async () => {
    expect(await runTool(createCalculator(), { expression: '2*21' }, { timeoutMs: 1000 })).toEqual({ ok: true, output: '42' });
  });
});

describe('Tool', () => {
  it('a calculator fits in a heterogeneous Tool[] (checked by tsc)', async () => {
    const tools: Tool[] = [createCalculator()];
    expect(await runTool(tools[0], tools[0].argsFromText('6*7'))).toEqual({ ok: true, output: '42' });
  });
});

describe('text-tag helpers', () => {
  it('formats calls and capped results', () => {
    const calc = createCalculator();
    expect(formatToolCall(calc, '37*46')).toBe('<calc>37*46</calc>');
    expect(formatToolResult(calc, { ok: true, output: '123456' }, 3)).toBe('<res>123</res>');
    expect(toolTagLimits([calc])).toEqual({ calc: 200 });
  });
});
