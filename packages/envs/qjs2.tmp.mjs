import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';
async function run(code, { ms = 500, mem = 32 << 20, stack = 512 * 1024, loader = true } = {}) {
  const mod = await newQuickJSWASMModuleFromVariant(variant);
  const rt = mod.newRuntime();
  rt.setMemoryLimit(mem); rt.setMaxStackSize(stack);
  if (loader) rt.setModuleLoader(() => ({ error: new Error('modules are disabled') }));
  const deadline = Date.now() + ms;
  rt.setInterruptHandler(() => Date.now() > deadline);
  const ctx = rt.newContext();
  const t = performance.now();
  let out;
  try {
    const r = ctx.evalCode(code, 'input.js', { type: 'global' });
    if (r.error) { let d; try { d = ctx.dump(r.error); } catch (e) { d = 'dumpfail ' + e; } r.error.dispose(); out = ['ERR', d]; }
    else {
      out = ['OK', ctx.typeof(r.value)];
      try { rt.executePendingJobs(); out.push(JSON.stringify(ctx.getPromiseState(r.value), (k, v) => k === 'value' || k === 'error' ? (v && v.alive ? ctx.dump(v) : v) : v)); } catch (e) { out.push('ps ' + e); }
      try { out.push(ctx.dump(r.value)); } catch (e) { out.push('dumpfail ' + e) }
      r.value.dispose();
    }
  } catch (e) { out = ['HOSTERR', String(e)]; }
  try { ctx.dispose(); rt.dispose(); out.push('disposed'); } catch (e) { out.push('DISPOSEFAIL ' + String(e).slice(0, 80)); }
  return [out, (performance.now() - t).toFixed(1)];
}
const cases = process.argv.slice(2);
for (const c of cases) console.log(JSON.stringify(c).slice(0,70), JSON.stringify(await run(c)).slice(0, 400));
