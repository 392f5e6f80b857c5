import { describeValue } from '@paretopo/pareto';
import { EnvError } from '../errors';
import type { Passage } from '../loaders';
import { Rng } from '@paretopo/random';
import { hashString } from '../hash';
import { POOLS, checkProbability, checkSeed, drawPool, poolOf, resolvePools, resolveTeacher, type PoolCounts, type PoolFractions } from './pools';
import type { Split, TaskItem, TeacherOptions, TeacherTrace, TraceSegment } from './types';

/** Entity kinds of the generated world. */
export type KbEntityType = 'person' | 'city' | 'company' | 'country';

/** Relations of the generated world (subject type → object type). */
export type KbRelation = 'born_in' | 'lives_in' | 'works_for' | 'mentor' | 'located_in' | 'founded_by' | 'in_country' | 'mayor';

/** An entity with a made-up name. */
export interface KbEntity {
  id: string;
  name: string;
  type: KbEntityType;
}

/**
 * Who may see a fact. `parametric`: taught in SFT (fact sentences and answered chains).
 * `demo`: only in the search index, used by SFT questions alone, so the teacher can demonstrate
 * searching for an unknown fact. `index`: only in the search index, used by RL, validation and
 * test questions alone, and never in any SFT text.
 */
export type KbFactStatus = 'parametric' | 'demo' | 'index';

/** One fact, its sentence in the corpus, and who may see it. */
export interface KbFact {
  /** Also the id of its passage in the search corpus. */
  id: string;
  subject: string;
  relation: KbRelation;
  object: string;
  sentence: string;
  status: KbFactStatus;
}

/** A generated world: entities, facts, and the facts' sentences as a search corpus. */
export interface KbWorld {
  seed: number;
  parametricShare: number;
  demoShare: number;
  entities: KbEntity[];
  facts: KbFact[];
  /** One passage per fact (`id` = fact id, `title` = subject name, `text` = sentence). */
  passages: Passage[];
}

/**
 * Options of {@link createKbWorld}. The defaults are the `kb` task: a world large enough that
 * SFT demonstrates searching on over 2,000 distinct questions (4,096 draws) while validation and
 * test still hold 300 / 500 distinct questions of every oracle count (world seeds 1–8).
 */
export interface KbWorldOptions {
  seed: number;
  /** Default 160. */
  people?: number;
  /** Default 80. */
  cities?: number;
  /** Default 80. */
  companies?: number;
  /** Default 48. */
  countries?: number;
  /** Share of each relation's facts that are parametric (taught in SFT). Default 0.25. */
  parametricShare?: number;
  /** Share of all facts reserved for SFT search demonstrations (taken from the hidden ones). Default 0.3. */
  demoShare?: number;
}

interface RelationSpec {
  from: KbEntityType;
  to: KbEntityType;
  sentence: (s: string, o: string) => string;
  /** The word the teacher's query adds to the subject's name. */
  query: string;
  /** Noun phrase for the object, given the subject's noun phrase ("the founder of Kalo"). */
  phrase: (s: string) => string;
  /** The question asking for the object. */
  ask: (s: string) => string;
}

const RELATIONS: Record<KbRelation, RelationSpec> = {
  born_in: { from: 'person', to: 'city', sentence: (s, o) => `${s} was born in ${o}.`, query: 'born', phrase: (s) => `the birthplace of ${s}`, ask: (s) => `Where was ${s} born?` },
  lives_in: { from: 'person', to: 'city', sentence: (s, o) => `${s} lives in ${o}.`, query: 'lives', phrase: (s) => `the home of ${s}`, ask: (s) => `Where does ${s} live?` },
  works_for: { from: 'person', to: 'company', sentence: (s, o) => `${s} works for ${o}.`, query: 'works', phrase: (s) => `the employer of ${s}`, ask: (s) => `Who does ${s} work for?` },
  mentor: { from: 'person', to: 'person', sentence: (s, o) => `The mentor of ${s} is ${o}.`, query: 'mentor', phrase: (s) => `the mentor of ${s}`, ask: (s) => `Who is the mentor of ${s}?` },
  located_in: { from: 'company', to: 'city', sentence: (s, o) => `${s} is located in ${o}.`, query: 'located', phrase: (s) => `the location of ${s}`, ask: (s) => `Where is ${s} located?` },
  founded_by: { from: 'company', to: 'person', sentence: (s, o) => `${s} was founded by ${o}.`, query: 'founded', phrase: (s) => `the founder of ${s}`, ask: (s) => `Who founded ${s}?` },
  in_country: { from: 'city', to: 'country', sentence: (s, o) => `${s} is in the country ${o}.`, query: 'country', phrase: (s) => `the country of ${s}`, ask: (s) => `Which country is ${s} in?` },
  mayor: { from: 'city', to: 'person', sentence: (s, o) => `The mayor of ${s} is ${o}.`, query: 'mayor', phrase: (s) => `the mayor of ${s}`, ask: (s) => `Who is the mayor of ${s}?` },
};

