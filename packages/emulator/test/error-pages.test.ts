// The load balancer's error pages: the ALB's status and access-log reason, the emulator's explanation in the provider's style, what was compared, and nothing secret.
import { describe, expect, it } from "vitest";
import { useForFile } from "alb-oidc-target-test-support";
import { ALB_ERRORS, albErrorPage, reasonOf, type AlbErrorReason } from "../src/emulator/error-page.js";
import { Browser } from "alb-oidc-target-test-support/browser";
import { testEmulator } from "./setup.js";

const alb = useForFile("the emulator", () => testEmulator());

function styleOf(page: string): string {
  return /<style>[^<]*<\/style>/.exec(page)?.[0] ?? "no style";
}

describe("an error page looks like the provider's pages", () => {
  it("the 401 for a callback without the nonce cookie has the login page's style, the ALB's status line and its reason", async () => {
    const loginPage = await new Browser().follow(`${alb.url}/`);
    expect(loginPage.body).toContain('name="login"');
    const res = await fetch(`${alb.url}/oauth2/idpresponse?code=abc&state=def`);
    const page = await res.text();
    expect(res.status).toBe(401);
    expect(res.statusText).toBe("Authorization Required");
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(styleOf(page)).toBe(styleOf(loginPage.body));
    expect(page).toContain("<title>401 Authorization Required</title>");
    expect(page).toContain("<h1>401 Authorization Required</h1>");
    expect(page).toContain(
      "<p><code>AuthMissingAWSALBAuthNonce</code> <small>(the <code>error_reason</code> a real ALB writes to its access log)</small></p>",
    );
    expect(page).not.toContain("`");
  });

  it("a name AWS does not document is labelled the emulator's own (deny's 401)", async () => {
    const e = await testEmulator({ file: { OnUnauthenticatedRequest: "deny" } });
    try {
      const res = await fetch(`${e.url}/api/poll`);
      expect(res.status).toBe(401);
      expect(res.headers.get("x-alb-emulator-error")).toBe("AuthUnauthenticatedRequest");
      const page = await res.text();
      expect(page).toContain(
        "<code>AuthUnauthenticatedRequest</code> <small>(the emulator's own name: AWS documents no <code>error_reason</code> for this)</small>",
      );
      expect(page).toContain("(OnUnauthenticatedRequest is <code>deny</code>)");
      expect(page).not.toContain("`");
    } finally {
      await e.stop();
    }
  });

  it("a hint's code is shown as <code>, never as markdown: the IdP-error page names Scope <code>profile openid</code>", async () => {
    const res = await fetch(`${alb.url}/oauth2/idpresponse?error=invalid_scope`);
    const page = await res.text();
    expect(res.status).toBe(401);
    expect(page).toContain("(LINE wants exactly <code>profile openid</code>)");
    expect(page).not.toContain("`");
  });

  it("no failure's page carries a backtick, and each names its reason (every entry of the map rendered)", () => {
    const failures = Object.keys(ALB_ERRORS) as AlbErrorReason[];
    expect(failures.length).toBeGreaterThanOrEqual(25);
    for (const failure of failures) {
      const page = albErrorPage(561, failure, "detail");
      expect(page, failure).not.toContain("`");
      expect(page, failure).toContain(`<code>${reasonOf(failure)}</code>`);
    }
  });
});

describe("what comes from outside is escaped, and nothing secret is shown", () => {
  it("an IdP's error text with markup is shown escaped", async () => {
    const res = await fetch(
      `${alb.url}/oauth2/idpresponse?error=${encodeURIComponent("<script>alert(1)</script>")}&error_description=${encodeURIComponent('<img src=x onerror="y">')}`,
    );
    const page = await res.text();
    expect(res.status).toBe(401);
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<img");
    expect(page).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
  });

  it("the 561 page of a wrong Issuer shows the issuers, never the code, the state, the nonce cookie, a token or the client secret", async () => {
    const e = await testEmulator({ adjustConfig: (c) => ({ ...c, Issuer: `${c.Issuer}/oauth2/v2.1` }) });
    try {
      const browser = new Browser();
      const { final } = await browser.login(`${e.url}/`, "alice");
      expect(final.res.status).toBe(561);
      const callback = new URL(final.hops.find((h) => h.url.includes("/oauth2/idpresponse"))?.url ?? "http://x/");
      const code = callback.searchParams.get("code") ?? "missing";
      const state = callback.searchParams.get("state") ?? "missing";
      const nonce = (await browser.jar.getCookies(e.url)).find((c) => c.key === "AWSALBAuthNonce")?.value ?? "missing";
      expect(final.body).toContain("issuer (iss)");
      for (const secret of [code, state, nonce, e.config.ClientSecret]) {
        expect(secret.length).toBeGreaterThan(8);
        expect(final.body).not.toContain(secret);
      }
      expect(final.body).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
    } finally {
      await e.stop();
    }
  });
});

describe("Lambda target failures carry the access log's names", () => {
  it("a body over 1 MB is 413 LambdaRequestTooLarge, the function not called", async () => {
    const e = await testEmulator({ file: { OnUnauthenticatedRequest: "allow" } });
    try {
      const res = await fetch(`${e.url}/post`, {
        method: "POST",
        body: "x".repeat(1024 * 1024 + 1),
        headers: { "content-type": "text/plain" },
      });
      expect(res.status).toBe(413);
      expect(res.headers.get("x-alb-emulator-error")).toBe("LambdaRequestTooLarge");
      expect(await res.text()).toContain("<h1>413 Request Entity Too Large</h1>");
      expect(e.events).toHaveLength(0);
    } finally {
      await e.stop();
    }
  });
});
