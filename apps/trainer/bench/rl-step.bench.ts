/**
 * The RL step on the demo's configuration (`paretopo demo`: arith, the `tiny` preset, paretopo,
 * G = 8, 8 prompts per step, every other train option at its schema default) on the `js` backend.
 *
 * Warm start: a short SFT on the demo's teacher (`RL_BENCH_SFT_STEPS`, default 300 steps of 32
 * traces, the schema's lr and warmup), cached under the OS temp folder, so the rollouts call the
 * calculator and answer as the demo's do (a model with random weights would babble to the token
 * limit and never call a tool, so it would not exercise the multi-round rollout).
 *
 * Each repeat starts from that warm start (fresh optimiser and method state) and runs
 * `RL_BENCH_STEPS` (default 3) RL steps on the prompts `paretopo train` draws for steps 0, 1, 2.
 * It prints, per repeat and as min / median over `RL_BENCH_REPEATS` (default 3): batch tokens per
 * second, the split of the step's time, and the model-FLOP utilisation: the model FLOPs the step
 * needs (one forward per batch token for the rollout, the policy and reference forwards, a
 * backward of twice a forward) per second, against the `js` matmul GFLOP/s measured in the same
 * run on the forward's matmul shapes at the batch's row count. Same prompts and seeds every
 * repeat, so every repeat computes the same numbers.
 *
 * Run: `npm run bench -w @paretopo/trainer` (the bench is one `vitest bench` iteration per repeat).
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tool } from '@paretopo/envs';
import { createBackend, Op, type Backend } from '@paretopo/kernels';
import { AdamW, PRESETS, TagTokenizer, TinyGPT, loadCheckpoint, saveCheckpoint, type TinyGPTConfig } from '@paretopo/policy';
import { bench, describe } from 'vitest';
import { sftConfigSchema, trainConfigSchema } from '../src/config/schema';
import { stepTasks } from '../src/commands/train';
import { createEnvironment } from '../src/environment';
import { MethodState } from '../src/methods';
import { frozenReference, rlStep, type RlParts } from '../src/rl-step';
import { paramsHash } from '../src/run/checkpoint';
import { sft } from '../src/sft';

const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`rl-step bench: ${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  return v;
};
const SFT_STEPS = envInt('RL_BENCH_SFT_STEPS', 300);
const RL_STEPS = envInt('RL_BENCH_STEPS', 3);
const REPEATS = envInt('RL_BENCH_REPEATS', 3);

const train = trainConfigSchema.parse({ env: 'arith', method: 'paretopo', init: 'bench', out: 'bench' });
const sftCfg = sftConfigSchema.parse({ env: 'arith', out: 'bench', steps: SFT_STEPS });
const env = createEnvironment('arith', train.task);
const promptsPerStep = train.promptsPerStep ?? 8;
const backend = await createBackend('js');

async function warmStart(): Promise<TinyGPT> {
  const dir = join(tmpdir(), `paretopo-rl-bench-sft-${SFT_STEPS}`);
  if (existsSync(join(dir, 'model.safetensors'))) return (await loadCheckpoint(dir, backend)).model;
  const tok = TagTokenizer.create();
  const config: TinyGPTConfig = { ...PRESETS[sftCfg.model.preset], vocab: tok.size };
  const model = TinyGPT.create(config, backend, { seed: sftCfg.seed });
  const optimizer = new AdamW(backend, model.layout, { lr: sftCfg.lr, warmupSteps: sftCfg.warmupSteps, totalSteps: sftCfg.steps });
  const traces = env.demonstrations({ seed: sftCfg.seed + 1, overuse: sftCfg.teacher.overuse, repeat: sftCfg.teacher.repeat });
  await sft(model, optimizer, tok, traces, { steps: sftCfg.steps, batchSize: sftCfg.batchSize });
  await saveCheckpoint(dir, { model, tokenizer: tok, extra: { type: 'paretopo-rl-bench-warm-start', steps: SFT_STEPS } });
  return model;
}
const warm = await warmStart();
const tokenizer = TagTokenizer.create();

/** Seconds spent in each part of the step, summed over the steps of one repeat. */
interface Split {
  rollout: number;
  tools: number;
  forward: number;
  backward: number;
  optimizer: number;
  total: number;
  /** CPU seconds of the process (every thread), a figure less sensitive than wall time to other jobs on the machine. */
  cpu: number;
}