const RELATION_NAMES = Object.keys(RELATIONS) as KbRelation[];

const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'te', 'vo', 'zu', 'be', 'do', 'fi', 'ga', 'hu', 'ji', 'ma', 'ne', 'po', 'si', 'tu', 'we', 'ry'];

function countOption(fn: string, name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 2 || v > 10_000) {
    throw new RangeError(`${fn}: options.${name} must be an integer in [2, 10000] (got ${describeValue(v)})`);
  }
  return v;
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Generates a world of people, cities, companies and countries with syllable names. Relations
 * (one fact per subject and relation): person born_in / lives_in city, works_for company, mentor
 * person; company located_in city, founded_by person; city in_country country, mayor person.
 * Every relation spreads its subjects evenly over the objects (each object is used ⌊n/m⌋ or
 * ⌈n/m⌉ times), so no answer dominates. Of each relation's facts a `parametricShare` are
 * parametric; a `demoShare` of all facts, taken from the others along random 1–3-hop walks, are
 * demo facts; the rest are index-only (see {@link KbFactStatus}).
 *
 * @param options - See {@link KbWorldOptions}.
 * @returns The world; the same seed always gives the same world.
 * @example
 * const world = createKbWorld({ seed: 1 });
 * world.entities.length; // 368 (160 people, 80 cities, 80 companies, 48 countries)
 * world.facts.length; // 960 (160 people × 4 + 80 companies × 2 + 80 cities × 2)
 * world.facts.filter((f) => f.status === 'demo').length; // 288 (0.3 × 960; 240 parametric, 432 index-only)
 */
