/**
 * How request and response bodies are written and read. The Tinker API is JSON at SkyRL 0.3;
 * newer servers (SkyRL 0.4, hosted Tinker) take protobuf for `forward_backward` and answer some
 * futures in protobuf, so the wire format sits behind this one interface and a protobuf codec can
 * be added without touching the client.
 */
export interface BodyCodec {
  /** `content-type` of the bodies this codec writes. */
  readonly contentType: string;
  /** Encodes a request body. */
  encode(value: unknown): Uint8Array;
  /**
   * Decodes a response body; `contentType` is the response's header (so a codec can refuse a
   * format it does not read with a clear message).
   */
  decode(bytes: Uint8Array, contentType: string): unknown;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON codec (the default). Refuses protobuf answers with a message that names the cause,
 * since that is what a newer server sends for sample and forward results.
 *
 * @example
 * new TextDecoder().decode(jsonCodec.encode({ session_id: 's' })); // '{"session_id":"s"}'
 */
export const jsonCodec: BodyCodec = {
  contentType: 'application/json',
  encode(value: unknown): Uint8Array {
    return utf8.encode(JSON.stringify(value));
  },
  decode(bytes: Uint8Array, contentType: string): unknown {
    if (/protobuf/i.test(contentType)) {
      throw new SyntaxError(`jsonCodec: the server answered ${contentType}, a protobuf body; this server needs a protobuf codec (SkyRL >= 0.4 / hosted Tinker)`);
    }
    return JSON.parse(utf8Decoder.decode(bytes));
  },
};
