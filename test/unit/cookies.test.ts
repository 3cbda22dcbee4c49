import { describe, expect, it } from "vitest";
import { parseCookies, serializeCookie } from "@/lib/http/cookies";

describe("parseCookies", () => {
  it("reads every name=value pair and trims the separators", () => {
    const cookies = parseCookies("pg_session=abc;theme=dark ;  lang = en");
    expect([...cookies.entries()]).toEqual([
      ["pg_session", "abc"],
      ["theme", "dark"],
      ["lang", "en"],
    ]);
  });

  it("returns an empty map for a missing or empty header", () => {
    expect(parseCookies(null).size).toBe(0);
    expect(parseCookies("").size).toBe(0);
    expect(parseCookies(" ; ;").size).toBe(0);
  });

  it("keeps '=' inside values and decodes percent-escapes", () => {
    const cookies = parseCookies("token=a=b==; note=hello%20world%3B");
    expect(cookies.get("token")).toBe("a=b==");
    expect(cookies.get("note")).toBe("hello world;");
  });

  it("skips parts without a name and malformed escapes without dropping the others", () => {
    const cookies = parseCookies("=orphan; novalue; bad=%E0%A4%A; pg_session=ok");
    expect(cookies.has("")).toBe(false);
    expect(cookies.has("novalue")).toBe(false);
    expect(cookies.has("bad")).toBe(false);
    expect(cookies.get("pg_session")).toBe("ok");
  });

  it("keeps the last value of a repeated name", () => {
    expect(parseCookies("a=1; a=2").get("a")).toBe("2");
  });
});

describe("serializeCookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/ with the given Max-Age and no Secure by default", () => {
    const header = serializeCookie("pg_session", "tok", { maxAgeS: 43_200, secure: false });
    const attributes = header.split("; ");
    expect(attributes[0]).toBe("pg_session=tok");
    expect(attributes).toContain("HttpOnly");
    expect(attributes).toContain("SameSite=Lax");
    expect(attributes).toContain("Path=/");
    expect(attributes).toContain("Max-Age=43200");
    expect(attributes.some((attribute) => /^secure$/i.test(attribute))).toBe(false);
  });

  it("adds Secure only when asked", () => {
    expect(serializeCookie("pg_session", "tok", { maxAgeS: 60, secure: true }).split("; ")).toContain("Secure");
  });

  it("clears a cookie with an empty value and Max-Age=0", () => {
    const attributes = serializeCookie("pg_session", "", { maxAgeS: 0, secure: false }).split("; ");
    expect(attributes[0]).toBe("pg_session=");
    expect(attributes).toContain("Max-Age=0");
  });

  it("encodes values so they cannot inject attributes, and parseCookies reads them back", () => {
    const value = "x; Domain=evil.example; Max-Age=999999";
    const header = serializeCookie("pg_session", value, { maxAgeS: 60, secure: false });
    expect(header).not.toContain("Domain=");
    expect(header.split("; ").filter((attribute) => attribute.startsWith("Max-Age="))).toEqual(["Max-Age=60"]);
    const pair = header.split("; ")[0]!;
    expect(parseCookies(pair).get("pg_session")).toBe(value);
  });
});
