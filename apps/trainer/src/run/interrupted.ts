/**
 * A command stopped by Ctrl-C (its `AbortSignal`) before it finished. The message says what was
 * kept and how to continue; the CLI prints it and exits 130.
 *
 * @example
 * throw new Interrupted('sft: interrupted at step 12 of 1500; nothing saved');
 */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}
