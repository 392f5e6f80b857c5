import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-wasmfile-release-sync';
const mod = await newQuickJSWASMModuleFromVariant(variant);
const rt = mod.newRuntime();
const ctx = rt.newContext();
const r = ctx.evalCode('Promise.resolve(3)', 'input.js', { type: 'global' });
console.log('eval ok', !!r.value);
try { const st = ctx.getPromiseState(r.value); console.log('state', st.type); } catch (e) { console.log('gps', e.stack) }
try { const j = rt.executePendingJobs(); console.log('jobs', j); } catch (e) { console.log('epj', e.stack) }
