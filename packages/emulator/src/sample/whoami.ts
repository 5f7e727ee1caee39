// The project's sample app: answers who the verified caller is, as JSON for API clients and as a small page for a browser.
import type { ALBResult } from "aws-lambda";
import { isMultiValue, prefersHtml } from "./alb/event.js";
import { jsonResult } from "./alb/result.js";
import { escapeHtml, htmlPage } from "./pages.js";
import type { AlbAppRequest } from "./principal.js";

/** Where the page's logout link points (the function's LOGOUT_PATH). */
export interface WhoamiOptions {
  readonly logoutPath?: string;
}

function claimText(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = claims[name];
  return typeof v === "string" && v !== "" ? v : undefined;
}

function userPage(claims: Readonly<Record<string, unknown>>, sub: string, logoutPath: string, multiValue: boolean): ALBResult {
  const name = claimText(claims, "name") ?? sub;
  const email = claimText(claims, "email");
  const picture = claimText(claims, "picture");
  const showPicture = picture !== undefined && picture.startsWith("https://");
  return htmlPage(
    200,
    `Signed in as ${name}`,
    (showPicture ? `<img src="${escapeHtml(picture)}" alt="">` : "") +
      `<h1>${escapeHtml(name)}</h1>` +
      (email !== undefined ? `<p>${escapeHtml(email)}</p>` : "") +
      `<h2>Verified claims</h2><pre>${escapeHtml(JSON.stringify(claims, null, 2))}</pre>` +
      `<p><a href="${escapeHtml(logoutPath)}">Log out</a></p>`,
    multiValue,
  );
}

/**
 * Builds the sample app: the verified identity and claims as JSON (`{ message, identity, claims }`
 * for users, `{ message, principal, claims }` for machines), or a page when a browser asks.
 * @example export const handler = withAlbAuth(createWhoami({ logoutPath: "/logout" }));
 */
export function createWhoami(options: WhoamiOptions = {}): (request: AlbAppRequest) => ALBResult {
  const logoutPath = options.logoutPath ?? "/logout";
  return ({ event, principal }) => {
    const multiValue = isMultiValue(event);
    if (principal.type === "machine") {
      const { claims, ...who } = principal;
      return jsonResult(200, { message: "Token is valid", principal: who, claims }, undefined, multiValue);
    }
    if (prefersHtml(event)) return userPage(principal.claims, principal.sub, logoutPath, multiValue);
    return jsonResult(200, { message: "Token is valid", identity: principal.sub, claims: principal.claims }, undefined, multiValue);
  };
}
