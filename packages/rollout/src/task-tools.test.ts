import { createCalculator, createSearchIndex, searchTool, toOpenAITool, type Tool } from '@paretopo/envs';
import { afterEach, describe, expect, it } from 'vitest';
import { charTokenizer } from './char-tokenizer';
import { chatRollout } from './chat-rollout';
import { evaluate } from './evaluate';
import { OpenAIChatPolicy } from './openai-chat';
import { roundSeed } from './options';
import { rollout } from './rollout';
import { scriptedPolicy } from './scripted-policy';
import { chatBody, startChatServer, type SeenRequest } from '../test/server';
import { turnsIn } from '../test/tools';
import type { Policy, RolloutTask } from './types';

const tok = charTokenizer();
const calc = createCalculator();
// Two corpora that answer the same question differently: only a per-task index gets both right.
const searchA = searchTool(createSearchIndex([{ id: 'a0', title: 'Kalo', text: 'Kalo was born in Mira.' }, { id: 'a1', title: 'Mira', text: 'Mira is a port.' }]), { topK: 1 });
const searchB = searchTool(createSearchIndex([{ id: 'b0', title: 'Kalo', text: 'Kalo was born in Vell.' }, { id: 'b1', title: 'Vell', text: 'Vell is a village.' }]), { topK: 1 });

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

/** Searches `Kalo born` on its first turn, then answers the place named in the retrieved passage. */
const searcherTurn = (text: string): string => {
  const doc = /<doc>[^<]*born in (\w+)/.exec(text);
  return doc ? `<ans>${doc[1]}</ans>` : '<search>Kalo born</search>';
};

/** Per prompt id (the prompt's first line), the texts of its turns. */
const scripts: Record<string, (text: string, turn: number) => string> = {
  a: searcherTurn,
  a2: searcherTurn,
  b: (_t, turn) => ['<calc>2+3</calc>', '<ans>5</ans>'][turn] ?? '',
  c: () => '<calc>1+1</calc><ans>2</ans>',
};

interface SeenCall {
  ids: string[];
  stop: string[];
  seed: number;
}

/** A scripted policy that records, per `generate` call, the prompt ids, stop strings and seed. */
function recordingPolicy(): { policy: Policy; calls: SeenCall[] } {
  const inner = scriptedPolicy(tok, ({ text, tokens }) => {
    const id = text.slice(0, text.indexOf('\n'));
    return scripts[id](text, turnsIn(tokens));
  }, { idOffset: 65536 });
  const calls: SeenCall[] = [];
  const policy: Policy = {
    tokenizer: tok,
    generate(contexts, o) {
      calls.push({ ids: contexts.map((c) => tok.decode(c).split('\n')[0]), stop: [...o.stop], seed: o.seed });
      return inner.generate(contexts, o);
    },
  };
  return { policy, calls };
}

const tasks: RolloutTask[] = [
  { id: 'a', prompt: 'a\nWhere was Kalo born?\n', answer: 'Mira', tools: [searchA] },
  { id: 'b', prompt: 'b\nWhat is 2+3?\n', answer: '5' },
  { id: 'c', prompt: 'c\nWhat is 1+1?\n', answer: '2', tools: [] },
  { id: 'a2', prompt: 'a2\nWhere was Kalo born?\n', answer: 'Vell', tools: [searchB] },
];

