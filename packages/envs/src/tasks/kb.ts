import { EnvError } from '../errors';
import type { Passage } from '../loaders';
import { Rng, hashString } from '../prng';
import { resolveCommon, resolveTeacher, splitOf } from './split';
import type { Split, TaskItem, TeacherOptions, TeacherTrace, TraceSegment } from './types';

/** Entity kinds of the generated world. */
export type KbEntityType = 'person' | 'city' | 'company' | 'country';

/** Relations of the generated world (subject type → object type). */
export type KbRelation = 'born_in' | 'works_for' | 'located_in' | 'founded_by' | 'in_country';

/** An entity with a made-up name. */
export interface KbEntity {
  id: string;
  name: string;
  type: KbEntityType;
}

/** One fact, its sentence in the corpus, and whether it is parametric (also in SFT data). */
export interface KbFact {
  /** Also the id of its passage in the search corpus. */
  id: string;
  subject: string;
  relation: KbRelation;
  object: string;
  sentence: string;
  /** True: the fact is shown in SFT data; false: it is only in the search corpus. */
  parametric: boolean;
}

/** A generated world: entities, facts, and the facts' sentences as a search corpus. */
export interface KbWorld {
  seed: number;
  parametricShare: number;
  entities: KbEntity[];
  facts: KbFact[];
  /** One passage per fact (`id` = fact id, `title` = subject name, `text` = sentence). */
  passages: Passage[];
}

/** Options of {@link createKbWorld}; defaults make a world a 2-core CPU model can learn. */
export interface KbWorldOptions {
  seed: number;
  /** Default 24. */
  people?: number;
  /** Default 8. */
  cities?: number;
  /** Default 8. */
  companies?: number;
  /** Default 3. */
  countries?: number;
  /** Share of facts that are parametric (appear in SFT data). Default 0.5. */
  parametricShare?: number;
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'te', 'vo', 'zu', 'be', 'do', 'fi', 'ga', 'hu', 'ji', 'ma', 'ne', 'po', 'si', 'tu', 'we', 'ry'];

const SENTENCE: Record<KbRelation, (s: string, o: string) => string> = {
  born_in: (s, o) => `${s} was born in ${o}.`,
  works_for: (s, o) => `${s} works for ${o}.`,
  located_in: (s, o) => `${s} is located in ${o}.`,
  founded_by: (s, o) => `${s} was founded by ${o}.`,
  in_country: (s, o) => `${s} is a city in ${o}.`,
};

const QUERY: Record<KbRelation, string> = {
  born_in: 'born',
  works_for: 'works for',
  located_in: 'located',
  founded_by: 'founded by',
  in_country: 'country',
};

function count(fn: string, name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 10_000) {
    throw new RangeError(`${fn}: options.${name} must be an integer in [1, 10000] (got ${String(v)})`);
  }
  return v;
}

/**
 * Generates a world of people, cities, companies and countries with syllable names and the
 * relations born_in, works_for, located_in, founded_by, in_country (one fact per subject and
 * relation). Each fact is parametric with probability `parametricShare`.
 *
 * @param options - See {@link KbWorldOptions}.
 * @returns The world; the same seed always gives the same world.
 * @example
 * createKbWorld({ seed: 1 }).facts[0].sentence; // 'Milo is a city in Dopoma.'
 */
export function createKbWorld(options: KbWorldOptions): KbWorld {
  const seed = options?.seed;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new TypeError(`createKbWorld: options.seed must be a finite number (got ${String(seed)})`);
  }
  const nPeople = count('createKbWorld', 'people', options.people, 24);
  const nCities = count('createKbWorld', 'cities', options.cities, 8);
  const nCompanies = count('createKbWorld', 'companies', options.companies, 8);
  const nCountries = count('createKbWorld', 'countries', options.countries, 3);
  const parametricShare = options.parametricShare ?? 0.5;
  if (typeof parametricShare !== 'number' || !(parametricShare >= 0 && parametricShare <= 1)) {
    throw new RangeError(`createKbWorld: options.parametricShare must be in [0, 1] (got ${String(parametricShare)})`);
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
    throw new EnvError('world-names', 'createKbWorld: ran out of unique names');
  };
  const entities: KbEntity[] = [];
  const make = (type: KbEntityType, n: number, syllables: number): KbEntity[] => {
    const out: KbEntity[] = [];
    for (let i = 0; i < n; i++) out.push({ id: `${type}${i}`, name: name(syllables), type });
    entities.push(...out);
    return out;
  };
  const countries = make('country', nCountries, 3);
  const cities = make('city', nCities, 2);
  const companies = make('company', nCompanies, 2);
  const people = make('person', nPeople, 2);
  const facts: KbFact[] = [];
  const add = (s: KbEntity, relation: KbRelation, o: KbEntity): void => {
    facts.push({
      id: `kb-${facts.length}`,
      subject: s.id,
      relation,
      object: o.id,
      sentence: SENTENCE[relation](s.name, o.name),
      parametric: rng.chance(parametricShare),
    });
  };
  for (const c of cities) add(c, 'in_country', rng.pick(countries));
  for (const c of companies) {
    add(c, 'located_in', rng.pick(cities));
    add(c, 'founded_by', rng.pick(people));
  }
  for (const p of people) {
    add(p, 'born_in', rng.pick(cities));
    add(p, 'works_for', rng.pick(companies));
  }
  const byId = new Map(entities.map((e) => [e.id, e]));
  const passages = facts.map((f) => ({ id: f.id, title: byId.get(f.subject)!.name, text: f.sentence }));
  return { seed, parametricShare, entities, facts, passages };
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
  return world.facts.filter((f) => f.parametric).map((f) => f.sentence);
}

