import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';
const [code, stack, mem] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 33554432)];
const mod = await newQuickJSWASMModuleFromVariant(variant);
const rt = mod.newRuntime();
rt.setMemoryLimit(mem); rt.setMaxStackSize(stack);
const deadline = Date.now() + 1000;
rt.setInterruptHandler(() => Date.now() > deadline);
const ctx = rt.newContext();
const t = performance.now();
try {
  const r = ctx.evalCode(code, 'input.js', { type: 'global' });
  if (r.error) { console.log('ERR', JSON.stringify(ctx.dump(r.error)).slice(0, 200)); r.error.dispose(); }
  else { console.log('OK', ctx.dump(r.value)); r.value.dispose(); }
} catch (e) { console.log('HOSTERR', String(e).slice(0, 200)); }
console.log('ms', (performance.now() - t).toFixed(1));
try { ctx.dispose(); rt.dispose(); console.log('disposed'); } catch (e) { console.log('DISPOSEFAIL'); }
