// A SEAL context for HE_PARAMS with the helpers both sides need. Every SEAL object is WASM memory that
// JavaScript's garbage collector cannot see: whatever is created here is freed by delete().
import type { CKKSEncoder } from "node-seal/implementation/ckks-encoder";
import type { Context } from "node-seal/implementation/context";
import type { ParmsIdType } from "node-seal/implementation/parms-id-type";
import { HE_PARAMS } from "./params";
import type { TSeal } from "./load-seal";

export type THeContext = {
  seal: TSeal;
  context: Context;
  encoder: CKKSEncoder;
  slotCount: number;
  /** The rescale prime q1, the scale the weights are encoded at. */
  rescalePrime: number;
  /** parms_id of the first data level (fresh ciphertexts) and of the level after one rescale, as strings. */
  firstParmsKey: string;
  lastParmsKey: string;
  delete(): void;
};

/** A parms_id as a comparable string; frees the wrapper SEAL handed out. */
export function readParmsKey(parmsId: ParmsIdType): string {
  try {
    return Array.from(parmsId.values, (value) => value.toString(16)).join(".");
  } finally {
    parmsId.delete();
  }
}

export function createHeContext(seal: TSeal): THeContext {
  const parms = seal.EncryptionParameters(seal.SchemeType.ckks);
  const coeffModulus = seal.CoeffModulus.Create(HE_PARAMS.polyModulusDegree, Int32Array.from(HE_PARAMS.coeffModulusBits));
  try {
    parms.setPolyModulusDegree(HE_PARAMS.polyModulusDegree);
    parms.setCoeffModulus(coeffModulus);
    // tc128: SEAL itself refuses parameters beyond the HomomorphicEncryption.org bound for 128-bit security.
    const context = seal.Context(parms, true, seal.SecurityLevel.tc128);
    if (!context.parametersSet()) {
      context.delete();
      throw new Error("SEAL rejected HE_PARAMS");
    }
    const encoder = seal.CKKSEncoder(context);
    const firstData = context.firstContextData;
    const firstParms = firstData.parms;
    const rescalePrime = Number(firstParms.coeffModulus[1]);
    firstParms.delete();
    firstData.delete();
    return {
      seal,
      context,
      encoder,
      slotCount: encoder.slotCount,
      rescalePrime,
      firstParmsKey: readParmsKey(context.firstParmsId),
      lastParmsKey: readParmsKey(context.lastParmsId),
      delete() {
        encoder.delete();
        context.delete();
      },
    };
  } finally {
    coeffModulus.delete();
    parms.delete();
  }
}

/** A slot vector with `values` at the start and zeros after. */
export function toSlotVector(he: THeContext, values: ArrayLike<number>): Float64Array {
  const slots = new Float64Array(he.slotCount);
  for (let index = 0; index < values.length; index += 1) slots[index] = values[index] as number;
  return slots;
}
