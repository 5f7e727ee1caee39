// Verifies machine bearer tokens (what an ALB jwt-validation rule forwards) again with aws-jwt-verify's JwtVerifier, then checks the required scopes.
import { JwtVerifier } from "aws-jwt-verify/jwt-verifier";
import type { JwksCache } from "aws-jwt-verify/jwk";
import type { MachineConfig } from "../config.js";
import { fromLibrary, type Library } from "./library-errors.js";
import { AuthError, InsufficientScopeError } from "../errors.js";
import { checkLength, decodeHeader } from "./jws.js";
import type { MachinePrincipal } from "../principal.js";

export interface MachineTokenVerifier {
  /**
   * Verifies a bearer token and its scopes.
   * @throws AuthError with a stable code (401), InsufficientScopeError (403), KeysUnavailableError (503).
   */
  verify(token: string): Promise<MachinePrincipal>;
}

/** The key type each algorithm family needs: a JWK without `alg` must still not be used across families. */
const KTY_OF: Readonly<Record<string, string>> = { RS: "RSA", ES: "EC", Ed: "OKP" };

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * Builds the verifier once per cold start. Signature, `iss`, `exp` (required) and `nbf`/`iat`
 * (when present) are always enforced; `aud` when configured; `alg` must be in M2M_ALGORITHMS.
 * @example
 * const { cache } = createJwksCache({ timeoutMs: 1500 });
 * const principal = await createMachineTokenVerifier(config.machine, cache).verify(bearer);
 */
export function createMachineTokenVerifier(c: MachineConfig, jwksCache: JwksCache): MachineTokenVerifier {
  const library = JwtVerifier.create(
    {
      issuer: c.issuer,
      jwksUri: c.jwksUri,
      audience: c.audience === null ? null : [...c.audience],
      customJwtCheck: ({ header, jwk }) => {
        if (KTY_OF[String(header.alg).slice(0, 2)] !== jwk.kty) {
          throw new AuthError("unsupported_algorithm", `alg ${String(header.alg)} does not fit a ${jwk.kty} key`);
        }
      },
    },
    { jwksCache },
  ) as unknown as Library;
  return {
    async verify(token) {
      checkLength(token);
      const { alg } = decodeHeader(token);
      // The library only compares alg with a JWK's own alg, and most JWKS leave it out: enforce the list first.
      if (typeof alg !== "string" || !c.algorithms.includes(alg))
        throw new AuthError("unsupported_algorithm", "alg is not in M2M_ALGORITHMS");
      let claims: Record<string, unknown>;
      try {
        claims = await library.verify(token);
      } catch (err) {
        fromLibrary(err);
      }
      const nowS = Date.now() / 1000;
      if (typeof claims.exp !== "number") throw new AuthError("malformed_token", "token has no exp");
      if (typeof claims.iat === "number" && claims.iat > nowS) throw new AuthError("not_yet_valid", "iat is in the future");
      const scopes = typeof claims.scope === "string" ? claims.scope.split(" ").filter((s) => s.length > 0) : [];
      const missing = c.requiredScopes.filter((s) => !scopes.includes(s));
      if (missing.length > 0) throw new InsufficientScopeError(c.requiredScopes, `token lacks scope ${missing.join(" ")}`);
      const clientId = stringOrNull(claims.client_id) ?? stringOrNull(claims.azp) ?? stringOrNull(claims.cid);
      return { type: "machine", sub: stringOrNull(claims.sub), clientId, scopes, claims };
    },
  };
}
