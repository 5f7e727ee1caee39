// HTML pages of the embedded provider: the development login form, the sign-out confirmation and error pages.
import { DEMO_USERS } from "./users.js";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A page in the emulator's one style (the provider's pages and the load balancer's error pages);
 * `title` is escaped here, `body` must already be HTML with every outside value escaped.
 */
export function styledPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}input,button{font-size:1rem;padding:.4rem}code{background:#eee;padding:0 .2rem;overflow-wrap:anywhere}.error{color:#a00}table{border-collapse:collapse}th,td{text-align:left;vertical-align:top;padding:.2rem .6rem .2rem 0}small{color:#555}</style>
</head>
<body>
${body}
</body>
</html>`;
}

/**
 * The development login page: any user name is accepted; the demo users are listed.
 * @param action where the form posts (the interaction's login URL)
 */
export function loginPage(action: string, clientId: string, error?: string): string {
  const users = Object.values(DEMO_USERS)
    .map((u) => `<li><code>${escapeHtml(u.sub)}</code> (${escapeHtml(u.name)}, ${escapeHtml(u.email)})</li>`)
    .join("");
  const problem = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : "";
  return styledPage(
    "Sign in - embedded OIDC provider",
    `<h1>Sign in</h1>
<p>Development identity provider for <code>${escapeHtml(clientId)}</code>. No password: type any user name.</p>
${problem}
<form method="post" action="${escapeHtml(action)}">
<label for="login">User name</label>
<input id="login" name="login" type="text" autocomplete="username" required autofocus>
<button type="submit">Sign in</button>
</form>
<p>Demo users:</p><ul>${users}</ul>`,
  );
}

/**
 * The sign-out confirmation: `form` is oidc-provider's hidden form (it carries the xsrf value);
 * the page submits it by itself, the button is there for browsers without scripts.
 */
export function logoutPage(form: string): string {
  return styledPage(
    "Sign out - embedded OIDC provider",
    `<h1>Signing you out</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign me out</button>
<script>var f=document.getElementById("op.logoutForm");var i=document.createElement("input");i.type="hidden";i.name="logout";i.value="yes";f.appendChild(i);f.submit();</script>`,
  );
}

/** After sign-out without a redirect back to the application. */
export function loggedOutPage(): string {
  return styledPage(
    "Signed out - embedded OIDC provider",
    "<h1>Signed out</h1><p>You are signed out of the embedded identity provider.</p>",
  );
}

/** Why each error the provider shows usually happens, and how to fix it (one sentence). */
const ERROR_HINTS: Readonly<Record<string, string>> = {
  invalid_redirect_uri:
    "The redirect_uri the load balancer sent is not registered for this client: register exactly <scheme>://<the host name you browse to>/oauth2/idpresponse (the blog article's 400).",
  invalid_client: "The ClientId is not registered at this identity provider: copy it again from the provider's console.",
};

/** What the provider compared when it refused an authorization request: what came in, and what is registered. */
export interface ErrorContext {
  readonly clientId?: string;
  readonly redirectUri?: string;
  readonly registeredClientIds?: readonly string[];
  readonly registeredRedirectUris?: readonly string[];
}

function codeList(values: readonly string[]): string {
  return values.length === 0 ? "none" : values.map((v) => `<code>${escapeHtml(v)}</code>`).join("<br>");
}

/** The two rows a developer compares: the value sent and those registered (client ids and redirect URIs are not secrets). */
function comparedRows(error: string, c: ErrorContext): string {
  const rows: string[] = [];
  if (error === "invalid_redirect_uri" && c.redirectUri !== undefined) {
    rows.push(`<tr><th>redirect_uri sent</th><td><code>${escapeHtml(c.redirectUri)}</code></td></tr>`);
    rows.push(`<tr><th>registered</th><td>${codeList(c.registeredRedirectUris ?? [])}</td></tr>`);
  }
  if (error === "invalid_client" && c.clientId !== undefined) {
    rows.push(`<tr><th>client_id sent</th><td><code>${escapeHtml(c.clientId)}</code></td></tr>`);
    rows.push(`<tr><th>registered</th><td>${codeList(c.registeredClientIds ?? [])}</td></tr>`);
  }
  return rows.length === 0 ? "" : `<table>${rows.join("")}</table>`;
}

/** The provider's error page: status, error code, description, what it compared, and a one-sentence hint. */
export function errorPage(out: { readonly error?: unknown; readonly error_description?: unknown }, context: ErrorContext = {}): string {
  const error = typeof out.error === "string" ? out.error : "server_error";
  const description = typeof out.error_description === "string" ? out.error_description : "";
  const hint =
    ERROR_HINTS[error] ?? "The authorization request was rejected by the identity provider: check the load balancer's OIDC settings.";
  return styledPage(
    "Error - embedded OIDC provider",
    `<h1>${escapeHtml(error)}</h1><p>${escapeHtml(description)}</p>${comparedRows(error, context)}<p class="hint">${escapeHtml(hint)}</p>`,
  );
}
