import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { episodeFacts } from '../episode';
import { parseToolCalls } from '../parse-calls';
import { exactMatch } from '../qa-match';
import { createSearchIndex, searchOutput, searchRetriever, searchTool } from '../search';
import { runTool } from '../tool';
import { KB_ORACLE_MIX, createKbWorld, kbParametricSentences, kbPools, kbQuery, kbQuestionSpace, kbTasks, kbTeacher, type KbMeta, type KbWorld } from './kb';
import { POOLS } from './pools';
import type { TaskItem } from './types';

const world = createKbWorld({ seed: 1 });
const names = new Map(world.entities.map((e) => [e.id, e.name]));
const factById = new Map(world.facts.map((f) => [f.id, f]));
const COUNTS = { sft: 2000, rl: 2000, validation: 300, test: 500 };
const pools = kbPools(world, { seed: 1, counts: COUNTS });
const index = createSearchIndex(world.passages);
const SEARCH = { topK: 1, showTitles: false };

// What a reader knows from a sentence: the object is always its last name, the relation its shape.
const SENTENCES: [RegExp, string][] = [
  [/^(\w+) was born in (\w+)\.$/, 'born_in'],
  [/^(\w+) lives in (\w+)\.$/, 'lives_in'],
  [/^(\w+) works for (\w+)\.$/, 'works_for'],
  [/^The mentor of (\w+) is (\w+)\.$/, 'mentor'],
  [/^(\w+) is located in (\w+)\.$/, 'located_in'],
  [/^(\w+) was founded by (\w+)\.$/, 'founded_by'],
  [/^(\w+) is in the country (\w+)\.$/, 'in_country'],
  [/^The mayor of (\w+) is (\w+)\.$/, 'mayor'],
];
const readSentence = (s: string): [string, string, string] => {
  for (const [re, rel] of SENTENCES) {
    const m = re.exec(s);
    if (m) return [m[1], rel, m[2]];
  }
  throw new Error(`unreadable sentence ${s}`);
};
const QUESTIONS: [RegExp, string][] = [
  [/^Where was (.+) born\?$/, 'born_in'],
  [/^Where does (.+) live\?$/, 'lives_in'],
  [/^Who does (.+) work for\?$/, 'works_for'],
  [/^Who is the mentor of (.+)\?$/, 'mentor'],
  [/^Where is (.+) located\?$/, 'located_in'],
  [/^Who founded (.+)\?$/, 'founded_by'],
  [/^Which country is (.+) in\?$/, 'in_country'],
  [/^Who is the mayor of (.+)\?$/, 'mayor'],
];
const PHRASES: Record<string, string> = {
  birthplace: 'born_in',
  home: 'lives_in',
  employer: 'works_for',
  mentor: 'mentor',
  location: 'located_in',
  founder: 'founded_by',
  country: 'in_country',
  mayor: 'mayor',
};
const QUERY_WORD: Record<string, string> = {
  born_in: 'born',
  lives_in: 'lives',
  works_for: 'works',
  mentor: 'mentor',
  located_in: 'located',
  founded_by: 'founded',
  in_country: 'country',
  mayor: 'mayor',
};
/** Reads a question into its start name and its relations, first hop first. */
function readQuestion(q: string): { start: string; chain: string[] } {
  for (const [re, rel] of QUESTIONS) {
    const m = re.exec(q);
    if (!m) continue;
    const chain = [rel];
    let np = m[1];
    for (let p = /^the (\w+) of (.+)$/.exec(np); p; p = /^the (\w+) of (.+)$/.exec(np)) {
      chain.unshift(PHRASES[p[1]]);
      np = p[2];
    }
    return { start: np, chain };
  }
  throw new Error(`unreadable question ${q}`);
}

/**
 * A scripted oracle policy: knows exactly the facts SFT teaches as sentences, and searches
 * (through the real BM25 tool) every hop it does not know. Returns the episode text.
 */
