/**
 * Renders a value for an error message without dumping huge arrays.
 *
 * @example
 * describeValue(Number.NaN);            // 'NaN'
 * describeValue(new Float64Array(1e6)); // 'Float64Array(1000000)'
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * Thrown for inputs that are well-typed but outside a function's domain, e.g. a reference point
 * that no point dominates when the caller asked for strictness. `code` is stable across versions.
 *
 * @example
 * try {
 *   hypervolume(fromRows([[5, 5]]), [1, 1], { strict: true });
 * } catch (err) {
 *   if (err instanceof FrontierError) err.code; // 'REF_NOT_DOMINATED'
 * }
 */
export class FrontierError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FrontierError';
    this.code = code;
  }
}
