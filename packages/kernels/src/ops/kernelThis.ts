/**
 * `this` inside a gpu.js kernel function: the thread index and the constants set with
 * `setConstants`. Kernel sources in `src/ops/*.ts` declare it so they typecheck as plain functions.
 *
 * @example
 * function double(this: KernelThis, x: number[]): number {
 *   return 2 * x[this.thread.x];
 * }
 */
export interface KernelThis {
  thread: { x: number; y: number; z: number };
  constants: Record<string, number>;
}