/** Model FLOPs of one forward over sequences of the given lengths: the matmuls plus causal attention (QKᵀ and PV). */
function forwardFlops(cfg: TinyGPTConfig, lengths: number[]): number {
  const { layers, dModel: d, mlpRatio, vocab } = cfg;
  const perToken = 2 * (layers * (3 * d * d + d * d + 2 * d * mlpRatio * d) + d * vocab);
  let flops = 0;
  for (const L of lengths) flops += perToken * L + layers * 2 * 2 * d * ((L * (L + 1)) / 2);
  return flops;
}

// Wraps an instance method so its time adds to `split[key]` (an own property shadows the prototype's).
function timeMethod<T extends object>(obj: T, name: keyof T & string, split: Split, key: keyof Split): void {
  const orig = (obj[name] as (...a: unknown[]) => Promise<unknown>).bind(obj);
  (obj as Record<string, unknown>)[name] = async (...a: unknown[]) => {
    const t = performance.now();
    try {
      return await orig(...a);
    } finally {
      split[key] += (performance.now() - t) / 1000;
    }
  };
}

interface RepeatResult {
  tokens: number;
  flops: number;
  rows: number;
  split: Split;
  hash: string;
  metrics: string;
}

async function oneRepeat(steps = RL_STEPS): Promise<RepeatResult> {
  const split: Split = { rollout: 0, tools: 0, forward: 0, backward: 0, optimizer: 0, total: 0, cpu: 0 };
  const model = TinyGPT.fromParams(warm.config, backend, warm.params.slice());
  const reference = frozenReference(model);
  const optimizer = new AdamW(backend, model.layout, {
    lr: train.lr, warmupSteps: train.warmupSteps, totalSteps: train.steps ?? 200, clipNorm: train.clipNorm, weightDecay: train.weightDecay,
  });
  const method = new MethodState('paretopo', { totalSteps: train.steps ?? 200, ...train.reward });
  const tools: Tool<any>[] = env.tools.map((tool) => {
    const timed: Tool<any> = Object.create(tool);
    timed.run = async (args, options) => {
      const t = performance.now();
      try {
        return await tool.run(args, options);
      } finally {
        split.tools += (performance.now() - t) / 1000;
      }
    };
    return timed;
  });
  let stepStart = 0;
  // The method's step is the first thing after the rollout: its start ends the rollout.
  const methodStep = method.step.bind(method);
  method.step = (batch) => {
    split.rollout += (performance.now() - stepStart) / 1000;
    return methodStep(batch);
  };
  timeMethod(model, 'forward', split, 'forward');
  timeMethod(reference, 'forward', split, 'forward');
  timeMethod(model, 'backward', split, 'backward');
  timeMethod(optimizer, 'step', split, 'optimizer');
  const parts: RlParts = { model, reference, tokenizer, optimizer, method, tools };
  let tokens = 0;
  let flops = 0;
  let rows = 0;
  const metrics: unknown[] = [];
  for (let step = 0; step < steps; step++) {
    const tasks = stepTasks(env.rl, promptsPerStep, train.seed, step);
    // The batch's sequence lengths are read back from the rollout through the policy forward.
    let lengths: number[] = [];
    const fwd = model.forward;
    model.forward = async (batch, o) => {
      const off = batch.seqOffsets;
      lengths = Array.from({ length: off.length - 1 }, (_, i) => off[i + 1] - off[i]);
      return fwd(batch, o);
    };
    const cpu0 = process.cpuUsage();
    stepStart = performance.now();
    const row = await rlStep(parts, tasks, {
      groupSize: train.groupSize, maxTurns: train.maxTurns, maxToolCalls: train.maxToolCalls, maxTokens: train.maxTokens ?? env.maxTokens,
      temperature: train.temperature, seed: train.seed, epsLow: train.loss.epsLow, epsHigh: train.loss.epsHigh, betaKl: train.loss.betaKl,
      aggregation: train.loss.aggregation,
    });
    split.total += (performance.now() - stepStart) / 1000;
    const cpu = process.cpuUsage(cpu0);
    split.cpu += (cpu.user + cpu.system) / 1e6;
    model.forward = fwd;
    tokens += row.tokens;
    rows = Math.max(rows, row.tokens);
    // Rollout, policy forward, reference forward, backward (2 forwards).
    flops += 5 * forwardFlops(model.config, lengths);
    metrics.push({ ...row, seconds: 0, tokensPerSecond: 0 });
  }
  return { tokens, flops, rows, split, hash: paramsHash(model.params), metrics: JSON.stringify(metrics) };
}

