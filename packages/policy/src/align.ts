/**
 * Moves per-token values to the positions that predict them.
 *
 * Rollout data (loss mask, old log-probs, token advantages) is indexed by the token itself, while
 * `TinyGPT.forward` returns at position t the log-prob of token t + 1 (next-token targets). So the
 * value of token t goes to position t − 1 of its sequence; each sequence's last position predicts
 * nothing and gets 0. The first token of a sequence has no predicting position: it must be prompt.
 *
 * @param values - per-token values, length T
 * @param offsets - packed offsets (n + 1, from 0 to T)
 * @param out - output of the same type and length (written)
 * @returns `out`
 * @example
 * toPositions(Uint8Array.of(0, 1, 1, 0, 1), Int32Array.of(0, 3, 5), new Uint8Array(5)); // [1, 1, 0, 1, 0]
 */
export function toPositions<A extends Float32Array | Uint8Array>(values: A, offsets: Int32Array, out: A): A {
  const n = offsets.length - 1;
  for (let s = 0; s < n; s++) {
    const start = offsets[s];
    const end = offsets[s + 1];
    if (end === start) continue;
    for (let t = start + 1; t < end; t++) out[t - 1] = values[t];
    out[end - 1] = 0;
  }
  return out;
}
