import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import base from '@jitl/quickjs-wasmfile-release-sync';
const code = process.argv[2];
const L = 32 << 20;
const memory = new WebAssembly.Memory({ initial: 256, maximum: 256 + L / 65536 });
let t = performance.now();
const mod = await newQuickJSWASMModuleFromVariant(newVariant(base, { wasmMemory: memory }));
console.log('load', (performance.now() - t).toFixed(1));
for (let k = 0; k < 3; k++) {
const rt = mod.newRuntime();
rt.setMemoryLimit(L); rt.setMaxStackSize(65536);
const deadline = Date.now() + 1000;
rt.setInterruptHandler(() => Date.now() > deadline);
const ctx = rt.newContext();
t = performance.now();
let bad = false;
try {
  const r = ctx.evalCode(k === 1 ? '6*7' : code, 'input.js', { type: 'global' });
  if (r.error) { console.log('ERR', JSON.stringify(ctx.dump(r.error)).slice(0, 200)); r.error.dispose(); }
  else { console.log('OK', ctx.dump(r.value)); r.value.dispose(); }
} catch (e) { bad = true; console.log('HOSTERR', String(e).slice(0, 200)); }
console.log('ms', (performance.now() - t).toFixed(1), 'bytes', memory.buffer.byteLength / 2**20);
try { ctx.dispose(); rt.dispose(); console.log('disposed'); } catch (e) { console.log('DISPOSEFAIL'); break; }
}
