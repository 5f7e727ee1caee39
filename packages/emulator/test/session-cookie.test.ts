// The load balancer's cookies as the ALB documentation gives them: always Secure ("because user authentication requires an HTTPS listener"), SameSite=None on cross-origin (CORS) requests, also on http://localhost.
import { CookieJar } from "tough-cookie";
import { describe, expect, it } from "vitest";
import { useForFile } from "alb-oidc-target-test-support";
import { Browser } from "alb-oidc-target-test-support/browser";
import { testEmulator } from "./setup.js";

const alb = useForFile("the emulator", () => testEmulator());

/** Follows the login up to the callback URL the IdP sends the browser to (not requested yet). */
async function untilCallback(browser: Browser, start: Response): Promise<string> {
  const page = await browser.follow(start.headers.get("location") ?? "");
  const form = /action="([^"]+)"/.exec(page.body)?.[1] ?? "";
  let url = new URL(form, page.url).href;
  let res = await browser.fetch(url, {
    method: "POST",
    body: new URLSearchParams({ login: "alice" }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  while (res.status >= 300 && res.status < 400) {
    url = new URL(res.headers.get("location") ?? "", url).href;
    if (url.startsWith(`${alb.url}/oauth2/idpresponse`)) return url;
    res = await browser.fetch(url);
  }
  throw new Error(`no callback, ended on ${res.status} ${url}`);
}

function attributes(setCookie: string | undefined): string[] {
  return (setCookie ?? "").split(/;\s*/).slice(1);
}

describe("the load balancer's cookies", () => {
  it("are Secure and HttpOnly on plain-http localhost too, without SameSite on a same-site request", async () => {
    const browser = new Browser();
    const start = await browser.fetch(`${alb.url}/`);
    expect(start.status).toBe(302);
    const [nonce] = start.headers.getSetCookie();
    expect(nonce?.startsWith("AWSALBAuthNonce=")).toBe(true);
    expect(attributes(nonce)).toEqual(expect.arrayContaining(["Path=/", "HttpOnly", "Secure"]) as unknown);
    expect(nonce).not.toMatch(/SameSite/i);

    const callback = await browser.fetch(await untilCallback(browser, start));
    expect(callback.status).toBe(302);
    const session = callback.headers.getSetCookie().find((c) => c.startsWith("AWSELBAuthSessionCookie-0="));
    expect(attributes(session)).toEqual(expect.arrayContaining(["Path=/", "HttpOnly", "Secure"]) as unknown);
    expect(session).not.toMatch(/SameSite/i);
    // A client that keeps Secure cookies for http://localhost (as browsers do) sends it back: the session works.
    const [kept] = await browser.jar.getCookies(alb.url);
    expect(kept?.secure).toBe(true);
    const again = await browser.fetch(`${alb.url}/`);
    expect(again.status).toBe(200);
  });

  it("carry SameSite=None (and Secure) when the request is a cross-origin (CORS) one", async () => {
    const browser = new Browser();
    const start = await browser.fetch(`${alb.url}/`, { headers: { origin: "https://spa.example.com" } });
    expect(start.status).toBe(302);
    const [nonce] = start.headers.getSetCookie();
    expect(attributes(nonce)).toEqual(expect.arrayContaining(["Secure", "SameSite=None"]) as unknown);

    const callback = await browser.fetch(await untilCallback(browser, start), { headers: { origin: "https://spa.example.com" } });
    const session = callback.headers.getSetCookie().find((c) => c.startsWith("AWSELBAuthSessionCookie-0="));
    expect(attributes(session)).toEqual(expect.arrayContaining(["HttpOnly", "Secure", "SameSite=None"]) as unknown);
  });

  it("carry no SameSite when the Origin is the listener's own (a same-origin POST sends one too)", async () => {
    const res = await new Browser().fetch(`${alb.url}/form`, { method: "POST", headers: { origin: alb.url }, body: "a=1" });
    expect(res.status).toBe(302);
    const [nonce] = res.headers.getSetCookie();
    expect(attributes(nonce)).toContain("Secure");
    expect(nonce).not.toMatch(/SameSite/i);
  });

  it("a browser that keeps no Secure cookies for http://localhost (Safari) is told why its login fails", async () => {
    const safari = new Browser(new CookieJar(undefined, { allowSecureOnLocal: false }));
    const { final } = await safari.login(`${alb.url}/`, "alice");
    expect(final.url.startsWith(`${alb.url}/oauth2/idpresponse?code=`)).toBe(true);
    expect(final.res.status).toBe(401);
    expect(final.res.headers.get("x-alb-emulator-error")).toBe("AuthMissingAWSALBAuthNonce");
    expect(final.body).toContain("Secure");
    expect(final.body).toContain("Safari");
  });
});
