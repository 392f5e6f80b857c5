import type { TeacherTrace } from '@paretopo/envs';
import { maskedNll, nextTokenTargets, toPositions, type AdamW, type TagTokenizer, type TinyGPT } from '@paretopo/policy';

/** A packed batch of teacher demonstrations: the same layout as a rollout batch. */
export interface PackedTraces {
  tokens: Int32Array;
  offsets: Int32Array;
  /** 1 on the teacher's policy tokens; 0 on the prompt and on tool outputs (`<res>…</res>`). */
  lossMask: Uint8Array;
}

/** Options of {@link sft}. */
export interface SftOptions {
  /** Optimiser steps [30]. */
  steps?: number;
  /** Traces per step [8]; step s takes traces s·b … s·b + b − 1, cycling through the list. */
  batchSize?: number;
}

/**
 * Tokenises prompt + trace segments into a packed batch, exactly as a rollout would lay out the
 * same episode (no BOS, the prompt then policy and tool spans), so SFT and RL see one format.
 *
 * @param tokenizer - the policy's tokenizer (any `encode`: the TinyGPT's, or a real model's through
 *   `@paretopo/tinker`'s `hfTokenizer`, with prompts already through its chat template)
 * @param traces - scripted teacher traces (e.g. envs' `arithTeacher`)
 * @param maxTokens - the model's context; a longer trace throws
 * @returns tokens, offsets and the loss mask (per token)
 * @throws RangeError when a trace is longer than `maxTokens`
 * @example
 * packTeacherTraces(tok, [{ prompt: 'What is 1+1?\n', segments: [{ role: 'policy', text: '<ans>2</ans>' }] }], 128).lossMask;
 * // 13 zeros (the prompt), then 3 ones (<ans>, 2, </ans>)
 */
export function packTeacherTraces(
  tokenizer: Pick<TagTokenizer, 'encode'>,
  traces: readonly Pick<TeacherTrace, 'prompt' | 'segments'>[],
  maxTokens = Number.POSITIVE_INFINITY,
): PackedTraces {
  const parts: { ids: Int32Array; learn: boolean }[][] = traces.map((tr) => [
    { ids: tokenizer.encode(tr.prompt), learn: false },
    ...tr.segments.map((s) => ({ ids: tokenizer.encode(s.text), learn: s.role === 'policy' })),
  ]);
  const offsets = new Int32Array(traces.length + 1);
  for (let i = 0; i < parts.length; i++) {
    let len = 0;
    for (const p of parts[i]) len += p.ids.length;
    if (len > maxTokens) throw new RangeError(`packTeacherTraces: trace ${i} has ${len} tokens, more than maxTokens ${maxTokens}`);
    offsets[i + 1] = offsets[i] + len;
  }
  const T = offsets[traces.length];
  const tokens = new Int32Array(T);
  const lossMask = new Uint8Array(T);
  let t = 0;
  for (const seq of parts) {
    for (const p of seq) {
      tokens.set(p.ids, t);
      if (p.learn) lossMask.fill(1, t, t + p.ids.length);
      t += p.ids.length;
    }
  }
  return { tokens, offsets, lossMask };
}

/**
 * One supervised step: masked next-token NLL on the teacher's tokens, backward, AdamW.
 *
 * @param model - the policy (updated in place)
 * @param optimizer - its AdamW
 * @param batch - from {@link packTeacherTraces}
 * @returns the loss before the update, the gradient norm and the learning rate
 * @example
 * (await sftStep(model, opt, packTeacherTraces(tok, traces, 128))).loss; // ≈ ln(vocab) at init
 */
export async function sftStep(model: TinyGPT, optimizer: AdamW, batch: PackedTraces): Promise<{ loss: number; gradNorm: number; lr: number }> {
  const { tokens, offsets } = batch;
  const fwd = await model.forward({ tokens, seqOffsets: offsets, targets: nextTokenTargets(tokens, offsets) });
  const nll = maskedNll(fwd.logprobs, toPositions(batch.lossMask, offsets, new Uint8Array(tokens.length)));
  const grads = new Float32Array(model.params.length);
  await model.backward(fwd, nll.dLogprobs, grads);
  model.release(fwd);
  const info = await optimizer.step(model.params, grads);
  return { loss: nll.loss, gradNorm: info.gradNorm, lr: info.lr };
}

/**
 * Supervised warm start on scripted teacher traces (e.g. `arithTeacher(arithTasks(…))`).
 *
 * @param model - the policy (updated in place)
 * @param optimizer - its AdamW
 * @param tokenizer - the policy's tokenizer
 * @param traces - teacher traces, cycled through in order
 * @param options - {@link SftOptions}
 * @returns the loss of every step (before that step's update)
 * @throws RangeError on an empty trace list or bad options
 * @example
 * const losses = await sft(model, new AdamW(model.backend, model.layout), tok, arithTeacher(items, { seed: 2 }), { steps: 30 });
 * // losses[29] < losses[0]
 */
export async function sft(
  model: TinyGPT,
  optimizer: AdamW,
  tokenizer: TagTokenizer,
  traces: readonly Pick<TeacherTrace, 'prompt' | 'segments'>[],
  options: SftOptions = {},
): Promise<number[]> {
  const steps = options.steps ?? 30;
  const batchSize = options.batchSize ?? 8;
  if (traces.length === 0) throw new RangeError('sft: traces must not be empty');
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`sft: options.steps must be an integer ≥ 0 (got ${steps})`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`sft: options.batchSize must be an integer ≥ 1 (got ${batchSize})`);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const chunk = Array.from({ length: batchSize }, (_, i) => traces[(s * batchSize + i) % traces.length]);
    losses.push((await sftStep(model, optimizer, packTeacherTraces(tokenizer, chunk, model.config.context))).loss);
  }
  return losses;
}
