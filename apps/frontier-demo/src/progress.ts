/**
 * A one-line progress bar with an ETA, redrawn in place on a terminal and printed every ~10% when
 * stdout is not a TTY (CI logs stay readable).
 */
export class Progress {
  private readonly start = performance.now();
  private lastPrinted = -1;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Reports that `done` of `total` units are finished, with a short status text. */
  update(done: number, status = ''): void {
    const frac = this.total === 0 ? 1 : done / this.total;
    const elapsed = (performance.now() - this.start) / 1000;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Infinity;
    const width = 24;
    const filled = Math.round(frac * width);
    const line = `${this.label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${this.total} ${formatSeconds(elapsed)} elapsed, ETA ${formatSeconds(eta)} ${status}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
      if (done >= this.total) this.stream.write('\n');
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== this.lastPrinted || done >= this.total) {
        this.lastPrinted = decile;
        this.stream.write(`${line}\n`);
      }
    }
  }
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}
