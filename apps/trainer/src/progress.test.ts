import { describe, expect, it } from 'vitest';
import { Progress, formatDuration } from './progress';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [42.4, '42s'],
    [185, '3m05s'],
    [3725, '1h02m'],
    [Number.NaN, '?'],
    [-1, '?'],
  ])('%s s → %s', (s, text) => expect(formatDuration(s)).toBe(text));
});

describe('Progress', () => {
  const clock = (times: number[]) => {
    let i = 0;
    return () => times[Math.min(i++, times.length - 1)];
  };

  it('shows done/total, percent, elapsed, ETA from the mean rate, and the live figures', () => {
    const p = new Progress('train x', 100, { stream: { write: () => true }, now: clock([0, 25_000]) });
    expect(p.line(25, { stage: 1, acc: 0.61234, calls: null })).toBe('train x [#####...............] 25/100 25% 25s ETA 1m15s | stage 1 acc 0.612');
  });

  it('logs a line at most every logEverySeconds when the stream is not a terminal, and always the last one', () => {
    const lines: string[] = [];
    const p = new Progress('x', 3, { stream: { write: (t: string) => lines.push(t) }, logEverySeconds: 10, now: clock([0, 1000, 2000, 3000, 4000, 5000, 6000]) });
    p.update(1);
    p.update(2);
    p.update(3);
    expect(lines.length).toBe(2);
    expect(lines[1]).toMatch(/^x \[#+\] 3\/3 100% .* ETA 0s\n$/);
  });

  it('redraws one line on a terminal and ends it with a newline', () => {
    const out: string[] = [];
    const p = new Progress('x', 2, { stream: { write: (t: string) => out.push(t), isTTY: true, columns: 60 }, now: clock([0, 1000, 2000, 3000]) });
    p.update(1);
    p.update(2);
    p.finish();
    expect(out.slice(0, 2).every((t) => t.startsWith('\r') && t.length === 60)).toBe(true);
    expect(out[2]).toBe('\n');
  });
});
