// The attack catalogue: one named test per known attack on ALB authentication, each asserting the exact answer, the key fetches it may cause, and that nothing leaks; run over every handler in attack-targets.ts.
import type { ALBEvent, ALBResult } from "aws-lambda";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  ALICE,
  DEFAULT_ALB_ARN,
  DEFAULT_CLIENT_ID,
  DEFAULT_ISSUER,
  OTHER_ALB_ARN,
  b64urlPadded,
  decodePart,
  mintAlbToken,
  replacePart,
  tamper,
  type MintOptions,
} from "../../src/testing/alb-token.js";
import { albEvent, userEvent, type UserRequestOptions } from "../../src/testing/events.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { body, expectAccepted, expectUnauthorized, useFrozenDate, useKeyServer } from "../helpers.js";
import { ATTACK_TARGETS } from "./attack-targets.js";
import { ACCESS_TOKEN, KEY_PATH, SESSION_COOKIE, expectNoLeak, secretsOf, BROWSER } from "./support.js";

/** A whole second, so that `exp === now` is exact. */
const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW_S = NOW_MS / 1000;

const key = createAlbKey();
/** A key of another AWS account's load balancer: the regional endpoint serves it to anyone (ALBeast). */
const attackerKey = createAlbKey();
const server = useKeyServer([key, attackerKey]);
afterAll(() => {
  expect(server.requests.every((p) => KEY_PATH.test(p))).toBe(true);
});
useFrozenDate(NOW_MS);

const mint = (o: Partial<MintOptions> = {}): string => mintAlbToken({ key, ...o });

interface Attempt {
  readonly res: ALBResult;
  /** Paths the key endpoint was asked for during this attempt. */
  readonly fetched: string[];
}

