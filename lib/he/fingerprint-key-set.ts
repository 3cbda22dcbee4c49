// The id of a registered key set: SHA-256 over the parameter id and the serialized keys. Client and
// server compute it the same way (WebCrypto, in browsers and in Node 20), so a forecast request names the
// exact keys it expects to be evaluated with.
export async function fingerprintKeySet(options: { paramsId: string; galoisKeys: Uint8Array }): Promise<string> {
  const prefix = new TextEncoder().encode(`${options.paramsId}\n`);
  const data = new Uint8Array(prefix.byteLength + options.galoisKeys.byteLength);
  data.set(prefix, 0);
  data.set(options.galoisKeys, prefix.byteLength);
  const digest = await globalThis.crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
