import { describe, expect, it } from 'vitest';
import { arithFacts } from './environment';

describe('arithFacts', () => {
  it('holds the one-digit table: 81 sums, 45 non-negative differences, 81 products, no repeats', () => {
    const facts = arithFacts();
    expect(facts).toHaveLength(207);
    expect(new Set(facts).size).toBe(207);
    expect(['1+1=2', '9-9=0', '7*8=56', '9*9=81'].every((f) => facts.includes(f))).toBe(true);
    expect(facts.includes('3-5=-2')).toBe(false);
  });
});
