/**
 * Thrown for failures outside a bad argument: a policy that returns malformed output, an HTTP
 * error from a chat server, a timeout. `code` is stable across versions; `status` is set for
 * HTTP status errors.
 *
 * @example
 * new RolloutError('http-status', 'OpenAIChatPolicy: 400 Bad Request: bad model', { status: 400 }).status; // 400
 */
export class RolloutError extends Error {
  readonly code: 'policy-output' | 'http-status' | 'timeout' | 'network' | 'bad-response' | 'aborted';
  readonly status: number | undefined;
  constructor(
    code: RolloutError['code'],
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RolloutError';
    this.code = code;
    this.status = options?.status;
  }
}
