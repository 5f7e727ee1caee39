// The testing kit as the fake-ALB test imports it, plus a decoder that verifies nothing (to look at headers).
export * from "../../src/testing/index.js";

/** A token part (0 header, 1 payload), decoded without verification. */
export function decodeUnverified(token: string, part: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[part] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}