export function createKbWorld(options: KbWorldOptions): KbWorld {
  const fn = 'createKbWorld';
  const seed = checkSeed(fn, options?.seed);
  const sizes: Record<KbEntityType, number> = {
    person: countOption(fn, 'people', options.people, 160),
    city: countOption(fn, 'cities', options.cities, 80),
    company: countOption(fn, 'companies', options.companies, 80),
    country: countOption(fn, 'countries', options.countries, 48),
  };
  const parametricShare = checkProbability(fn, 'parametricShare', options.parametricShare, 0.25);
  const demoShare = checkProbability(fn, 'demoShare', options.demoShare, 0.3);
  if (parametricShare + demoShare > 1) {
    throw new RangeError(`${fn}: options.parametricShare + options.demoShare must be at most 1 (got ${parametricShare + demoShare})`);
  }
  const rng = new Rng(seed);
  const used = new Set<string>();
  const name = (syllables: number): string => {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      let s = '';
      for (let i = 0; i < syllables + Math.floor(attempt / 2000); i++) s += rng.pick(SYLLABLES);
      const n = s[0].toUpperCase() + s.slice(1);
      if (!used.has(n)) {
        used.add(n);
        return n;
      }
    }
    throw new EnvError('world-names', `${fn}: ran out of unique names`);
  };
  const entities: KbEntity[] = [];
  const byType = {} as Record<KbEntityType, KbEntity[]>;
  for (const type of ['country', 'city', 'company', 'person'] as const) {
    byType[type] = [];
    for (let i = 0; i < sizes[type]; i++) byType[type].push({ id: `${type}${i}`, name: name(type === 'country' ? 3 : 2), type });
    entities.push(...byType[type]);
  }
  const facts: KbFact[] = [];
  for (const relation of RELATION_NAMES) {
    const spec = RELATIONS[relation];
    const subjects = byType[spec.from];
    const objects = byType[spec.to];
    // Even spread: each object repeated ⌈n/m⌉ times, shuffled; a self-reference (mentor) is
    // swapped with a later slot, which keeps the spread.
    const slots: KbEntity[] = [];
    while (slots.length < subjects.length) slots.push(...shuffle(rng, objects.slice()));
    const pick = shuffle(rng, slots.slice(0, subjects.length));
    for (let i = 0; i < pick.length; i++) {
      if (pick[i] !== subjects[i]) continue;
      const j = pick.findIndex((o, k) => k !== i && o !== subjects[i] && pick[i] !== subjects[k]);
      if (j < 0) throw new EnvError('world-shape', `${fn}: cannot give ${relation} a non-self object for ${subjects[i].id}`);
      [pick[i], pick[j]] = [pick[j], pick[i]];
    }
    const nParametric = Math.round(parametricShare * subjects.length);
    const parametric = shuffle(rng, subjects.map((_, i) => i < nParametric));
    for (let i = 0; i < subjects.length; i++) {
      facts.push({
        id: `kb-${facts.length}`,
        subject: subjects[i].id,
        relation,
        object: pick[i].id,
        sentence: spec.sentence(subjects[i].name, pick[i].name),
        status: parametric[i] ? 'parametric' : 'index',
      });
    }
  }
  // Demo facts lie along random 3-hop walks over index-only facts (fresh ones only, no entity
  // twice) rather than scattered at random, so SFT has questions whose every hidden hop is a demo
  // fact, up to 3 of them, ending at many different answers, while the index-only facts keep most
  // of the question space for RL, validation and test. Shorter walks use up the last of the budget.
  const hiddenOf = new Map<string, KbFact[]>();
  for (const f of facts) if (f.status !== 'parametric') hiddenOf.set(f.subject, [...(hiddenOf.get(f.subject) ?? []), f]);
  let demoLeft = Math.min(Math.round(demoShare * facts.length), facts.length - facts.filter((f) => f.status === 'parametric').length);
  for (let walks = 0; demoLeft > 0 && walks < 100_000; walks++) {
    const hops = Math.min(3, demoLeft, 3 - Math.floor(walks / 20_000));
    if (hops < 1) break;
    const path = [rng.pick(entities).id];
    const walk: KbFact[] = [];
    while (walk.length < hops) {
      const fresh = (hiddenOf.get(path[path.length - 1]) ?? []).filter((f) => f.status === 'index' && !path.includes(f.object));
      if (fresh.length === 0) break;
      const f = rng.pick(fresh);
      walk.push(f);
      path.push(f.object);
    }
    if (walk.length < hops) continue;
    for (const f of walk) f.status = 'demo';
    demoLeft -= walk.length;
  }
  const names = new Map(entities.map((e) => [e.id, e.name]));
  const passages = facts.map((f) => ({ id: f.id, title: names.get(f.subject)!, text: f.sentence }));
  return { seed, parametricShare, demoShare, entities, facts, passages };
}

/**
 * Sentences of the parametric facts: the world knowledge that appears in SFT data.
 *
 * @param world - A world from {@link createKbWorld}.
 * @returns One sentence per parametric fact.
 * @example
 * kbParametricSentences(createKbWorld({ seed: 1, parametricShare: 0 })); // []
 */
export function kbParametricSentences(world: KbWorld): string[] {
  return world.facts.filter((f) => f.status === 'parametric').map((f) => f.sentence);
}

/** What a `kb` question is made of. */
export interface KbMeta {
  hops: number;
  /** Fact ids along the chain, in order. */
  facts: string[];
  /** Entity ids visited, start first. */
  path: string[];
}

/** One question of the world's question space with the pool it belongs to. */
export interface KbQuestion {
  question: string;
  answer: string;
  hops: number;
  /** Searches needed by a policy that knows exactly the parametric facts (= hidden facts). */
  oracleCalls: number;
  pool: Split;
  meta: KbMeta;
}

