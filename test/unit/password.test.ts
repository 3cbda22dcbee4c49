import { describe, expect, it } from "vitest";
import { getDummyPasswordHash, hashPassword, verifyPassword } from "@/lib/auth/password";

const PASSWORD = "correct horse battery staple";
// base64url of 16 salt bytes is 22 characters, of a 32-byte key 43.
const HASH_FORMAT = /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

/** Replaces the character at `index` with a different base64url character. */
function flipCharacter(text: string, index: number): string {
  const replacement = text[index] === "A" ? "B" : "A";
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe("hashPassword", () => {
  it("writes scheme, cost parameters, salt and key into one string", async () => {
    const hash = await hashPassword(PASSWORD);
    expect(hash).toMatch(HASH_FORMAT);
    expect(hash).not.toContain(PASSWORD);
    const [, , , , salt, key] = hash.split("$");
    expect(Buffer.from(salt!, "base64url")).toHaveLength(16);
    expect(Buffer.from(key!, "base64url")).toHaveLength(32);
  });

  it("uses a fresh salt for every hash of the same password", async () => {
    const hashes = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    const salts = hashes.map((hash) => hash.split("$")[4]);
    const keys = hashes.map((hash) => hash.split("$")[5]);
    expect(new Set(salts).size).toBe(3);
    expect(new Set(keys).size).toBe(3);
  });
});

describe("verifyPassword", () => {
  it("accepts the right password and rejects wrong ones", async () => {
    const hash = await hashPassword(PASSWORD);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(await verifyPassword(`${PASSWORD} `, hash)).toBe(false);
    expect(await verifyPassword(PASSWORD.toUpperCase(), hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("rejects a hash whose key, salt or cost was tampered with", async () => {
    const hash = await hashPassword(PASSWORD);
    const parts = hash.split("$");
    const withKey = (key: string) => [...parts.slice(0, 5), key].join("$");
    const withSalt = (salt: string) => [...parts.slice(0, 4), salt, parts[5]].join("$");
    // Middle characters carry full bits; the last character of base64url partly encodes padding.
    expect(await verifyPassword(PASSWORD, withKey(flipCharacter(parts[5]!, 10)))).toBe(false);
    expect(await verifyPassword(PASSWORD, withSalt(flipCharacter(parts[4]!, 5)))).toBe(false);
    expect(await verifyPassword(PASSWORD, ["scrypt", 2 ** 14, ...parts.slice(2)].join("$"))).toBe(false);
    expect(await verifyPassword(PASSWORD, ["scrypt", parts[1], 4, ...parts.slice(3)].join("$"))).toBe(false);
  });

  it("rejects stored values that are not scrypt hashes", async () => {
    const hash = await hashPassword(PASSWORD);
    expect(await verifyPassword(PASSWORD, hash.replace(/^scrypt/, "bcrypt"))).toBe(false);
    expect(await verifyPassword(PASSWORD, hash.split("$").slice(0, 5).join("$"))).toBe(false);
    expect(await verifyPassword(PASSWORD, "")).toBe(false);
    expect(await verifyPassword(PASSWORD, PASSWORD)).toBe(false);
  });

  it("rejects a hash whose key was truncated instead of comparing a shorter key", async () => {
    // A corrupted or hand-edited row must fail closed: the key length is fixed, not read from the row.
    const hash = await hashPassword(PASSWORD);
    const parts = hash.split("$");
    const truncated = (key: string) => [...parts.slice(0, 5), key].join("$");
    expect(await verifyPassword("any other password", truncated("A"))).toBe(false);
    expect(await verifyPassword("any other password", truncated(parts[5]!.slice(0, 2)))).toBe(false);
  });
});

describe("getDummyPasswordHash", () => {
  it("is one well-formed hash that no ordinary password matches", async () => {
    const first = await getDummyPasswordHash();
    expect(await getDummyPasswordHash()).toBe(first);
    expect(first).toMatch(HASH_FORMAT);
    expect(await verifyPassword("", first)).toBe(false);
    expect(await verifyPassword(PASSWORD, first)).toBe(false);
  });
});
