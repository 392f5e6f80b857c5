/**
 * The protobuf wire format of hosted Tinker (schema `tinker_public`, as in the `tinker` Python SDK
 * 0.38.0): `forward_backward` requests go out as `ForwardBackwardRequest`, and `retrieve_future`
 * answers the results of `forward_backward` and `asample` as `ForwardBackwardOutput` and
 * `SampleResponse` when asked with `Accept: application/x-protobuf`. Hand-written on typed arrays
 * (no protobuf runtime): every length read from the wire is bounds-checked and every loop advances,
 * so a malformed body is an error in linear time, never a hang or a wrong number.
 */

/** `content-type` of a protobuf body. */
export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

const WT_VARINT = 0;
const WT_I64 = 1;
const WT_LEN = 2;
const WT_I32 = 5;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

// ---------------------------------------------------------------------------------------------
// Writer

/** A growable byte buffer with the protobuf primitives (fields written in field-number order, as protoc does). */
class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** An unsigned varint of a non-negative safe integer. */
  uvarint(v: number): void {
    this.reserve(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  /** A signed int32/int64 varint: negative numbers take ten bytes (two's complement of 64 bits). */
  svarint(v: number): void {
    if (v >= 0) {
      this.uvarint(v);
      return;
    }
    let x = BigInt.asUintN(64, BigInt(v));
    this.reserve(10);
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }

  tag(field: number, wireType: number): void {
    this.uvarint(field * 8 + wireType);
  }

  bytes(field: number, b: Uint8Array): void {
    this.tag(field, WT_LEN);
    this.uvarint(b.length);
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, utf8.encode(s));
  }

  double(field: number, v: number): void {
    this.tag(field, WT_I64);
    this.reserve(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 8).setFloat64(0, v, true);
    this.len += 8;
  }

  /** Packed repeated int64. */
  packedInt64(field: number, values: readonly number[]): void {
    const inner = new Writer();
    for (const v of values) inner.svarint(v);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

// ---------------------------------------------------------------------------------------------
// Reader

/** A cursor over a message's bytes; `fn` names the decoder in every error. */
class Reader {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly fn: string,
    readonly message: string,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  fail(detail: string): never {
    throw new SyntaxError(`${this.fn}: ${this.message} ${detail}`);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as [low 32 bits, high 32 bits]; at most ten bytes. */
  private varint64(field: string): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail(`field ${field}: truncated varint at byte ${this.pos}`);
      const b = this.bytes[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    return this.fail(`field ${field}: varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A non-negative integer up to 2^53 - 1 (lengths, tags, int64 sizes). */
  uint(field: string): number {
    const [lo, hi] = this.varint64(field);
    if (hi > 0x1fffff) this.fail(`field ${field}: varint ${hi >= 0x80000000 ? 'is negative' : 'exceeds 2^53'} where a non-negative integer belongs`);
    return hi * 0x100000000 + lo;
  }

  /** An int32 (negative numbers arrive sign-extended to 64 bits). */
  int32(field: string): number {
    return this.varint64(field)[0] | 0;
  }

  /** Reads a tag; returns [field number, wire type]. */
  tag(): [number, number] {
    const t = this.uint('tag');
    const field = Math.floor(t / 8);
    if (field === 0) this.fail(`has field number 0 at byte ${this.pos}`);
    return [field, t % 8];
  }

  /** The span of a length-delimited value, bounds-checked against the enclosing message. */
  span(field: string): [number, number] {
    const n = this.uint(field);
    if (n > this.end - this.pos) this.fail(`field ${field}: declares ${n} bytes but only ${this.end - this.pos} remain`);
    const start = this.pos;
    this.pos += n;
    return [start, this.pos];
  }

  bytesField(field: string): Uint8Array {
    const [s, e] = this.span(field);
    return this.bytes.subarray(s, e);
  }

  string(field: string): string {
    try {
      return utf8Decoder.decode(this.bytesField(field));
    } catch (err) {
      if (err instanceof SyntaxError) throw err;
      return this.fail(`field ${field}: is not valid UTF-8`);
    }
  }

  double(field: string): number {
    if (this.end - this.pos < 8) this.fail(`field ${field}: truncated double at byte ${this.pos}`);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0, true);
    this.pos += 8;
    return v;
  }

  sub(field: string, message: string): Reader {
    const [s, e] = this.span(field);
    return new Reader(this.bytes, this.fn, message, s, e);
  }

  /** Checks that a known field arrived with its declared wire type. */
  expect(field: string, got: number, want: number): void {
    if (got !== want) this.fail(`field ${field}: wire type ${got} where ${want} belongs`);
  }

  /** Skips an unknown field (forward compatibility); groups and reserved wire types are errors. */
  skip(field: number, wireType: number): void {
    const name = `#${field}`;
    if (wireType === WT_VARINT) this.varint64(name);
    else if (wireType === WT_I64) this.advance(8, name);
    else if (wireType === WT_LEN) this.span(name);
    else if (wireType === WT_I32) this.advance(4, name);
    else this.fail(`field ${name}: unsupported wire type ${wireType}`);
  }

  private advance(n: number, field: string): void {
    if (this.end - this.pos < n) this.fail(`field ${field}: truncated (needs ${n} bytes, ${this.end - this.pos} remain)`);
    this.pos += n;
  }

  /** Packed (or, as parsers must accept, unpacked) repeated int64 into `out`. */
  repeatedInt64(field: string, wireType: number, out: number[]): void {
    if (wireType === WT_VARINT) {
      out.push(this.int64(field));
      return;
    }
    this.expect(field, wireType, WT_LEN);
    const sub = this.sub(field, this.message);
    while (!sub.done()) out.push(sub.int64(field));
  }

  /** An int64 that must be a safe integer. */
  int64(field: string): number {
    const [lo, hi] = this.varint64(field);
    const v = hi >= 0x80000000 ? -((~hi >>> 0) * 0x100000000 + (~lo >>> 0) + 1) : hi * 0x100000000 + lo;
    if (!Number.isSafeInteger(v)) this.fail(`field ${field}: int64 ${v} is not a safe integer`);
    return v;
  }
}

// ---------------------------------------------------------------------------------------------
// Little-endian arrays

function littleEndian(fn: string, what: string, bytes: Uint8Array, width: number): ArrayBuffer {
  if (bytes.length % width !== 0) throw new SyntaxError(`${fn}: ${what} has ${bytes.length} bytes, not a multiple of ${width}`);
  // A copy: aligned, and not a view into the response body.
  return bytes.slice().buffer;
}

function float32s(fn: string, what: string, bytes: Uint8Array): Float32Array {
  return new Float32Array(littleEndian(fn, what, bytes, 4));
}

function int32s(fn: string, what: string, bytes: Uint8Array): Int32Array {
  return new Int32Array(littleEndian(fn, what, bytes, 4));
}

function int64s(fn: string, what: string, bytes: Uint8Array): Float64Array {
  const big = new BigInt64Array(littleEndian(fn, what, bytes, 8));
  const out = new Float64Array(big.length);
  for (let i = 0; i < big.length; i++) {
    const v = Number(big[i]);
    if (!Number.isSafeInteger(v)) throw new SyntaxError(`${fn}: ${what}[${i}] = ${big[i]} is not a safe integer`);
    out[i] = v;
  }
  return out;
}

const DTYPE_FLOAT32 = 1;
const DTYPE_INT64 = 2;
const DTYPE_INT32 = 3;
const DTYPE_BFLOAT16 = 4;
const WIDTH: Record<number, number> = { [DTYPE_FLOAT32]: 4, [DTYPE_INT64]: 8, [DTYPE_INT32]: 4, [DTYPE_BFLOAT16]: 2 };

/** Elements of a tensor's bytes as numbers: floats as Float32Array, integers as Float64Array. */
function elements(fn: string, what: string, dtype: number, bytes: Uint8Array): Float32Array | Float64Array {
  switch (dtype) {
    case DTYPE_FLOAT32:
      return float32s(fn, what, bytes);
    case DTYPE_INT64:
      return int64s(fn, what, bytes);
    case DTYPE_INT32:
      return Float64Array.from(int32s(fn, what, bytes));
    case DTYPE_BFLOAT16: {
      // bfloat16 is the upper half of a float32: exact widening.
      const u16 = new Uint16Array(littleEndian(fn, what, bytes, 2));
      const u32 = new Uint32Array(u16.length);
      for (let i = 0; i < u16.length; i++) u32[i] = u16[i] << 16;
      return new Float32Array(u32.buffer);
    }
    default:
      throw new SyntaxError(`${fn}: ${what} has unsupported dtype ${dtype} (expected 1 float32, 2 int64, 3 int32 or 4 bfloat16)`);
  }
}

// ---------------------------------------------------------------------------------------------
// ForwardBackwardRequest

/** A tensor on the request side: a flat list plus its dtype and, optionally, shape. */
interface TensorIn {
  data: ArrayLike<number>;
  dtype?: string;
  shape?: readonly number[];
}

/** Sets an own property, also for keys such as `__proto__` that a plain assignment would not make own. */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function fail(fn: string, detail: string): never {
  throw new TypeError(`${fn}: ${detail}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object';
}

function encodeTensor(fn: string, path: string, name: string, t: unknown): Uint8Array {
  if (!isObject(t) || t.data === null || typeof t.data !== 'object' || typeof (t.data as ArrayLike<number>).length !== 'number') {
    fail(fn, `${path} must be { data, dtype } (got ${typeof t})`);
  }
  const { data, dtype: declared, shape } = t as unknown as TensorIn;
  // The JSON API infers a missing dtype; on the wire it is explicit: targets are ids, the rest floats.
  const dtype = declared ?? (name === 'target_tokens' ? 'int64' : 'float32');
  const w = new Writer();
  let dense: Uint8Array;
  if (dtype === 'float32') {
    const f = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      if (typeof x !== 'number' || Number.isNaN(x)) fail(fn, `${path}.data[${i}] must be a number (got ${String(x)})`);
      f[i] = x;
    }
    dense = new Uint8Array(f.buffer);
  } else if (dtype === 'int64') {
    const b = new BigInt64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      if (!Number.isSafeInteger(x)) fail(fn, `${path}.data[${i}] must be a safe integer (got ${String(x)})`);
      b[i] = BigInt(x);
    }
    dense = new Uint8Array(b.buffer);
  } else {
    return fail(fn, `${path}.dtype must be 'float32' or 'int64' (got ${String(dtype)})`);
  }
  w.bytes(1, dense);
  w.tag(3, WT_VARINT);
  w.uvarint(dtype === 'float32' ? DTYPE_FLOAT32 : DTYPE_INT64);
  if (shape !== undefined && shape !== null && shape.length > 0) {
    for (let i = 0; i < shape.length; i++) if (!Number.isSafeInteger(shape[i])) fail(fn, `${path}.shape[${i}] must be an integer (got ${String(shape[i])})`);
    w.packedInt64(4, shape);
  }
  return w.finish();
}

function encodeDatum(fn: string, i: number, d: unknown): Uint8Array {
  const path = `data[${i}]`;
  const chunks = isObject(d) && isObject(d.model_input) ? d.model_input.chunks : undefined;
  if (!Array.isArray(chunks)) fail(fn, `${path}.model_input.chunks must be an array`);
  const inputs = isObject(d) ? d.loss_fn_inputs : undefined;
  if (!isObject(inputs)) fail(fn, `${path}.loss_fn_inputs must be an object`);
  const w = new Writer();
  for (let c = 0; c < chunks.length; c++) {
    const chunk: unknown = chunks[c];
    if (!isObject(chunk) || (chunk.type !== undefined && chunk.type !== 'encoded_text')) {
      fail(fn, `${path}.model_input.chunks[${c}] must be an encoded_text chunk (the only kind this client sends)`);
    }
    const tokens = chunk.tokens as ArrayLike<number>;
    if (tokens === null || typeof tokens !== 'object' || typeof tokens.length !== 'number') fail(fn, `${path}.model_input.chunks[${c}].tokens must be an array`);
    const ids = new Int32Array(tokens.length);
    for (let k = 0; k < tokens.length; k++) {
      const x = tokens[k];
      if (!Number.isInteger(x) || x < -0x80000000 || x > 0x7fffffff) fail(fn, `${path}.model_input.chunks[${c}].tokens[${k}] must be an int32 (got ${String(x)})`);
      ids[k] = x;
    }
    const text = new Writer();
    // A plain (not oneof) bytes field: proto3 leaves it out when empty.
    if (ids.length > 0) text.bytes(1, new Uint8Array(ids.buffer));
    const chunkMsg = new Writer();
    chunkMsg.bytes(1, text.finish());
    w.bytes(1, chunkMsg.finish());
  }
  for (const [name, t] of Object.entries(inputs)) {
    if (t === undefined) continue;
    const entry = new Writer();
    entry.string(1, name);
    entry.bytes(2, encodeTensor(fn, `${path}.loss_fn_inputs.${name}`, name, t));
    w.bytes(2, entry.finish());
  }
  return w.finish();
}

/**
 * Encodes a `forward_backward` body (the JSON shape the client builds: `model_id`,
 * `forward_backward_input: { data, loss_fn, loss_fn_config? }`, optional `seq_id` and
 * `forward_only`) as a `tinker_public.ForwardBackwardRequest`, byte for byte as the Python SDK's
 * `forward_backward_request_to_proto(...).SerializeToString()` writes it.
 *
 * @param body - The request body.
 * @returns The protobuf bytes.
 * @throws TypeError naming the offending path when the body does not have that shape.
 * @example
 * encodeForwardBackwardRequest({ model_id: 'm', forward_backward_input: { data: [], loss_fn: 'cross_entropy' } });
 * // Uint8Array [10, 1, 109, 34, 13, ...] ("m", then "cross_entropy")
 */
export function encodeForwardBackwardRequest(body: unknown): Uint8Array {
  const fn = 'encodeForwardBackwardRequest';
  if (!isObject(body) || !isObject(body.forward_backward_input)) fail(fn, 'body must be { model_id, forward_backward_input: { data, loss_fn } }');
  const input = body.forward_backward_input;
  if (typeof body.model_id !== 'string') fail(fn, `model_id must be a string (got ${typeof body.model_id})`);
  if (typeof input.loss_fn !== 'string') fail(fn, `forward_backward_input.loss_fn must be a string (got ${typeof input.loss_fn})`);
  if (!Array.isArray(input.data)) fail(fn, 'forward_backward_input.data must be an array');
  const seq = body.seq_id ?? 0;
  if (!Number.isInteger(seq) || (seq as number) < 0 || (seq as number) > 0x7fffffff) fail(fn, `seq_id must be an int32 >= 0 (got ${String(seq)})`);
  const w = new Writer();
  // proto3 leaves out fields at their default ('' / 0 / false), as the SDK's serializer does.
  if (body.model_id !== '') w.string(1, body.model_id);
  if (seq !== 0) {
    w.tag(2, WT_VARINT);
    w.uvarint(seq as number);
  }
  for (let i = 0; i < input.data.length; i++) w.bytes(3, encodeDatum(fn, i, input.data[i]));
  if (input.loss_fn !== '') w.string(4, input.loss_fn);
  const config = input.loss_fn_config;
  const entries: [string, number][] = [];
  if (config !== undefined && config !== null) {
    if (!isObject(config)) fail(fn, 'forward_backward_input.loss_fn_config must be an object of numbers');
    for (const [k, v] of Object.entries(config)) {
      if (typeof v !== 'number' || Number.isNaN(v)) fail(fn, `forward_backward_input.loss_fn_config.${k} must be a number (got ${String(v)})`);
      entries.push([k, v]);
    }
  }
  // The SDK writes numeric config twice: the legacy map<string, double> (5) and the v2 map (7).
  for (const [k, v] of entries) {
    const e = new Writer();
    e.string(1, k);
    // Map entries carry their value even at the default (upb writes 0.0 too).
    e.double(2, v);
    w.bytes(5, e.finish());
  }
  if (body.forward_only === true) {
    w.tag(6, WT_VARINT);
    w.uvarint(1);
  }
  for (const [k, v] of entries) {
    const value = new Writer();
    value.double(1, v);
    const e = new Writer();
    e.string(1, k);
    e.bytes(2, value.finish());
    w.bytes(7, e.finish());
  }
  return w.finish();
}

// ---------------------------------------------------------------------------------------------
// ForwardBackwardOutput

/** A decoded tensor: floats as Float32Array, integers as Float64Array (exact up to 2^53). */
export interface DecodedTensor {
  data: Float32Array | Float64Array;
  dtype: 'float32' | 'int64';
  shape: number[];
}

/** `ForwardBackwardOutput` in the JSON API's shape (the form the client's parser reads). */
export interface DecodedForwardOutput {
  loss_fn_output_type: string;
  loss_fn_outputs: Record<string, DecodedTensor>[];
  metrics: Record<string, number>;
}

interface Batched {
  data: Uint8Array;
  offsets: Uint8Array;
  dtype: number;
  trailing: number[];
}

function readBatched(r: Reader): Batched {
  const out: Batched = { data: new Uint8Array(0), offsets: new Uint8Array(0), dtype: 0, trailing: [] };
  while (!r.done()) {
    const [f, wt] = r.tag();
    if (f === 1) (r.expect('data', wt, WT_LEN), (out.data = r.bytesField('data')));
    else if (f === 2) (r.expect('offsets', wt, WT_LEN), (out.offsets = r.bytesField('offsets')));
    else if (f === 3) (r.expect('dtype', wt, WT_VARINT), (out.dtype = r.int32('dtype')));
    else if (f === 4) r.repeatedInt64('trailing_shape', wt, out.trailing);
    else r.skip(f, wt);
  }
  return out;
}

/**
 * Decodes a `tinker_public.ForwardBackwardOutput` (the result of `forward_backward`, also with
 * `forward_only`) into the JSON API's shape: one record of named tensors per datum, cut from the
 * batched tensors by their byte offsets, and the metrics.
 *
 * @param bytes - The response body.
 * @returns The output; `loss_fn_outputs[i].logprobs.data` is a Float32Array.
 * @throws SyntaxError naming the field when the bytes are not such a message.
 * @example
 * decodeForwardBackwardOutput(new Uint8Array([10, 11, 65, 114, 114, 97, 121, 82, 101, 99, 111, 114, 100]));
 * // { loss_fn_output_type: 'ArrayRecord', loss_fn_outputs: [], metrics: {} }
 */
export function decodeForwardBackwardOutput(bytes: Uint8Array): DecodedForwardOutput {
  const fn = 'decodeForwardBackwardOutput';
  const r = new Reader(bytes, fn, 'ForwardBackwardOutput');
  let type = '';
  const metrics: Record<string, number> = {};
  const fields = new Map<string, Batched[]>();
  let numDatums = 0;
  while (!r.done()) {
    const [f, wt] = r.tag();
    if (f === 1) {
      r.expect('loss_fn_output_type', wt, WT_LEN);
      type = r.string('loss_fn_output_type');
    } else if (f === 2) {
      r.expect('loss_fn_outputs', wt, WT_LEN);
      const rec = r.sub('loss_fn_outputs', 'ArrayRecord');
      while (!rec.done()) {
        const [g, gwt] = rec.tag();
        if (g === 2) {
          rec.expect('fields', gwt, WT_LEN);
          const entry = rec.sub('fields', 'ArrayRecord.FieldsEntry');
          let key = '';
          let value: Batched = { data: new Uint8Array(0), offsets: new Uint8Array(0), dtype: 0, trailing: [] };
          while (!entry.done()) {
            const [h, hwt] = entry.tag();
            if (h === 1) (entry.expect('key', hwt, WT_LEN), (key = entry.string('key')));
            else if (h === 2) (entry.expect('value', hwt, WT_LEN), (value = readBatched(entry.sub('value', 'BatchedTensor'))));
            else entry.skip(h, hwt);
          }
          const list = fields.get(key) ?? [];
          list.push(value);
          fields.set(key, list);
        } else if (g === 3) {
          rec.expect('num_datums', gwt, WT_VARINT);
          numDatums += rec.uint('num_datums');
        } else rec.skip(g, gwt);
      }
    } else if (f === 3) {
      r.expect('metrics', wt, WT_LEN);
      const entry = r.sub('metrics', 'ForwardBackwardOutput.MetricsEntry');
      let key = '';
      let value = 0;
      while (!entry.done()) {
        const [h, hwt] = entry.tag();
        if (h === 1) (entry.expect('key', hwt, WT_LEN), (key = entry.string('key')));
        else if (h === 2) (entry.expect('value', hwt, WT_I64), (value = entry.double('value')));
        else entry.skip(h, hwt);
      }
      setOwn(metrics, key, value);
    } else r.skip(f, wt);
  }
  // Per-datum tensors of each field, over every record (chunk) in order.
  const perField = new Map<string, DecodedTensor[]>();
  for (const [name, chunks] of fields) {
    const list: DecodedTensor[] = [];
    for (const bt of chunks) {
      const what = `loss_fn_outputs field ${JSON.stringify(name)}`;
      const width = WIDTH[bt.dtype];
      if (width === undefined) throw new SyntaxError(`${fn}: ${what} has unsupported dtype ${bt.dtype}`);
      const all = elements(fn, `${what} data`, bt.dtype, bt.data);
      const offsets = int64s(fn, `${what} offsets`, bt.offsets);
      let trailing = 1;
      for (const s of bt.trailing) trailing *= s;
      for (let i = 0; i + 1 < offsets.length; i++) {
        const a = offsets[i];
        const b = offsets[i + 1];
        if (!(a >= 0 && a <= b && b <= bt.data.length && a % width === 0 && b % width === 0)) {
          throw new SyntaxError(`${fn}: ${what} has offsets ${a}..${b} outside its ${bt.data.length} data bytes (or not on ${width}-byte elements)`);
        }
        const data = all.slice(a / width, b / width);
        const leading = trailing > 0 ? Math.floor(data.length / trailing) : 0;
        list.push({ data, dtype: bt.dtype === DTYPE_FLOAT32 || bt.dtype === DTYPE_BFLOAT16 ? 'float32' : 'int64', shape: [leading, ...bt.trailing] });
      }
    }
    perField.set(name, list);
  }
  if (numDatums === 0 && perField.size > 0) numDatums = perField.values().next().value!.length;
  const outputs: Record<string, DecodedTensor>[] = [];
  for (let i = 0; i < numDatums; i++) {
    const rec: Record<string, DecodedTensor> = {};
    for (const [name, list] of perField) {
      if (i >= list.length) throw new SyntaxError(`${fn}: field ${JSON.stringify(name)} has ${list.length} datums, fewer than num_datums ${numDatums}`);
      setOwn(rec, name, list[i]);
    }
    outputs.push(rec);
  }
  return { loss_fn_output_type: type.split(':').pop() || 'ArrayRecord', loss_fn_outputs: outputs, metrics };
}

// ---------------------------------------------------------------------------------------------
// SampleResponse

/** One `SampledSequence` in the JSON API's shape. */
export interface DecodedSequence {
  tokens: Int32Array;
  /** Absent on the wire when the server did not compute them. */
  logprobs: Float32Array | null;
  stop_reason: 'stop' | 'length';
}

/** `SampleResponse` in the JSON API's shape (top-k and alternative-token fields are skipped). */
export interface DecodedSampleResponse {
  sequences: DecodedSequence[];
  prompt_logprobs: Float32Array | null;
  prompt_cache_hit_tokens: number;
}

const STOP_REASONS = ['stop', 'length'] as const;

/**
 * Decodes a `tinker_public.SampleResponse` (the result of `asample`).
 *
 * @param bytes - The response body.
 * @returns Sequences with Int32Array tokens and Float32Array log-probs, and the prompt's log-probs.
 * @throws SyntaxError naming the field when the bytes are not such a message.
 * @example
 * decodeSampleResponse(new Uint8Array([10, 8, 8, 1, 18, 4, 7, 0, 0, 0])).sequences[0];
 * // { tokens: Int32Array [7], logprobs: null, stop_reason: 'length' }
 */
export function decodeSampleResponse(bytes: Uint8Array): DecodedSampleResponse {
  const fn = 'decodeSampleResponse';
  const r = new Reader(bytes, fn, 'SampleResponse');
  const out: DecodedSampleResponse = { sequences: [], prompt_logprobs: null, prompt_cache_hit_tokens: 0 };
  while (!r.done()) {
    const [f, wt] = r.tag();
    if (f === 1) {
      r.expect('sequences', wt, WT_LEN);
      const s = r.sub('sequences', 'SampledSequence');
      const seq: DecodedSequence = { tokens: new Int32Array(0), logprobs: null, stop_reason: 'stop' };
      while (!s.done()) {
        const [g, gwt] = s.tag();
        if (g === 1) {
          s.expect('stop_reason', gwt, WT_VARINT);
          const v = s.int32('stop_reason');
          const reason = STOP_REASONS[v];
          if (reason === undefined) s.fail(`field stop_reason: unknown value ${v} (expected 0 stop or 1 length)`);
          seq.stop_reason = reason;
        } else if (g === 2) {
          s.expect('tokens', gwt, WT_LEN);
          seq.tokens = int32s(fn, `sequences[${out.sequences.length}].tokens`, s.bytesField('tokens'));
        } else if (g === 3) {
          s.expect('logprobs', gwt, WT_LEN);
          const b = s.bytesField('logprobs');
          // Empty bytes read as "none", as the SDK reads them.
          seq.logprobs = b.length === 0 ? null : float32s(fn, `sequences[${out.sequences.length}].logprobs`, b);
        } else s.skip(g, gwt);
      }
      out.sequences.push(seq);
    } else if (f === 2) {
      r.expect('prompt_logprobs', wt, WT_LEN);
      const b = r.bytesField('prompt_logprobs');
      out.prompt_logprobs = b.length === 0 ? null : float32s(fn, 'prompt_logprobs', b);
    } else if (f === 4) {
      r.expect('prompt_cache_hit_tokens', wt, WT_VARINT);
      out.prompt_cache_hit_tokens = r.int32('prompt_cache_hit_tokens');
    } else r.skip(f, wt);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The other direction (a server's side): for fake servers and round-trip tests.

/** A `forward_backward` body as {@link decodeForwardBackwardRequest} reads it back. */
export interface DecodedForwardBackwardRequest {
  model_id: string;
  seq_id: number;
  forward_only: boolean;
  forward_backward_input: {
    data: {
      model_input: { chunks: { type: 'encoded_text'; tokens: number[] }[] };
      loss_fn_inputs: Record<string, { data: number[]; dtype: 'float32' | 'int64'; shape?: number[] }>;
    }[];
    loss_fn: string;
    loss_fn_config?: Record<string, number>;
  };
}

function readTensorIn(r: Reader, name: string): { data: number[]; dtype: 'float32' | 'int64'; shape?: number[] } {
  let dense: Uint8Array | undefined;
  let dtype = 0;
  const shape: number[] = [];
  while (!r.done()) {
    const [f, wt] = r.tag();
    if (f === 1) (r.expect('dense', wt, WT_LEN), (dense = r.bytesField('dense')));
    else if (f === 2) r.fail(`field sparse_csr: sparse tensors are not read by this client (${name})`);
    else if (f === 3) (r.expect('dtype', wt, WT_VARINT), (dtype = r.int32('dtype')));
    else if (f === 4) r.repeatedInt64('shape', wt, shape);
    else r.skip(f, wt);
  }
  const values = elements(r.fn, `loss_fn_inputs.${name}`, dtype, dense ?? new Uint8Array(0));
  const out: { data: number[]; dtype: 'float32' | 'int64'; shape?: number[] } = { data: Array.from(values), dtype: dtype === DTYPE_FLOAT32 || dtype === DTYPE_BFLOAT16 ? 'float32' : 'int64' };
  if (shape.length > 0) out.shape = shape;
  return out;
}

/**
 * Decodes a `tinker_public.ForwardBackwardRequest` into the JSON body's shape (what a server
 * reads; the inverse of {@link encodeForwardBackwardRequest}). Config values come from the legacy
 * numeric map.
 *
 * @param bytes - The request body.
 * @returns The body with plain number lists.
 * @throws SyntaxError naming the field when the bytes are not such a message.
 * @example
 * decodeForwardBackwardRequest(new Uint8Array([10, 1, 109])).model_id; // 'm'
 */
export function decodeForwardBackwardRequest(bytes: Uint8Array): DecodedForwardBackwardRequest {
  const fn = 'decodeForwardBackwardRequest';
  const r = new Reader(bytes, fn, 'ForwardBackwardRequest');
  const out: DecodedForwardBackwardRequest = { model_id: '', seq_id: 0, forward_only: false, forward_backward_input: { data: [], loss_fn: '' } };
  const config: Record<string, number> = {};
  let hasConfig = false;
  while (!r.done()) {
    const [f, wt] = r.tag();
    if (f === 1) (r.expect('model_id', wt, WT_LEN), (out.model_id = r.string('model_id')));
    else if (f === 2) (r.expect('seq_id', wt, WT_VARINT), (out.seq_id = r.int32('seq_id')));
    else if (f === 3) {
      r.expect('data', wt, WT_LEN);
      const d = r.sub('data', 'Datum');
      const datum: DecodedForwardBackwardRequest['forward_backward_input']['data'][number] = { model_input: { chunks: [] }, loss_fn_inputs: {} };
      while (!d.done()) {
        const [g, gwt] = d.tag();
        if (g === 1) {
          d.expect('model_input', gwt, WT_LEN);
          const c = d.sub('model_input', 'Chunk');
          while (!c.done()) {
            const [h, hwt] = c.tag();
            if (h !== 1) {
              if (h === 2 || h === 3) c.fail(`field ${h === 2 ? 'image' : 'dmel'}: only encoded_text chunks are read by this client`);
              c.skip(h, hwt);
              continue;
            }
            c.expect('encoded_text', hwt, WT_LEN);
            const text = c.sub('encoded_text', 'EncodedTextChunk');
            let tokens: Int32Array = new Int32Array(0);
            while (!text.done()) {
              const [k, kwt] = text.tag();
              if (k === 1) (text.expect('tokens', kwt, WT_LEN), (tokens = int32s(fn, 'encoded_text.tokens', text.bytesField('tokens'))));
              else text.skip(k, kwt);
            }
            datum.model_input.chunks.push({ type: 'encoded_text', tokens: Array.from(tokens) });
          }
        } else if (g === 2) {
          d.expect('loss_fn_inputs', gwt, WT_LEN);
          const e = d.sub('loss_fn_inputs', 'Datum.LossFnInputsEntry');
          let key = '';
          let value: ReturnType<typeof readTensorIn> = { data: [], dtype: 'float32' };
          while (!e.done()) {
            const [h, hwt] = e.tag();
            if (h === 1) (e.expect('key', hwt, WT_LEN), (key = e.string('key')));
            else if (h === 2) (e.expect('value', hwt, WT_LEN), (value = readTensorIn(e.sub('value', 'Tensor'), key)));
            else e.skip(h, hwt);
          }
          setOwn(datum.loss_fn_inputs, key, value);
        } else d.skip(g, gwt);
      }
      out.forward_backward_input.data.push(datum);
    } else if (f === 4) (r.expect('loss_fn', wt, WT_LEN), (out.forward_backward_input.loss_fn = r.string('loss_fn')));
    else if (f === 5) {
      r.expect('loss_fn_config', wt, WT_LEN);
      const e = r.sub('loss_fn_config', 'LossFnConfigEntry');
      let key = '';
      let value = 0;
      while (!e.done()) {
        const [h, hwt] = e.tag();
        if (h === 1) (e.expect('key', hwt, WT_LEN), (key = e.string('key')));
        else if (h === 2) (e.expect('value', hwt, WT_I64), (value = e.double('value')));
        else e.skip(h, hwt);
      }
      setOwn(config, key, value);
      hasConfig = true;
    } else if (f === 6) (r.expect('forward_only', wt, WT_VARINT), (out.forward_only = r.int32('forward_only') !== 0));
    else r.skip(f, wt);
  }
  if (hasConfig) out.forward_backward_input.loss_fn_config = config;
  return out;
}

/**
 * Encodes a `ForwardBackwardOutput` as a server writes it: one `ArrayRecord` with one float32
 * `BatchedTensor` per field, cut per datum by byte offsets.
 *
 * @param outputs - Per datum, named float values.
 * @param metrics - Server metrics.
 * @returns The protobuf bytes.
 * @example
 * decodeForwardBackwardOutput(encodeForwardBackwardOutput([{ logprobs: [-1] }], {})).loss_fn_outputs[0].logprobs.data; // Float32Array [-1]
 */
export function encodeForwardBackwardOutput(outputs: readonly Record<string, ArrayLike<number>>[], metrics: Record<string, number>, type = 'ArrayRecord'): Uint8Array {
  const w = new Writer();
  if (type !== '') w.string(1, type);
  const rec = new Writer();
  const names = outputs.length > 0 ? Object.keys(outputs[0]) : [];
  for (const name of names) {
    const total = outputs.reduce((n, o) => n + o[name].length, 0);
    const data = new Float32Array(total);
    const offsets = new BigInt64Array(outputs.length + 1);
    let at = 0;
    outputs.forEach((o, i) => {
      data.set(o[name], at);
      at += o[name].length;
      offsets[i + 1] = BigInt(at * 4);
    });
    const bt = new Writer();
    bt.bytes(1, new Uint8Array(data.buffer));
    bt.bytes(2, new Uint8Array(offsets.buffer));
    bt.tag(3, WT_VARINT);
    bt.uvarint(DTYPE_FLOAT32);
    const e = new Writer();
    e.string(1, name);
    e.bytes(2, bt.finish());
    rec.bytes(2, e.finish());
  }
  if (outputs.length > 0) {
    rec.tag(3, WT_VARINT);
    rec.uvarint(outputs.length);
  }
  w.bytes(2, rec.finish());
  for (const [k, v] of Object.entries(metrics)) {
    const e = new Writer();
    e.string(1, k);
    e.double(2, v);
    w.bytes(3, e.finish());
  }
  return w.finish();
}

/**
 * Encodes a `SampleResponse` as a server writes it.
 *
 * @param sequences - Sampled tokens, their log-probs and stop reasons.
 * @param promptLogprobs - The prompt's log-probs, or null.
 * @returns The protobuf bytes.
 * @example
 * decodeSampleResponse(encodeSampleResponse([{ tokens: [7], logprobs: [-1], stop_reason: 'length' }], null)).sequences[0].tokens; // Int32Array [7]
 */
export function encodeSampleResponse(sequences: readonly { tokens: ArrayLike<number>; logprobs: ArrayLike<number> | null; stop_reason: 'stop' | 'length' }[], promptLogprobs: ArrayLike<number> | null): Uint8Array {
  const w = new Writer();
  for (const s of sequences) {
    const q = new Writer();
    if (s.stop_reason === 'length') {
      q.tag(1, WT_VARINT);
      q.uvarint(1);
    }
    q.bytes(2, new Uint8Array(Int32Array.from(s.tokens).buffer));
    if (s.logprobs !== null) q.bytes(3, new Uint8Array(Float32Array.from(s.logprobs).buffer));
    w.bytes(1, q.finish());
  }
  if (promptLogprobs !== null) w.bytes(2, new Uint8Array(Float32Array.from(promptLogprobs).buffer));
  return w.finish();
}
