/**
 * e^x for x ≤ 0, bit for bit the value of V8's `Math.exp`, which is fdlibm's `e_exp.c` (Sun
 * Microsystems 1993, via FreeBSD msun: argument reduction x = k·ln2 + r with ln2 split into a high
 * and a low part, a degree-5 Remez polynomial for e^r, scaling by 2^k). Written out in
 * TypeScript so the hot loops of the js kernels (softmax, GELU's tanh, the samplers) run it inline
 * instead of calling into the engine's C library for every element; every step is the same IEEE
 * double operation in the same order, so the results are the engine's. Arguments below −700
 * (k < −1010, near the subnormal range) and NaN take `Math.exp` itself.
 */

const ln2HI = 6.9314718036912381649e-1; // 0x3fe62e42 fee00000
const ln2LO = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
const invln2 = 1.442695040888963387; // 0x3ff71547 652b82fe
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;

function fromWords(hi: number, lo: number): number {
  const words = new Uint32Array(2);
  words[1] = hi;
  words[0] = lo;
  return new Float64Array(words.buffer)[0];
}
// fdlibm branches on the high word hx of |x|; the same tests as comparisons of |x|.
const HALF_LN2 = fromWords(0x3fd62e43, 0); // |x| ≥ HALF_LN2  ⟺  hx > 0x3fd62e42
const TINY = fromWords(0x3e300000, 0); // 2⁻²⁸
// POW2[j] = 2^−j, exact (halving a power of two is exact down to 2⁻¹⁰²²).
const POW2 = new Float64Array(1011);
for (let j = 0, p = 1; j < POW2.length; j++, p /= 2) POW2[j] = p;

/**
 * e^x for x ≤ 0 (NaN and x > 0 are passed to `Math.exp`), equal to `Math.exp(x)` bit for bit on V8.
 *
 * fdlibm branches three ways on |x|; for x ≤ 0 two of them are one: for 0.5·ln2 < |x| < 1.5·ln2
 * its k = −1, hi = x + ln2HI, lo = −ln2LO are what the general reduction gives, and its k = 0
 * formula 1 − (x·c/(c − 2) − x) is the general one with k = 0 (c − 2 = −(2 − c) and 0 − q = −q
 * exactly). So one straight-line path remains, with k forced to 0 below fdlibm's 0.5·ln2 bound
 * (the general rounding would give −1 just above 0.5·ln2) by a mask rather than a branch: the
 * branches were mispredicted on GELU's mixed arguments (measured 1.4× faster in GELU's loop).
 *
 * @param x - exponent, normally ≤ 0 (a max-subtracted logit, −2|u| of a tanh)
 * @returns e^x
 * @example
 * expNonPositive(-1) === Math.exp(-1); // true (0.36787944117144233)
 */
export function expNonPositive(x: number): number {
  const ax = -x;
  if (!(ax >= TINY && ax < 700)) return ax >= 0 && ax < TINY ? 1 + x : Math.exp(x);
  const k = ((invln2 * x - 0.5) | 0) & -+(ax >= HALF_LN2); // C's (int) cast truncates toward 0, as | 0 does
  const hi = x - k * ln2HI;
  const lo = k * ln2LO;
  const r = hi - lo;
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  return (1 - (lo - (r * c) / (2 - c) - hi)) * POW2[-k];
}
