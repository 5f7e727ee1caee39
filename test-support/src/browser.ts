// A cookie-keeping HTTP client for tests that log in through the emulator: fetch with manual redirects, tough-cookie's jar, and the login form filled in.
import { CookieJar } from "tough-cookie";

export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly location: string | null;
}

export interface Followed {
  readonly res: Response;
  readonly url: string;
  readonly body: string;
  /** Every response on the way, the last one included. */
  readonly hops: Hop[];
}

/** A minimal browser: keeps cookies per host, follows redirects like one (302/303 become GET). */
export class Browser {
  /** @param jar its cookie store: tough-cookie's, which keeps Secure cookies for http://localhost as Chrome and Firefox do. */
  constructor(readonly jar = new CookieJar()) {}

  /** One request, cookies sent and stored, no redirect followed. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.set("cookie", cookie);
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) await this.jar.setCookie(c, url, { ignoreError: true });
    return res;
  }

  /** Requests and follows redirects until a non-redirect answer. */
  async follow(url: string, init: RequestInit = {}, maxHops = 12): Promise<Followed> {
    const hops: Hop[] = [];
    let current = url;
    let req = init;
    for (let i = 0; i < maxHops; i++) {
      const res = await this.fetch(current, req);
      const location = res.headers.get("location");
      hops.push({ url: current, status: res.status, location });
      if (res.status < 300 || res.status > 399 || location === null) return { res, url: current, body: await res.text(), hops };
      await res.arrayBuffer();
      current = new URL(location, current).href;
      req = {};
    }
    throw new Error(`more than ${maxHops} redirects from ${url}`);
  }

  /** Submits the form found in `page` (its action resolved against `pageUrl`) and follows the answer. */
  async submitForm(page: Followed, fields: Record<string, string>): Promise<Followed> {
    const form = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(page.body);
    if (!form?.[1]) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 200)}`);
    const hidden = [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m): [string, string] => [
      m[1] ?? "",
      m[2] ?? "",
    ]);
    const body = new URLSearchParams([...hidden, ...Object.entries(fields)]);
    const action = new URL(form[1].replace(/&amp;/g, "&"), page.url).href;
    return this.follow(action, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
  }

  /** Opens `url`, expects the login page, logs in as `login`, and follows back to the application. */
  async login(url: string, login: string): Promise<{ loginPage: Followed; final: Followed }> {
    const loginPage = await this.follow(url);
    if (!loginPage.body.includes('name="login"'))
      throw new Error(`expected the login page, got ${loginPage.res.status} at ${loginPage.url}`);
    const final = await this.submitForm(loginPage, { login });
    return { loginPage, final };
  }
}
