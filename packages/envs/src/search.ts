import MiniSearch, { type AsPlainObject } from 'minisearch';
import { describeValue } from '@paretopo/pareto';
import { EnvError } from './errors';
import type { Tool, ToolResult } from './tool';

/** A passage of a search corpus; `title` is indexed too (boosted) when present. */
export interface SearchPassage {
  id: string;
  title?: string;
  text: string;
}

/** Index settings of {@link createSearchIndex}; all stored with the index. */
export interface SearchIndexOptions {
  /** Weight of a title match relative to a text match. Default 2. */
  titleBoost?: number;
  /** Lower-cased terms never indexed nor searched. Default {@link SEARCH_STOP_WORDS}. */
  stopWords?: readonly string[];
  /** BM25+ parameters (MiniSearch's defaults): term saturation `k` 1.2, length normalisation `b` 0.7, floor `d` 0.5. */
  bm25?: { k?: number; b?: number; d?: number };
}

/** One ranked result. */
export interface SearchHit {
  id: string;
  title: string;
  text: string;
  /** BM25+ score (MiniSearch's, summed over the query terms and fields). */
  score: number;
}

/** Output settings of {@link searchTool} and {@link searchOutput}. */
export interface SearchOutputOptions {
  /** Passages returned. Default 3. */
  topK?: number;
  /** Cap of the whole output in characters (cut with a final `…`). Default 1000. */
  maxChars?: number;
  /** Write `title: text` (true) or only `text` (false). Default true. */
  showTitles?: boolean;
  /** Longest query accepted in characters. Default 200. */
  maxQueryChars?: number;
  /** Result tag whose closing form is escaped inside passages. Default `'doc'`. */
  resultTag?: string;
}

/** Arguments of the `search` tool. */
export interface SearchArgs {
  query: string;
}

/** The JSON form of a {@link SearchIndex} (see {@link SearchIndex.toJSON}). */
export interface SerializedSearchIndex {
  format: 'paretopo-search-index';
  version: 1;
  options: ResolvedIndexOptions;
  passages: SearchPassage[];
  index: AsPlainObject;
}

export interface ResolvedIndexOptions {
  titleBoost: number;
  stopWords: string[];
  bm25: { k: number; b: number; d: number };
}

/**
 * The default stop words: short English function words that would otherwise match nearly every
 * passage (kept small on purpose: names and content words are never dropped).
 *
 * @example
 * SEARCH_STOP_WORDS.includes('the');   // true
 * SEARCH_STOP_WORDS.includes('paris'); // false
 */
export const SEARCH_STOP_WORDS: readonly string[] = Object.freeze(
  (
    'a an and are as at be been but by did do does for from had has have he her his how i if in into is it its ' +
    'of on or she that the their them there they this to was were what when where which who whom whose why will with you'
  ).split(' '),
);

// MiniSearch's own default: runs of whitespace and punctuation separate terms.
const SPLIT_RE = /[\n\r\p{Z}\p{P}]+/u;
const MARKS_RE = /\p{M}+/gu;
const NON_ASCII_RE = /[^\x00-\x7f]/;

function makeProcessTerm(stop: ReadonlySet<string>): (term: string) => string | null {
  return (term) => {
    // Case and accents are folded so "Beyoncé" matches "beyonce" (NFKD only off the ASCII fast path).
    const lower = term.toLowerCase();
    const t = NON_ASCII_RE.test(lower) ? lower.normalize('NFKD').replace(MARKS_RE, '') : lower;
    return t === '' || stop.has(t) ? null : t;
  };
}

function miniSearchOptions(o: ResolvedIndexOptions) {
  const processTerm = makeProcessTerm(new Set(o.stopWords));
  return {
    idField: 'id',
    fields: ['title', 'text'],
    processTerm,
    searchOptions: { boost: { title: o.titleBoost }, bm25: o.bm25, combineWith: 'OR' as const, processTerm },
  };
}

