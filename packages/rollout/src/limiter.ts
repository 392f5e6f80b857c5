/**
 * Runs async jobs with at most `limit` in flight (a counting semaphore with a FIFO queue).
 *
 * @example
 * const lim = new ConcurrencyLimiter(2);
 * await Promise.all([1, 2, 3].map((x) => lim.run(async () => x * 2))); // [2, 4, 6]
 */
export class ConcurrencyLimiter {
  readonly limit: number;
  private active = 0;
  private readonly queue: (() => void)[] = [];

  /** @param limit - Most jobs in flight, an integer >= 1 (Infinity allowed). */
  constructor(limit: number) {
    if (!(limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit >= 1))) {
      throw new RangeError(`ConcurrencyLimiter: limit must be an integer >= 1 (got ${String(limit)})`);
    }
    this.limit = limit;
  }

  /** Jobs running now. */
  get inFlight(): number {
    return this.active;
  }

  /**
   * Runs `job` when a slot is free.
   *
   * @param job - The async work.
   * @returns The job's result.
   */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await job();
    } finally {
      this.active--;
      const next = this.queue.shift();
      if (next) next();
    }
  }
}