/** GFLOP/s of the js matmul on the forward's products at `rows` rows (the shapes the step runs). */
async function matmulGflops(b: Backend, cfg: TinyGPTConfig, rows: number): Promise<number> {
  const { dModel: d, mlpRatio, vocab } = cfg;
  const plan = [
    { m: rows, k: d, n: 3 * d }, { m: rows, k: d, n: d }, { m: rows, k: d, n: mlpRatio * d }, { m: rows, k: mlpRatio * d, n: d }, { m: rows, k: d, n: vocab },
  ];
  const bufs = plan.map(({ m, k, n }) => ({ a: new Float32Array(m * k).fill(0.01), b: new Float32Array(k * n).fill(0.01), out: new Float32Array(m * n), m, k, n }));
  const flopsPerRound = plan.reduce((s, { m, k, n }) => s + 2 * m * k * n, 0);
  let best = 0;
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < 4; i++) for (const args of bufs) await b.run(Op.Matmul, args);
    best = Math.max(best, (4 * flopsPerRound) / ((performance.now() - t) / 1000) / 1e9);
  }
  return best;
}

const results: RepeatResult[] = [];
// One untimed step first, so no timed repeat pays for compiling the code it runs.
await oneRepeat(1);


describe(`rl step: arith, tiny, G ${train.groupSize} × ${promptsPerStep} prompts, js backend, ${RL_STEPS} steps from a ${SFT_STEPS}-step SFT warm start`, () => {
  bench(
    'rlStep',
    async () => {
      results.push(await oneRepeat());
      if (results.length === REPEATS) await report();
    },
    { iterations: REPEATS, warmupIterations: 0, time: 0, warmupTime: 0, throws: true },
  );
});

// Printed after the last repeat (vitest bench runs no afterAll hooks).
async function report(): Promise<void> {
  const peak = await matmulGflops(backend, warm.config, Math.max(...results.map((r) => r.rows)));
  const f = (x: number, p = 0) => x.toFixed(p);
  const pct = (x: number, total: number) => `${f((100 * x) / total)} %`;
  const lines = [`warm start sha256 ${paramsHash(warm.params)}; js matmul on the forward's shapes: ${f(peak, 1)} GFLOP/s`];
  lines.push('| repeat | tokens/s | tokens/CPU-s | step s | rollout: sampling | tools | forward (policy + ref) | backward | AdamW | other | model GFLOP/s | MFU |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  results.forEach((r, i) => {
    const s = r.split;
    const other = s.total - s.rollout - s.forward - s.backward - s.optimizer;
    const gf = r.flops / s.total / 1e9;
    lines.push(
      `| ${i + 1} | ${f(r.tokens / s.total)} | ${f(r.tokens / s.cpu)} | ${f(s.total / RL_STEPS, 3)} | ${pct(s.rollout - s.tools, s.total)} | ${pct(s.tools, s.total)} | ${pct(s.forward, s.total)} | ${pct(s.backward, s.total)} | ${pct(s.optimizer, s.total)} | ${pct(other, s.total)} | ${f(gf, 2)} | ${f((100 * gf) / peak, 1)} % |`,
    );
  });
  const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
  const tps = sorted(results.map((r) => r.tokens / r.split.total));
  const tpc = sorted(results.map((r) => r.tokens / r.split.cpu));
  const mid = Math.floor(tps.length / 2);
  lines.push(
    `tokens/s min ${f(tps[0])}, median ${f(tps[mid])}, max ${f(tps[tps.length - 1])}; tokens/CPU-s median ${f(tpc[mid])} ` +
      `(${results[0].tokens} batch tokens over ${RL_STEPS} steps; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`,
  );
  const hashes = new Set(results.map((r) => `${r.hash} ${r.metrics}`));
  lines.push(`final weights sha256 ${results[0].hash}${hashes.size === 1 ? ' (every repeat identical)' : ' — REPEATS DIFFER'}`);
  console.log(lines.join('\n'));
  if (hashes.size !== 1) throw new Error('rl-step bench: repeats from the same warm start computed different results');
}
