import { bench, describe } from 'vitest';
import { type HotpotItem, findDataDir, loadHotpotQA } from '../src/loaders';
import { type SearchPassage, createSearchIndex, loadSearchIndex } from '../src/search';

const dir = findDataDir();
if (dir === null) console.log('[envs] search bench skipped: no shared/data folder (set PARETOPO_DATA_DIR)');
const items: HotpotItem[] = dir === null ? [] : await loadHotpotQA();
// All 300 questions' paragraphs in one corpus (2,994 passages).
const passages: SearchPassage[] = items.flatMap((q) => q.passages.map((p) => ({ id: p.id, title: p.title, text: p.text })));
const questions = items.map((q) => q.question);
// Few samples: one sample is a whole pass over 300 queries (or a whole index build).
const heavy = { time: 0, iterations: 5, warmupIterations: 1 };
const index = createSearchIndex(passages);
const json = JSON.stringify(index);
const lowered = passages.map((p) => `${p.title} ${p.text}`.toLowerCase());
const queryTerms = questions.map((q) => index.terms(q));

describe.skipIf(dir === null)(`search index build: HotpotQA dev, ${passages.length} passages`, () => {
  bench('createSearchIndex (tokenise + BM25 inverted index)', () => {
    createSearchIndex(passages);
  }, heavy);
  bench('loadSearchIndex (from its JSON text)', () => {
    loadSearchIndex(json);
  }, heavy);
  bench('baseline: lower-case copy of every passage', () => {
    let n = 0;
    for (const p of passages) n += `${p.title} ${p.text}`.toLowerCase().length;
    if (n === 0) throw new Error('empty');
  });
});

describe.skipIf(dir === null)(`search: 300 HotpotQA questions, top-3 over ${passages.length} passages`, () => {
  bench('SearchIndex.search (BM25+)', () => {
    for (const q of questions) index.search(q, 3);
  }, heavy);
  bench('baseline: substring scan (count query terms in each passage, top 3)', () => {
    for (const terms of queryTerms) {
      const scores = new Float64Array(lowered.length);
      for (let i = 0; i < lowered.length; i++) {
        let s = 0;
        for (const t of terms) if (lowered[i].includes(t)) s++;
        scores[i] = s;
      }
      const top = [0, 0, 0];
      for (let i = 0; i < scores.length; i++) {
        if (scores[i] > scores[top[2]]) {
          top[2] = i;
          top.sort((a, b) => scores[b] - scores[a]);
        }
      }
    }
  }, heavy);
});
