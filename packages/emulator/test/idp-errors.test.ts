// What the ALB answers when the IdP is misconfigured or fails: the article's lab errors by their misconfigurations (400, 401, 561), the ALB's 500s and nonce failures, and an IdP's error text kept bounded and free of tokens.
import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { scrubTokens } from "alb-oidc-target/rules";
import { mintAlbToken, createAlbKey, loopback } from "alb-oidc-target/testing";
import { useForFile } from "alb-oidc-target-test-support";
import { Browser, type Followed } from "alb-oidc-target-test-support/browser";
import { startIdpProxy } from "./idp-proxy.js";
import { testEmulator, type TestEmulator } from "./setup.js";

const alb = useForFile("the emulator", () => testEmulator());

/** Runs `test` against an emulator of its own, started with `o` and stopped afterwards whatever happens. */
async function withOwnEmulator(o: Parameters<typeof testEmulator>[0], test: (e: TestEmulator) => Promise<void>): Promise<void> {
  const e = await testEmulator(o);
  try {
    await test(e);
  } finally {
    await e.stop();
  }
}

/** Logs in but stops before the callback: returns the callback URL the IdP sent the browser to. */
async function loginUntilCallback(browser: Browser, e: TestEmulator): Promise<string> {
  const page = await browser.follow(`${e.url}/`);
  const form = /action="([^"]+)"/.exec(page.body)?.[1] ?? "";
  let res = await browser.fetch(new URL(form, page.url).href, {
    method: "POST",
    body: new URLSearchParams({ login: "alice" }),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  let url = new URL(form, page.url).href;
  while (res.status >= 300 && res.status < 400) {
    url = new URL(res.headers.get("location") ?? "", url).href;
    if (url.startsWith(`${e.url}/oauth2/idpresponse`)) return url;
    res = await browser.fetch(url);
  }
  throw new Error(`no callback, ended on ${res.status} ${url}`);
}

function lastHop(f: Followed) {
  return f.hops[f.hops.length - 1];
}

describe("400: the IdP rejects an unregistered redirect_uri", () => {
  it("browsing to a host name other than the registered one sends a redirect_uri the IdP answers with 400", async () => {
    const other = alb.url.replace("localhost", "127.0.0.1");
    const res = await new Browser().follow(`${other}/`);
    expect(res.hops[0]?.status).toBe(302);
    expect(new URL(res.hops[0]?.location ?? "").searchParams.get("redirect_uri")).toBe(`${other}/oauth2/idpresponse`);
    expect(res.url.startsWith(alb.config.AuthorizationEndpoint)).toBe(true);
    expect(res.res.status).toBe(400);
    expect(res.body).toContain("invalid_redirect_uri");
    expect(res.body).toContain("/oauth2/idpresponse");
    expect(res.body).not.toContain('name="login"');
  });

  it("the provider's 400 page shows the redirect_uri it received next to the registered one", async () => {
    const other = alb.url.replace("localhost", "127.0.0.1");
    const res = await new Browser().follow(`${other}/`);
    expect(res.res.status).toBe(400);
    expect(res.body).toContain(`<tr><th>redirect_uri sent</th><td><code>${other}/oauth2/idpresponse</code></td></tr>`);
    expect(res.body).toContain(`<tr><th>registered</th><td><code>${alb.url}/oauth2/idpresponse</code></td></tr>`);
  });

  it("an unknown ClientId: the provider's 400 page shows the client_id received and the registered one, not the secret", async () => {
    await withOwnEmulator({ adjustConfig: (c) => ({ ...c, ClientId: "not-registered" }) }, async (e) => {
      const res = await new Browser().follow(`${e.url}/`);
      expect(res.res.status).toBe(400);
      expect(res.body).toContain("<h1>invalid_client</h1>");
      expect(res.body).toContain("<tr><th>client_id sent</th><td><code>not-registered</code></td></tr>");
      expect(res.body).toContain("<tr><th>registered</th><td><code>alb-oidc-local</code></td></tr>");
      expect(res.body).not.toContain(e.config.ClientSecret);
    });
  });
});

describe("401: the IdP sends an error to the callback", () => {
  it("a Scope the IdP refuses (no openid) comes back as invalid_scope and the emulator answers 401", async () => {
    await withOwnEmulator({ file: { Scope: "profile" } }, async (e) => {
      const before = e.events.length;
      const res = await new Browser().follow(`${e.url}/`);
      const hop = lastHop(res);
      expect(hop?.url.startsWith(`${e.url}/oauth2/idpresponse?error=invalid_scope`)).toBe(true);
      expect(res.res.status).toBe(401);
      expect(res.res.statusText).toBe("Authorization Required");
      expect(res.res.headers.get("x-alb-emulator-error")).toBe("AuthIdPClientRequestError");
      expect(res.body).toContain("invalid_scope");
      expect(res.body).toContain("Scope");
      expect(res.res.headers.getSetCookie()).toEqual([]);
      expect(e.events.length).toBe(before);
    });
  });

  it("a callback without the AWSALBAuthNonce cookie is 401 AuthMissingAWSALBAuthNonce", async () => {
    const res = await new Browser().fetch(`${alb.url}/oauth2/idpresponse?code=abc&state=def`);
    expect(res.status).toBe(401);
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthMissingAWSALBAuthNonce");
  });

  it("a callback whose state does not match the nonce cookie is 401 AuthInvalidAWSALBAuthNonce and logs nobody in", async () => {
    const browser = new Browser();
    const callback = new URL(await loginUntilCallback(browser, alb));
    callback.searchParams.set("state", "someone-elses-state");
    const res = await browser.fetch(callback.href);
    expect(res.status).toBe(401);
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthInvalidAWSALBAuthNonce");
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe("401: a callback without what the authorization response carries", () => {
  it("no state is 401 AuthMissingStateParam, nobody logged in", async () => {
    const browser = new Browser();
    const callback = new URL(await loginUntilCallback(browser, alb));
    callback.searchParams.delete("state");
    const res = await browser.fetch(callback.href);
    expect(res.status).toBe(401);
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthMissingStateParam");
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("no code is 401 AuthMissingCodeParam, nobody logged in", async () => {
    const browser = new Browser();
    const callback = new URL(await loginUntilCallback(browser, alb));
    callback.searchParams.delete("code");
    const before = alb.events.length;
    const res = await browser.fetch(callback.href);
    expect(res.status).toBe(401);
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthMissingCodeParam");
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(alb.events.length).toBe(before);
  });
});

describe("an IdP's error text is logged and shown bounded, without tokens", () => {
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

describe("561: the code exchange or ID token validation fails", () => {
  it("a wrong Issuer (the article's lab used .../oauth2/v2.1) fails ID token validation: 561 and no session", async () => {
    await withOwnEmulator({ adjustConfig: (c) => ({ ...c, Issuer: `${c.Issuer}/oauth2/v2.1` }) }, async (e) => {
      const browser = new Browser();
      const { final } = await browser.login(`${e.url}/`, "alice");
      expect(lastHop(final)?.url.startsWith(`${e.url}/oauth2/idpresponse?code=`)).toBe(true);
      expect(final.res.status).toBe(561);
      expect(final.res.statusText).toBe("Authentication Error");
      expect(final.res.headers.get("x-alb-emulator-error")).toBe("AuthInvalidIdToken");
      expect(final.body).toContain(`unexpected JWT &#34;iss&#34; (issuer) claim value, expected &#34;${e.config.Issuer}&#34;`);
      expect(final.body).toContain("Issuer");
      // What was compared: the rule's Issuer, and the iss the provider put in the ID token.
      const received = e.config.Issuer.replace("/oauth2/v2.1", "");
      expect(final.body).toContain(
        `<tr><th>issuer (iss)</th><td>expected <code>${e.config.Issuer}</code></td><td>received <code>${received}</code></td></tr>`,
      );
      expect(await browser.jar.getCookies(e.url)).toEqual([expect.objectContaining({ key: "AWSALBAuthNonce" })]);
    });
  });

  it("a wrong ClientSecret makes the token endpoint refuse the code: 561 AuthTokenEpRequestFailed (its answer is not 2xx)", async () => {
    await withOwnEmulator({ adjustConfig: (c) => ({ ...c, ClientSecret: "not-the-secret" }) }, async (e) => {
      const { final } = await new Browser().login(`${e.url}/`, "alice");
      expect(final.res.status).toBe(561);
      expect(final.res.headers.get("x-alb-emulator-error")).toBe("AuthTokenEpRequestFailed");
      expect(final.body).toContain("<code>AuthTokenEpRequestFailed</code>");
      expect(final.body).toContain("invalid_client");
      expect(final.body).not.toContain("not-the-secret");
      expect(e.logs.join("")).not.toContain("not-the-secret");
    });
  });

  it("a code the token endpoint does not know is 561 AuthInvalidGrantError, and nobody is logged in", async () => {
    const browser = new Browser();
    const callback = new URL(await loginUntilCallback(browser, alb));
    callback.searchParams.set("code", "not-a-code-the-provider-issued");
    const before = alb.events.length;
    const res = await browser.fetch(callback.href);
    expect(res.status).toBe(561);
    expect(res.headers.get("x-alb-emulator-error")).toBe("AuthInvalidGrantError");
    expect(await res.text()).toContain("invalid_grant");
    expect(res.headers.getSetCookie().filter((c) => c.startsWith("AWSELBAuthSessionCookie"))).toEqual([]);
    expect(alb.events.length).toBe(before);
  });

  it("an ID token for another audience is 561 AuthInvalidIdToken, the page showing the audience expected and received", async () => {
    // The pass-through rewrites the ID token's payload: its signature is not checked (OIDC Core 3.1.3.7), its claims are.
    const proxy = await startIdpProxy((call, body) => {
      if (call !== "authorization_code" || typeof body.id_token !== "string") return body;
      const [head, payload, sig] = body.id_token.split(".");
      const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
      const other = Buffer.from(JSON.stringify({ ...claims, aud: "another-client" })).toString("base64url");
      return { ...body, id_token: `${head}.${other}.${sig}` };
    });
    try {
      await withOwnEmulator({ adjustConfig: (c) => proxy.route(c) }, async (e) => {
        const { final } = await new Browser().login(`${e.url}/`, "alice");
        expect(final.res.status).toBe(561);
        expect(final.res.headers.get("x-alb-emulator-error")).toBe("AuthInvalidIdToken");
        expect(final.body).toContain(
          `<tr><th>audience (aud)</th><td>expected <code>${e.config.ClientId}</code></td><td>received <code>another-client</code></td></tr>`,
        );
        expect(final.body).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
      });
    } finally {
      await proxy.close();
    }
  });
});

/** A stand-in userinfo endpoint on loopback answering every request with `status` and `body`. */
async function withUserinfo(status: number, body: string, test: (url: string) => Promise<void>): Promise<void> {
  const server = loopback(
    createServer((_req, res) => {
      res.writeHead(status, { "content-type": "application/json" }).end(body);
    }),
  );
  const port = await server.listen(0);
  try {
    await test(`http://127.0.0.1:${port}/me`);
  } finally {
    await server.close();
  }
}

describe("the userinfo endpoint fails", () => {
  it("an error answer (401) is 561 AuthUserinfoEpRequestFailed and sets no session", async () => {
    await withUserinfo(401, JSON.stringify({ error: "invalid_token" }), async (url) => {
      await withOwnEmulator({ adjustConfig: (c) => ({ ...c, UserInfoEndpoint: url }) }, async (e) => {
        const browser = new Browser();
        const res = await browser.fetch(await loginUntilCallback(browser, e));
        expect(res.status).toBe(561);
        expect(res.headers.get("x-alb-emulator-error")).toBe("AuthUserinfoEpRequestFailed");
        expect(res.headers.getSetCookie().filter((c) => c.startsWith("AWSELBAuthSessionCookie"))).toEqual([]);
      });
    });
  });

  it("claims for another sub are 561 AuthInvalidUserinfoResponse, the page showing the sub expected and received", async () => {
    await withUserinfo(200, JSON.stringify({ sub: "mallory" }), async (url) => {
      await withOwnEmulator({ adjustConfig: (c) => ({ ...c, UserInfoEndpoint: url }) }, async (e) => {
        const browser = new Browser();
        const res = await browser.fetch(await loginUntilCallback(browser, e));
        expect(res.status).toBe(561);
        expect(res.headers.get("x-alb-emulator-error")).toBe("AuthInvalidUserinfoResponse");
        expect(await res.text()).toContain("<td>expected <code>alice</code></td><td>received <code>mallory</code></td>");
      });
    });
  });

  it("an unreachable userinfo endpoint is 500 AuthUserinfoEpRequestTimeout", async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    await withOwnEmulator({ adjustConfig: (c) => ({ ...c, UserInfoEndpoint: "http://127.0.0.1:1/me" }) }, async (e) => {
      const browser = new Browser();
      const res = await browser.fetch(await loginUntilCallback(browser, e));
      expect(res.status).toBe(500);
      expect(res.headers.get("x-alb-emulator-error")).toBe("AuthUserinfoEpRequestTimeout");
    });
  });
});

describe("500: the IdP cannot be reached", () => {
  it("a token endpoint that is down after the login answers 500 AuthTokenEpRequestTimeout (AWS: unable to communicate with the token endpoint)", async () => {
    await withOwnEmulator({}, async (e) => {
      const browser = new Browser();
      const callback = await loginUntilCallback(browser, e);
      await e.idp?.stop();
      const res = await browser.fetch(callback);
      expect(res.status).toBe(500);
      expect(res.headers.get("x-alb-emulator-error")).toBe("AuthTokenEpRequestTimeout");
      expect(res.headers.getSetCookie()).toEqual([]);
    });
  });
});

describe("500: the claims are too large", () => {
  it("claims + access token over 11 KB from the userinfo endpoint answer 500 AuthUserinfoResponseSizeExceeded and set no session", async () => {
    // A stand-in userinfo endpoint on loopback: the embedded provider's profiles are too small to reach 11 KB.
    const userinfo = loopback(
      createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ sub: "alice", bio: "x".repeat(11 * 1024) }));
      }),
    );
    const port = await userinfo.listen(0);
    try {
      await withOwnEmulator({ adjustConfig: (c) => ({ ...c, UserInfoEndpoint: `http://127.0.0.1:${port}/me` }) }, async (e) => {
        const browser = new Browser();
        const res = await browser.fetch(await loginUntilCallback(browser, e));
        expect(res.status).toBe(500);
        expect(res.headers.get("x-alb-emulator-error")).toBe("AuthUserinfoResponseSizeExceeded");
        expect(res.headers.getSetCookie().filter((c) => c.startsWith("AWSELBAuthSessionCookie"))).toEqual([]);
      });
    } finally {
      await userinfo.close();
    }
  });
});
