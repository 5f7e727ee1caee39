// Small HTML pages for people in a browser: the sample's "who am I" page and the 403 page, both with a logout link.
import type { ALBResult } from "aws-lambda";
import { result } from "./alb/result.js";

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE =
  "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}" +
  "img{width:64px;height:64px;border-radius:50%}pre{background:#f4f4f4;padding:1rem;overflow:auto}";

/**
 * A complete page (no scripts, nothing loaded but an https picture) in the event's header mode.
 * @example htmlPage(200, "Signed in", "<p>hello</p>", false)
 */
export function htmlPage(status: number, title: string, bodyHtml: string, multiValue: boolean): ALBResult {
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${bodyHtml}</body></html>`;
  return result(
    status,
    html,
    {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src https:",
    },
    multiValue,
  );
}

/** The 403 page: a person whose account is not allowed can at least log out and try another. */
export function forbiddenPage(logoutPath: string, multiValue: boolean): ALBResult {
  return htmlPage(
    403,
    "Forbidden",
    `<h1>Forbidden</h1><p>You are signed in, but this account may not use this application (error <code>forbidden</code>).</p>` +
      `<p><a href="${escapeHtml(logoutPath)}">Log out</a> and sign in with another account.</p>`,
    multiValue,
  );
}