interface Template {
  start: KbEntityType;
  chain: KbRelation[];
  text: (name: string) => string;
}

const TEMPLATES: Template[] = [
  { start: 'person', chain: ['born_in'], text: (n) => `Where was ${n} born?` },
  { start: 'person', chain: ['works_for'], text: (n) => `Who does ${n} work for?` },
  { start: 'company', chain: ['located_in'], text: (n) => `Where is ${n} located?` },
  { start: 'company', chain: ['founded_by'], text: (n) => `Who founded ${n}?` },
  { start: 'city', chain: ['in_country'], text: (n) => `Which country is ${n} in?` },
  { start: 'person', chain: ['works_for', 'located_in'], text: (n) => `Where is the company ${n} works for located?` },
  { start: 'person', chain: ['born_in', 'in_country'], text: (n) => `Which country was ${n} born in?` },
  { start: 'company', chain: ['founded_by', 'born_in'], text: (n) => `Where was the founder of ${n} born?` },
  { start: 'person', chain: ['works_for', 'founded_by'], text: (n) => `Who founded the company ${n} works for?` },
  { start: 'company', chain: ['located_in', 'in_country'], text: (n) => `Which country is ${n} in?` },
  {
    start: 'person',
    chain: ['works_for', 'located_in', 'in_country'],
    text: (n) => `Which country is the company ${n} works for in?`,
  },
  {
    start: 'company',
    chain: ['founded_by', 'born_in', 'in_country'],
    text: (n) => `Which country was the founder of ${n} born in?`,
  },
  {
    start: 'person',
    chain: ['works_for', 'founded_by', 'born_in'],
    text: (n) => `Where was the founder of the company ${n} works for born?`,
  },
];

/** What a `kb` question is made of. */
export interface KbMeta {
  hops: number;
  /** Fact ids along the chain, in order. */
  facts: string[];
  /** Entity ids visited, start first. */
  path: string[];
}

/** Options of {@link kbTasks}. */
export interface KbTaskOptions {
  seed: number;
  count: number;
  /** Default `'train'`. */
  split?: Split;
  /** Default 0.2. */
  testFraction?: number;
  /** Relative weights of 1-, 2- and 3-hop questions. Default `[0.4, 0.4, 0.2]`. */
  hopMix?: [number, number, number];
  /** Draw each question at most once (throws when the split runs out). Default false. */
  unique?: boolean;
}

/**
 * Generates 1–3-hop questions over a world ("Where is the company Kalo works for located?").
 * The split is decided by a hash of the question text, so train and test never overlap.
 *
 * @param world - A world from {@link createKbWorld}.
 * @param options - See {@link KbTaskOptions}.
 * @returns `count` items; the answer is the final entity's name.
 * @example
 * kbTasks(createKbWorld({ seed: 1 }), { seed: 2, count: 3 }).length; // 3
 */
