// A loopback pass-through in front of the embedded provider's token and userinfo endpoints: counts what the emulator asks of them, and lets a test change their JSON answers (an IdP that issues no refresh token, no ID token, or a profile that changed).
import { createServer, type IncomingMessage } from "node:http";
import { loopback } from "alb-oidc-target/testing";
import type { EmulatorConfig } from "../src/emulator/listener/config-file.js";

/** What a call was: the token endpoint by grant type, or userinfo. */
export type IdpCall = "authorization_code" | "refresh_token" | "userinfo" | "other";

/** Changes an endpoint's JSON answer (the provider's own, parsed) before the emulator sees it. */
export type Rewrite = (call: IdpCall, body: Record<string, unknown>) => Record<string, unknown>;

export interface IdpProxy {
  /** Every call the emulator made through the proxy, in order. */
  readonly calls: IdpCall[];
  /** How each token-endpoint request authenticated the client: the secret in the form body (`client_secret_post`), in `Authorization: Basic` (`client_secret_basic`), or `none`. */
  readonly tokenClientAuth: ("client_secret_post" | "client_secret_basic" | "none")[];
  /** How many calls of one kind. */
  count(call: IdpCall): number;
  /** Points the configuration's TokenEndpoint and UserInfoEndpoint at the proxy (for `adjustConfig`); the provider behind it is the one the configuration named. */
  route(c: EmulatorConfig): EmulatorConfig;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Starts the pass-through on 127.0.0.1. Requests go to the provider unchanged (the client secret
 * and tokens included); only JSON answers pass through `rewrite`.
 * @example const proxy = await startIdpProxy(); await testEmulator({ adjustConfig: (c) => proxy.route(c) });
 */
export async function startIdpProxy(rewrite: Rewrite = (_call, body) => body): Promise<IdpProxy> {
  const calls: IdpCall[] = [];
  const tokenClientAuth: IdpProxy["tokenClientAuth"] = [];
  const upstream: { token?: string; userinfo?: string } = {};
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const isToken = req.url === "/token";
      const target = isToken ? upstream.token : upstream.userinfo;
      const grant = new URLSearchParams(body.toString("utf8")).get("grant_type");
      const call: IdpCall = !isToken ? "userinfo" : grant === "authorization_code" || grant === "refresh_token" ? grant : "other";
      calls.push(call);
      if (isToken) {
        const basic = /^basic /i.test(req.headers.authorization ?? "");
        const post = new URLSearchParams(body.toString("utf8")).has("client_secret");
        tokenClientAuth.push(post ? "client_secret_post" : basic ? "client_secret_basic" : "none");
      }
      const headers = new Headers();
      for (const name of ["authorization", "content-type", "accept", "dpop"]) {
        const v = req.headers[name];
        if (typeof v === "string") headers.set(name, v);
      }
      const up = await fetch(target ?? "http://127.0.0.1:1/", {
        method: req.method,
        headers,
        ...(req.method === "POST" && { body }),
      });
      const text = await up.text();
      let out = text;
      if (up.headers.get("content-type")?.includes("json") && up.ok) {
        out = JSON.stringify(rewrite(call, JSON.parse(text) as Record<string, unknown>));
      }
      const answer: Record<string, string> = { "content-type": up.headers.get("content-type") ?? "application/json" };
      const auth = up.headers.get("www-authenticate");
      if (auth) answer["www-authenticate"] = auth;
      res.writeHead(up.status, answer).end(out);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end(String(err));
    });
  });
  const lb = loopback(server);
  const port = await lb.listen(0);
  const origin = `http://127.0.0.1:${port}`;
  return {
    calls,
    tokenClientAuth,
    count: (call) => calls.filter((c) => c === call).length,
    route: (c) => {
      upstream.token = c.TokenEndpoint;
      upstream.userinfo = c.UserInfoEndpoint;
      return { ...c, TokenEndpoint: `${origin}/token`, UserInfoEndpoint: `${origin}/me` };
    },
    close: () => lb.close(),
  };
}