describe.each(ATTACK_TARGETS.map((t) => [t.name, t.coldStart] as const))("against %s", (_name, harness) => {
  /** One request on a cold instance, checked for leaks of the token, access token and cookie. */
  async function send(event: ALBEvent, token: string | undefined): Promise<Attempt> {
    const { handler, rawLogs } = harness(server);
    const before = server.requests.length;
    const res = await handler(event);
    expectNoLeak(res, rawLogs, secretsOf(token));
    return { res, fetched: server.requests.slice(before) };
  }

  function attempt(token: string | undefined, o: UserRequestOptions = {}): Promise<Attempt> {
    return send(userEvent({ ...BROWSER, token, ...o }), token);
  }

  /** Refused with `code`. */
  async function refused(token: string | undefined, code: string): Promise<void> {
    expectUnauthorized((await attempt(token)).res, code);
  }

  /** Rejected before any key is fetched. */
  async function refusedUpFront(token: string, code: string): Promise<void> {
    const { res, fetched } = await attempt(token);
    expectUnauthorized(res, code);
    expect(fetched).toEqual([]);
  }

  describe("ALBeast and signer forgery", () => {
    it("ALBeast: a genuine ALB token of another account's load balancer, with our issuer and client -> invalid_signer, no key fetched", async () => {
      const token = mintAlbToken({ key: attackerKey, signer: OTHER_ALB_ARN, issuer: DEFAULT_ISSUER, clientId: DEFAULT_CLIENT_ID });
      await refusedUpFront(token, "invalid_signer");
    });

    it("ALBeast with signer rewritten to ours: the signature no longer verifies -> invalid_signature", async () => {
      const foreign = mintAlbToken({ key: attackerKey, signer: OTHER_ALB_ARN });
      const relabelled = replacePart(foreign, 0, (h) => ({ ...h, signer: DEFAULT_ALB_ARN }));
      const { res, fetched } = await attempt(relabelled);
      expectUnauthorized(res, "invalid_signature");
      expect(fetched).toEqual([`/${attackerKey.kid}`]);
    });

    it("ALBeast signed by the attacker's key but labelled with our key's kid -> invalid_signature", async () => {
      const token = mintAlbToken({ key: attackerKey, kid: key.kid });
      await refused(token, "invalid_signature");
    });

    it("signer missing from the header -> invalid_signer", async () => {
      await refusedUpFront(mint({ header: { signer: undefined } }), "invalid_signer");
    });

    it("signer of another region's load balancer -> invalid_signer", async () => {
      await refusedUpFront(mint({ signer: DEFAULT_ALB_ARN.replace("us-east-1", "us-west-2") }), "invalid_signer");
    });
  });

  describe("issuer forgery and client mismatch", () => {
    it("issuer forgery: header and payload iss of another IdP -> invalid_issuer, no key fetched", async () => {
      await refusedUpFront(mint({ issuer: "https://evil.example.com" }), "invalid_issuer");
    });

    it("header iss ours, payload iss another IdP (signed) -> invalid_issuer", async () => {
      await refused(mint({ payloadIssuer: "https://evil.example.com" }), "invalid_issuer");
    });

    it("header iss another IdP, payload iss ours (signed) -> invalid_issuer", async () => {
      await refusedUpFront(mint({ header: { iss: "https://evil.example.com" } }), "invalid_issuer");
    });

    it("issuer that differs only by a trailing slash -> invalid_issuer", async () => {
      await refusedUpFront(mint({ issuer: `${DEFAULT_ISSUER}/` }), "invalid_issuer");
    });

    it("payload iss missing (signed) -> invalid_issuer", async () => {
      await refused(mint({ payload: { iss: undefined } }), "invalid_issuer");
    });

    it("payload iss rewritten on a genuine token -> invalid_signature", async () => {
      const forged = replacePart(mint({ issuer: "https://evil.example.com" }), 0, (h) => ({ ...h, iss: DEFAULT_ISSUER }));
      await refused(
        replacePart(forged, 1, (p) => ({ ...p, iss: DEFAULT_ISSUER })),
        "invalid_signature",
      );
    });

    it("client mismatch: another OIDC client id -> invalid_client, no key fetched", async () => {
      await refusedUpFront(mint({ clientId: "someone-elses-client" }), "invalid_client");
    });

    it("client missing from the header -> invalid_client", async () => {
      await refusedUpFront(mint({ header: { client: undefined } }), "invalid_client");
    });
  });

  describe("algorithm confusion", () => {
    const labels: [string, Partial<MintOptions>][] = [
      ["alg none, empty signature", { alg: "none" }],
      ["alg None (case variant)", { alg: "None" }],
      ["HS256 keyed with our public key PEM", { alg: "HS256", hmacSecret: key.publicKeyPem }],
      ["RS256 header over our ES256 signature", { alg: "RS256" }],
      ["ES384 header over our ES256 signature", { alg: "ES384" }],
      ["ES512 header over our ES256 signature", { alg: "ES512" }],
      ["alg missing", { header: { alg: undefined } }],
      ["alg lower-case es256", { header: { alg: "es256" } }],
      ["alg as an array", { header: { alg: ["ES256"] } }],
    ];
    it.each(labels)("algorithm confusion: %s -> unsupported_algorithm, no key fetched", async (_name, o) => {
      await refusedUpFront(mint(o), "unsupported_algorithm");
    });

    it("algorithm confusion: a valid ES256 token relabelled alg none, signature kept -> unsupported_algorithm", async () => {
      await refusedUpFront(
        replacePart(mint(), 0, (h) => ({ ...h, alg: "none" })),
        "unsupported_algorithm",
      );
    });
  });

  describe("kid injection", () => {
    const uuid = key.kid;
    const kids: [string, unknown][] = [
      ["path traversal", "../../etc/passwd"],
      ["path traversal after a uuid", `${uuid}/../../admin`],
      ["URL-encoded traversal", "..%2F..%2Fetc%2Fpasswd"],
      ["double URL-encoded traversal", "%252e%252e%252fadmin"],
      ["absolute URL", "https://evil.example.com/key.pem"],
      ["protocol-relative URL", "//evil.example.com/key.pem"],
      ["query string", `${uuid}?redirect=https://evil.example.com`],
      ["fragment", `${uuid}#x`],
      ["trailing newline", `${uuid}\n`],
      ["surrounding spaces", ` ${uuid} `],
      ["over-long", `${uuid}${"a".repeat(10_000)}`],
      ["non-UUID", "key-2024"],
      ["UUID without dashes", uuid.replace(/-/g, "")],
      ["empty", ""],
      ["number", 42],
      ["null", null],
      ["object", { kid: uuid }],
      ["missing", undefined],
    ];
    it.each(kids)("kid injection: %s -> malformed_token, the key endpoint is never asked", async (_name, kid) => {
      const token = mint({ header: { kid } });
      await refusedUpFront(token, "malformed_token");
    });

    it("kid injection: an upper-case UUID reaches the endpoint only as /<uuid>", async () => {
      const upper = createAlbKey(key.kid.toUpperCase());
      const { res, fetched } = await attempt(mintAlbToken({ key: upper }));
      expectUnauthorized(res, "unknown_key");
      expect(fetched).toEqual([`/${upper.kid}`]);
      expect(fetched.every((p) => KEY_PATH.test(p))).toBe(true);
    });
  });

  describe("expiry", () => {
    it("payload exp passed while header exp is fine -> expired", async () => {
      await refused(mint({ headerExp: NOW_S + 60, payloadExp: NOW_S - 1 }), "expired");
    });

    it("header exp passed while payload exp is fine -> expired, no key fetched", async () => {
      await refusedUpFront(mint({ headerExp: NOW_S - 1, payloadExp: NOW_S + 60 }), "expired");
    });

    it("both exp long passed -> expired", async () => {
      await refusedUpFront(mint({ expiresIn: -3600 }), "expired");
    });

    it("boundary: exp exactly now is dead (header and payload) -> expired", async () => {
      await refusedUpFront(mint({ expiresIn: 0 }), "expired");
    });

    it("boundary: payload exp exactly now, header exp later -> expired", async () => {
      await refused(mint({ headerExp: NOW_S + 60, payloadExp: NOW_S }), "expired");
    });

    it("boundary: exp one second from now is alive -> 200", async () => {
      expectAccepted((await attempt(mint({ expiresIn: 1 }))).res);
    });

    it("boundary: the same token dies when the clock reaches its exp on a warm instance", async () => {
      const { handler } = harness(server);
      const token = mint({ expiresIn: 30 });
      expectAccepted(await handler(userEvent({ ...BROWSER, token })));
      vi.setSystemTime(NOW_MS + 29_999);
      expectAccepted(await handler(userEvent({ ...BROWSER, token })));
      vi.setSystemTime(NOW_MS + 30_000);
      expectUnauthorized(await handler(userEvent({ ...BROWSER, token })), "expired");
    });

    it("exp far in the future (1 hour) -> invalid_expiry", async () => {
      await refusedUpFront(mint({ expiresIn: 3600 }), "invalid_expiry");
    });

    it("boundary: exp 900 s ahead is accepted, 901 s is invalid_expiry", async () => {
      expectAccepted((await attempt(mint({ expiresIn: 900 }))).res);
      await refusedUpFront(mint({ expiresIn: 901 }), "invalid_expiry");
    });

    it("payload exp far in the future while header exp is fine (signed) -> invalid_expiry", async () => {
      await refused(mint({ headerExp: NOW_S + 60, payloadExp: NOW_S + 86_400 * 365 }), "invalid_expiry");
    });

    const nonNumeric: [string, unknown][] = [
      ["numeric string", String(NOW_S + 60)],
      ["null", null],
      ["boolean", true],
      ["array", [NOW_S + 60]],
    ];
    it.each(nonNumeric)("non-numeric header exp (%s) -> malformed_token, no key fetched", async (_name, exp) => {
      await refusedUpFront(mint({ header: { exp } }), "malformed_token");
    });
    it.each(nonNumeric)("non-numeric payload exp (%s, signed) -> malformed_token", async (_name, exp) => {
      await refused(mint({ payload: { exp } }), "malformed_token");
    });

    it("payload exp missing (signed) -> malformed_token", async () => {
      await refused(mint({ payload: { exp: undefined } }), "malformed_token");
    });

    it("exp 1e400 (parses to Infinity) -> malformed_token", async () => {
      const rawHeader = JSON.stringify({ ...decodePart(mint(), 0), exp: 0 }).replace('"exp":0', '"exp":1e400');
      await refusedUpFront(mint({ rawHeader }), "malformed_token");
    });

    it("nbf in the future (signed) -> not_yet_valid", async () => {
      await refused(mint({ payload: { nbf: NOW_S + 30 } }), "not_yet_valid");
    });

    it("nbf in the past is fine -> 200", async () => {
      expectAccepted((await attempt(mint({ payload: { nbf: NOW_S - 30 } }))).res);
    });

    it("exp moved forward on a genuine expired token -> invalid_signature", async () => {
      const stale = mint({ expiresIn: -10 });
      const revived = replacePart(
        replacePart(stale, 0, (h) => ({ ...h, exp: NOW_S + 60 })),
        1,
        (p) => ({ ...p, exp: NOW_S + 60 }),
      );
      await refused(revived, "invalid_signature");
    });
  });

  describe("parsing", () => {
    const validParts = (): string[] => mint().split(".");
    const h = (): string => validParts()[0] ?? "";
    const b64 = (s: string): string => b64urlPadded(s);

    const shapes: [string, () => string][] = [
      ["one part", () => h()],
      ["two parts", () => validParts().slice(0, 2).join(".")],
      ["four parts", () => `${mint()}.${b64("x")}`],
      ["empty parts", () => ".."],
      ["only dots", () => "...."],
      ["leading dot", () => `.${validParts().slice(1).join(".")}`],
      ["bad base64 header", () => "!!!!.eyJzdWIiOiJ4In0.c2ln"],
      ["non-JSON header", () => `${b64("not json")}.${b64("{}")}.c2ln`],
      ["JSON array header", () => `${b64(JSON.stringify(["ES256"]))}.${b64("{}")}.c2ln`],
      ["JSON string header", () => `${b64('"ES256"')}.${b64("{}")}.c2ln`],
      ["JSON number header", () => `${b64("256")}.${b64("{}")}.c2ln`],
      ["JSON null header", () => `${b64("null")}.${b64("{}")}.c2ln`],
      ["a single space", () => " "],
    ];
    it.each(shapes)("parsing: %s -> malformed_token", async (_name, make) => {
      const token = make();
      const { res, fetched } = await attempt(token);
      expectUnauthorized(res, "malformed_token");
      expect(fetched.every((p) => p === `/${key.kid}`)).toBe(true);
    });

    it("parsing: 64 KB and 1 MB tokens are refused without a key fetch", async () => {
      for (const size of [64 * 1024, 1024 * 1024]) {
        const big = mint({ claims: { ...ALICE, padding: "x".repeat(size) } });
        expect(big.length).toBeGreaterThan(size);
        await refusedUpFront(big, "malformed_token");
      }
    });

    const payloads: [string, string][] = [
      ["JSON array payload", JSON.stringify([{ sub: "alice" }])],
      ["JSON string payload", '"alice"'],
      ["JSON number payload", "42"],
      ["JSON null payload", "null"],
      ["non-JSON payload", "sub=alice"],
      ["truncated JSON payload", '{"sub":"alice"'],
    ];
    it.each(payloads)("parsing: %s, signed by our key -> malformed_token", async (_name, rawPayload) => {
      await refused(mint({ rawPayload }), "malformed_token");
    });

    it("parsing: bad base64 in the signature -> malformed_token", async () => {
      const [hh, pp] = validParts();
      await refused(`${hh ?? ""}.${pp ?? ""}.***`, "malformed_token");
    });

    it("parsing: padding stripped from a genuine token's header and payload (the padding is signed) -> invalid_signature", async () => {
      const [hh, pp, ss] = validParts();
      expect(`${hh ?? ""}${pp ?? ""}`).toContain("=");
      const unpadded = `${(hh ?? "").replace(/=+$/, "")}.${(pp ?? "").replace(/=+$/, "")}.${ss ?? ""}`;
      expectUnauthorized((await attempt(unpadded)).res, "invalid_signature");
    });

    it("parsing: __proto__ and constructor keys in header and payload -> no prototype pollution observable", async () => {
      const rawHeader = `{"typ":"JWT","kid":"${key.kid}","alg":"ES256","iss":"${DEFAULT_ISSUER}","client":"${DEFAULT_CLIENT_ID}","signer":"${DEFAULT_ALB_ARN}","exp":${NOW_S + 60},"__proto__":{"polluted":"header"},"constructor":{"prototype":{"polluted2":"header"}}}`;
      const rawPayload = `{"sub":"alice","iss":"${DEFAULT_ISSUER}","exp":${NOW_S + 60},"__proto__":{"polluted":"payload","isAdmin":true},"constructor":{"prototype":{"polluted2":"payload"}}}`;
      const signed = mint({ rawHeader, rawPayload });
      const { res } = await attempt(signed);
      expectAccepted(res);
      const claims = body(res).claims as Record<string, unknown>;
      expect(Object.hasOwn(claims, "isAdmin")).toBe(false);
      const forged = replacePart(mint(), 1, () => JSON.parse(rawPayload) as Record<string, unknown>);
      expectUnauthorized((await attempt(forged)).res, "invalid_signature");
      const probe = {} as Record<string, unknown>;
      expect(probe.polluted).toBeUndefined();
      expect(probe.polluted2).toBeUndefined();
      expect(probe.isAdmin).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty("polluted");
    });

    it("parsing: duplicate JSON keys are read as the verifier reads them (last wins), never one way for us and another for it", async () => {
      const base = `"typ":"JWT","kid":"${key.kid}","alg":"ES256","iss":"${DEFAULT_ISSUER}","client":"${DEFAULT_CLIENT_ID}","exp":${NOW_S + 60}`;
      const ourSignerLast = mint({ rawHeader: `{${base},"signer":"${OTHER_ALB_ARN}","signer":"${DEFAULT_ALB_ARN}"}` });
      expectAccepted((await attempt(ourSignerLast)).res);
      const otherSignerLast = mint({ rawHeader: `{${base},"signer":"${DEFAULT_ALB_ARN}","signer":"${OTHER_ALB_ARN}"}` });
      await refusedUpFront(otherSignerLast, "invalid_signer");
      const dupSub = mint({ rawPayload: `{"sub":"alice","iss":"${DEFAULT_ISSUER}","exp":${NOW_S + 60},"sub":"mallory"}` });
      expectUnauthorized((await attempt(dupSub)).res, "identity_mismatch");
      const asMallory = (await attempt(dupSub, { identity: "mallory" })).res;
      expect(asMallory.statusCode).toBe(200);
      expect(body(asMallory).identity).toBe("mallory");
    });

    it("parsing: a duplicate key appended to a genuine token's header -> invalid_signature", async () => {
      const [, pp, ss] = mint().split(".");
      const hdr = `{"typ":"JWT","kid":"${key.kid}","alg":"ES256","iss":"${DEFAULT_ISSUER}","client":"${DEFAULT_CLIENT_ID}","signer":"${DEFAULT_ALB_ARN}","exp":${NOW_S + 60},"exp":${NOW_S + 600}}`;
      expectUnauthorized((await attempt(`${b64(hdr)}.${pp ?? ""}.${ss ?? ""}`)).res, "invalid_signature");
    });

    it("parsing: unicode and control characters in signed claims come back as valid JSON -> 200", async () => {
      const name = "Ålice \u{1F512} \u0000\u001f\u2028\u2029 <script>";
      const res = (await attempt(mint({ claims: { ...ALICE, name } }))).res;
      expectAccepted(res);
      expect((body(res).claims as Record<string, unknown>).name).toBe(name);
    });

    const inserted: [string, string][] = [
      ["NUL", "\u0000"],
      ["newline", "\n"],
      ["space", " "],
      ["non-ASCII letter", "é"],
      ["emoji", "\u{1F600}"],
      ["zero-width space", "\u200b"],
    ];
    it.each(inserted)("parsing: a %s inserted into a valid token -> malformed_token", async (_name, ch) => {
      for (const part of [0, 1, 2]) {
        const parts = mint().split(".");
        parts[part] = `${(parts[part] ?? "").slice(0, 4)}${ch}${(parts[part] ?? "").slice(4)}`;
        await refused(parts.join("."), "malformed_token");
      }
    });
  });

  describe("library throws that are not verdicts", () => {
    it.each([
      ["an absurd nbf (1e300)", { nbf: 1e300 }, "not_yet_valid"],
      ["an nbf past the Date range (8.64e15 + 1)", { nbf: 8.64e15 + 1 }, "not_yet_valid"],
      ["an absurd negative payload exp (-1e300)", { exp: -1e300 }, "malformed_token"],
    ])("library throws that are not verdicts: %s is 401, never 500", async (_name, payload, code) => {
      const h = harness(server);
      expectUnauthorized(await h.handler(userEvent({ ...BROWSER, token: mintAlbToken({ key, payload }) })), code);
    });

    it("library throws that are not verdicts: a signature of the wrong length is 401 invalid_signature (node's verify throws on it), never 500", async () => {
      const h = harness(server);
      const before = server.requests.length;
      const token = mintAlbToken({ key }).replace(/=+$/, "");
      for (const sig of [token.slice(0, -2), token.slice(0, -40), `${token}AAAA`, `${token.slice(0, token.lastIndexOf(".") + 1)}AAAA`]) {
        expectUnauthorized(await h.handler(userEvent({ ...BROWSER, token: sig })), "invalid_signature");
      }
      expect(h.logs.map((l) => l.status)).toEqual([401, 401, 401, 401]);
      expect(server.requests.slice(before)).toEqual([`/${key.kid}`]);
    });
  });

  describe("header smuggling", () => {
    const token = (): string => mint();

    function eventWith(headers: Record<string, unknown>, multiValue = false): ALBEvent {
      const e = albEvent({
        path: "/whoami",
        multiValue,
        headers: { cookie: `AWSELBAuthSessionCookie-0=${SESSION_COOKIE}` },
      }) as unknown as Record<string, Record<string, unknown>>;
      const target = multiValue ? e.multiValueHeaders : e.headers;
      Object.assign(target ?? {}, headers);
      return e as unknown as ALBEvent;
    }

    async function smuggle(headers: Record<string, unknown>, t: string, multiValue = false): Promise<ALBResult> {
      return (await send(eventWith(headers, multiValue), t)).res;
    }

    it("header smuggling: x-amzn-oidc-data twice in different case -> ambiguous_header", async () => {
      const t = token();
      const forged = replacePart(t, 1, (p) => ({ ...p, sub: "admin" }));
      expectUnauthorized(
        await smuggle({ "x-amzn-oidc-data": t, "X-Amzn-Oidc-Data": forged, "x-amzn-oidc-identity": "alice" }, t),
        "ambiguous_header",
      );
      expectUnauthorized(
        await smuggle({ "X-AMZN-OIDC-DATA": forged, "x-amzn-oidc-data": t, "x-amzn-oidc-identity": "alice" }, t),
        "ambiguous_header",
      );
    });

    it("header smuggling: a single header in mixed case is read as the ALB's -> 200", async () => {
      const t = token();
      expectAccepted(await smuggle({ "X-Amzn-Oidc-Data": t, "X-AMZN-OIDC-IDENTITY": "alice" }, t));
    });

    it.each(["x-amzn-oidc-identity", "x-amzn-oidc-accesstoken"])(
      "header smuggling: %s twice in different case -> ambiguous_header",
      async (name) => {
        const t = token();
        const res = await smuggle({ "x-amzn-oidc-data": t, [name]: "alice", [name.toUpperCase()]: "alice" }, t);
        expectUnauthorized(res, "ambiguous_header");
      },
    );

    it.each([" x-amzn-oidc-data", "x-amzn-oidc-data ", "\tx-amzn-oidc-data", "x-amzn-oidc-data\n"])(
      "header smuggling: name with surrounding whitespace %j -> ambiguous_header",
      async (name) => {
        const t = token();
        expectUnauthorized(await smuggle({ [name]: t, "x-amzn-oidc-identity": "alice" }, t), "ambiguous_header");
        expectUnauthorized(await smuggle({ "x-amzn-oidc-data": t, [name]: t, "x-amzn-oidc-identity": "alice" }, t), "ambiguous_header");
      },
    );

    it("header smuggling: value with surrounding whitespace -> malformed_token", async () => {
      const t = token();
      expectUnauthorized(await smuggle({ "x-amzn-oidc-data": ` ${t} `, "x-amzn-oidc-identity": "alice" }, t), "malformed_token");
    });

    it("header smuggling: x-amzn-oidc-data as an empty string -> missing_token", async () => {
      expectUnauthorized(await smuggle({ "x-amzn-oidc-data": "", "x-amzn-oidc-identity": "alice" }, ""), "missing_token");
    });

    it("header smuggling: x-amzn-oidc-identity as an empty string -> identity_mismatch", async () => {
      const t = token();
      expectUnauthorized(await smuggle({ "x-amzn-oidc-data": t, "x-amzn-oidc-identity": "" }, t), "identity_mismatch");
    });

    it("header smuggling: x-amzn-oidc-accesstoken as an empty string is not used for anything -> 200", async () => {
      const t = token();
      expectAccepted(await smuggle({ "x-amzn-oidc-data": t, "x-amzn-oidc-identity": "alice", "x-amzn-oidc-accesstoken": "" }, t));
    });

    it("header smuggling: the token in both headers and multiValueHeaders -> ambiguous_header", async () => {
      const t = token();
      const e = userEvent({ ...BROWSER, token: t, multiValue: true }) as unknown as Record<string, unknown>;
      e.headers = { "x-amzn-oidc-data": t };
      const res = (await send(e as unknown as ALBEvent, t)).res;
      expectUnauthorized(res, "ambiguous_header");
      expect(res.multiValueHeaders?.["content-type"]).toEqual(["application/json"]);
      expect(res.headers).toBeUndefined();
    });

    it("header smuggling: the same token in both headers and multiValueHeaders -> ambiguous_header", async () => {
      const t = token();
      const e = userEvent({ ...BROWSER, token: t, multiValue: true }) as unknown as Record<string, unknown>;
      e.headers = { "x-amzn-oidc-data": t, "x-amzn-oidc-identity": "alice" };
      expectUnauthorized((await send(e as unknown as ALBEvent, t)).res, "ambiguous_header");
    });

    it("header smuggling: a multi-value header with two values -> ambiguous_header", async () => {
      const t = token();
      expectUnauthorized(await smuggle({ "x-amzn-oidc-data": [t, t], "x-amzn-oidc-identity": ["alice"] }, t, true), "ambiguous_header");
      expectUnauthorized(await smuggle({ "x-amzn-oidc-data": [t], "x-amzn-oidc-identity": ["alice", "bob"] }, t, true), "ambiguous_header");
    });

    it("header smuggling: mixed case duplicates in multiValueHeaders -> ambiguous_header", async () => {
      const t = token();
      expectUnauthorized(
        await smuggle({ "x-amzn-oidc-data": [t], "X-Amzn-Oidc-Data": [t], "x-amzn-oidc-identity": ["alice"] }, t, true),
        "ambiguous_header",
      );
    });

    it("header smuggling: an empty multi-value array counts as absent -> missing_token", async () => {
      expectUnauthorized(await smuggle({ "x-amzn-oidc-data": [], "x-amzn-oidc-identity": ["alice"] }, "", true), "missing_token");
    });

    it.each<[string, unknown]>([
      ["number", 42],
      ["null", null],
      ["array in single-value mode", ["a.b.c"]],
      ["object", { value: "a.b.c" }],
    ])("header smuggling: a non-string value (%s) -> ambiguous_header", async (_name, value) => {
      expectUnauthorized(await smuggle({ "x-amzn-oidc-data": value, "x-amzn-oidc-identity": "alice" }, ""), "ambiguous_header");
    });

    it("header smuggling: a token inherited through the headers' prototype is not read -> missing_token", async () => {
      const t = token();
      const e = userEvent({ ...BROWSER }) as unknown as Record<string, unknown>;
      e.headers = Object.assign(Object.create({ "x-amzn-oidc-data": t }) as Record<string, string>, { "x-amzn-oidc-identity": "alice" });
      expectUnauthorized((await send(e as unknown as ALBEvent, t)).res, "missing_token");
    });
  });

  describe("log and header injection", () => {
    it("log injection: a path carrying newlines and a forged log line is logged as one escaped JSON line", async () => {
      const { handler, rawLogs, logs } = harness(server);
      const path = '/whoami\n{"level":"info","msg":"request","status":200}\r\nx';
      const e = albEvent({ path, oidc: { data: mint(), identity: "alice" } });
      expectAccepted(await handler(e));
      expect(rawLogs).toHaveLength(1);
      expect(rawLogs[0]?.split("\n").filter(Boolean)).toHaveLength(1);
      expect(logs[0]?.path).toBe(path);
    });

    it("header injection: a JSON-parsed event whose headers hold a __proto__ key carrying the token -> missing_token, no pollution", async () => {
      const t = mint();
      const e = JSON.parse(
        JSON.stringify({ httpMethod: "GET", path: "/whoami", headers: { "x-amzn-oidc-identity": "alice" } }).replace(
          '"headers":{',
          `"headers":{"__proto__":{"x-amzn-oidc-data":"${t}"},`,
        ),
      ) as ALBEvent;
      expectUnauthorized((await send(e, t)).res, "missing_token");
      expect(({} as Record<string, unknown>)["x-amzn-oidc-data"]).toBeUndefined();
    });
  });

  describe("identity", () => {
    it("identity: x-amzn-oidc-identity not matching sub -> identity_mismatch", async () => {
      expectUnauthorized((await attempt(mint(), { identity: "bob" })).res, "identity_mismatch");
    });

    it("identity: x-amzn-oidc-identity differing only in case -> identity_mismatch", async () => {
      expectUnauthorized((await attempt(mint(), { identity: "Alice" })).res, "identity_mismatch");
    });

    it("identity: sub missing from the signed claims -> identity_mismatch", async () => {
      expectUnauthorized((await attempt(mint({ payload: { sub: undefined } }))).res, "identity_mismatch");
    });

    it("identity: sub empty in the signed claims -> identity_mismatch", async () => {
      expectUnauthorized((await attempt(mint({ payload: { sub: "" } }), { identity: "" })).res, "identity_mismatch");
    });

    it("identity: sub rewritten in a genuine token to match a forged identity header -> invalid_signature", async () => {
      const forged = replacePart(mint(), 1, (p) => ({ ...p, sub: "admin" }));
      expectUnauthorized((await attempt(forged, { identity: "admin" })).res, "invalid_signature");
    });

    it("identity: header absent, the signed sub is used -> 200 for alice", async () => {
      expectAccepted((await attempt(mint(), { identity: null })).res);
    });
  });

  describe("nothing leaks", () => {
    it("nothing leaks: a 200 echoes the claims but never the token, access token or cookie", async () => {
      const t = mint();
      const { handler, rawLogs } = harness(server);
      const res = await handler(userEvent({ ...BROWSER, token: t }));
      expectAccepted(res);
      expectNoLeak(res, rawLogs, secretsOf(t));
      expect(rawLogs).toHaveLength(1);
    });

    it("nothing leaks: the access token and cookie stay out of every answer and log line (tampered, expired, foreign, garbage)", async () => {
      const { handler, rawLogs } = harness(server);
      const tokens = [
        tamper(mint(), 2),
        mint({ expiresIn: -1 }),
        mintAlbToken({ key: attackerKey, signer: OTHER_ALB_ARN }),
        "x".repeat(20_000),
      ];
      for (const t of tokens) {
        const res = await handler(userEvent({ ...BROWSER, token: t }));
        expect(res.statusCode).toBe(401);
        expectNoLeak(res, rawLogs, [...secretsOf(t), ACCESS_TOKEN, SESSION_COOKIE]);
      }
      expect(rawLogs).toHaveLength(tokens.length);
      for (const l of rawLogs) expect(JSON.parse(l)).toMatchObject({ msg: "request", status: 401 });
    });
  });

  describe("verified-token memo (on by default)", () => {
    it("verified-token memo: a remembered token sent with another identity header -> identity_mismatch", async () => {
      const { handler, tokenMemo } = harness(server);
      const t = mint();
      expectAccepted(await handler(userEvent({ ...BROWSER, token: t })));
      expectUnauthorized(await handler(userEvent({ ...BROWSER, token: t, identity: "bob" })), "identity_mismatch");
      // Only the request flow exposes its memo; the packaged handlers show the same answers.
      if (tokenMemo) expect(tokenMemo.hits).toBe(1);
    });

    it("verified-token memo: a remembered token in a smuggled duplicate header -> ambiguous_header", async () => {
      const { handler } = harness(server);
      const t = mint();
      expectAccepted(await handler(userEvent({ ...BROWSER, token: t })));
      const e = userEvent({ ...BROWSER, token: t }) as unknown as { headers: Record<string, string> };
      e.headers["X-Amzn-Oidc-Data"] = t;
      expectUnauthorized(await handler(e as unknown as ALBEvent), "ambiguous_header");
    });

    it("verified-token memo: a token refused during a key outage is not remembered, and passes once the endpoint is back", async () => {
      const { handler } = harness(server);
      const t = mint();
      server.setFault((_req, res) => void res.writeHead(503).end());
      const during = await handler(userEvent({ ...BROWSER, token: t }));
      expect(during.statusCode).toBe(503);
      server.setFault(undefined);
      expectAccepted(await handler(userEvent({ ...BROWSER, token: t })));
    });

    it("verified-token memo: a one-character change to a remembered token is verified afresh -> invalid_signature", async () => {
      const { handler } = harness(server);
      const t = mint();
      expectAccepted(await handler(userEvent({ ...BROWSER, token: t })));
      expectUnauthorized(await handler(userEvent({ ...BROWSER, token: tamper(t, 2) })), "invalid_signature");
      expectUnauthorized(
        await handler(userEvent({ ...BROWSER, token: replacePart(t, 1, (p) => ({ ...p, sub: "admin" })), identity: "admin" })),
        "invalid_signature",
      );
    });
  });
});
