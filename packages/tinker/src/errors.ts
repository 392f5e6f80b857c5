/** Stable failure kinds of {@link TinkerError}. */
export type TinkerErrorCode =
  /** The server answered a non-2xx status (other than a future still pending). */
  | 'http-status'
  /** One attempt ran past its timeout. */
  | 'timeout'
  /** The connection failed (refused, reset, DNS): a stopped server shows up here. */
  | 'network'
  /** The body was not what the API defines (invalid JSON, a missing field, a wrong type). */
  | 'bad-response'
  /** The body was larger than the client's cap. */
  | 'too-large'
  /** A future finished with an error: the server's message is in the text. */
  | 'future-failed'
  /** A future did not finish within the client's wait limit. */
  | 'future-timeout'
  /** The caller's AbortSignal fired. */
  | 'aborted';

/**
 * Thrown for every failure of a Tinker call that is not a bad argument: HTTP errors, timeouts,
 * unreachable servers, malformed bodies, failed futures. `code` is stable across versions;
 * `status` is the HTTP status where one arrived.
 *
 * @example
 * new TinkerError('future-failed', 'TinkerClient.optimStep: the server failed the request: Model not loaded', { status: 400 }).code; // 'future-failed'
 */
export class TinkerError extends Error {
  readonly code: TinkerErrorCode;
  readonly status: number | undefined;
  constructor(code: TinkerErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TinkerError';
    this.code = code;
    this.status = options?.status;
  }
}
