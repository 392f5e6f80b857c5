import { createCalculator, toOpenAITool } from '@paretopo/envs';
import { afterEach, describe, expect, it } from 'vitest';
import { chatRollout } from './chat-rollout';
import { OpenAIChatPolicy, type OpenAIChatPolicyOptions } from './openai-chat';
import { chatBody, startChatServer, type ScriptedResponse, type SeenRequest } from '../test/server';

const calc = createCalculator();
const user = [{ role: 'user' as const, content: 'What is 2+3?' }];
let closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function serve(reply: (req: SeenRequest, n: number) => ScriptedResponse, max = 50) {
  const s = await startChatServer(reply, max);
  closers.push(s.close);
  return s;
}

function client(baseUrl: string, opts: Partial<OpenAIChatPolicyOptions> = {}) {
  return new OpenAIChatPolicy({ baseUrl, model: 'test-model', backoffMs: 1, maxBackoffMs: 5, random: () => 0.5, ...opts });
}

describe('OpenAIChatPolicy against a local server', () => {
  it('sends the request and maps a scripted reply', async () => {
    const s = await serve(() => ({ json: chatBody('<calc>2+3', { stopReason: '</calc>', tokens: 4 }) }));
    const reply = await client(s.baseUrl, { apiKey: 'sk-test', headers: { 'x-extra': '1' }, extraBody: { top_p: 0.9 } }).complete(user, {
      maxTokens: 32,
      stop: ['</calc>', '</ans>'],
      temperature: 0.7,
      seed: 3,
    });
    expect(reply).toEqual({ text: '<calc>2+3', toolCalls: [], finish: 'stop', stop: '</calc>', completionTokens: 4 });
    const req = s.requests[0];
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.headers['x-extra']).toBe('1');
    expect(req.body).toEqual({
      model: 'test-model',
      messages: user,
      max_tokens: 32,
      top_p: 0.9,
      temperature: 0.7,
      seed: 3,
      stop: ['</calc>', '</ans>'],
    });
  });

  it('retries a 500 and then succeeds', async () => {
    const s = await serve((_r, n) => (n === 0 ? { status: 500, json: { error: { message: 'oops' } } } : { json: chatBody('<ans>5</ans>') }));
    expect((await client(s.baseUrl).complete(user, { maxTokens: 8 })).text).toBe('<ans>5</ans>');
    expect(s.requests.length).toBe(2);
  });

  it('retries a 429 after Retry-After', async () => {
    const s = await serve((_r, n) => (n === 0 ? { status: 429, headers: { 'retry-after': '0' }, json: {} } : { json: chatBody('ok') }));
    expect((await client(s.baseUrl).complete(user, { maxTokens: 8 })).text).toBe('ok');
    expect(s.requests.length).toBe(2);
  });

  it('gives up after maxAttempts on a persistent 503', async () => {
    const s = await serve(() => ({ status: 503, text: 'overloaded' }));
    await expect(client(s.baseUrl, { maxAttempts: 3 }).complete(user, { maxTokens: 8 })).rejects.toMatchObject({
      code: 'http-status',
      status: 503,
      message: expect.stringMatching(/failed with 503 Service Unavailable: overloaded \(after 3 attempts\)/),
    });
    expect(s.requests.length).toBe(3);
  });

  it('fails fast on a 400 with the status and the server message', async () => {
    const s = await serve(() => ({ status: 400, json: { error: { message: 'model "test-model" does not exist' } } }));
    await expect(client(s.baseUrl).complete(user, { maxTokens: 8 })).rejects.toMatchObject({
      name: 'RolloutError',
      code: 'http-status',
      status: 400,
      message: expect.stringMatching(/failed with 400 Bad Request: model "test-model" does not exist$/),
    });
    expect(s.requests.length).toBe(1);
  });

  it('times out a slow reply (and retries the timeout)', async () => {
    // The timeout is long enough for a request to reach the server on a loaded CI machine (with
    // 50 ms the client sometimes gave up before the server had read one), the delay far longer.
    const s = await serve(() => ({ delayMs: 10_000, json: chatBody('late') }));
    const t0 = Date.now();
    await expect(client(s.baseUrl, { timeoutMs: 400, maxAttempts: 2 }).complete(user, { maxTokens: 8 })).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringMatching(/timed out after 400 ms \(after 2 attempts\)/),
    });
    // Well below the server's 10 s delay: the client gave up instead of waiting. The attempt
    // count is asserted through the message.
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(s.requests.length).toBeGreaterThanOrEqual(1);
  });

  it('reports a network error when nothing listens', async () => {
    const s = await startChatServer(() => ({ json: {} }));
    await s.close();
    await expect(client(s.baseUrl, { maxAttempts: 2 }).complete(user, { maxTokens: 8 })).rejects.toMatchObject({ code: 'network' });
  });

  it('maps native tool_calls', async () => {
    const calls = [{ id: 'call_1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"2+3"}' } }];
    const s = await serve(() => ({ json: chatBody(null, { finish: 'tool_calls', toolCalls: calls }) }));
    const reply = await client(s.baseUrl).complete(user, { maxTokens: 8, tools: [toOpenAITool(calc)] });
    expect(reply.toolCalls).toEqual([{ id: 'call_1', name: 'calculator', arguments: '{"expression":"2+3"}' }]);
    expect([reply.text, reply.finish]).toEqual(['', 'tool_calls']);
    expect(s.requests[0].body.tools).toEqual([toOpenAITool(calc)]);
    expect(s.requests[0].body.tool_choice).toBe('auto');
  });

  it('rejects a reply without choices', async () => {
    const s = await serve(() => ({ json: { choices: [] } }));
    await expect(client(s.baseUrl).complete(user, { maxTokens: 8 })).rejects.toMatchObject({ code: 'bad-response' });
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const s = await serve(() => ({ delayMs: 50, json: chatBody('ok') }));
    const p = client(s.baseUrl, { concurrency: 3 });
    const replies = await Promise.all(Array.from({ length: 10 }, () => p.complete(user, { maxTokens: 8 })));
    expect(replies.every((r) => r.text === 'ok')).toBe(true);
    expect(s.maxConcurrent()).toBe(3);
  });

  it('aborts with the caller signal', async () => {
    const s = await serve(() => ({ delayMs: 2000, json: chatBody('late') }));
    const ac = new AbortController();
    const pending = client(s.baseUrl).complete(user, { maxTokens: 8, signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
  });

  it.each<[string, unknown, RegExp]>([
    ['no options', null, /options must be an object/],
    ['relative baseUrl', { baseUrl: '/v1', model: 'm' }, /options.baseUrl must be an absolute http\(s\) URL \(got "\/v1"\)/],
    ['ftp baseUrl', { baseUrl: 'ftp://x/v1', model: 'm' }, /options.baseUrl/],
    ['empty model', { baseUrl: 'http://x/v1', model: '' }, /options.model must be a non-empty string/],
    ['concurrency 0', { baseUrl: 'http://x/v1', model: 'm', concurrency: 0 }, /options.concurrency must be an integer in \[1, 1024\] \(got 0\)/],
    ['timeoutMs NaN', { baseUrl: 'http://x/v1', model: 'm', timeoutMs: Number.NaN }, /options.timeoutMs must be an integer in \[1, 3600000\] \(got NaN\)/],
    ['maxAttempts 0', { baseUrl: 'http://x/v1', model: 'm', maxAttempts: 0 }, /options.maxAttempts/],
  ])('constructor rejects %s', (_name, opts, message) => {
    expect(() => new OpenAIChatPolicy(opts as OpenAIChatPolicyOptions)).toThrow(message);
  });

  it('complete rejects empty messages', () => {
    expect(() => client('http://127.0.0.1:9/v1').complete([], { maxTokens: 8 })).toThrow(/messages must be a non-empty array/);
  });
});

