// After login the browser goes back to the URL it first asked for, on the host it browsed to: never to another host, whatever the request target looked like.
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { safeReturnTo } from "../src/emulator/authenticate-oidc/action.js";
import { useForFile } from "alb-oidc-target-test-support";
import { Browser } from "alb-oidc-target-test-support/browser";
import { testEmulator } from "./setup.js";

const alb = useForFile("the emulator", () => testEmulator());

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
