import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOS, CHARSET, DEFAULT_TAGS, EOS, PAD, TagTokenizer } from './tokenizer';

const tok = TagTokenizer.create();
const pieces = [...CHARSET, ...DEFAULT_TAGS, PAD, BOS, EOS, '<', '</', 'calc', '>'];
const textArb = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join(''));

describe('TagTokenizer', () => {
  it.each([
    ['a\n', [69, 3]],
    ['<calc>', [99]],
    ['</calc>', [100]],
    ['<calc>1</calc>', [99, 21, 100]],
    ['<ca', [32, 71, 69]],
    [BOS + 'x' + EOS, [1, 92, 2]],
    ['', []],
  ])('encodes %j as %j', (text, ids) => {
    expect(Array.from(tok.encode(text))).toEqual(ids);
  });

  it('has 111 tokens and stable ids', () => {
    expect(tok.size).toBe(111);
    expect(tok.id('<code>')).toBe(109);
    expect(tok.id(PAD)).toBe(0);
    const ext = tok.withTags(['<wiki>', '</wiki>', '<calc>']);
    expect(ext.size).toBe(113);
    expect(ext.id('<wiki>')).toBe(111);
    expect(ext.id('</calc>')).toBe(100);
  });

  it('decode(encode(s)) === s (property)', () => {
    fc.assert(fc.property(textArb, (s) => tok.decode(tok.encode(s)) === s));
  });

  it('encode(decode(ids)) is a fixed point of encode ∘ decode (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: tok.size - 1 }), { maxLength: 30 }), (ids) => {
        const once = tok.encode(tok.decode(ids));
        expect(Array.from(tok.encode(tok.decode(once)))).toEqual(Array.from(once));
      }),
    );
  });

  it('matches the longest tag greedily', () => {
    const t = tok.withTags(['<c', '<calc>x']);
    expect(Array.from(t.encode('<calc>x<calc><cz'))).toEqual([t.id('<calc>x'), t.id('<calc>'), t.id('<c'), t.id('z')]);
  });

  it('names the unknown character and its position', () => {
    expect(() => tok.encode('ab\tc')).toThrow(/unknown character "\\t" \(U\+0009\) at position 2/);
    expect(() => tok.encode('é')).toThrow(/at position 0/);
    expect(() => tok.encode('x😀')).toThrow(/U\+1F600\) at position 1/);
  });

  it('rejects bad inputs', () => {
    expect(() => tok.decode([111])).toThrow(/token 0 is 111/);
    expect(() => tok.decode([1.5])).toThrow(RangeError);
    expect(() => tok.withTags([''])).toThrow(/at least 2/);
    expect(() => tok.withTags(['<é>'])).toThrow(/outside the charset/);
    expect(() => tok.encode(3 as unknown as string)).toThrow(TypeError);
    expect(() => tok.id('<nope>')).toThrow(RangeError);
  });

  it('round-trips through JSON and validates it', () => {
    const ext = tok.withTags(['<wiki>']);
    const back = TagTokenizer.fromJSON(JSON.parse(JSON.stringify(ext)));
    expect(back.vocab).toEqual(ext.vocab);
    expect(() => TagTokenizer.fromJSON({ type: 'bpe' })).toThrow(/fromJSON/);
    expect(() => TagTokenizer.fromJSON({ type: 'char-tag', version: 1, vocab: ['x'] })).toThrow(/vocab\[0\]/);
    expect(() => TagTokenizer.fromJSON({ ...ext.toJSON(), vocab: [...ext.vocab, '<wiki>'] })).toThrow(/duplicate/);
  });
});
