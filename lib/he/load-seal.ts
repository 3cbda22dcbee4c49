// node-seal (Microsoft SEAL in WebAssembly). Node resolves the package's Node build, bundlers its
// "browser" build; both are the "throws" variant, which refuses to produce a transparent ciphertext
// (one that would carry the plaintext in the clear).
import type { SEALLibrary } from "node-seal/implementation/seal";

export type TSeal = SEALLibrary;

let shared: Promise<TSeal> | undefined;

/** One instance per thread, for clients and scripts. */
export function loadSeal(): Promise<TSeal> {
  shared ??= createSealInstance();
  return shared;
}

/**
 * A fresh WebAssembly instance with its own memory (~200 ms). The server needs this: in node-seal 6.0.3
 * every C++ exception that reaches JavaScript (SEAL refusing a malformed upload) leaks part of the WASM
 * stack, and after ~60-100 of them the instance corrupts its own memory (measured: a valid forecast then
 * fails with "memory access out of bounds"). The HE worker replaces its instance after any such exception.
 */
export async function createSealInstance(): Promise<TSeal> {
  const module = await import("node-seal");
  return module.default();
}
