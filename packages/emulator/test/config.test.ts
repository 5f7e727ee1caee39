// The emulator's config file: the repository's default, the ALB defaults, and mistakes named by field.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ALB_DEFAULTS,
  loadEmulatorConfig,
  maskSecret,
  needsEmbeddedProvider,
  parseEmulatorConfig,
  resolveConfig,
} from "../src/emulator/listener/config-file.js";
import { REPOSITORY_ROOT } from "./setup.js";

const LINE = {
  Issuer: "https://access.line.me",
  AuthorizationEndpoint: "https://access.line.me/oauth2/v2.1/authorize",
  TokenEndpoint: "https://api.line.me/oauth2/v2.1/token",
  UserInfoEndpoint: "https://api.line.me/oauth2/v2.1/userinfo",
  ClientId: "1234567890",
  ClientSecret: "0123456789abcdef0123456789abcdef",
  Scope: "profile openid",
};

describe("the default alb.config.json", () => {
  it("is valid, uses the embedded provider and asks for the profile scopes", () => {
    const file = loadEmulatorConfig(`${REPOSITORY_ROOT}/alb.config.json`, true);
    expect(needsEmbeddedProvider(file)).toBe(true);
    expect(file.Scope).toBe("openid profile email");
    expect(file.OnUnauthenticatedRequest).toBe("authenticate");
  });

  it("may be absent: then every ALB default applies", () => {
    expect(loadEmulatorConfig(join(tmpdir(), "no-such-alb.config.json"), false)).toEqual({});
  });
});

describe("resolving", () => {
  it("uses the ALB's defaults: Scope openid, AWSELBAuthSessionCookie, 7 days, authenticate, single-value headers", () => {
    const { Scope: _scope, ...idp } = LINE;
    const c = resolveConfig({}, idp);
    expect(c).toMatchObject({
      Scope: "openid",
      SessionCookieName: "AWSELBAuthSessionCookie",
      SessionTimeout: 604800,
      OnUnauthenticatedRequest: "authenticate",
      MultiValueHeaders: false,
    });
    expect(ALB_DEFAULTS.AuthenticationRequestExtraParams).toEqual({});
  });

  it("needs no embedded provider when the file names a real IdP (the seed's LINE setup)", () => {
    const file = parseEmulatorConfig(LINE);
    expect(needsEmbeddedProvider(file)).toBe(false);
    expect(resolveConfig(file, undefined)).toMatchObject(LINE);
  });

  it("names a missing IdP field when there is no embedded provider", () => {
    expect(() => resolveConfig({ ...LINE, ClientSecret: undefined }, undefined)).toThrow("config: ClientSecret is required");
  });
});

describe("mistakes fail naming the field", () => {
  it.each<[string, unknown, string]>([
    ["an unknown field (a typo)", { Scopes: "openid" }, "Scopes is not a field"],
    [
      "an http issuer that is not loopback",
      { Issuer: "http://access.line.me" },
      'Issuer must be an https:// URL (http:// only to loopback), got "http://access.line.me"',
    ],
    ["a relative endpoint", { TokenEndpoint: "/token" }, 'TokenEndpoint must be a full URL, got "/token"'],
    [
      "an unknown mode",
      { OnUnauthenticatedRequest: "block" },
      'OnUnauthenticatedRequest must be "authenticate", "deny" or "allow", got "block"',
    ],
    [
      "a session timeout over 7 days",
      { SessionTimeout: 604801 },
      "SessionTimeout must be a whole number of seconds from 1 to 604800, got 604801",
    ],
    [
      "a reserved extra parameter",
      { AuthenticationRequestExtraParams: { scope: "x" } },
      "AuthenticationRequestExtraParams.scope is set by the load balancer itself",
    ],
    [
      "more than 10 extra parameters",
      { AuthenticationRequestExtraParams: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, "v"])) },
      "holds at most 10 parameters, got 11",
    ],
    ["a non-boolean multi-value switch", { MultiValueHeaders: "yes" }, 'MultiValueHeaders must be true or false, got "yes"'],
    ["not an object", [1], "the file must hold one JSON object"],
  ])("%s", (_name, raw, message) => {
    expect(() => parseEmulatorConfig(raw, "alb.config.json")).toThrow(message);
  });

  it("says which file is not JSON", () => {
    const path = join(mkdtempSync(join(tmpdir(), "alb-config-")), "bad.json");
    writeFileSync(path, "{ Scope: openid }");
    expect(() => loadEmulatorConfig(path, true)).toThrow(`${path}: is not valid JSON`);
  });
});

describe("printing the secret", () => {
  it("never shows it in full", () => {
    expect(maskSecret(LINE.ClientSecret)).toBe("01************ef");
    expect(maskSecret("short")).toBe("*****");
  });
});
