// Logout: the ALB has none, so the function expires the ALB session cookie shards and sends the browser to the IdP's end-session endpoint.
import type { ALBResult } from "aws-lambda";
import { jsonResult, result } from "../alb/result.js";
import type { LogoutConfig } from "../config.js";

/** The ALB splits its session cookie into shards `-0`, `-1`, ... above 4 KB; four cover its 16 KB. */
const SESSION_COOKIE_SHARDS = 4;

/** Answers a logout request in the event's header mode. */
export type LogoutResponder = (multiValue: boolean) => ALBResult;

/**
 * The Set-Cookie values that expire every shard; the ALB sets them host-only on Path=/, always Secure.
 * Max-Age=0 alone, no Expires date: every browser honours Max-Age, and a date's comma is where
 * Powertools' Router (and other cookie-joining code) splits one Set-Cookie into two broken ones.
 */
function expiredSessionCookies(cookieName: string): string[] {
  return Array.from({ length: SESSION_COOKIE_SHARDS }, (_, i) => `${cookieName}-${i}=; Max-Age=0; Path=/; Secure; HttpOnly`);
}

/** The end-session URL with the post-logout redirect (and client_id, which RP-initiated logout wants with it). */
function endSessionUrl(c: LogoutConfig): string | undefined {
  if (c.idpLogoutUrl === undefined) return undefined;
  if (c.postLogoutRedirectUri === undefined) return c.idpLogoutUrl;
  const url = new URL(c.idpLogoutUrl);
  url.searchParams.set("post_logout_redirect_uri", c.postLogoutRedirectUri);
  if (c.clientId !== undefined && !url.searchParams.has("client_id")) url.searchParams.set("client_id", c.clientId);
  return url.href;
}

/**
 * Builds the logout answer once per cold start: 302 to the IdP when IDP_LOGOUT_URL is set, else
 * 200 JSON. In single-value mode only the first Set-Cookie survives (`-0`): complete logout of a
 * sharded session needs the target group's multi-value mode.
 */
export function createLogout(c: LogoutConfig): LogoutResponder {
  const cookies = expiredSessionCookies(c.cookieName);
  const location = endSessionUrl(c);
  if (location === undefined) {
    return (multiValue) => jsonResult(200, { message: "Logged out" }, { "set-cookie": cookies }, multiValue);
  }
  return (multiValue) => result(302, "", { location, "cache-control": "no-store", "set-cookie": cookies }, multiValue);
}
