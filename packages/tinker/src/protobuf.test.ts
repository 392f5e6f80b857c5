import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import fixtures from '../test/protobuf-fixtures.json';
import { protobufCodec } from './codec';
import {
  decodeForwardBackwardOutput,
  decodeForwardBackwardRequest,
  decodeSampleResponse,
  encodeForwardBackwardOutput,
  encodeForwardBackwardRequest,
  encodeSampleResponse,
} from './protobuf';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Top-level fields of a message as [field number, raw bytes of the whole field]; a test-side reader. */
function fields(b: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  let p = 0;
  const varint = (): number => {
    let v = 0;
    for (let s = 0; ; s += 7) {
      const x = b[p++];
      v += (x & 0x7f) * 2 ** s;
      if (x < 0x80) return v;
    }
  };
  while (p < b.length) {
    const start = p;
    const tag = varint();
    const wt = tag % 8;
    if (wt === 0) varint();
    else if (wt === 1) p += 8;
    else if (wt === 5) p += 4;
    else {
      const n = varint();
      p += n;
    }
    out.push([Math.floor(tag / 8), b.subarray(start, p)]);
  }
  return out;
}

const cmp = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * A ForwardBackwardRequest with its map entries sorted (top-level maps 5 and 7, each datum's
 * loss_fn_inputs map 2): the bytes modulo map order, which protobuf leaves to the writer (the
 * SDK's upb runtime writes maps in hash-table order, which differs from one Python process to the next).
 */
function canonicalRequest(b: Uint8Array): string {
  const sortMaps = (fs: [number, Uint8Array][], maps: number[]): Uint8Array[] => {
    const order = fs.map((f, i) => [f, i] as const);
    order.sort(([a, i], [b, j]) => (a[0] !== b[0] ? a[0] - b[0] : maps.includes(a[0]) ? cmp(a[1], b[1]) : i - j));
    return order.map(([f]) => f[1]);
  };
  const top = fields(b).map(([num, raw]): [number, Uint8Array] => {
    if (num !== 3) return [num, raw];
    // Datum: re-emit its body with its loss_fn_inputs entries sorted; the length prefix is unchanged.
    let p = 1;
    while (raw[p] & 0x80) p++;
    p++;
    const inner = sortMaps(fields(raw.subarray(p)), [2]);
    return [num, new Uint8Array([...raw.subarray(0, p), ...inner.flatMap((x) => [...x])])];
  });
  return sortMaps(top, [5, 7]).map(hex).join('');
}
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

/** Typed arrays as plain lists, so decoded values compare with the SDK's JSON. */
function plain(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe(`protobuf wire format against the Python SDK (${fixtures.sdk}, ${fixtures.protobuf})`, () => {
  it.each(fixtures.requests.map((r) => [r.name, r] as const))('forward_backward request %s: the SDK encoder\'s bytes, up to the order of map entries', (_, r) => {
    const ours = encodeForwardBackwardRequest(r.body);
    expect(ours.length).toBe(r.hex.length / 2);
    expect(canonicalRequest(ours)).toBe(canonicalRequest(bytes(r.hex)));
    // The comparison sees a one-bit change anywhere in a value.
    const changed = ours.slice();
    changed[changed.length - 1] ^= 1;
    expect(canonicalRequest(changed)).not.toBe(canonicalRequest(bytes(r.hex)));
    expect(hex(protobufCodec.encode(r.body, '/api/v1/forward_backward'))).toBe(hex(ours));
  });

  it.each(fixtures.requests.map((r) => [r.name, r] as const))('forward_backward request %s: decodes back to the body', (_, r) => {
    const d = decodeForwardBackwardRequest(bytes(r.hex));
    const body = r.body as any;
    expect(d.model_id).toBe(body.model_id);
    expect(d.seq_id).toBe(body.seq_id ?? 0);
    expect(d.forward_only).toBe(body.forward_only ?? false);
    expect(d.forward_backward_input).toEqual(body.forward_backward_input);
  });

  it.each(fixtures.forward_outputs.map((r) => [r.name, r] as const))('ForwardBackwardOutput %s: reads what the SDK decoder reads', (_, r) => {
    const d = decodeForwardBackwardOutput(bytes(r.hex));
    expect(plain(d)).toEqual(r.decoded);
    expect(d.loss_fn_outputs[0].logprobs.data).toBeInstanceOf(Float32Array);
    expect(protobufCodec.decode(bytes(r.hex), 'application/x-protobuf', 'forward')).toEqual(d);
  });

  it.each(fixtures.sample_responses.map((r) => [r.name, r] as const))('SampleResponse %s: reads what the SDK decoder reads', (_, r) => {
    const d = decodeSampleResponse(bytes(r.hex));
    const { prompt_cache_hit_tokens: _hit, ...rest } = d;
    expect(plain(rest)).toEqual(r.decoded);
    expect(d.sequences[0].tokens).toBeInstanceOf(Int32Array);
    // Our server-side encoder writes what the SDK's generated class wrote (no cache-hit count).
    if (d.prompt_cache_hit_tokens === 0) expect(hex(encodeSampleResponse(d.sequences, d.prompt_logprobs))).toBe(r.hex);
  });

  it('two_sequences carries the cache-hit count', () => {
    expect(decodeSampleResponse(bytes(fixtures.sample_responses[0].hex)).prompt_cache_hit_tokens).toBe(12);
  });
});

const f32 = fc.float({ noNaN: true }).map(Math.fround);
const datumArb = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.record({
    tokens: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: n, maxLength: n }),
    targets: fc.array(fc.maxSafeInteger(), { minLength: n, maxLength: n }),
    weights: fc.array(f32, { minLength: n, maxLength: n }),
    logprobs: fc.option(fc.array(f32, { minLength: n, maxLength: n }), { nil: undefined }),
  }),
);

