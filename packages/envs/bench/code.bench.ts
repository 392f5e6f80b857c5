import { bench, describe } from 'vitest';
import { calculate } from '../src/calculator';
import { runCode } from '../src/code';

// Load the WebAssembly instance before timing (a one-off ~15–70 ms).
await runCode('0');

const LOOP = 'let s = 0; for (let i = 0; i < 1e5; i++) s += i; s';

describe('one tool call: 371*46', () => {
  bench('code tool (fresh QuickJS runtime + context, eval, format)', async () => {
    const r = await runCode('371*46');
    if (r.output !== '17066') throw new Error(r.output);
  });
  bench('baseline: calculator on the same expression', () => {
    const r = calculate('371*46');
    if (r.output !== '17066') throw new Error(r.output);
  });
});

describe('one tool call: a 1e5-iteration loop', () => {
  bench('code tool (QuickJS interpreter in WebAssembly)', async () => {
    const r = await runCode(LOOP);
    if (r.output !== '4999950000') throw new Error(r.output);
  });
  bench('baseline: the same loop in host V8 (no sandbox)', () => {
    let s = 0;
    for (let i = 0; i < 1e5; i++) s += i;
    if (s !== 4999950000) throw new Error(String(s));
  });
});
