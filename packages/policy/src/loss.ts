/**
 * Supervised (teacher-forcing) loss: the weighted mean negative log-likelihood
 * `L = −Σ w_t·logp_t / Σ w_t` and its gradient `dL/dlogp_t = −w_t / Σ w_t`, ready for
 * `TinyGPT.backward`.
 *
 * @param logprobs - log-probs of the targets, length T
 * @param weights - per-token weights ≥ 0 (a 0/1 loss mask works), length T, not all zero
 * @returns `{ loss, dLogprobs }`
 * @throws RangeError on mismatched lengths, negative or non-finite weights, an all-zero mask or a non-finite log-prob
 * @example
 * maskedNll(Float32Array.of(-1, -3), Uint8Array.of(1, 0)).loss; // 1
 */
export function maskedNll(
  logprobs: Float32Array,
  weights: Float32Array | Uint8Array,
): { loss: number; dLogprobs: Float32Array } {
  const T = logprobs.length;
  if (weights.length !== T) throw new RangeError(`maskedNll: weights must have length ${T} (got ${weights.length})`);
  let total = 0;
  for (let t = 0; t < T; t++) {
    const w = weights[t];
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`maskedNll: weights[${t}] must be a finite number ≥ 0 (got ${w})`);
    total += w;
  }
  if (total === 0) throw new RangeError('maskedNll: weights must not all be zero');
  let loss = 0;
  const dLogprobs = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    const w = weights[t];
    if (w === 0) continue;
    if (!Number.isFinite(logprobs[t])) throw new RangeError(`maskedNll: logprobs[${t}] is ${logprobs[t]}`);
    loss -= w * logprobs[t];
    dLogprobs[t] = -w / total;
  }
  return { loss: loss / total, dLogprobs };
}