function resolveIndexOptions(fn: string, options: SearchIndexOptions): ResolvedIndexOptions {
  const titleBoost = options.titleBoost ?? 2;
  if (typeof titleBoost !== 'number' || !Number.isFinite(titleBoost) || titleBoost < 0) {
    throw new RangeError(`${fn}: options.titleBoost must be a finite number >= 0 (got ${describeValue(titleBoost)})`);
  }
  const stopWords = options.stopWords ?? SEARCH_STOP_WORDS;
  if (!Array.isArray(stopWords) || stopWords.some((w) => typeof w !== 'string')) {
    throw new TypeError(`${fn}: options.stopWords must be an array of strings (got ${describeValue(stopWords)})`);
  }
  const bm25 = { k: 1.2, b: 0.7, d: 0.5, ...(options.bm25 ?? {}) };
  for (const key of ['k', 'b', 'd'] as const) {
    const v = bm25[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (key === 'b' && v > 1)) {
      throw new RangeError(`${fn}: options.bm25.${key} must be a finite number >= 0${key === 'b' ? ' and <= 1' : ''} (got ${describeValue(v)})`);
    }
  }
  return { titleBoost, stopWords: stopWords.map((w) => w.toLowerCase()), bm25 };
}

/**
 * A BM25+ index over passages (MiniSearch underneath). Built once by {@link createSearchIndex}
 * (or restored by {@link loadSearchIndex}) and reused for any number of queries; it holds state,
 * hence a class.
 *
 * @example
 * const index = createSearchIndex([{ id: 'a', title: 'Kalo', text: 'Kalo was born in Mira.' }]);
 * index.search('Kalo born')[0].id; // 'a'
 */
export class SearchIndex {
  private readonly byId: Map<string, { passage: SearchPassage; order: number }>;
  private readonly processTerm: (term: string) => string | null;

  /** Use {@link createSearchIndex} or {@link loadSearchIndex}. */
  constructor(
    private readonly mini: MiniSearch<SearchPassage>,
    private readonly passages: SearchPassage[],
    private readonly options: ResolvedIndexOptions,
  ) {
    this.byId = new Map(passages.map((passage, order) => [passage.id, { passage, order }]));
    this.processTerm = makeProcessTerm(new Set(options.stopWords));
  }

  /** Number of passages. */
  get size(): number {
    return this.passages.length;
  }

  /**
   * The passage with this id.
   *
   * @param id - A passage id.
   * @returns The passage, or `undefined` for an unknown id.
   * @example
   * createSearchIndex([{ id: 'a', text: 'x' }]).get('b'); // undefined
   */
  get(id: string): SearchPassage | undefined {
    return this.byId.get(id)?.passage;
  }

  /**
   * The query's terms after tokenisation, case/accent folding and stop-word removal.
   *
   * @param query - Query text.
   * @returns Terms in order (empty when nothing searchable is left).
   * @example
   * createSearchIndex([]).terms('Who was born in Mira?'); // ['born', 'mira']
   */
  terms(query: string): string[] {
    const out: string[] = [];
    for (const raw of query.split(SPLIT_RE)) {
      const t = this.processTerm(raw);
      if (t !== null) out.push(t);
    }
    return out;
  }