export function kbTasks(world: KbWorld, options: KbTaskOptions): TaskItem<KbMeta>[] {
  const { seed, count: n, split, testFraction } = resolveCommon('kbTasks', options);
  const hopMix = options.hopMix ?? [0.4, 0.4, 0.2];
  if (!Array.isArray(hopMix) || hopMix.length !== 3 || hopMix.some((w) => !(w >= 0) || !Number.isFinite(w)) || !hopMix.some((w) => w > 0)) {
    throw new RangeError(`kbTasks: options.hopMix must be 3 finite weights >= 0 with a positive sum (got ${JSON.stringify(hopMix)})`);
  }
  const unique = options.unique ?? false;
  const byId = new Map(world.entities.map((e) => [e.id, e]));
  const factOf = new Map(world.facts.map((f) => [`${f.subject}|${f.relation}`, f]));
  const byType = new Map<KbEntityType, KbEntity[]>();
  for (const e of world.entities) byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const items: TaskItem<KbMeta>[] = [];
  const maxAttempts = 1000 * n + 10_000;
  for (let attempt = 0; items.length < n; attempt++) {
    if (attempt >= maxAttempts) {
      throw new EnvError('task-exhausted', `kbTasks: found only ${items.length} of ${n} unique ${split} questions`);
    }
    const hops = rng.weighted(hopMix) + 1;
    const template = rng.pick(TEMPLATES.filter((t) => t.chain.length === hops));
    const start = rng.pick(byType.get(template.start) ?? []);
    if (start === undefined) continue;
    const question = template.text(start.name);
    if (splitOf(question, testFraction) !== split) continue;
    if (unique) {
      if (seen.has(question)) continue;
      seen.add(question);
    }
    const path = [start.id];
    const facts: string[] = [];
    let at = start.id;
    for (const rel of template.chain) {
      const f = factOf.get(`${at}|${rel}`);
      if (f === undefined) throw new EnvError('world-incomplete', `kbTasks: no ${rel} fact for ${at}`);
      facts.push(f.id);
      at = f.object;
      path.push(at);
    }
    items.push({
      id: `kb-q${hashString(question).toString(36)}`,
      task: 'kb',
      split,
      question,
      prompt: `${question}\n`,
      answer: byId.get(at)!.name,
      difficulty: `${hops}-hop`,
      // One search per fact of the chain that SFT never showed.
      oracleCalls: facts.filter((id) => !world.facts.find((f) => f.id === id)!.parametric).length,
      meta: { hops, facts, path },
    });
  }
  return items;
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
   * Default 256 (the tiny policy's context).
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
 * @param items - Questions from {@link kbTasks}.
 * @param options - Seed, over-use knobs and the retriever (see {@link KbTeacherOptions}).
 * @returns One trace per item.
 * @example
 * kbTeacher(world, kbTasks(world, { seed: 2, count: 1 }), { seed: 3 })[0].text.endsWith('</ans>'); // true
 */
export function kbTeacher(world: KbWorld, items: readonly TaskItem<KbMeta>[], options: KbTeacherOptions): TeacherTrace[] {
  const { seed, overuse, repeat } = resolveTeacher('kbTeacher', options);
  const retrieve = options.retrieve ?? ((_query: string, fact: KbFact) => fact.sentence);
  if (typeof retrieve !== 'function') throw new TypeError('kbTeacher: options.retrieve must be a function');
  const byId = new Map(world.entities.map((e) => [e.id, e]));
  const facts = new Map(world.facts.map((f) => [f.id, f]));
  const maxChars = options.maxChars ?? 256;
  if (typeof maxChars !== 'number' || !(maxChars > 0)) {
    throw new RangeError(`kbTeacher: options.maxChars must be a positive number (got ${String(maxChars)})`);
  }
  const rng = new Rng(seed);
  return items.map((item) => {
    // Plan first (all random draws happen here, so trimming never shifts the stream), then drop
    // redundant searches until prompt + trace fits maxChars: repeats first, then optional ones.
    const plan = item.meta.facts.map((factId) => {
      const fact = facts.get(factId);
      if (fact === undefined) throw new EnvError('world-mismatch', `kbTeacher: item ${item.id} uses unknown fact ${factId}`);
      const query = `${byId.get(fact.subject)!.name} ${QUERY[fact.relation]}`;
      const search = !fact.parametric || rng.chance(overuse);
      const searches = search ? (rng.chance(repeat) ? 2 : 1) : 0;
      return { fact, query, searches, doc: search ? retrieve(query, fact) : '' };
    });
    const stepChars = (p: (typeof plan)[number]): number =>
      p.searches === 0 ? p.fact.sentence.length + 1 : p.searches * (`<search>${p.query}</search><doc>${p.doc}</doc>`).length;
    const total = (): number =>
      item.prompt.length + `<ans>${item.answer}</ans>`.length + plan.reduce((sum, p) => sum + stepChars(p), 0);
    for (const p of plan) if (total() > maxChars && p.searches === 2) p.searches = 1;
    for (const p of plan) if (total() > maxChars && p.searches === 1 && p.fact.parametric) p.searches = 0;
    const segments: TraceSegment[] = [];
    let toolCalls = 0;
    let redundantCalls = 0;
    for (const { fact, query, searches, doc } of plan) {
      if (searches === 0) segments.push({ role: 'policy', text: `${fact.sentence} ` });
      for (let c = 0; c < searches; c++) {
        segments.push({ role: 'policy', text: `<search>${query}</search>` }, { role: 'tool', text: `<doc>${doc}</doc>` });
        toolCalls++;
        if (fact.parametric || c > 0) redundantCalls++;
      }
    }
    segments.push({ role: 'policy', text: `<ans>${item.answer}</ans>` });
    return { taskId: item.id, prompt: item.prompt, segments, text: segments.map((s) => s.text).join(''), toolCalls, redundantCalls };
  });
}
