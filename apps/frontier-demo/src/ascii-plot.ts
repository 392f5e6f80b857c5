/** One series of an ASCII scatter plot. */
export interface Series {
  readonly label: string;
  readonly marker: string;
  /** Row-major (x, y) pairs. */
  readonly xy: Float64Array;
}

/**
 * Renders series as a character-cell scatter plot with axes, for terminals (a front is easier to
 * judge by eye than as a table). Later series draw over earlier ones.
 */
export function asciiScatter(
  series: readonly Series[],
  opts: { width?: number; height?: number; xLabel?: string; yLabel?: string; bounds?: [number, number, number, number] } = {},
): string {
  const width = opts.width ?? 60;
  const height = opts.height ?? 18;
  let [x0, x1, y0, y1] = opts.bounds ?? [Infinity, -Infinity, Infinity, -Infinity];
  if (!opts.bounds) {
    for (const s of series)
      for (let i = 0; i < s.xy.length; i += 2) {
        x0 = Math.min(x0, s.xy[i]);
        x1 = Math.max(x1, s.xy[i]);
        y0 = Math.min(y0, s.xy[i + 1]);
        y1 = Math.max(y1, s.xy[i + 1]);
      }
  }
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > y0)) y1 = y0 + 1;
  const grid: string[][] = Array.from({ length: height }, () => new Array<string>(width).fill(' '));
  for (const s of series)
    for (let i = 0; i < s.xy.length; i += 2) {
      const cx = Math.round(((s.xy[i] - x0) / (x1 - x0)) * (width - 1));
      const cy = Math.round(((s.xy[i + 1] - y0) / (y1 - y0)) * (height - 1));
      if (cx >= 0 && cx < width && cy >= 0 && cy < height) grid[height - 1 - cy][cx] = s.marker;
    }
  const fmt = (v: number) => v.toFixed(2).padStart(6);
  const lines = grid.map((row, r) => {
    const label = r === 0 ? fmt(y1) : r === height - 1 ? fmt(y0) : '      ';
    return `${label} │${row.join('')}`;
  });
  lines.push(`       └${'─'.repeat(width)}`);
  lines.push(`        ${fmt(x0).trim()}${' '.repeat(Math.max(1, width - 12))}${fmt(x1).trim()}`);
  if (opts.xLabel || opts.yLabel) lines.push(`        x: ${opts.xLabel ?? ''}   y: ${opts.yLabel ?? ''}`);
  lines.push(`        ${series.map((s) => `${s.marker} ${s.label}`).join('   ')}`);
  return lines.join('\n');
}
