/**
 * An order-sensitive fingerprint of a device's samples (time and value), so a test can compare what
 * the simulator sent with what the database holds: a lost, duplicated or altered sample changes it.
 */
export function createSampleChecksum() {
  let hash = 2166136261;
  let count = 0;
  const mix = (value: number) => {
    for (let shift = 0; shift < 32; shift += 8) {
      hash ^= (value >>> shift) & 0xff;
      hash = Math.imul(hash, 16777619);
    }
  };
  return {
    add(atMs: number, value: number) {
      mix(Math.floor(atMs / 1000));
      mix(value);
      count += 1;
    },
    value: () => ({ count, checksum: (hash >>> 0).toString(16).padStart(8, "0") }),
  };
}
