import type { EpisodeState } from './loop-core';

/** Packed arrays of a batch (see {@link Trajectories}). */
export interface PackedTokens {
  tokens: Int32Array;
  offsets: Int32Array;
  lossMask: Uint8Array;
  oldLogprobs: Float32Array;
  groupIds: Int32Array;
}

/**
 * Concatenates the episodes' token segments. The mask is 1 exactly on `generated` segments and
 * their log-probs are copied there; prompt and tool segments get mask 0 and log-prob 0.
 */
export function packEpisodes(episodes: readonly EpisodeState[]): PackedTokens {
  let total = 0;
  for (const e of episodes) for (const s of e.segments) total += s.tokens?.length ?? 0;
  const tokens = new Int32Array(total);
  const lossMask = new Uint8Array(total);
  const oldLogprobs = new Float32Array(total);
  const offsets = new Int32Array(episodes.length + 1);
  const groupIds = new Int32Array(episodes.length);
  let at = 0;
  for (let i = 0; i < episodes.length; i++) {
    const e = episodes[i];
    offsets[i] = at;
    groupIds[i] = e.groupId;
    for (const s of e.segments) {
      if (!s.tokens) continue;
      tokens.set(s.tokens, at);
      if (s.kind === 'generated') {
        lossMask.fill(1, at, at + s.tokens.length);
        if (s.logprobs) oldLogprobs.set(s.logprobs, at);
      }
      at += s.tokens.length;
    }
  }
  offsets[episodes.length] = at;
  return { tokens, offsets, lossMask, oldLogprobs, groupIds };
}
