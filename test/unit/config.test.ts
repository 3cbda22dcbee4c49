import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config";

function configErrorFor(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe("parseConfig", () => {
  it("defaults to the embedded setup, so npm start needs no .env", () => {
    const config = parseConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.PUBLIC_ORIGIN).toBeUndefined();
    expect(config.DATA_DIR).toBe(".data");
    expect(config.dataDirAbsolute).toBe(path.resolve(".data"));
    expect(path.isAbsolute(config.dataDirAbsolute)).toBe(true);
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe("0.0.0.0");
    expect(config.SESSION_TTL_HOURS).toBe(12);
    expect(config.SEED_DEMO).toBe(true);
    expect(config.secureCookies).toBe(false);
  });

  it("coerces numbers and booleans from their string form", () => {
    const config = parseConfig({ PORT: "8080", DATABASE_POOL_SIZE: "4", SESSION_TTL_HOURS: "1", SEED_DEMO: "false" });
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_POOL_SIZE).toBe(4);
    expect(config.SESSION_TTL_HOURS).toBe(1);
    expect(config.SEED_DEMO).toBe(false);
  });

  it("accepts postgres and redis URLs", () => {
    const config = parseConfig({ DATABASE_URL: "postgresql://u@db:5432/app", REDIS_URL: "rediss://cache:6380" });
    expect(config.DATABASE_URL).toBe("postgresql://u@db:5432/app");
    expect(config.REDIS_URL).toBe("rediss://cache:6380");
    expect(parseConfig({ DATABASE_URL: "postgres://db/app" }).DATABASE_URL).toBe("postgres://db/app");
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "80.5"],
    ["DATABASE_URL", "mysql://db/app"],
    ["DATABASE_POOL_SIZE", "0"],
    ["REDIS_URL", "http://cache"],
    ["LOG_LEVEL", "verbose"],
    ["NODE_ENV", "staging"],
    ["PUBLIC_ORIGIN", "not a url"],
    ["SESSION_TTL_HOURS", "0"],
    ["SEED_DEMO", "yes"],
    ["SHUTDOWN_GRACE_MS", "-1"],
  ])("refuses %s=%s and names the variable", (name, value) => {
    const message = configErrorFor({ [name]: value });
    expect(message).toMatch(/^Invalid configuration/);
    expect(message).toContain(`${name}:`);
  });

  it("lists every bad variable at once", () => {
    const message = configErrorFor({ PORT: "x", LOG_LEVEL: "loud" });
    expect(message).toContain("PORT:");
    expect(message).toContain("LOG_LEVEL:");
  });

  it("trusts no proxy by default and parses TRUSTED_PROXIES as IPs and CIDRs", () => {
    expect(parseConfig({}).TRUSTED_PROXIES).toEqual([]);
    expect(parseConfig({ TRUSTED_PROXIES: "" }).TRUSTED_PROXIES).toEqual([]);
    expect(parseConfig({ TRUSTED_PROXIES: " 10.0.0.0/8, 192.0.2.1 ,2001:db8::/32" }).TRUSTED_PROXIES).toEqual(["10.0.0.0/8", "192.0.2.1", "2001:db8::/32"]);
    for (const bad of ["proxy.internal", "10.0.0.0/33", "10.0.0.1/8/8", "2001:db8::/129", "10.0.0.0/x"]) {
      expect(configErrorFor({ TRUSTED_PROXIES: bad })).toContain("TRUSTED_PROXIES");
    }
  });

  it("sets secureCookies only for an https PUBLIC_ORIGIN", () => {
    expect(parseConfig({ PUBLIC_ORIGIN: "https://pulseguard.example" }).secureCookies).toBe(true);
    expect(parseConfig({ PUBLIC_ORIGIN: "https://pulseguard.example:8443/" }).secureCookies).toBe(true);
    expect(parseConfig({ PUBLIC_ORIGIN: "http://pulseguard.example" }).secureCookies).toBe(false);
    expect(parseConfig({ PUBLIC_ORIGIN: "http://https.example" }).secureCookies).toBe(false);
    expect(parseConfig({}).secureCookies).toBe(false);
  });
});