  /**
   * Ranks passages by BM25+ (OR over the query terms, titles boosted); ties keep corpus order.
   *
   * @param query - Query text.
   * @param topK - Most hits returned. Default 3.
   * @returns Up to `topK` hits, best first; `[]` when no term matches.
   * @example
   * createSearchIndex([{ id: 'a', text: 'red fox' }, { id: 'b', text: 'blue fox' }]).search('blue fox', 1)[0].id; // 'b'
   */
  search(query: string, topK = 3): SearchHit[] {
    if (typeof query !== 'string') throw new TypeError(`SearchIndex.search: query must be a string (got ${describeValue(query)})`);
    if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`SearchIndex.search: topK must be a positive integer (got ${describeValue(topK)})`);
    const results = this.mini.search(query);
    const hits = results.map((r) => ({ r, order: this.byId.get(r.id as string)!.order }));
    hits.sort((a, b) => b.r.score - a.r.score || a.order - b.order);
    return hits.slice(0, topK).map(({ r }) => {
      const p = this.byId.get(r.id as string)!.passage;
      return { id: p.id, title: p.title ?? '', text: p.text, score: r.score };
    });
  }

  /**
   * The index as plain JSON data (passages, settings and MiniSearch's inverted index), so it can
   * be written once and restored without re-tokenising.
   *
   * @returns A {@link SerializedSearchIndex}; `JSON.stringify` it to store.
   * @example
   * loadSearchIndex(JSON.stringify(createSearchIndex([{ id: 'a', text: 'x' }]).toJSON())).size; // 1
   */
  toJSON(): SerializedSearchIndex {
    return { format: 'paretopo-search-index', version: 1, options: this.options, passages: this.passages, index: this.mini.toJSON() };
  }
}

/**
 * Builds a BM25+ index over passages (`title` and `text` fields, titles boosted, case and accents
 * folded, a small stop-word list).
 *
 * @param passages - Corpus; ids must be unique non-empty strings.
 * @param options - See {@link SearchIndexOptions}.
 * @returns The index.
 * @example
 * createSearchIndex(createKbWorld({ seed: 1 }).passages).size; // 240
 */
export function createSearchIndex(passages: readonly SearchPassage[], options: SearchIndexOptions = {}): SearchIndex {
  return deferredSearchIndex(passages, options)();
}

/**
 * {@link createSearchIndex} in two halves (package-internal): the corpus and the settings are
 * checked now, with the same errors, and the index is built on the returned function's first
 * call, then kept. `hotpotQATasks` gives each question one, so a train split of 90,447 questions
 * builds only the indexes its episodes search (built at once, 9,045 questions' indexes took 67 s
 * and 2.1 GB of heap: the whole split would need about 21 GB).
 *
 * @param passages - Corpus; ids must be unique non-empty strings.
 * @param options - See {@link SearchIndexOptions}.
 * @returns A function that builds the index once and returns it.
 * @example
 * deferredSearchIndex([{ id: 'a', text: 'x' }])().size; // 1
 */
export function deferredSearchIndex(passages: readonly SearchPassage[], options: SearchIndexOptions = {}): () => SearchIndex {
  if (!Array.isArray(passages)) throw new TypeError(`createSearchIndex: passages must be an array (got ${describeValue(passages)})`);
  const resolved = resolveIndexOptions('createSearchIndex', options ?? {});
  const seen = new Set<string>();
  const copy: SearchPassage[] = passages.map((p, i) => {
    if (p === null || typeof p !== 'object') throw new TypeError(`createSearchIndex: passages[${i}] must be an object (got ${describeValue(p)})`);
    if (typeof p.id !== 'string' || p.id === '') throw new TypeError(`createSearchIndex: passages[${i}].id must be a non-empty string (got ${describeValue(p.id)})`);
    if (typeof p.text !== 'string') throw new TypeError(`createSearchIndex: passages[${i}].text must be a string (got ${describeValue(p.text)})`);
    if (p.title !== undefined && typeof p.title !== 'string') {
      throw new TypeError(`createSearchIndex: passages[${i}].title must be a string when present (got ${describeValue(p.title)})`);
    }
    if (seen.has(p.id)) throw new RangeError(`createSearchIndex: passages[${i}].id ${JSON.stringify(p.id)} is a duplicate`);
    seen.add(p.id);
    return p.title === undefined ? { id: p.id, text: p.text } : { id: p.id, title: p.title, text: p.text };
  });
  let index: SearchIndex | undefined;
  return () => {
    if (index === undefined) {
      const mini = new MiniSearch<SearchPassage>(miniSearchOptions(resolved));
      mini.addAll(copy);
      index = new SearchIndex(mini, copy, resolved);
    }
    return index;
  };
}

