// The 403 page for people in a browser: a person whose account is not allowed can at least log out and try another.
import type { ALBResult } from "aws-lambda";
import { result } from "./alb/result.js";

/** Escapes text for HTML element content and double-quoted attributes. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE =
  "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}" +
  "img{width:64px;height:64px;border-radius:50%}pre{background:#f4f4f4;padding:1rem;overflow:auto}";

/** The 403 page with a link to the logout path, in the event's header mode: no scripts, nothing loaded from elsewhere. */
export function forbiddenPage(logoutPath: string, multiValue: boolean): ALBResult {
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>Forbidden</title><style>${STYLE}</style></head><body>` +
    `<h1>Forbidden</h1><p>You are signed in, but this account may not use this application (error <code>forbidden</code>).</p>` +
    `<p><a href="${escapeHtml(logoutPath)}">Log out</a> and sign in with another account.</p></body></html>`;
  const headers = {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src https:",
  };
  return result(403, html, headers, multiValue);
}