describe('the TSDoc examples', () => {
  it('hold', () => {
    expect(Array.from(encodeForwardBackwardRequest({ model_id: 'm', forward_backward_input: { data: [], loss_fn: 'cross_entropy' } }).subarray(0, 5))).toEqual([10, 1, 109, 34, 13]);
    expect(decodeForwardBackwardOutput(new Uint8Array([10, 11, 65, 114, 114, 97, 121, 82, 101, 99, 111, 114, 100]))).toEqual({ loss_fn_output_type: 'ArrayRecord', loss_fn_outputs: [], metrics: {} });
    expect(decodeSampleResponse(new Uint8Array([10, 8, 8, 1, 18, 4, 7, 0, 0, 0])).sequences[0]).toEqual({ tokens: Int32Array.of(7), logprobs: null, stop_reason: 'length' });
    expect(decodeForwardBackwardRequest(new Uint8Array([10, 1, 109])).model_id).toBe('m');
    expect(decodeForwardBackwardOutput(encodeForwardBackwardOutput([{ logprobs: [-1] }], {})).loss_fn_outputs[0].logprobs.data).toEqual(Float32Array.of(-1));
    expect(decodeSampleResponse(encodeSampleResponse([{ tokens: [7], logprobs: [-1], stop_reason: 'length' }], null)).sequences[0].tokens).toEqual(Int32Array.of(7));
  });
});

describe('protobuf laws', () => {
  it('decode(encode(request)) is the request, float32 values exactly', () => {
    fc.assert(
      fc.property(fc.array(datumArb, { minLength: 0, maxLength: 4 }), fc.string(), fc.nat({ max: 2 ** 31 - 1 }), fc.boolean(), (ds, model, seq, fwd) => {
        const data = ds.map((d) => {
          const inputs: Record<string, unknown> = { target_tokens: { data: d.targets, dtype: 'int64' }, weights: { data: d.weights, dtype: 'float32' } };
          if (d.logprobs) inputs.logprobs = { data: d.logprobs, dtype: 'float32', shape: [d.logprobs.length] };
          return { model_input: { chunks: [{ type: 'encoded_text' as const, tokens: d.tokens }] }, loss_fn_inputs: inputs };
        });
        const body = { model_id: model, seq_id: seq, forward_only: fwd, forward_backward_input: { data, loss_fn: 'importance_sampling' } };
        const back = decodeForwardBackwardRequest(encodeForwardBackwardRequest(body));
        expect(back).toEqual(body);
      }),
      { numRuns: 200 },
    );
  });

  it('decode(encode(output)) is the output; decode(encode(sample)) is the sample', () => {
    fc.assert(
      fc.property(fc.array(fc.array(f32, { maxLength: 10 }), { maxLength: 5 }), fc.dictionary(fc.string(), fc.double({ noNaN: true })), (lps, metrics) => {
        const outs = lps.map((lp) => ({ logprobs: lp, elementwise_loss: lp.map((x) => -x) }));
        const d = decodeForwardBackwardOutput(encodeForwardBackwardOutput(outs, metrics));
        expect(plain(d.loss_fn_outputs.map((o) => ({ logprobs: o.logprobs.data, elementwise_loss: o.elementwise_loss.data })))).toEqual(outs);
        expect(d.metrics).toEqual(metrics);
        const seqs = lps.map((lp, i) => ({ tokens: lp.map((_, k) => k - 3), logprobs: lp.length > 0 ? lp : null, stop_reason: i % 2 ? ('stop' as const) : ('length' as const) }));
        expect(plain(decodeSampleResponse(encodeSampleResponse(seqs, null)).sequences)).toEqual(seqs);
      }),
      { numRuns: 200 },
    );
  });
});