/**
 * Every question of a world (1–3 hops, no entity visited twice, so no chain leads back to
 * its start) with its pool. Pool rule, the reason index-only facts never reach SFT text: a
 * question with a demo fact belongs to SFT; a question with an index-only fact belongs to RL,
 * validation or test by its hash; an all-parametric question to any of the four by its hash;
 * a question with both a demo and an index-only fact to none. The teacher's learned text names
 * every fact it uses — each search query names the previous hop's answer, `<ans>` names the last
 * — so an SFT question may only use facts no evaluated question needs: parametric facts (meant
 * to be learned) and demo facts (reserved for SFT).
 *
 * @param world - A world from {@link createKbWorld}.
 * @param fractions - Share of the question space per pool. Default {@link DEFAULT_POOL_FRACTIONS}.
 * @returns The questions, in a fixed order.
 * @example
 * kbQuestionSpace(createKbWorld({ seed: 1 })).some((q) => q.pool === 'test'); // true
 */
export function kbQuestionSpace(world: KbWorld, fractions?: PoolFractions): KbQuestion[] {
  const byId = new Map(world.entities.map((e) => [e.id, e]));
  const factsOf = new Map<string, KbFact[]>();
  for (const f of world.facts) factsOf.set(f.subject, [...(factsOf.get(f.subject) ?? []), f]);
  const out: KbQuestion[] = [];
  const walk = (path: string[], chain: KbFact[], phrase: string): void => {
    for (const fact of factsOf.get(path[path.length - 1]) ?? []) {
      if (path.includes(fact.object)) continue;
      const nextChain = [...chain, fact];
      const nextPath = [...path, fact.object];
      const demo = nextChain.some((f) => f.status === 'demo');
      const index = nextChain.some((f) => f.status === 'index');
      if (!(demo && index)) {
        const question = RELATIONS[fact.relation].ask(phrase);
        const among: readonly Split[] = demo ? ['sft'] : index ? ['rl', 'validation', 'test'] : POOLS;
        out.push({
          question,
          answer: byId.get(fact.object)!.name,
          hops: nextChain.length,
          oracleCalls: nextChain.filter((f) => f.status !== 'parametric').length,
          pool: among.length === 1 ? among[0] : poolOf(question, fractions, among),
          meta: { hops: nextChain.length, facts: nextChain.map((f) => f.id), path: nextPath },
        });
      }
      if (nextChain.length < 3) walk(nextPath, nextChain, RELATIONS[fact.relation].phrase(phrase));
    }
  };
  for (const e of world.entities) walk([e.id], [], e.name);
  return out;
}

/**
 * Default mix of oracle counts (weights of 0, 1, 2 and 3 searches) in every `kb` pool.
 *
 * @example
 * KB_ORACLE_MIX[3]; // 0.1
 */
export const KB_ORACLE_MIX: readonly number[] = Object.freeze([0.15, 0.45, 0.3, 0.1]);

/** Largest share of a pool one answer may take. */
const KB_MAX_ANSWER_SHARE = 0.05;

/** Options of {@link kbPools}. */
export interface KbPoolOptions {
  seed: number;
  /** Questions per pool; a pool left out is empty. */
  counts: Partial<PoolCounts>;
  /** Share of the question space per pool. Default {@link DEFAULT_POOL_FRACTIONS}. */
  fractions?: PoolFractions;
  /** Weights of the oracle counts 0, 1, 2, 3. Default {@link KB_ORACLE_MIX}. */
  mix?: readonly number[];
}

/** Options of {@link kbTasks}: one pool of {@link kbPools}. */
export interface KbTaskOptions extends Omit<KbPoolOptions, 'counts'> {
  count: number;
  /** Default `'sft'`. */
  pool?: Split;
}

/**
 * Draws the four disjoint `kb` pools (SFT, RL, validation, test) of a world from one seed.
 * Strata are the oracle counts: each pool holds the same mix of them (default 0.15 / 0.45 / 0.3 /
 * 0.1 for 0 / 1 / 2 / 3 searches); within a count, a question is drawn by picking an answer
 * uniformly, then a question of the pool's share of the space with that answer, and no answer
 * takes more than 5 % of a pool (a question that would pass it is drawn again). Pool membership follows {@link kbQuestionSpace}; validation and test
 * hold no repeats, SFT and RL use every question of a stratum before repeating one.
 *
 * @param world - A world from {@link createKbWorld}.
 * @param options - See {@link KbPoolOptions}.
 * @returns The four pools; an item's answer is the final entity's name.
 * @throws EnvError `task-exhausted` when validation or test asks for more distinct questions of
 *   a stratum than the world holds in that pool.
 * @example
 * kbPools(createKbWorld({ seed: 1 }), { seed: 2, counts: { test: 500 } }).test.length; // 500
 */
