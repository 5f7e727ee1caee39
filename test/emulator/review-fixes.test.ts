// Fixes from the outside review: no open redirect after login, bounded and linear log redaction, no request that holds the event loop.
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeReturnTo } from "../../src/local/emulator/authenticate-oidc/action.js";
import { banner } from "../../src/local/emulator/banner.js";
import { scrubTokens } from "../../src/log.js";
import { mintAlbToken } from "../../src/testing/alb-token.js";
import { createAlbKey } from "../../src/testing/keys.js";
import { Browser } from "./browser.js";
import { testEmulator, type TestEmulator } from "./setup.js";

let alb: TestEmulator;

beforeAll(async () => {
  alb = await testEmulator();
});
afterAll(async () => {
  await alb.stop();
});

/** A GET with the request target sent exactly as given (fetch and URL would normalise `\` and `//`). */
function rawGet(port: number, target: string): Promise<{ status: number; location: string | undefined; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: target, headers: { host: `localhost:${port}` } }, (res) => {
      res.resume();
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, setCookie: res.headers["set-cookie"] ?? [] }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the redirect after login stays on the host the user browsed to", () => {
  for (const target of ["//evil.example/x", "/\\evil.example", "///evil.example", "/\\/evil.example/x?y=1", "/%2F%2Fevil.example"]) {
    it(`original URL ${JSON.stringify(target)}`, async () => {
      const first = await rawGet(alb.port, target);
      expect(first.status).toBe(302);
      const browser = new Browser();
      for (const c of first.setCookie) await browser.jar.setCookie(c, alb.url);
      const loginPage = await browser.follow(first.location ?? "");
      const final = await browser.submitForm(loginPage, { login: "alice" });
      const callback = final.hops.find((h) => h.url.startsWith(`${alb.url}/oauth2/idpresponse`));
      expect(callback?.status).toBe(302);
      const location = callback?.location ?? "";
      expect(location).toMatch(/^\/[^/\\]/);
      const landed = new URL(location, `${alb.url}/oauth2/idpresponse`);
      expect(landed.host).toBe(`localhost:${alb.port}`);
      expect(final.url.startsWith(`${alb.url}/`)).toBe(true);
    });
  }

  it("collapses leading slashes and backslashes and drops control characters; a normal path is kept as is", () => {
    expect(safeReturnTo("//evil.example/x")).toBe("/evil.example/x");
    expect(safeReturnTo("/\\evil.example")).toBe("/evil.example");
    expect(safeReturnTo("///evil.example")).toBe("/evil.example");
    expect(safeReturnTo("/\t/evil.example")).toBe("/evil.example");
    expect(safeReturnTo("http://evil.example/")).toBe("/");
    expect(safeReturnTo("/whoami?tab=1&next=//x")).toBe("/whoami?tab=1&next=//x");
    expect(safeReturnTo(undefined)).toBe("/");
  });
});

describe("log redaction", () => {
  it("GET /oauth2/idpresponse?error=<15,000 letters>.b is answered 401 with a bounded detail in the log and on the page", async () => {
    const letters = "a".repeat(15_000);
    const before = alb.logs.length;
    const res = await fetch(`${alb.url}/oauth2/idpresponse?error=${letters}.b`);
    expect(res.status).toBe(401);
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthIdPClientRequestError");
    const page = await res.text();
    expect(page).not.toContain(letters);
    const line = alb.logs.slice(before).find((l) => l.includes("AuthIdPClientRequestError")) ?? "";
    const detail = (JSON.parse(line) as { detail: string }).detail;
    expect(detail.length).toBeLessThanOrEqual(300);
    expect(detail).toMatch(/^a+$/);
  });

  it("a token in an IdP error never reaches the log or the page", async () => {
    const token = mintAlbToken({ key: createAlbKey(), claims: { sub: "alice" } });
    const before = alb.logs.length;
    const res = await fetch(`${alb.url}/oauth2/idpresponse?error=invalid_request&error_description=${encodeURIComponent(`bad ${token}`)}`);
    expect(res.status).toBe(401);
    const signature = token.split(".")[2] ?? "missing";
    expect(await res.text()).not.toContain(signature);
    expect(alb.logs.slice(before).join("")).not.toContain(signature);
    expect(alb.logs.slice(before).join("")).toContain("bad [redacted]");
  });

  it("scrubTokens is linear: a million characters of the worst shapes take well under a second (quadratic took minutes)", () => {
    const shapes = [
      `${"a".repeat(1_000_000)}.b`,
      `${"aaaaaaaa.".repeat(111_111)}b`,
      `${"a=".repeat(500_000)}.b`,
      "aaaaaaaa=.b".repeat(90_909),
    ];
    const started = process.hrtime.bigint();
    for (const s of shapes) scrubTokens(s);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // About 30 ms on this machine; the bound is 100 times that.
    expect(ms).toBeLessThan(3000);
    expect(scrubTokens(`x ${mintAlbToken({ key: createAlbKey() })} y`)).toBe("x [redacted] y");
  });
});

describe("links in the banner and the config file", () => {
  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
  function anchors(markdown: string): Set<string> {
    const out = new Set<string>();
    for (const m of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
      out.add(
        (m[1] ?? "")
          .toLowerCase()
          .replace(/[^\w\s-]/g, "")
          .replace(/\s/g, "-"),
      );
    }
    return out;
  }

  it("point at README sections that exist (the old docs/readme/run-locally.md does not)", () => {
    const readme = anchors(readFileSync("README.md", "utf8"));
    const text = `${banner(alb, "test")}\n${readFileSync("alb.config.json", "utf8")}`;
    const links = [...text.matchAll(/README\.md#([a-z0-9-]+)/g)].map((m) => m[1] ?? "");
    expect(links.length).toBeGreaterThanOrEqual(2);
    for (const link of links) expect(readme.has(link), link).toBe(true);
    expect(text).not.toContain("docs/readme/run-locally.md");
    expect(text).toContain("README.md#run-your-own-app-behind-the-emulator");
  });
});