describe('per-task tools: rollout (token-level policy)', () => {
  it('gives each task its own search corpus', async () => {
    const { policy } = recordingPolicy();
    const out = await rollout(policy, [tasks[0], tasks[3]], { groupSize: 2, tools: [calc] });
    expect(out.episodes.map((e) => [e.taskId, e.text, e.correct])).toEqual([
      ['a', '<search>Kalo born</search><doc>Kalo: Kalo was born in Mira.</doc><ans>Mira</ans>', true],
      ['a', '<search>Kalo born</search><doc>Kalo: Kalo was born in Mira.</doc><ans>Mira</ans>', true],
      ['a2', '<search>Kalo born</search><doc>Kalo: Kalo was born in Vell.</doc><ans>Vell</ans>', true],
      ['a2', '<search>Kalo born</search><doc>Kalo: Kalo was born in Vell.</doc><ans>Vell</ans>', true],
    ]);
    expect(out.episodes[2].toolCalls).toEqual([{ name: 'search', args: { query: 'Kalo born' }, valid: true, ok: true, output: 'Kalo: Kalo was born in Vell.', ran: true }]);
  });

  it('batches tool sets with equal tags into one generate call per round (same seeds as a shared tool list)', async () => {
    const own = recordingPolicy();
    await rollout(own.policy, [tasks[0], tasks[3]], { groupSize: 2, seed: 3 });
    const shared = recordingPolicy();
    await rollout(shared.policy, [{ ...tasks[0], tools: undefined }, { ...tasks[3], tools: undefined }], { groupSize: 2, seed: 3, tools: [searchA] });
    expect(own.calls.map((c) => [c.ids, c.stop])).toEqual([
      [['a', 'a', 'a2', 'a2'], ['</search>', '</ans>']],
      [['a', 'a', 'a2', 'a2'], ['</search>', '</ans>']],
    ]);
    expect(own.calls).toEqual(shared.calls);
  });

  it('mixes tasks with and without their own tools: each episode gets its own stop strings and calls', async () => {
    const { policy, calls } = recordingPolicy();
    const out = await rollout(policy, tasks, { groupSize: 1, tools: [calc], seed: 9 });
    expect(out.episodes.map((e) => [e.taskId, e.text, e.finishReason, e.correct])).toEqual([
      ['a', '<search>Kalo born</search><doc>Kalo: Kalo was born in Mira.</doc><ans>Mira</ans>', 'answer', true],
      ['b', '<calc>2+3</calc><res>5</res><ans>5</ans>', 'answer', true],
      // No tools of its own: `</calc>` is no stop string for c, and <calc> is an unknown tag.
      ['c', '<calc>1+1</calc><ans>2</ans>', 'malformed', false],
      ['a2', '<search>Kalo born</search><doc>Kalo: Kalo was born in Vell.</doc><ans>Vell</ans>', 'answer', true],
    ]);
    expect(out.episodes[2].toolCalls.map((c) => [c.name, c.valid, c.output])).toEqual([['calc', false, 'error: unknown tool <calc>; available: none']]);
    // One generate call per distinct stop list, in order of first appearance; call k of a round uses seed stream k.
    expect(calls).toEqual([
      { ids: ['a', 'a2'], stop: ['</search>', '</ans>'], seed: roundSeed(9, 0, 0) },
      { ids: ['b'], stop: ['</calc>', '</ans>'], seed: roundSeed(9, 0, 1) },
      { ids: ['c'], stop: ['</ans>'], seed: roundSeed(9, 0, 2) },
      { ids: ['a', 'a2'], stop: ['</search>', '</ans>'], seed: roundSeed(9, 1, 0) },
      { ids: ['b'], stop: ['</calc>', '</ans>'], seed: roundSeed(9, 1, 1) },
    ]);
    // Packing is unchanged: the mask is 1 exactly on generated tokens.
    for (let i = 0; i < out.tokens.length; i++) expect(out.lossMask[i]).toBe(out.tokens[i] >= 65536 ? 1 : 0);
  });

  it('answers an unknown tag in the result tag of the task\'s own tools', async () => {
    const policy = scriptedPolicy(tok, ({ text }) => (text.includes('<doc>') ? '<ans>x</ans>' : '<foo>1</foo>'));
    const out = await rollout(policy, [{ id: 'q', prompt: 'q\n', answer: 'x', tools: [searchA] }], { groupSize: 1, tools: [calc] });
    expect(out.episodes[0].text).toBe('<foo>1</foo><doc>error: unknown tool <foo>; available: <search></doc><ans>x</ans>');
  });
});

describe('per-task tools: validation at the public edge', () => {
  const policy = scriptedPolicy(tok, () => '<ans>1</ans>');
  const t = (tools: unknown): RolloutTask => ({ id: 'q', prompt: 'q\n', answer: '1', tools: tools as Tool[] });
  it.each<[string, () => Promise<unknown>, RegExp]>([
    ['rollout: not an array', () => rollout(policy, [t(undefined), t('x')]), /^rollout: tasks\[1\]\.tools must be an array of tools \(got "x"\)$/],
    ['rollout: null', () => rollout(policy, [t(null)]), /^rollout: tasks\[0\]\.tools must be an array of tools \(got null\)$/],
    ['chatRollout: not a tool', () => chatRollout({ complete: async () => ({}) } as never, [t([{}])]), /^chatRollout: tasks\[0\]\.tools\[0\] must be a Tool with name, tag and run/],
    ['evaluate: repeated tag', () => evaluate(policy, [t([]), t([]), t([calc, { ...calc, name: 'calc2' }])]), /^rollout: tasks\[2\]\.tools\[1\] repeats tag <calc> or name "calc2"$/],
    ['evaluate: repeated name', () => evaluate(policy, [t([searchA, { ...searchB, tag: 'find' }])]), /tasks\[0\]\.tools\[1\] repeats tag <find> or name "search"/],
  ])('%s', async (_name, run, message) => {
    await expect(run()).rejects.toThrow(message);
  });

  it('checks a list shared by several tasks once, and still names the first task that has it', async () => {
    const bad = [calc, calc];
    await expect(rollout(policy, [t([calc]), t(bad), t(bad)])).rejects.toThrow(/^rollout: tasks\[1\]\.tools\[1\] repeats tag <calc>/);
  });
});