describe('malformed protobuf: a clear error, never a hang or a wrong number', () => {
  const good = bytes(fixtures.forward_outputs[0].hex);
  const sample = bytes(fixtures.sample_responses[0].hex);

  it('every truncation of a valid body is an error naming the decoder, or a cut between top-level fields', () => {
    let errors = 0;
    for (let n = 0; n < good.length; n++) {
      try {
        decodeForwardBackwardOutput(good.subarray(0, n));
      } catch (err) {
        expect(err).toBeInstanceOf(SyntaxError);
        expect((err as Error).message).toMatch(/^decodeForwardBackwardOutput: /);
        errors++;
      }
    }
    // Only the few prefixes that end exactly on a top-level field boundary decode.
    expect(errors).toBeGreaterThan(good.length - 8);
  });

  it.each([
    ['truncated varint', [0x0a, 0x80], /truncated varint/],
    ['length past the end', [0x0a, 0x05, 0x41], /field loss_fn_output_type: declares 5 bytes but only 1 remain/],
    ['huge length', [0x12, 0xff, 0xff, 0xff, 0xff, 0x0f], /field loss_fn_outputs: declares 4294967295 bytes but only 0 remain/],
    ['wrong wire type', [0x08, 0x01], /field loss_fn_output_type: wire type 0 where 2 belongs/],
    ['group wire type', [0x4b], /unsupported wire type 3/],
    ['field number 0', [0x02, 0x00], /field number 0/],
    ['overlong varint', [0x48, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], /longer than 10 bytes/],
    ['metric double cut', [0x1a, 0x05, 0x11, 0, 0, 0, 0], /truncated double/],
  ] as const)('ForwardBackwardOutput: %s', (_, b, message) => {
    expect(() => decodeForwardBackwardOutput(new Uint8Array(b))).toThrow(message);
  });

  it('offsets outside the data and odd byte counts are errors', () => {
    // An ArrayRecord whose field's offsets point past its 4 data bytes.
    const bt = [0x0a, 4, 0, 0, 0x80, 0x3f, 0x12, 16, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0x18, 1];
    const entry = [0x0a, 1, 0x78, 0x12, bt.length, ...bt];
    const rec = [0x12, entry.length, ...entry];
    expect(() => decodeForwardBackwardOutput(new Uint8Array([0x12, rec.length, ...rec]))).toThrow(/offsets 0\.\.8 outside its 4 data bytes/);
    expect(() => decodeSampleResponse(new Uint8Array([0x0a, 4, 0x12, 2, 1, 2]))).toThrow(/sequences\[0\]\.tokens has 2 bytes, not a multiple of 4/);
    expect(() => decodeSampleResponse(new Uint8Array([0x0a, 2, 0x08, 7]))).toThrow(/stop_reason: unknown value 7/);
  });

  it('random bytes never hang and fail only with SyntaxError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: sample.length }), (noise, at) => {
        for (const b of [noise, new Uint8Array([...sample.subarray(0, at), ...noise])]) {
          for (const decode of [decodeForwardBackwardOutput, decodeSampleResponse, decodeForwardBackwardRequest]) {
            try {
              decode(b);
            } catch (err) {
              expect(err).toBeInstanceOf(SyntaxError);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the encoder refuses what it cannot write', () => {
    const body = (inputs: unknown, tokens: unknown = [1]) => ({ model_id: 'm', forward_backward_input: { loss_fn: 'cross_entropy', data: [{ model_input: { chunks: [{ type: 'encoded_text', tokens }] }, loss_fn_inputs: inputs }] } });
    expect(() => encodeForwardBackwardRequest(body({ target_tokens: { data: [1.5], dtype: 'int64' } }))).toThrow('encodeForwardBackwardRequest: data[0].loss_fn_inputs.target_tokens.data[0] must be a safe integer (got 1.5)');
    expect(() => encodeForwardBackwardRequest(body({ weights: { data: [NaN], dtype: 'float32' } }))).toThrow(/weights.data\[0\] must be a number \(got NaN\)/);
    expect(() => encodeForwardBackwardRequest(body({}, [2 ** 31]))).toThrow(/tokens\[0\] must be an int32/);
    expect(() => encodeForwardBackwardRequest({ model_id: 1 })).toThrow(TypeError);
  });
});
