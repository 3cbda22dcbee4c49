export { createSecAggAggregator, type TAggregatorStage, type TSecAggAggregator } from "./aggregator";
export { agreeKey, assertUsablePublicKey, generateKeyPair, type TKeyPair } from "./keys";
export { expandMask } from "./prg";
export {
  createSecAggParticipant,
  validateRoster,
  type TAdvertisedKeys,
  type TEncryptedShare,
  type TMaskedInputMessage,
  type TRoster,
  type TSecAggParticipant,
  type TShareKeysMessage,
  type TUnmaskRequest,
  type TUnmaskResponse,
} from "./protocol";
export { addInto, dequantizeVector, getFixedPointScale, quantizeVector, subtractInto } from "./ring";
export { combineShares, splitSecret, type TShare } from "./shamir";
