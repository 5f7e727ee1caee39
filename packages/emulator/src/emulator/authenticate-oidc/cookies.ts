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
  /** `Secure` everywhere except plain-http loopback, where browsers would drop or refuse it. */
  readonly secure: boolean;
  /** Seconds; 0 expires the cookie now. */
  readonly maxAge?: number;
}

/** A Set-Cookie value: always HttpOnly and Path=/, as the ALB sets its cookies. */
export function setCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly"];
  if (o.maxAge !== undefined) {
    parts.push(`Max-Age=${o.maxAge}`);
    parts.push(`Expires=${new Date(Date.now() + o.maxAge * 1000).toUTCString()}`);
  }
  if (o.secure) parts.push("Secure");
  return parts.join("; ");
}

/** A Set-Cookie value that deletes the cookie. */
export function expireCookie(name: string, secure: boolean): string {
  return setCookie(name, "", { secure, maxAge: 0 });
}