/**
 * Restores an index written with {@link SearchIndex.toJSON}.
 *
 * @param json - The object or its JSON text.
 * @returns The index, ranking exactly like the original.
 * @example
 * loadSearchIndex(JSON.stringify(createSearchIndex([{ id: 'a', text: 'x' }]))).get('a')?.text; // 'x'
 */
export function loadSearchIndex(json: SerializedSearchIndex | string): SearchIndex {
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (err) {
      throw new EnvError('search-index', `loadSearchIndex: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const d = data as Partial<SerializedSearchIndex> | null;
  if (d === null || typeof d !== 'object' || d.format !== 'paretopo-search-index' || d.version !== 1 || !Array.isArray(d.passages) || d.index === undefined) {
    throw new EnvError('search-index', 'loadSearchIndex: not a serialised search index (format "paretopo-search-index", version 1)');
  }
  const resolved = resolveIndexOptions('loadSearchIndex', d.options ?? {});
  const mini = MiniSearch.loadJS<SearchPassage>(d.index, miniSearchOptions(resolved));
  if (mini.documentCount !== d.passages.length) {
    throw new EnvError('search-index', `loadSearchIndex: index has ${mini.documentCount} documents but ${d.passages.length} passages`);
  }
  return new SearchIndex(mini, d.passages, resolved);
}

/** {@link SearchOutputOptions} with every default filled in (package-internal). */
export interface ResolvedOutput {
  topK: number;
  maxChars: number;
  showTitles: boolean;
  maxQueryChars: number;
  resultTag: string;
}

/**
 * Checks output options once, errors naming `fn` (package-internal: lets helpers that build many
 * search tools validate their options once).
 *
 * @param fn - Public function name for error messages.
 * @param options - See {@link SearchOutputOptions}.
 * @returns The options with defaults.
 * @example
 * resolveOutput('searchTool', {}).topK; // 3
 */
export function resolveOutput(fn: string, options: SearchOutputOptions): ResolvedOutput {
  const int = (name: 'topK' | 'maxChars' | 'maxQueryChars', fallback: number): number => {
    const v = options[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`${fn}: options.${name} must be a positive integer (got ${describeValue(v)})`);
    return v;
  };
  const showTitles = options.showTitles ?? true;
  if (typeof showTitles !== 'boolean') throw new TypeError(`${fn}: options.showTitles must be a boolean (got ${describeValue(showTitles)})`);
  const resultTag = options.resultTag ?? 'doc';
  if (typeof resultTag !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(resultTag)) {
    throw new TypeError(`${fn}: options.resultTag must be a tag name (got ${describeValue(resultTag)})`);
  }
  return { topK: int('topK', 3), maxChars: int('maxChars', 1000), showTitles, maxQueryChars: int('maxQueryChars', 200), resultTag };
}

function output(index: SearchIndex, query: unknown, o: ResolvedOutput): ToolResult {
  if (typeof query !== 'string') return { ok: false, output: 'error: argument "query" must be a string', error: 'bad-arguments' };
  if (query.length > o.maxQueryChars) {
    return { ok: false, output: `error: query is ${query.length} characters (limit ${o.maxQueryChars})`, error: 'bad-arguments' };
  }
  if (index.terms(query).length === 0) {
    return { ok: false, output: 'error: empty query (no searchable words)', error: 'empty-query' };
  }
  const hits = index.search(query, o.topK);
  if (hits.length === 0) return { ok: true, output: 'no results' };
  // A passage must not close the result tag early (which would let corpus text pose as calls).
  const close = `</${o.resultTag}>`;
  const text = hits
    .map((h) => (o.showTitles && h.title !== '' ? `${h.title}: ${h.text}` : h.text))
    .join('\n')
    .split(close)
    .join(`<\\/${o.resultTag}>`);
  return { ok: true, output: text.length <= o.maxChars ? text : `${text.slice(0, o.maxChars - 1)}…` };
}

/**
 * What the `search` tool returns for a query, synchronously: the top-k passages, one per line
 * (`title: text`), cut to `maxChars` with a final `…`.
 *
 * @param index - An index from {@link createSearchIndex}.
 * @param query - Query text.
 * @param options - See {@link SearchOutputOptions}.
 * @returns `{ ok: true, output }`; `'no results'` when no term matches; an `empty-query` or
 *   `bad-arguments` tool error otherwise.
 * @example
 * const world = createKbWorld({ seed: 1 });
 * searchOutput(createSearchIndex(world.passages), 'Tehu born', { topK: 1, showTitles: false }).output; // 'Tehu was born in Rywe.'
 */
export function searchOutput(index: SearchIndex, query: string, options: SearchOutputOptions = {}): ToolResult {
  if (!(index instanceof SearchIndex)) throw new TypeError(`searchOutput: index must be a SearchIndex (got ${describeValue(index)})`);
  return output(index, query, resolveOutput('searchOutput', options));
}

/**
 * A retriever for {@link kbTeacher}'s `retrieve` option (or any code that wants the tool's text).
 *
 * @param index - An index, e.g. over `world.passages`.
 * @param options - See {@link SearchOutputOptions}.
 * @returns `(query) => output text` of {@link searchOutput}.
 * @example
 * const retrieve = searchRetriever(createSearchIndex(createKbWorld({ seed: 1 }).passages), { topK: 1, showTitles: false });
 * retrieve('Tehu born'); // 'Tehu was born in Rywe.'
 */
export function searchRetriever(index: SearchIndex, options: SearchOutputOptions = {}): (query: string) => string {
  if (!(index instanceof SearchIndex)) throw new TypeError(`searchRetriever: index must be a SearchIndex (got ${describeValue(index)})`);
  const o = resolveOutput('searchRetriever', options);
  return (query) => output(index, query, o).output;
}

/**
 * The `search` tool: BM25+ top-k retrieval over a prebuilt index. Text form
 * `<search>query</search>` → `<doc>…</doc>`.
 *
 * @param index - An index from {@link createSearchIndex} (built once, shared by every call).
 * @param options - See {@link SearchOutputOptions}.
 * @returns The tool (`search` / `<search>` / `<doc>`).
 * @example
 * const tool = searchTool(createSearchIndex(createKbWorld({ seed: 1 }).passages), { topK: 1 });
 * (await tool.run({ query: 'Tehu born' })).output; // 'Tehu: Tehu was born in Rywe.'
 */
export function searchTool(index: SearchIndex, options: SearchOutputOptions = {}): Tool<SearchArgs> {
  if (!(index instanceof SearchIndex)) throw new TypeError(`searchTool: index must be a SearchIndex (got ${describeValue(index)})`);
  return searchToolOf(index, resolveOutput('searchTool', options));
}

/**
 * {@link searchTool} with options already resolved (package-internal, unchecked).
 *
 * @param index - The index, or a function that returns it (built at the first search, see {@link deferredSearchIndex}).
 * @param o - Options from {@link resolveOutput}.
 * @returns The tool.
 * @example
 * searchToolOf(createSearchIndex([]), resolveOutput('x', {})).tag; // 'search'
 */
export function searchToolOf(index: SearchIndex | (() => SearchIndex), o: ResolvedOutput): Tool<SearchArgs> {
  return {
    name: 'search',
    description: `Searches the document collection (BM25) and returns the ${o.topK} best-matching passages.`,
    parameters: {
      type: 'object',
      properties: { query: { type: 'string', description: 'Keywords, e.g. "Kalo born".', maxLength: o.maxQueryChars } },
      required: ['query'],
      additionalProperties: false,
    },
    tag: 'search',
    resultTag: o.resultTag,
    maxArgChars: o.maxQueryChars,
    argsFromText: (text) => ({ query: text.trim() }),
    run: async (args) => output(typeof index === 'function' ? index() : index, (args as Partial<SearchArgs> | null)?.query, o),
  };
}
