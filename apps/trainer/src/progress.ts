/** Where {@link Progress} writes: a terminal gets one redrawn line, anything else a line now and then. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Default `process.stderr`. */
  stream?: ProgressStream;
  /** Minimum seconds between lines when the stream is not a terminal. Default 10. */
  logEverySeconds?: number;
  /** Clock in ms (tests). Default `performance.now`. */
  now?: () => number;
}

/**
 * Formats seconds as `1h02m`, `3m05s` or `42s`.
 *
 * @param seconds - a duration
 * @returns the short form (`?` when not finite)
 * @example
 * formatDuration(185); // '3m05s'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * A progress bar with an ETA and live figures for long commands (sft, train, compare).
 *
 * @example
 * const p = new Progress('train paretopo', 150);
 * p.update(40, { stage: 1, acc: 0.62, calls: 1.0 });
 * // train paretopo [#######.............] 40/150 27% 0m31s ETA 1m25s | stage 1 acc 0.62 calls 1
 * p.finish();
 */
export class Progress {
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly logEvery: number;
  private readonly start: number;
  private lastLog = Number.NEGATIVE_INFINITY;
  private lastLine = '';

  /**
   * @param label - what is running
   * @param total - units of work (steps, runs)
   * @param options - {@link ProgressOptions}
   */
  constructor(
    private readonly label: string,
    private readonly total: number,
    options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.logEvery = (options.logEverySeconds ?? 10) * 1000;
    this.start = this.now();
  }

  /**
   * The line for `done` units with the given figures (numbers rounded to 3 significant digits).
   *
   * @param done - units finished
   * @param fields - live figures
   * @returns the text
   */
  line(done: number, fields: Record<string, string | number | null> = {}): string {
    const elapsed = (this.now() - this.start) / 1000;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : Number.NaN;
    const width = 20;
    const filled = Math.round(frac * width);
    const figs = Object.entries(fields)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(3)) : v}`)
      .join(' ');
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${Math.round(frac * 100)}% ${formatDuration(elapsed)} ETA ${done >= this.total ? '0s' : formatDuration(eta)}${figs ? ` | ${figs}` : ''}`;
  }

  /**
   * Shows progress: redraws the terminal line, or logs a line at most every `logEverySeconds`.
   *
   * @param done - units finished
   * @param fields - live figures
   */
  update(done: number, fields: Record<string, string | number | null> = {}): void {
    const text = this.line(done, fields);
    this.lastLine = text;
    if (this.stream.isTTY) {
      const cols = this.stream.columns ?? 120;
      this.stream.write(`\r${text.length >= cols ? text.slice(0, cols - 1) : text.padEnd(cols - 1)}`);
      return;
    }
    const t = this.now();
    if (t - this.lastLog >= this.logEvery || done >= this.total) {
      this.lastLog = t;
      this.stream.write(`${text}\n`);
    }
  }

  /** Ends the bar (a newline on a terminal). */
  finish(): void {
    if (this.stream.isTTY && this.lastLine !== '') this.stream.write('\n');
  }
}
