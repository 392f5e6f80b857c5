import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from './errors';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

const two = [
  { name: 'a', shape: [2, 2], data: new Float32Array([1, -2, 3.5, 0]) },
  { name: 'b.bias', shape: [1], data: new Float32Array([0.25]) },
];

function withHeader(json: string, data = new Uint8Array(0)): Uint8Array {
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe('safetensors', () => {
  it('writes the documented byte layout', () => {
    const bytes = encodeSafetensors(two, { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      __metadata__: { format: 'pt' },
      a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      'b.bias': { dtype: 'F32', shape: [1], data_offsets: [16, 20] },
    });
    expect(new DataView(bytes.buffer).getFloat32(8 + n + 8, true)).toBe(3.5);
    expect(bytes.length).toBe(8 + n + 20);
  });

  it('round-trips random tensors exactly (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.float({ noNaN: true }), { maxLength: 9 }), { maxLength: 5 }), (arrays) => {
        const ts = arrays.map((a, i) => ({ name: `t${i}`, shape: [a.length], data: new Float32Array(a) }));
        const back = decodeSafetensors(encodeSafetensors(ts, { k: 'v' }), 'x');
        expect(back.metadata).toEqual({ k: 'v' });
        for (const t of ts) expect(back.tensors.get(t.name)!.data).toEqual(t.data);
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    ['empty file', new Uint8Array(3), /m.st: truncated: 3 bytes/],
    ['header length out of range', withHeader('{}').subarray(0, 9), /header length 2 is out of range/],
    ['cut data', encodeSafetensors(two).subarray(0, encodeSafetensors(two).length - 1), /truncated/],
    ['bad JSON', withHeader('{"a":'), /not valid JSON/],
    ['not an object', withHeader('[1]'), /must be a JSON object/],
    ['wrong dtype', withHeader('{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}', new Uint8Array(2)), /dtype must be F32 \(got "F16"\)/],
    ['bad shape', withHeader('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', new Uint8Array(4)), /shape must be/],
    ['span ≠ shape', withHeader('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', new Uint8Array(4)), /needs 8/],
    ['hole', withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', new Uint8Array(8)), /holes or overlaps/],
    ['trailing bytes', withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(8)), /cover 4/],
    ['bad metadata', withHeader('{"__metadata__":{"x":1}}'), /__metadata__.x must be a string/],
  ])('rejects %s with a CheckpointError naming the file', (_, bytes, re) => {
    expect(() => decodeSafetensors(bytes, 'm.st')).toThrow(CheckpointError);
    expect(() => decodeSafetensors(bytes, 'm.st')).toThrow(re);
  });

  it('rejects bad tensors on write', () => {
    expect(() => encodeSafetensors([{ name: 'a', shape: [3], data: new Float32Array(2) }])).toThrow(/3 elements/);
    expect(() => encodeSafetensors([two[0], two[0]])).toThrow(/duplicate/);
  });
});
