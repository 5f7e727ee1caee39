// The package entry "alb-oidc-target/rules": what the function, the emulator (alb-oidc-target-emulator) and the CDK construct (alb-oidc-target-cdk) must agree on, written once: the configuration asserts, the ALB's AdditionalClaims rules and limits, the loopback rule for plain http, the bearer token parser and the log lines' redaction. Not needed in function code.
export {
  assertEach,
  assertIntegerInRange,
  assertList,
  assertMatches,
  assertNonEmptyString,
  assertOneOf,
  assertRequired,
  assertUrl,
  quote,
  reject,
  splitList,
  type Fail,
} from "./config-assert.js";
export {
  CLAIM_FORMATS,
  MAX_ADDITIONAL_CLAIMS,
  MAX_CLAIM_VALUES,
  MAX_CLAIM_VALUE_CHARS,
  RESERVED_CLAIMS,
  additionalClaimsProblem,
  type ClaimCheckOptions,
  type ClaimFormat,
  type ClaimProblem,
  type ClaimToCheck,
} from "./additional-claims.js";
export { LOOPBACK_HOSTS, isLoopbackHost, isLoopbackHttp, isPlainObject } from "../guards.js";
export { MAX_JWKS_BYTES, MAX_TOKEN_CHARS } from "../limits.js";
export { bearerToken } from "../auth/bearer.js";
export { createLogger, scrubTokens, type LogFields, type Logger } from "../log.js";