export function kbPools(world: KbWorld, options: KbPoolOptions): Record<Split, TaskItem<KbMeta>[]> {
  const { seed, counts, fractions } = resolvePools('kbPools', options ?? {});
  const mix = options.mix ?? KB_ORACLE_MIX;
  if (!Array.isArray(mix) || mix.length !== 4 || mix.some((w) => typeof w !== 'number' || !(w >= 0) || !Number.isFinite(w)) || !mix.some((w) => w > 0)) {
    throw new RangeError(`kbPools: options.mix must be 4 finite weights >= 0 (oracle counts 0-3) with a positive sum (got ${describeValue(mix)})`);
  }
  const space = kbQuestionSpace(world, fractions);
  const out = {} as Record<Split, TaskItem<KbMeta>[]>;
  for (const pool of POOLS) {
    // Strata are the oracle counts. Within one, an answer is drawn first, then a question with
    // that answer: SFT's demo questions are few and share endpoints, and drawing questions
    // uniformly would let one answer pass 5 % of the pool.
    const byAnswer = [0, 1, 2, 3].map((calls) => {
      const groups = new Map<string, KbQuestion[]>();
      for (const q of space) if (q.pool === pool && q.oracleCalls === calls) groups.set(q.answer, [...(groups.get(q.answer) ?? []), q]);
      return [...groups.values()];
    });
    const draw = (s: number, rng: Rng): KbQuestion | undefined => (byAnswer[s].length === 0 ? undefined : rng.pick(rng.pick(byAnswer[s])));
    out[pool] = drawPool('kbPools', pool, counts[pool], mix, draw, (q) => q.question, seed, { answer: (q) => q.answer, share: KB_MAX_ANSWER_SHARE }).map((q) => ({
      id: `kb-q${hashString(q.question).toString(36)}`,
      task: 'kb',
      split: pool,
      question: q.question,
      prompt: `${q.question}\n`,
      answer: q.answer,
      difficulty: `${q.hops}-hop`,
      oracleCalls: q.oracleCalls,
      meta: q.meta,
    }));
  }
  return out;
}

/**
 * One pool of {@link kbPools} ("Where was the founder of Kalo born?").
 *
 * @param world - A world from {@link createKbWorld}.
 * @param options - See {@link KbTaskOptions}.
 * @returns `count` items of the pool.
 * @example
 * kbTasks(createKbWorld({ seed: 1 }), { seed: 2, count: 3 }).length; // 3
 */
export function kbTasks(world: KbWorld, options: KbTaskOptions): TaskItem<KbMeta>[] {
  const pool = options?.pool ?? 'sft';
  if (!POOLS.includes(pool)) throw new TypeError(`kbTasks: options.pool must be one of ${POOLS.join(', ')} (got ${describeValue(pool)})`);
  const count = options.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw new RangeError(`kbTasks: options.count must be a non-negative integer (got ${describeValue(count)})`);
  }
  return kbPools(world, { ...options, counts: { [pool]: count } })[pool];
}

/**
 * The teacher's query for a fact: the subject's name and the relation's word (`Kalo founded`).
 *
 * @param world - The world.
 * @param fact - One of its facts.
 * @returns The query text.
 * @example
 * const world = createKbWorld({ seed: 1 });
 * kbQuery(world, world.facts[0]); // 'Tehu born'
 */
export function kbQuery(world: KbWorld, fact: KbFact): string {
  const subject = world.entities.find((e) => e.id === fact.subject);
  if (subject === undefined) throw new EnvError('world-mismatch', `kbQuery: fact ${fact.id} names unknown subject ${fact.subject}`);
  return `${subject.name} ${RELATIONS[fact.relation].query}`;
}

