let enabled = true;

/** Whether the estimators and `broadcastToTokens` may use their WebAssembly kernels. */
export function wasmKernelsEnabled(): boolean {
  return enabled;
}

/**
 * Turns every WebAssembly kernel of the package on or off (GRPO family, MO-GRPO and GDPO,
 * Pareto-rank, token broadcast), for tests and benchmarks that compare them with the JavaScript
 * paths (not exported from the package).
 *
 * @returns the previous setting
 * @example
 * const was = setWasmKernels(false); // JavaScript only until setWasmKernels(was)
 */
export function setWasmKernels(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}
