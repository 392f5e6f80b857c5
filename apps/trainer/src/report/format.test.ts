import { describe, expect, it } from 'vitest';
import { describeTest, digitsOf, formatMeanStd, formatP, tableCells, TABLE_COLUMNS } from './format';
import { aggregateResults, type MetricTest } from './results';
import { syntheticCompare } from './test-fixtures';

const test = (over: Partial<MetricTest>): MetricTest => ({ metric: 'accuracy', methodMean: 0.78, baselineMean: 0.66, t: 4.2, df: 3.96, p: 0.0139, significant: true, ...over });

describe('format helpers', () => {
  it.each<[number, string]>([
    [0.021378, '0.0214'],
    [0.0004, '< 0.001'],
    [0.001, '0.00100'],
    [0.149, '0.15'],
    [1, '1.00'],
  ])('formatP(%d) = %s', (p, want) => {
    expect(formatP(p)).toBe(want);
  });

  it('formats mean ± std with the column decimals', () => {
    expect(formatMeanStd({ mean: 0.78, std: 0.0141 }, 3)).toBe('0.780 ± 0.014');
    expect(digitsOf('meanCalls')).toBe(2);
    expect(digitsOf('toolEfficiency')).toBe(3);
  });

  it('table cells: one per column, mean ± std, a star only on paretopo\'s significant metrics', () => {
    const results = aggregateResults(syntheticCompare(['grpo-ws', 'paretopo'], 3));
    for (const row of results.methods) {
      const cells = tableCells(row, results);
      expect(cells).toHaveLength(TABLE_COLUMNS.length);
      TABLE_COLUMNS.forEach(({ metric, digits }, i) => {
        const sig = row.method === 'paretopo' && results.comparison!.tests.some((t) => t.metric === metric && t.significant);
        expect(cells[i]).toBe(formatMeanStd(row[metric], digits) + (sig ? ' *' : ''));
      });
    }
    expect(results.comparison!.tests.some((t) => t.significant)).toBe(true);
    expect(tableCells(results.methods.find((m) => m.method === 'paretopo')!, results).some((c) => c.endsWith(' *'))).toBe(true);
  });

  it('describes a t-test, an infinite t and an untested pair', () => {
    expect(describeTest(test({}), 'paretopo', 'grpo-ws')).toBe('accuracy: paretopo 0.780 vs grpo-ws 0.660, t = 4.20, df = 4.0, p = 0.0139 *');
    expect(describeTest(test({ metric: 'meanCalls', methodMean: 0.9, baselineMean: 1.5, t: -Infinity, p: 0 }), 'paretopo', 'grpo-ws')).toBe(
      '#tool calls: paretopo 0.90 vs grpo-ws 1.50, t = −∞, df = 4.0, p < 0.001 *',
    );
    expect(describeTest(test({ t: null, df: null, p: null, significant: false }), 'paretopo', 'x')).toBe(
      'accuracy: paretopo 0.780 vs x 0.660, not tested (a method has fewer than 2 finished seeds)',
    );
    expect(describeTest(test({ p: 0.2, significant: false }), 'paretopo', 'x')).toMatch(/p = 0\.20$/);
  });
});