describe('chatRollout against a local server', () => {
  it('runs the text-tag protocol, restoring the stop string the server dropped', async () => {
    const s = await serve((req) => {
      const last = req.body.messages[req.body.messages.length - 1];
      return { json: chatBody(last.content.startsWith('<res>') ? 'So <ans>5' : 'Let me compute. <calc>2+3') };
    });
    const [ep] = await chatRollout(client(s.baseUrl), [{ id: 'q', prompt: 'What is 2+3?', answer: '5' }], {
      tools: [calc],
      seed: 1,
    });
    expect(ep.text).toBe('Let me compute. <calc>2+3</calc><res>5</res>So <ans>5</ans>');
    expect([ep.finishReason, ep.correct, ep.validCalls, ep.turns, ep.generatedTokens]).toEqual(['answer', true, 1, 2, 6]);
    const second = s.requests[1].body;
    expect(second.stop).toEqual(['</calc>', '</ans>']);
    expect(second.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(second.messages[2].content).toBe('Let me compute. <calc>2+3</calc>');
    expect(second.messages[3].content).toBe('<res>5</res>');
    expect(second.max_tokens).toBe(512 - 3);
  });

  it('runs every call of a turn when a server ignores the stop strings, merging the results', async () => {
    const s = await serve((req) => {
      const n = req.body.messages.length;
      // No usage reported: the loop charges ceil(characters / 4) tokens.
      const body = chatBody(n === 2 ? 'a<calc>1+1</calc>b<calc>2*3</calc>' : '<ans>6</ans>') as { usage?: unknown };
      delete body.usage;
      return { json: body };
    });
    const [ep] = await chatRollout(client(s.baseUrl), [{ id: 'q', prompt: 'p', answer: '6' }], { tools: [calc] });
    expect(ep.text).toBe('a<calc>1+1</calc>b<calc>2*3</calc><res>2</res><res>6</res><ans>6</ans>');
    expect([ep.validCalls, ep.generatedTokens, ep.finishReason]).toEqual([2, 9 + 3, 'answer']);
    const second = s.requests[1].body;
    expect(second.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(second.messages[3].content).toBe('<res>2</res><res>6</res>');
  });

  it('ends with max-tokens when the server stops on length', async () => {
    const s = await serve(() => ({ json: chatBody('<calc>12345', { finish: 'length', tokens: 512 }) }));
    const [ep] = await chatRollout(client(s.baseUrl), [{ id: 'q', prompt: 'p', answer: '6' }], { tools: [calc] });
    expect([ep.text, ep.finishReason, ep.toolCalls.length, s.requests.length]).toEqual(['<calc>12345', 'max-tokens', 1, 1]);
  });

  it('runs the native tool_calls protocol with role "tool" results', async () => {
    const s = await serve((req) => {
      const msgs = req.body.messages;
      if (msgs[msgs.length - 1].role === 'tool') return { json: chatBody('The answer is <ans>5</ans>') };
      const toolCalls = [
        { id: 'a', type: 'function', function: { name: 'calculator', arguments: '{"expression":"2+3"}' } },
        { id: 'b', type: 'function', function: { name: 'calculator', arguments: '{bad json' } },
        { id: 'c', type: 'function', function: { name: 'browser', arguments: '{}' } },
      ];
      return { json: chatBody(null, { finish: 'tool_calls', toolCalls }) };
    });
    const [ep] = await chatRollout(client(s.baseUrl), [{ id: 'q', prompt: 'What is 2+3?', answer: '5' }], {
      tools: [calc],
      protocol: 'native',
      systemPrompt: null,
    });
    expect(ep.toolCalls.map((c) => [c.name, c.valid, c.ok, c.output])).toEqual([
      ['calculator', true, true, '5'],
      ['calculator', false, false, 'error: arguments of calculator are not valid JSON'],
      ['browser', false, false, 'error: unknown tool "browser"; available: calculator'],
    ]);
    expect([ep.answer, ep.validCalls, ep.invalidCalls, ep.finishReason, ep.correct]).toEqual(['5', 1, 2, 'malformed', false]);
    const second = s.requests[1].body;
    expect(second.tools).toEqual([toOpenAITool(calc)]);
    expect(second.stop).toBeUndefined();
    expect(second.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'tool', 'tool', 'tool']);
    expect(second.messages[1].tool_calls[0]).toEqual({ id: 'a', type: 'function', function: { name: 'calculator', arguments: '{"expression":"2+3"}' } });
    expect(second.messages[2]).toEqual({ role: 'tool', tool_call_id: 'a', content: '5' });
  });

  it('ends a native episode with a plain answer as correct', async () => {
    const s = await serve(() => ({ json: chatBody('Easy: \\boxed{5}') }));
    const [ep] = await chatRollout(client(s.baseUrl), [{ id: 'q', prompt: 'What is 2+3?', answer: '5' }], { tools: [calc], protocol: 'native' });
    expect([ep.answer, ep.finishReason, ep.correct, ep.turns]).toEqual(['5', 'answer', true, 1]);
  });

  it('rejects bad options', async () => {
    const p = client('http://127.0.0.1:9/v1');
    const t = [{ id: 'q', prompt: 'p', answer: 'a' }];
    await expect(chatRollout({} as never, t)).rejects.toThrow(/chatRollout: policy must have a complete/);
    await expect(chatRollout(p, t, { protocol: 'xml' as never })).rejects.toThrow(/options.protocol must be 'text' or 'native'/);
    await expect(chatRollout(p, t, { systemPrompt: 3 as never })).rejects.toThrow(/options.systemPrompt must be a string or null/);
  });
});
