/**
 * The few WebAssembly JS-API members we use, typed locally: the package compiles against lib ES2022
 * without DOM, which has no `WebAssembly` declarations.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

/**
 * The global WebAssembly object (Node ≥ 20, browsers).
 *
 * @example
 * Wasm.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])) // true
 */
export const Wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
