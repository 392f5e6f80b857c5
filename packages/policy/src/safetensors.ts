import { CheckpointError } from './errors';

/** One F32 tensor of a safetensors file. */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Largest JSON header we accept (the reference implementation's limit is 100 MB). */
const MAX_HEADER = 100_000_000;

/**
 * Serialises F32 tensors as a safetensors file: 8-byte little-endian header length N, N bytes of
 * JSON (`{ name: { dtype: 'F32', shape, data_offsets: [begin, end] }, __metadata__ }`, padded with
 * spaces to a multiple of 8 so the data is aligned), then the raw little-endian data in order.
 *
 * @param tensors - tensors in storage order (names unique, not `__metadata__`)
 * @param metadata - string → string metadata
 * @returns the file bytes
 * @example
 * const bytes = encodeSafetensors([{ name: 'w', shape: [2], data: new Float32Array([1, 2]) }]);
 * decodeSafetensors(bytes, 'w.safetensors').tensors.get('w')!.data; // Float32Array [1, 2]
 */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const names = new Set<string>();
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.name === '__metadata__' || names.has(t.name)) throw new TypeError(`encodeSafetensors: bad or duplicate tensor name ${JSON.stringify(t.name)}`);
    if (size !== t.data.length) {
      throw new RangeError(`encodeSafetensors: tensor ${t.name} has shape [${t.shape}] (${size} elements) but ${t.data.length} values`);
    }
    names.add(t.name);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let headerBytes = enc.encode(json);
  const pad = (8 - ((8 + headerBytes.length) % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    headerBytes = enc.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors) {
    // Copy through a DataView so the file is little-endian whatever the host's byte order.
    for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i], true);
  }
  return out;
}

/** A decoded safetensors file. */
export interface DecodedSafetensors {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

/**
 * Parses and validates a safetensors file holding F32 tensors.
 *
 * @param bytes - the file contents
 * @param file - the file's name, used in error messages
 * @returns tensors by name (copies, in declared order) and the metadata
 * @throws CheckpointError (`truncated`, `header`, `json`) naming the file and the problem
 * @example
 * decodeSafetensors(new Uint8Array(3), 'm.safetensors'); // throws CheckpointError: m.safetensors: truncated …
 */
export function decodeSafetensors(bytes: Uint8Array, file: string): DecodedSafetensors {
  const fail = (code: 'truncated' | 'header' | 'json', msg: string, cause?: unknown): never => {
    throw new CheckpointError(code, `${file}: ${msg}`, { cause });
  };
  if (bytes.length < 8) fail('truncated', `truncated: ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    fail(n64 > BigInt(MAX_HEADER) ? 'header' : 'truncated', `header length ${n64} is out of range (file has ${bytes.length - 8} bytes after the length)`);
  }
  const n = Number(n64);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    fail('json', `header is not valid JSON (${(err as Error).message})`, err);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('json', 'header must be a JSON object');
  const h = header as Record<string, unknown>;
  const metadata: Record<string, string> = {};
  if (h.__metadata__ !== undefined) {
    const m = h.__metadata__;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) fail('header', '__metadata__ must be an object of strings');
    for (const [k, v] of Object.entries(m as object)) {
      if (typeof v !== 'string') fail('header', `__metadata__.${k} must be a string (got ${typeof v})`);
      metadata[k] = v as string;
    }
  }
  const dataLen = bytes.length - 8 - n;
  const base = 8 + n;
  const spans: [number, number, string][] = [];
  const tensors = new Map<string, NamedTensor>();
  for (const [name, raw] of Object.entries(h)) {
    if (name === '__metadata__') continue;
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (info === null || typeof info !== 'object') fail('header', `tensor ${name}: entry must be an object`);
    if (info!.dtype !== 'F32') fail('header', `tensor ${name}: dtype must be F32 (got ${JSON.stringify(info!.dtype)})`);
    const shape = info!.shape;
    if (!Array.isArray(shape) || shape.some((s) => !Number.isInteger(s) || s < 0)) {
      fail('header', `tensor ${name}: shape must be an array of non-negative integers (got ${JSON.stringify(shape)})`);
    }
    const off = info!.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0) || off[1] < off[0]) {
      fail('header', `tensor ${name}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end (got ${JSON.stringify(off)})`);
    }
    const [b, e] = off as [number, number];
    const size = (shape as number[]).reduce((x, y) => x * y, 1);
    if (e - b !== 4 * size) fail('header', `tensor ${name}: data_offsets span ${e - b} bytes but shape [${shape}] needs ${4 * size}`);
    if (e > dataLen) fail('truncated', `truncated: tensor ${name} ends at byte ${e} of the data but the data has ${dataLen} bytes`);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(base + b + 4 * i, true);
    spans.push([b, e, name]);
    tensors.set(name, { name, shape: (shape as number[]).slice(), data });
  }
  // The format requires the tensors to tile the data buffer exactly (no holes, no overlaps).
  spans.sort((x, y) => x[0] - y[0]);
  let at = 0;
  for (const [b, e, name] of spans) {
    if (b !== at) fail('header', `tensor ${name}: data_offsets start at ${b}, expected ${at} (holes or overlaps)`);
    at = e;
  }
  if (at !== dataLen) fail('header', `data has ${dataLen} bytes but the tensors cover ${at}`);
  return { tensors, metadata };
}
