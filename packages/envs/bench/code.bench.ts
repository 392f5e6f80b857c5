import { bench, describe } from 'vitest';
import { calculate } from '../src/calculator';
import { runCode } from '../src/code';

// Start both pool workers and load their WebAssembly instances before timing (a one-off
// ≈ 100–300 ms). Every timed call includes the postMessage round-trip to a worker thread.
await Promise.all([runCode('0'), runCode('0')]);

const LOOP = 'let s = 0; for (let i = 0; i < 1e5; i++) s += i; s';

describe('one tool call: 371*46', () => {
  bench('code tool (worker round-trip + fresh QuickJS runtime + context, eval, format)', async () => {
    const r = await runCode('371*46');
    if (r.output !== '17066') throw new Error(r.output);
  });
  bench('baseline: calculator on the same expression', () => {
    const r = calculate('371*46');
    if (r.output !== '17066') throw new Error(r.output);
  });
});

describe('one tool call: a 1e5-iteration loop', () => {
  bench('code tool (QuickJS interpreter in WebAssembly, in a worker)', async () => {
    const r = await runCode(LOOP);
    if (r.output !== '4999950000') throw new Error(r.output);
  });
  bench('baseline: the same loop in host V8 (no sandbox)', () => {
    let s = 0;
    for (let i = 0; i < 1e5; i++) s += i;
    if (s !== 4999950000) throw new Error(String(s));
  });
});

describe('two 1e5-iteration loop calls', () => {
  bench('code tool: both at once (Promise.all; the pool runs them on two workers)', async () => {
    const rs = await Promise.all([runCode(LOOP), runCode(LOOP)]);
    if (rs[0].output !== '4999950000' || rs[1].output !== '4999950000') throw new Error(rs[0].output);
  });
  bench('baseline: code tool, one after the other', async () => {
    const a = await runCode(LOOP);
    const b = await runCode(LOOP);
    if (a.output !== '4999950000' || b.output !== '4999950000') throw new Error(a.output);
  });
});
