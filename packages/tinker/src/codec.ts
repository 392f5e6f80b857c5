import { PROTOBUF_CONTENT_TYPE, decodeForwardBackwardOutput, decodeSampleResponse, encodeForwardBackwardRequest } from './protobuf';

/**
 * How request and response bodies are written and read. The Tinker API is JSON at SkyRL 0.3;
 * newer servers (SkyRL 0.4, hosted Tinker) take protobuf for `forward_backward` and answer some
 * futures in protobuf, so the wire format sits behind this one interface and a protobuf codec can
 * be added without touching the client.
 */
export interface BodyCodec {
  /** `content-type` of the bodies this codec writes (and `accept` of its requests) by default. */
  readonly contentType: string;
  /** Encodes a request body; `path` is the route (`/api/v1/forward_backward`). */
  encode(value: unknown, path?: string): Uint8Array;
  /**
   * Decodes a response body; `contentType` is the response's header (so a codec can refuse a
   * format it does not read with a clear message), `result` what the answer holds when the
   * caller knows it (a future's result: a forward/forward_backward output or a sample).
   */
  decode(bytes: Uint8Array, contentType: string, result?: ResultKind): unknown;
  /** `content-type` of a request to `path` [{@link BodyCodec.contentType}]. */
  requestContentType?(path: string): string;
  /** `accept` of a request whose answer holds `result` [{@link BodyCodec.contentType}]. */
  accept?(result: ResultKind | undefined): string;
  /**
   * Whether `forward` is sent as `forward_backward` with `forward_only: true` (hosted Tinker has no
   * `/forward` route) [false: `/forward`, as SkyRL serves it].
   */
  readonly forwardViaForwardBackward?: boolean;
}

/** What a future's result holds, for codecs whose answer format depends on it. */
export type ResultKind = 'forward' | 'sample';

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
      throw new SyntaxError(`jsonCodec: the server answered ${contentType}, a protobuf body; this server needs a protobuf codec (hosted Tinker: pass codec: protobufCodec)`);
    }
    return JSON.parse(utf8Decoder.decode(bytes));
  },
};

/** Whether a request to `path` goes out as protobuf: hosted Tinker's `forward_backward` (which also carries `forward`). */
function protobufRequest(path: string | undefined): boolean {
  return path?.endsWith('/forward_backward') === true;
}

/**
 * The protobuf codec of hosted Tinker, as the `tinker` Python SDK 0.38.0 speaks it:
 * `forward_backward` (and `forward`, sent as `forward_backward` with `forward_only`) goes out as
 * `application/x-protobuf`; a future's result of a forward or a sample is asked for with
 * `Accept: application/x-protobuf` and read from protobuf when the server answers so (JSON
 * answers, e.g. `try_again` or errors, stay JSON). Every other route is JSON.
 *
 * @example
 * await TinkerClient.connect({ baseUrl: 'https://…', codec: protobufCodec });
 */
export const protobufCodec: BodyCodec = {
  contentType: 'application/json',
  forwardViaForwardBackward: true,
  requestContentType(path: string): string {
    return protobufRequest(path) ? PROTOBUF_CONTENT_TYPE : 'application/json';
  },
  accept(result: ResultKind | undefined): string {
    return result === undefined ? 'application/json' : PROTOBUF_CONTENT_TYPE;
  },
  encode(value: unknown, path?: string): Uint8Array {
    return protobufRequest(path) ? encodeForwardBackwardRequest(value) : jsonCodec.encode(value);
  },
  decode(bytes: Uint8Array, contentType: string, result?: ResultKind): unknown {
    if (!/protobuf/i.test(contentType)) return jsonCodec.decode(bytes, contentType);
    if (result === 'forward') return decodeForwardBackwardOutput(bytes);
    if (result === 'sample') return decodeSampleResponse(bytes);
    throw new SyntaxError(`protobufCodec: the server answered ${contentType} where no protobuf message was asked for`);
  },
};
