/** Machine-readable reasons of a {@link CheckpointError}. */
export type CheckpointErrorCode =
  | 'io'
  | 'truncated'
  | 'header'
  | 'json'
  | 'mismatch'
  /** A file's bytes differ from its SHA-256 in `checksums.json`, or the manifest itself is bad. */
  | 'checksum'
  /** A tensor holds NaN or ±Infinity (or a negative second moment). */
  | 'nonfinite';

/**
 * A checkpoint that cannot be read or does not match what it claims (or what the caller expects).
 * The message names the file and the problem.
 *
 * @example
 * new CheckpointError('header', 'model.safetensors: header length 9 exceeds the file').code; // 'header'
 */
export class CheckpointError extends Error {
  /** Why it failed. */
  readonly code: CheckpointErrorCode;

  /**
   * @param code - why it failed
   * @param message - the full message (file first)
   * @param options - `cause` of the failure
   */
  constructor(code: CheckpointErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckpointError';
    this.code = code;
  }
}
