// Reading the Cookie header and writing Set-Cookie values for the emulator's own cookies (session shards, nonce).

/** Cookie name -> value from every Cookie header of a request; the first occurrence of a name wins. */
export function parseCookies(headers: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const header of headers ?? []) {
    for (const part of header.split(";")) {
      const eq = part.indexOf("=");
      if (eq <= 0) continue;
      const name = part.slice(0, eq).trim();
      if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
    }
  }
  return out;
}

export interface CookieOptions {
  /** Seconds; 0 expires the cookie now. */
  readonly maxAge?: number;
  /** `SameSite=None`: the request that gets the cookie is a cross-origin (CORS) one. */
  readonly crossOrigin?: boolean;
}

/**
 * A Set-Cookie value as the ALB sets its cookies: Path=/, HttpOnly, and always Secure ("because user
 * authentication requires an HTTPS listener"; browsers keep Secure cookies for http://localhost too,
 * Safari excepted); `SameSite=None` on a cross-origin request, as the ALB documentation says.
 * @example setCookie("AWSALBAuthNonce", v, { maxAge: 900 }) // "AWSALBAuthNonce=v; Path=/; HttpOnly; Max-Age=900; Expires=...; Secure"
 */
export function setCookie(name: string, value: string, o: CookieOptions = {}): string {
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly"];
  if (o.maxAge !== undefined) {
    parts.push(`Max-Age=${o.maxAge}`);
    parts.push(`Expires=${new Date(Date.now() + o.maxAge * 1000).toUTCString()}`);
  }
  parts.push("Secure");
  if (o.crossOrigin) parts.push("SameSite=None");
  return parts.join("; ");
}

/** A Set-Cookie value that deletes the cookie. */
export function expireCookie(name: string, crossOrigin = false): string {
  return setCookie(name, "", { maxAge: 0, crossOrigin });
}

/**
 * Is this a cross-origin (CORS) request? Browsers send `Origin` on those; a same-origin POST sends
 * one too, naming the listener itself. `host` is the Host header the request came with.
 */
export function isCrossOrigin(origin: string | undefined, host: string): boolean {
  if (origin === undefined) return false;
  const o = origin.toLowerCase();
  const h = host.toLowerCase();
  return o !== `http://${h}` && o !== `https://${h}`;
}