async function oracleEpisode(w: KbWorld, prompt: string, tool = searchTool(createSearchIndex(w.passages), SEARCH)): Promise<string> {
  const known = new Map(kbParametricSentences(w).map((s) => readSentence(s)).map(([s, r, o]) => [`${s}|${r}`, o]));
  const { start, chain } = readQuestion(prompt.trimEnd());
  let at = start;
  let text = '';
  for (const rel of chain) {
    const o = known.get(`${at}|${rel}`);
    if (o !== undefined) {
      at = o;
      continue;
    }
    const query = `${at} ${QUERY_WORD[rel]}`;
    const res = await runTool(tool, tool.argsFromText(query), { timeoutMs: 1000 });
    text += `<search>${query}</search><doc>${res.output}</doc>`;
    at = readSentence(res.output)[2];
  }
  return `${text}<ans>${at}</ans>`;
}

describe('createKbWorld', () => {
  it('is deterministic per seed', () => {
    expect(createKbWorld({ seed: 1 })).toEqual(world);
    expect(createKbWorld({ seed: 2 })).not.toEqual(world);
  });

  it('has unique names, one fact per subject and relation, one passage per fact, and the documented size', () => {
    expect(world.entities).toHaveLength(160 + 80 + 80 + 48);
    expect(world.facts).toHaveLength(960);
    expect(new Set(world.entities.map((e) => e.name)).size).toBe(world.entities.length);
    const keys = world.facts.map((f) => `${f.subject}|${f.relation}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(world.passages.map((p) => p.id)).toEqual(world.facts.map((f) => f.id));
    for (const f of world.facts) {
      expect(f.sentence).toContain(names.get(f.subject)!);
      expect(readSentence(f.sentence)).toEqual([names.get(f.subject), f.relation, names.get(f.object)]);
      expect(f.subject).not.toBe(f.object);
    }
  });

  it('spreads every relation evenly over its objects (law over seeds)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const w = createKbWorld({ seed, people: 13, companies: 5, cities: 4, countries: 3 });
        const types = new Map(w.entities.map((e) => [e.id, e.type]));
        for (const rel of new Set(w.facts.map((f) => f.relation))) {
          const facts = w.facts.filter((f) => f.relation === rel);
          const objects = w.entities.filter((e) => e.type === types.get(facts[0].object));
          const uses = objects.map((o) => facts.filter((f) => f.object === o.id).length);
          expect(Math.max(...uses) - Math.min(...uses)).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('marks parametricShare of each relation parametric and demoShare of all facts demo', () => {
    for (const rel of new Set(world.facts.map((f) => f.relation))) {
      const facts = world.facts.filter((f) => f.relation === rel);
      expect(facts.filter((f) => f.status === 'parametric').length).toBe(Math.round(0.25 * facts.length));
    }
    expect(world.facts.filter((f) => f.status === 'demo').length).toBe(288);
    expect(kbParametricSentences(createKbWorld({ seed: 1, parametricShare: 0 }))).toEqual([]);
    expect(kbParametricSentences(createKbWorld({ seed: 1, parametricShare: 1, demoShare: 0 }))).toHaveLength(960);
  });

  it.each([
    [{ seed: Number.POSITIVE_INFINITY }, /createKbWorld: options.seed must be a finite number \(got Infinity\)/],
    [{ seed: 1, people: 1 }, /createKbWorld: options.people must be an integer in \[2, 10000\] \(got 1\)/],
    [{ seed: 1, parametricShare: 1.5 }, /parametricShare/],
    [{ seed: 1, parametricShare: 0.8, demoShare: 0.3 }, /parametricShare \+ options.demoShare must be at most 1/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => createKbWorld(opts as never)).toThrow(msg);
  });
});

describe('kbQuestionSpace', () => {
  const space = kbQuestionSpace(world);

  it('every question follows its fact chain, visits no entity twice, and needs one search per hidden fact', () => {
    expect(space.length).toBeGreaterThan(5000);
    expect(new Set(space.map((q) => q.question)).size).toBe(space.length);
    for (const q of space) {
      let at = q.meta.path[0];
      q.meta.facts.forEach((id, i) => {
        expect(factById.get(id)!.subject).toBe(at);
        at = factById.get(id)!.object;
        expect(q.meta.path[i + 1]).toBe(at);
      });
      expect(new Set(q.meta.path).size).toBe(q.meta.path.length);
      expect(q.answer).toBe(names.get(at));
      expect(q.hops).toBe(q.meta.facts.length);
      expect(q.oracleCalls).toBe(q.meta.facts.filter((id) => factById.get(id)!.status !== 'parametric').length);
      const { start, chain } = readQuestion(q.question);
      expect(start).toBe(names.get(q.meta.path[0]));
      expect(chain).toEqual(q.meta.facts.map((id) => factById.get(id)!.relation));
    }
  });

  it('keeps index-only facts out of SFT and demo facts out of the evaluated pools', () => {
    for (const q of space) {
      const statuses = q.meta.facts.map((id) => factById.get(id)!.status);
      if (q.pool === 'sft') expect(statuses).not.toContain('index');
      else expect(statuses).not.toContain('demo');
    }
  });
});

describe('kbPools', () => {
  it('the four pools never share a question, and validation and test hold no repeats (law over seeds)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer(), fc.integer(), (worldSeed, s1, s2) => {
        const w = createKbWorld({ seed: worldSeed });
        const a = kbPools(w, { seed: s1, counts: { sft: 300, rl: 300, validation: 300, test: 500 } });
        const b = kbPools(w, { seed: s2, counts: { sft: 300, rl: 300, validation: 300, test: 500 } });
        for (const p of POOLS) {
          const mine = new Set(a[p].map((t) => t.question));
          for (const q of POOLS) if (q !== p) for (const t of b[q]) expect(mine.has(t.question)).toBe(false);
        }
        expect(new Set(a.validation.map((t) => t.question)).size).toBe(300);
        expect(new Set(a.test.map((t) => t.question)).size).toBe(500);
      }),
      { numRuns: 8 },
    );
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('SFT demonstrates over 2,000 distinct questions in 4,096 draws; validation and test hold 300 / 500 (world seed %i)', (seed) => {
    const w = createKbWorld({ seed });
    const ps = kbPools(w, { seed: 1, counts: { sft: 4096, rl: 4096, validation: 300, test: 500 } });
    const distinct = POOLS.map((p) => new Set(ps[p].map((t) => t.question)).size);
    // Printed so the README's figures come from a command: `npx vitest run src/tasks/kb.test.ts`.
    const figures = POOLS.map((p) => {
      const counts = new Map<string, number>();
      for (const t of ps[p]) counts.set(t.answer, (counts.get(t.answer) ?? 0) + 1);
      const oracle = ps[p].reduce((sum, t) => sum + t.oracleCalls, 0) / ps[p].length;
      const hops = [1, 2, 3].map((h) => (ps[p].filter((t) => t.meta.hops === h).length / ps[p].length).toFixed(2)).join(' / ');
      return `${p} ${distinct[POOLS.indexOf(p)]} distinct, ${counts.size} answers, commonest ${((100 * Math.max(...counts.values())) / ps[p].length).toFixed(1)} %, ${oracle.toFixed(2)} oracle searches, hops ${hops}`;
    });
    console.log(`[envs] kb world ${seed}, draw seed 1: ${figures.join('; ')}`);
    expect(distinct[0]).toBeGreaterThan(2000);
    expect(distinct.slice(2)).toEqual([300, 500]);
  });

  it('every pool holds the same mix of oracle counts (0–3 searches, all present)', () => {
    for (const p of POOLS) {
      const byCalls = [0, 1, 2, 3].map((k) => pools[p].filter((t) => t.oracleCalls === k).length);
      byCalls.forEach((c, k) => {
        expect(c).toBeGreaterThan(0);
        expect(Math.abs(c - COUNTS[p] * KB_ORACLE_MIX[k])).toBeLessThanOrEqual(1);
      });
      expect(new Set(pools[p].map((t) => t.meta.hops))).toEqual(new Set([1, 2, 3]));
    }
  });

  it.each([1, 2, 3, 4])('no answer takes more than 5 %% of any pool (world seed %i)', (seed) => {
    const w = createKbWorld({ seed });
    const ps = kbPools(w, { seed: 7, counts: { sft: 4096, rl: 4096, validation: 300, test: 500 } });
    for (const p of POOLS) {
      const counts = new Map<string, number>();
      for (const t of ps[p]) counts.set(t.answer, (counts.get(t.answer) ?? 0) + 1);
      expect(Math.max(...counts.values()) / ps[p].length, `${p}`).toBeLessThanOrEqual(0.05);
    }
  });

  it('a no-search guesser stays below 0.1: the commonest training answer per question template', () => {
    const template = (t: TaskItem<KbMeta>) => t.question.replace(names.get(t.meta.path[0])!, 'X');
    const mode = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1])[0][0];
    // Fitted on the pools a policy trains on, scored on the pools it has not seen.
    const score = (train: TaskItem<KbMeta>[], heldOut: TaskItem<KbMeta>[]): number => {
      const fitted = new Map<string, Map<string, number>>();
      const overall = new Map<string, number>();
      for (const t of train) {
        const m = fitted.get(template(t)) ?? new Map<string, number>();
        m.set(t.answer, (m.get(t.answer) ?? 0) + 1);
        fitted.set(template(t), m);
        overall.set(t.answer, (overall.get(t.answer) ?? 0) + 1);
      }
      return heldOut.filter((t) => mode(fitted.get(template(t)) ?? overall) === t.answer).length / heldOut.length;
    };
    const scores = [score(pools.sft, pools.rl), score([...pools.sft, ...pools.rl], pools.validation), score([...pools.sft, ...pools.rl], pools.test)];
    console.log(`[envs] kb template guesser (rl / validation / test): ${scores.map((x) => x.toFixed(3)).join(' / ')}`);
    for (const x of scores) expect(x).toBeLessThan(0.1);
  });

  it('a no-search guesser that knows every SFT fact is right only where no search is needed', () => {
    // It follows the chain through the facts it knows and, at a hop it does not know, guesses
    // the commonest object of that relation among the facts it knows, then goes on.
    const known = new Map(world.facts.filter((f) => f.status === 'parametric').map((f) => [`${f.subject}|${f.relation}`, f.object]));
    const prior = new Map<string, string>();
    for (const rel of new Set(world.facts.map((f) => f.relation))) {
      const counts = new Map<string, number>();
      for (const f of world.facts) if (f.status === 'parametric' && f.relation === rel) counts.set(f.object, (counts.get(f.object) ?? 0) + 1);
      prior.set(rel, [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0]);
    }
    for (const p of POOLS) {
      const needSearch = pools[p].filter((t) => t.oracleCalls > 0);
      let hits = 0;
      let hitsAll = 0;
      for (const t of pools[p]) {
        let at = t.meta.path[0];
        for (const id of t.meta.facts) {
          const rel = factById.get(id)!.relation;
          at = known.get(`${at}|${rel}`) ?? prior.get(rel)!;
        }
        if (names.get(at) !== t.answer) continue;
        hitsAll++;
        if (t.oracleCalls > 0) hits++;
      }
      console.log(`[envs] kb parametric guesser, ${p}: ${(hits / needSearch.length).toFixed(3)} on the questions that need a search, ${(hitsAll / pools[p].length).toFixed(3)} overall`);
      expect(hits / needSearch.length, p).toBeLessThan(0.1);
    }
  });

  it('a scripted oracle policy (the SFT facts, the real search tool) is always right at exactly the oracle searches', async () => {
    const tool = searchTool(index, SEARCH);
    for (const p of POOLS) {
      for (const t of pools[p].slice(0, 500)) {
        const text = await oracleEpisode(world, t.prompt, tool);
        const facts = episodeFacts(text, { tools: { search: 200 }, gold: t.answer });
        expect(facts.correct, `${t.question} ${text}`).toBe(true);
        expect(facts.validCalls).toBe(t.oracleCalls);
      }
    }
  });

  it.each([
    [{ seed: 1, counts: { test: 1.5 } }, /kbPools: options.counts.test must be an integer/],
    [{ seed: 1, counts: {}, mix: [1, 1] }, /kbPools: options.mix must be 4 finite weights/],
    [{ seed: 1, counts: {}, mix: [-1, 1, 1, 1] }, /mix/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => kbPools(world, opts as never)).toThrow(msg);
  });

  it('throws task-exhausted when test asks for more distinct questions than the world holds', () => {
    expect(() => kbPools(world, { seed: 1, counts: { test: 2000 } })).toThrow(/kbPools: the test pool ran out of distinct questions/);
  });
});

describe('kbTasks', () => {
  it('is one pool of kbPools', () => {
    expect(kbTasks(world, { seed: 1, count: 300, pool: 'validation' })).toEqual(kbPools(world, { seed: 1, counts: { validation: 300 } }).validation);
    expect(kbTasks(world, { seed: 2, count: 3 }).every((t) => t.split === 'sft')).toBe(true);
  });

  it.each([
    [{ seed: 1, count: -2 }, /kbTasks: options.count must be a non-negative integer \(got -2\)/],
    [{ seed: 1, count: 1, pool: 'dev' }, /kbTasks: options.pool must be one of/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => kbTasks(world, opts as never)).toThrow(msg);
  });
});

describe('kbTeacher', () => {
  const items = pools.sft.slice(0, 600);
  const tools = { search: 200 };
  const retrieve = searchRetriever(index, SEARCH);

  it('the teacher’s query finds the fact’s own passage at rank 1 for every fact', () => {
    for (const f of world.facts) expect(searchOutput(index, kbQuery(world, f), SEARCH).output).toBe(f.sentence);
  });

  it('writes traces that parse back to the right answer and search exactly the hidden facts', () => {
    const traces = kbTeacher(world, items, { seed: 2, overuse: 0, repeat: 0, retrieve });
    traces.forEach((trace, i) => {
      const item = items[i];
      const parsed = parseToolCalls(trace.text, { tools });
      expect(exactMatch(parsed.answer!.text, item.answer)).toBe(true);
      expect(parsed.validCalls).toBe(item.oracleCalls);
      expect(trace.redundantCalls).toBe(0);
      for (const id of item.meta.facts) {
        const f = factById.get(id)!;
        if (f.status === 'parametric') expect(trace.segments.some((s) => s.role === 'policy' && s.text.includes(f.sentence))).toBe(true);
        else expect(trace.segments.some((s) => s.role === 'tool' && s.text === `<doc>${f.sentence}</doc>`)).toBe(true);
      }
      expect(episodeFacts(trace.text, { tools, gold: item.answer }).correct).toBe(true);
    });
  });

  it('with over-use its traces stay right and call oracle + redundant times', () => {
    const traces = kbTeacher(world, items, { seed: 3, retrieve });
    traces.forEach((t, i) => {
      expect(t.toolCalls).toBe(items[i].oracleCalls + t.redundantCalls);
      expect(episodeFacts(t.text, { tools, gold: items[i].answer }).correct).toBe(true);
      expect((t.prompt + t.text).length).toBeLessThanOrEqual(320);
    });
    const calls = traces.reduce((s, t) => s + t.toolCalls, 0) / traces.length;
    const oracle = items.reduce((s, t) => s + t.oracleCalls, 0) / items.length;
    expect(calls).toBeGreaterThan(oracle + 0.5);
  });

  it('SFT text never shows an index-only fact', () => {
    // Learned text: the fact sentences taught in SFT and every policy segment of the teacher at
    // its most wasteful; the search results (loss mask 0) are the only place a hidden fact appears.
    const learned = [
      ...kbParametricSentences(world),
      ...kbTeacher(world, pools.sft, { seed: 4, overuse: 1, repeat: 1, retrieve, maxChars: Number.POSITIVE_INFINITY }).flatMap((t) =>
        t.segments.filter((s) => s.role === 'policy').map((s) => s.text),
      ),
    ].join('\n');
    for (const f of world.facts.filter((f) => f.status === 'index')) expect(learned).not.toContain(f.sentence);
    for (const t of pools.sft) for (const id of t.meta.facts) expect(factById.get(id)!.status).not.toBe('index');
  });

  it('over-uses search as configured and drops only redundant searches to fit maxChars', () => {
    const all = kbTeacher(world, items, { seed: 2, overuse: 1, repeat: 1, maxChars: Number.POSITIVE_INFINITY });
    all.forEach((t, i) => expect(t.toolCalls).toBe(2 * items[i].meta.hops));
    const capped = kbTeacher(world, items, { seed: 2, overuse: 1, repeat: 1, maxChars: 200 });
    let trimmed = 0;
    capped.forEach((t, i) => {
      expect(t.toolCalls).toBeGreaterThanOrEqual(items[i].oracleCalls);
      if (t.toolCalls < 2 * items[i].meta.hops) trimmed++;
      expect(episodeFacts(t.text, { tools, gold: items[i].answer }).correct).toBe(true);
    });
    expect(trimmed).toBeGreaterThan(0);
  });

  it('is deterministic per seed', () => {
    expect(kbTeacher(world, items, { seed: 9 })).toEqual(kbTeacher(world, items, { seed: 9 }));
  });

  it('rejects bad options', () => {
    expect(() => kbTeacher(world, items, { seed: 1, retrieve: 5 as never })).toThrow(/kbTeacher: options.retrieve must be a function/);
    expect(() => kbTeacher(world, items, { seed: 1, overuse: Number.NaN })).toThrow(/overuse/);
    expect(() => kbTeacher(world, items, { seed: 1, maxChars: 0 })).toThrow(/maxChars/);
  });
});

describe('the README figures of the SFT teacher (world and draw seed 1, 4,096 SFT questions, teacher seed 2 as `paretopo sft --env kb --seed 1`)', () => {
  it('1.35 searches lean, 2.14 with the defaults (0.79 redundant); prompt + trace 161.2 / 198.0 characters', () => {
    const { sft } = kbPools(world, { seed: 1, counts: { sft: 4096, rl: 1, validation: 1, test: 1 } });
    const retrieve = searchRetriever(index, SEARCH);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const lean = kbTeacher(world, sft, { seed: 2, overuse: 0, repeat: 0, retrieve });
    const teacher = kbTeacher(world, sft, { seed: 2, retrieve });
    const chars = (ts: typeof lean) => ts.map((t) => t.prompt.length + t.text.length);
    const figures = {
      leanSearches: mean(lean.map((t) => t.toolCalls)),
      searches: mean(teacher.map((t) => t.toolCalls)),
      redundant: mean(teacher.map((t) => t.redundantCalls)),
      leanChars: mean(chars(lean)),
      chars: mean(chars(teacher)),
    };
    console.log('[envs] kb SFT teacher figures', figures);
    expect(figures.leanSearches).toBeCloseTo(1.35, 2);
    expect(figures.searches).toBeCloseTo(2.14, 2);
    expect(figures.redundant).toBeCloseTo(0.79, 2);
    expect(figures.leanChars).toBeCloseTo(161.2, 1);
    expect(figures.chars).toBeCloseTo(198.0, 1);
  });
});
