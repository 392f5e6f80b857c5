import { describe, expect, it } from 'vitest';
import { asciiScatter } from './ascii-plot';

describe('asciiScatter', () => {
  it('puts the corners of the bounds in the corners of the grid', () => {
    const out = asciiScatter([{ label: 'p', marker: '*', xy: Float64Array.of(0, 0, 1, 1) }], { width: 10, height: 4, bounds: [0, 1, 0, 1] });
    const rows = out.split('\n');
    expect(rows[0].endsWith('│         *')).toBe(true);
    expect(rows[3].endsWith('│*         ')).toBe(true);
    expect(out).toContain('* p');
  });
});
