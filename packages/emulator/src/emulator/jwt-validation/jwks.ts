// The JWKS of a jwt-validation rule, fetched as the ALB does: at most 150 KB and 10 keys, cached by jose's remote key set.
import { createRemoteJWKSet, customFetch } from "jose";
import { MAX_JWKS_BYTES } from "alb-oidc-target/rules";

/** The ALB's JWKS limits (the byte limit is the function's too: src/limits.ts). */
const MAX_JWKS_KEYS = 10;
/** How long the emulator waits for the JWKS (the ALB's timeout is not documented). */
const JWKS_TIMEOUT_MS = 5000;

/** The JWKS broke one of the ALB's limits: the ALB cannot use it. */
class JwksLimitError extends Error {
  override readonly name = "JwksLimitError";
}

/** fetch() for jose that reads at most 150 KB and refuses more than 10 keys, as the ALB does. */
async function limitedFetch(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  if (!res.body) return res;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_JWKS_BYTES) throw new JwksLimitError(`the JWKS response exceeds ${MAX_JWKS_BYTES / 1024} KB`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  let keys: unknown;
  try {
    keys = (JSON.parse(text) as { keys?: unknown }).keys;
  } catch {
    keys = undefined;
  }
  if (Array.isArray(keys) && keys.length > MAX_JWKS_KEYS)
    throw new JwksLimitError(`the JWKS holds ${keys.length} keys, more than the ${MAX_JWKS_KEYS} the load balancer accepts`);
  return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/**
 * The rule's key set: fetched on first use and cached; an unknown `kid` refetches at most every 30 s (jose's cool-down).
 * @example const jwks = remoteJwks("https://auth.example.com/jwks"); await jwtVerify(token, jwks, { algorithms: ["RS256"] });
 */
export function remoteJwks(endpoint: string): ReturnType<typeof createRemoteJWKSet> {
  return createRemoteJWKSet(new URL(endpoint), { timeoutDuration: JWKS_TIMEOUT_MS, [customFetch]: limitedFetch });
}
