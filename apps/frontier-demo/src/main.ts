import { parseArgs } from 'node:util';
import { hypervolume, igd } from '@paretopo/hypervolume';
import { asciiScatter } from './ascii-plot';
import { BANDIT_METHODS, trainBandit, type BanditPoint } from './bandit';
import { runNsga2 } from './nsga2';
import { Progress } from '@paretopo/trainer/progress';
import { ZDT1_HV_REF11, evaluateZdt1, zdt1Front } from './zdt1';

const USAGE = `paretopo-frontier [--population N] [--generations G] [--seeds S] [--steps T] [--seed K]

Part 1 runs NSGA-II on ZDT1 (30 variables) built from @paretopo/pareto and @paretopo/hypervolume and
compares its front with the known optimum (HV 2/3 against (1, 1)).
Part 2 trains a tool-use bandit with every method of METHOD.md §6 (advantages from
@paretopo/advantage, the stage-1 meta reward from @paretopo/scalarization) and prints accuracy and
tool calls per method.`;

function main(): void {
  const { values } = parseArgs({
    options: {
      population: { type: 'string', default: '100' },
      generations: { type: 'string', default: '250' },
      seeds: { type: 'string', default: '5' },
      steps: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const int = (name: string, v: string, min: number) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < min) throw new RangeError(`paretopo-frontier: --${name} must be an integer >= ${min} (got ${v})`);
    return x;
  };
  const population = int('population', values.population, 4);
  const generations = int('generations', values.generations, 1);
  const seeds = int('seeds', values.seeds, 1);
  const steps = int('steps', values.steps, 1);
  const seed = int('seed', values.seed, 0);

  console.log('\n== Part 1: NSGA-II on ZDT1, from @paretopo/pareto + @paretopo/hypervolume ==\n');
  const m = 30;
  const progress = new Progress('nsga-ii', generations);
  const t0 = performance.now();
  const run = runNsga2(
    { m, evaluate: (x, n, out) => evaluateZdt1(x, n, m, out) },
    { population, generations, seed, onGeneration: (g, hv, size) => progress.update(g, { HV: hv.toFixed(4), archive: size }) },
  );
  progress.finish();
  const seconds = (performance.now() - t0) / 1000;
  const archive = run.archive.points();
  const hvArchive = hypervolume(archive, [1, 1]);
  const truth = { data: zdt1Front(500), n: 500, d: 2 };
  const rows = [
    ['hypervolume of the final population (ref 1,1)', run.hvTrace[generations - 1].toFixed(5)],
    ['hypervolume of the archive of all non-dominated points', hvArchive.toFixed(5)],
    ['hypervolume of the true front', ZDT1_HV_REF11.toFixed(5)],
    ['archive HV / true HV', (hvArchive / ZDT1_HV_REF11).toFixed(4)],
    ['IGD of the archive to 500 true-front points', igd(archive, truth).toExponential(3)],
    ['archive size', String(run.archive.size)],
    ['time', `${seconds.toFixed(2)} s for ${generations} generations × ${population}`],
  ];
  printTable(['figure', 'value'], rows);
  console.log(
    '\n' +
      asciiScatter(
        [
          { label: 'true front f2 = 1 − √f1', marker: '·', xy: zdt1Front(60) },
          { label: 'NSGA-II final population', marker: 'o', xy: run.objectives },
        ],
        { xLabel: 'f1 (min)', yLabel: 'f2 (min)', bounds: [0, 1, 0, 1.2] },
      ),
  );

  console.log('\n== Part 2: tool-use bandit, every method of METHOD.md §6 ==\n');
  console.log('Arms are 0..4 tool calls; easy questions are answerable without a tool (P 0.90, 0.95 with one),');
  console.log('hard ones need one call (P 0.10 without, 0.95 with). Warm start over-uses tools.');
  console.log(`Same learning rate, batch (16 questions × 8 samples) and ${steps} steps for every method; ${seeds} seeds.\n`);
  const bar = new Progress('bandit', BANDIT_METHODS.length * seeds);
  const table: string[][] = [];
  let done = 0;
  let start: BanditPoint | undefined;
  const finals: { method: string; accuracy: number; calls: number }[] = [];
  for (const method of BANDIT_METHODS) {
    const acc: number[] = [];
    const calls: number[] = [];
    for (let s = 0; s < seeds; s++) {
      const { before, after } = trainBandit(method, { steps, seed: seed * 1000 + s });
      start ??= before;
      acc.push(after.accuracy);
      calls.push(after.calls);
      bar.update(++done, { method });
    }
    const [ma, sa] = meanStd(acc);
    const [mc, sc] = meanStd(calls);
    finals.push({ method, accuracy: ma, calls: mc });
    table.push([method, `${(100 * ma).toFixed(1)} ± ${(100 * sa).toFixed(1)}`, `${mc.toFixed(2)} ± ${sc.toFixed(2)}`, (ma / Math.max(mc, 1e-9)).toFixed(2)]);
  }
  bar.finish();
  if (start) table.unshift(['warm start', (100 * start.accuracy).toFixed(1), start.calls.toFixed(2), (start.accuracy / start.calls).toFixed(2)]);
  printTable(['method', 'accuracy % (mean ± std)', 'tool calls', 'accuracy / call'], table);
  // The figure that matters is the joint one: which methods are non-dominated in (accuracy, calls).
  const pts = Float64Array.from(finals.flatMap((f) => [-f.accuracy, f.calls]));
  const hv = finals.map((_, i) => hypervolume({ data: pts.subarray(2 * i, 2 * i + 2), n: 1, d: 2 }, [0, 4]));
  console.log(`\nHypervolume of each method's (accuracy, calls) point against (0 %, 4 calls):`);
  console.log(finals.map((f, i) => `  ${f.method.padEnd(12)} ${hv[i].toFixed(3)}`).join('\n'));
}

function meanStd(xs: number[]): [number, number] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0;
  return [mean, Math.sqrt(variance)];
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) => `| ${cells.map((c, j) => c.padEnd(widths[j])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