/** A chat stand-in: searches/calculates on the first turn of a task, then answers from the result. */
function chatReply(native: boolean) {
  return (req: SeenRequest) => {
    const msgs = req.body.messages as { role: string; content: string | null }[];
    const id = msgs.find((m) => m.role === 'user')!.content!.split('\n')[0];
    const last = msgs[msgs.length - 1];
    const first = msgs.filter((m) => m.role === 'assistant').length === 0;
    if (id === 'c') return { json: chatBody('<ans>2</ans>') };
    if (first) {
      const [name, args, text] = id === 'b' ? ['calculator', '{"expression":"2+3"}', '<calc>2+3'] : ['search', '{"query":"Kalo born"}', '<search>Kalo born'];
      return { json: native ? chatBody(null, { finish: 'tool_calls', toolCalls: [{ id: 'k', type: 'function', function: { name, arguments: args } }] }) : chatBody(text) };
    }
    const answer = /born in (\w+)/.exec(last.content ?? '')?.[1] ?? /(\d+)/.exec(last.content ?? '')?.[1];
    return { json: chatBody(`<ans>${answer}</ans>`) };
  };
}

const requestsOf = (reqs: SeenRequest[], id: string) =>
  reqs.filter((r) => (r.body.messages as { role: string; content: string }[]).find((m) => m.role === 'user')!.content.startsWith(`${id}\n`));

describe('per-task tools: chatRollout and evaluate (OpenAI-compatible server)', () => {
  it('text protocol: each request carries its episode\'s stop strings and system prompt', async () => {
    const s = await startChatServer(chatReply(false), 20);
    closers.push(s.close);
    const eps = await chatRollout(new OpenAIChatPolicy({ baseUrl: s.baseUrl, model: 'm' }), tasks, { tools: [calc] });
    expect(eps.map((e) => [e.taskId, e.text, e.correct])).toEqual([
      ['a', '<search>Kalo born</search><doc>Kalo: Kalo was born in Mira.</doc><ans>Mira</ans>', true],
      ['b', '<calc>2+3</calc><res>5</res><ans>5</ans>', true],
      ['c', '<ans>2</ans>', true],
      ['a2', '<search>Kalo born</search><doc>Kalo: Kalo was born in Vell.</doc><ans>Vell</ans>', true],
    ]);
    const expected: Record<string, [string[], string[], string[]]> = {
      // stop strings, tags the system prompt names, tags it must not name
      a: [['</search>', '</ans>'], ['<search>'], ['<calc>']],
      a2: [['</search>', '</ans>'], ['<search>'], ['<calc>']],
      b: [['</calc>', '</ans>'], ['<calc>'], ['<search>']],
      c: [['</ans>'], [], ['<calc>', '<search>']],
    };
    for (const [id, [stop, named, absent]] of Object.entries(expected)) {
      const reqs = requestsOf(s.requests, id);
      expect(reqs.length).toBe(id === 'c' ? 1 : 2);
      for (const r of reqs) {
        expect(r.body.stop).toEqual(stop);
        expect(r.body.tools).toBeUndefined();
        const system = r.body.messages[0].content as string;
        for (const tag of named) expect(system).toContain(tag);
        for (const tag of absent) expect(system).not.toContain(tag);
      }
    }
  });

  it('native protocol: each request carries its episode\'s tool specs', async () => {
    const s = await startChatServer(chatReply(true), 20);
    closers.push(s.close);
    const r = await evaluate(new OpenAIChatPolicy({ baseUrl: s.baseUrl, model: 'm' }), tasks, { tools: [calc], protocol: 'native' });
    expect(r.episodes.map((e) => [e.taskId, e.answer, e.correct, e.toolCalls.map((c) => c.output)])).toEqual([
      ['a', 'Mira', true, ['Kalo: Kalo was born in Mira.']],
      ['b', '5', true, ['5']],
      ['c', '2', true, []],
      ['a2', 'Vell', true, ['Kalo: Kalo was born in Vell.']],
    ]);
    expect([r.accuracy, r.meanCalls, r.toolProductivity]).toEqual([1, 0.75, 4 / 3]);
    const specs: Record<string, unknown> = { a: [toOpenAITool(searchA)], a2: [toOpenAITool(searchB)], b: [toOpenAITool(calc)], c: undefined };
    for (const [id, want] of Object.entries(specs)) {
      for (const q of requestsOf(s.requests, id)) {
        expect(q.body.tools).toEqual(want);
        expect(q.body.stop).toBeUndefined();
      }
    }
  });

  it('a systemPrompt option overrides every episode\'s default', async () => {
    const s = await startChatServer(chatReply(false), 20);
    closers.push(s.close);
    await chatRollout(new OpenAIChatPolicy({ baseUrl: s.baseUrl, model: 'm' }), tasks, { tools: [calc], systemPrompt: 'Be brief.' });
    expect(s.requests.every((q) => q.body.messages[0].content === 'Be brief.')).toBe(true);
  });
});
