// The sample app whoami behind withAlbAuth: a browser's page names the user with a logout link and escapes the claims; a browser's 403 is a page too, an API client's JSON.
import { withAlbAuth } from "alb-oidc-target";
import { describe, expect, it } from "vitest";
import { body, header, useFakeAlb } from "alb-oidc-target-test-support";
import { createWhoami, sampleHandler } from "../src/sample/whoami.js";

const alb = useFakeAlb();

describe("whoami, the sample app", () => {
  it("answers a browser with a page naming the user, with a logout link", async () => {
    const handler = withAlbAuth(createWhoami(), { env: alb.env, writeLog: () => undefined });
    const res = await handler(alb.userEvent({ headers: { accept: "text/html,application/xhtml+xml;q=0.9" } }));
    expect(res.statusCode).toBe(200);
    expect(header(res, "content-type")).toBe("text/html; charset=utf-8");
    expect(res.body).toContain("<h1>Alice Example</h1>");
    expect(res.body).toContain("alice@example.com");
    expect(res.body).toContain('<img src="https://example.com/alice.png"');
    expect(res.body).toContain('<a href="/logout">Log out</a>');
  });

  it("escapes claims in the page", async () => {
    const handler = withAlbAuth(createWhoami(), { env: alb.env, writeLog: () => undefined });
    const claims = { sub: "mallory", name: "<script>alert(1)</script>", picture: "javascript:alert(1)" };
    const res = await handler(alb.userEvent({ claims, headers: { accept: "text/html" } }));
    expect(res.body).not.toContain("<script>");
    expect(res.body).toContain("&#60;script&#62;");
    expect(res.body).not.toContain("<img");
  });

  it("as the sample function, answers a browser's 403 with a page linking to LOGOUT_PATH, an API client's with JSON", async () => {
    const handler = sampleHandler({
      env: { ...alb.env, ALLOWED_EMAIL_DOMAINS: "example.org", LOGOUT_PATH: "/signout" },
      writeLog: () => undefined,
    });
    const page = await handler(alb.userEvent({ headers: { accept: "text/html" } }));
    expect(page.statusCode).toBe(403);
    expect(header(page, "content-type")).toBe("text/html; charset=utf-8");
    expect(page.body).toContain('<a href="/signout">Log out</a>');
    const json = await handler(alb.userEvent());
    expect(json.statusCode).toBe(403);
    expect(body(json)).toEqual({ message: "Forbidden", error: "forbidden" });
  });

  it("as the sample function, links its page to LOGOUT_PATH and answers in the event's header mode", async () => {
    const handler = sampleHandler({ env: { ...alb.env, LOGOUT_PATH: "/signout" }, writeLog: () => undefined });
    const page = await handler(alb.userEvent({ headers: { accept: "text/html" }, multiValue: true }));
    expect(page.statusCode).toBe(200);
    expect(page.multiValueHeaders?.["content-type"]).toEqual(["text/html; charset=utf-8"]);
    expect(page.headers).toBeUndefined();
    expect(page.body).toContain('<a href="/signout">Log out</a>');
    const json = await handler(alb.userEvent({ multiValue: true }));
    expect(json.statusDescription).toBe("200 OK");
    expect(json.multiValueHeaders?.["content-type"]).toEqual(["application/json"]);
    expect(body(json)).toMatchObject({ message: "Token is valid", identity: "alice" });
  });
});
