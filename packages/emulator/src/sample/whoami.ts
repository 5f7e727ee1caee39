// The sample app "whoami", written on alb-oidc-target's public API as a user's app is: who the verified caller is, as JSON for API clients and as a small page for a browser. The emulator's default target and this repository's sample function.
import type { ALBEvent } from "aws-lambda";
import { withAlbAuth, type AlbAppRequest, type AlbAppResult, type AlbAuthOptions, type AlbHandler } from "alb-oidc-target";

/** Where the page's logout link points (the function's LOGOUT_PATH). */
export interface WhoamiOptions {
  readonly logoutPath?: string;
}

/** The first value of a request header; the ALB sends header names in lower case, in either header mode. */
function firstHeader(event: ALBEvent, name: string): string | undefined {
  return event.multiValueHeaders?.[name]?.[0] ?? event.headers?.[name];
}

/** A browser asks for a page by putting `text/html` first in `accept`; API clients ask for JSON or anything. */
function wantsPage(event: ALBEvent): boolean {
  const first = firstHeader(event, "accept")?.split(",")[0]?.split(";")[0];
  return first?.trim().toLowerCase() === "text/html";
}

/** Escapes text for HTML element content and double-quoted attributes. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function claimText(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = claims[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

const STYLE =
  "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}" +
  "img{width:64px;height:64px;border-radius:50%}pre{background:#f4f4f4;padding:1rem;overflow:auto}";

/** The signed-in page: no scripts, nothing loaded but an https picture. */
function userPage(claims: Readonly<Record<string, unknown>>, sub: string, logoutPath: string): AlbAppResult {
  const name = claimText(claims, "name") ?? sub;
  const email = claimText(claims, "email");
  const picture = claimText(claims, "picture");
  const body =
    (picture?.startsWith("https://") === true ? `<img src="${escapeHtml(picture)}" alt="">` : "") +
    `<h1>${escapeHtml(name)}</h1>` +
    (email !== undefined ? `<p>${escapeHtml(email)}</p>` : "") +
    `<h2>Verified claims</h2><pre>${escapeHtml(JSON.stringify(claims, null, 2))}</pre>` +
    `<p><a href="${escapeHtml(logoutPath)}">Log out</a></p>`;
  return {
    statusCode: 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src https:",
    },
    body:
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
      `<title>${escapeHtml(`Signed in as ${name}`)}</title><style>${STYLE}</style></head><body>${body}</body></html>`,
  };
}

function json(body: unknown): AlbAppResult {
  return { statusCode: 200, headers: { "content-type": "application/json", "cache-control": "no-store" }, body: JSON.stringify(body) };
}

/**
 * Builds the sample app: the verified identity and claims as JSON (`{ message, identity, claims }`
 * for users, `{ message, principal, claims }` for machines), or a page when a browser asks. withAlbAuth
 * delivers its answer in the event's header mode.
 * @example
 * import { withAlbAuth } from "alb-oidc-target";
 * import { createWhoami } from "alb-oidc-target-emulator/whoami";
 * export const handler = withAlbAuth(createWhoami({ logoutPath: "/logout" }), { forbiddenPage: true });
 */
export function createWhoami(options: WhoamiOptions = {}): (request: AlbAppRequest) => AlbAppResult {
  const logoutPath = options.logoutPath ?? "/logout";
  return ({ event, principal }) => {
    if (principal.type === "machine") {
      const { claims, ...who } = principal;
      return json({ message: "Token is valid", principal: who, claims });
    }
    if (wantsPage(event)) return userPage(principal.claims, principal.sub, logoutPath);
    return json({ message: "Token is valid", identity: principal.sub, claims: principal.claims });
  };
}

/**
 * The sample function: whoami behind withAlbAuth, configured from the environment (LOGOUT_PATH is the
 * page's logout link too), a browser's 403 answered with a page. Built once per cold start.
 * @throws ConfigError naming the variable.
 * @example export const handler = sampleHandler(); // this repository's Lambda entry
 */
export function sampleHandler(options: Pick<AlbAuthOptions, "env" | "writeLog"> = {}): AlbHandler {
  const env = options.env ?? process.env;
  return withAlbAuth(createWhoami({ logoutPath: env.LOGOUT_PATH?.trim() || "/logout" }), { ...options, forbiddenPage: true });
}