/** Options of {@link kbTeacher}. */
export interface KbTeacherOptions extends TeacherOptions {
  /**
   * Produces the `<doc>` text for a search query. Default: the sentence of the fact the teacher
   * is looking up (an oracle retriever). Pass a BM25 search over `world.passages` to use real
   * retrieval; the teacher's answer stays correct either way.
   */
  retrieve?: (query: string, fact: KbFact) => string;
  /**
   * Character budget of prompt + trace. Redundant searches (repeats first, then searches of
   * parametric facts) are dropped until the episode fits; needed searches are always kept.
   * Default 320 (tags are one token each, so this is about 256 tokens, the tiny policy's context).
   */
  maxChars?: number;
}

/**
 * Scripted SFT teacher for `kb`: for each hop it searches (`<search>Name relation</search>`
 * answered by `<doc>…</doc>`) when the fact is not parametric, and also with probability
 * `overuse` when it is; otherwise it states the known fact in its own words (the sentence).
 * With probability `repeat` a search is repeated. Redundant searches are dropped when the episode
 * would exceed `maxChars`. It always ends with the right `<ans>`.
 *
 * @param world - The world the items were drawn from.
 * @param items - Questions from {@link kbPools}.
 * @param options - Seed, over-use knobs and the retriever (see {@link KbTeacherOptions}).
 * @returns One trace per item.
 * @example
 * kbTeacher(world, kbTasks(world, { seed: 2, count: 1 }), { seed: 3 })[0].text.endsWith('</ans>'); // true
 */
export function kbTeacher(world: KbWorld, items: readonly TaskItem<KbMeta>[], options: KbTeacherOptions): TeacherTrace[] {
  const { seed, overuse, repeat } = resolveTeacher('kbTeacher', options);
  const retrieve = options.retrieve ?? ((_query: string, fact: KbFact) => fact.sentence);
  if (typeof retrieve !== 'function') throw new TypeError(`kbTeacher: options.retrieve must be a function (got ${describeValue(retrieve)})`);
  const facts = new Map(world.facts.map((f) => [f.id, f]));
  const maxChars = options.maxChars ?? 320;
  if (typeof maxChars !== 'number' || !(maxChars > 0)) {
    throw new RangeError(`kbTeacher: options.maxChars must be a positive number (got ${describeValue(maxChars)})`);
  }
  const rng = new Rng(seed);
  return items.map((item) => {
    // Plan first (all random draws happen here, so trimming never shifts the stream), then drop
    // redundant searches until prompt + trace fits maxChars: repeats first, then optional ones.
    const plan = item.meta.facts.map((factId) => {
      const fact = facts.get(factId);
      if (fact === undefined) throw new EnvError('world-mismatch', `kbTeacher: item ${item.id} uses unknown fact ${factId}`);
      const query = kbQuery(world, fact);
      const known = fact.status === 'parametric';
      const search = !known || rng.chance(overuse);
      const searches = search ? (rng.chance(repeat) ? 2 : 1) : 0;
      return { fact, known, query, searches, doc: search ? retrieve(query, fact) : '' };
    });
    const stepChars = (p: (typeof plan)[number]): number =>
      p.searches === 0 ? p.fact.sentence.length + 1 : p.searches * `<search>${p.query}</search><doc>${p.doc}</doc>`.length;
    const total = (): number => item.prompt.length + `<ans>${item.answer}</ans>`.length + plan.reduce((sum, p) => sum + stepChars(p), 0);
    for (const p of plan) if (total() > maxChars && p.searches === 2) p.searches = 1;
    for (const p of plan) if (total() > maxChars && p.searches === 1 && p.known) p.searches = 0;
    const segments: TraceSegment[] = [];
    let toolCalls = 0;
    let redundantCalls = 0;
    for (const { fact, known, query, searches, doc } of plan) {
      if (searches === 0) segments.push({ role: 'policy', text: `${fact.sentence} ` });
      for (let c = 0; c < searches; c++) {
        segments.push({ role: 'policy', text: `<search>${query}</search>` }, { role: 'tool', text: `<doc>${doc}</doc>` });
        toolCalls++;
        if (known || c > 0) redundantCalls++;
      }
    }
    segments.push({ role: 'policy', text: `<ans>${item.answer}</ans>` });
    return { taskId: item.id, prompt: item.prompt, segments, text: segments.map((s) => s.text).join(''), toolCalls, redundantCalls };
  });
}
