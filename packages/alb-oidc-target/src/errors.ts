// Every failure a client can cause: a stable code, its HTTP status, and the one place that maps them.

/** HTTP status for each stable code: the only mapping from failure to status in the code base. */
const STATUS_OF = {
  missing_token: 401,
  malformed_token: 401,
  unsupported_algorithm: 401,
  invalid_signature: 401,
  invalid_signer: 401,
  invalid_issuer: 401,
  invalid_client: 401,
  expired: 401,
  not_yet_valid: 401,
  invalid_expiry: 401,
  unknown_key: 401,
  identity_mismatch: 401,
  ambiguous_header: 401,
  ambiguous_path: 400,
  invalid_audience: 401,
  insufficient_scope: 403,
  forbidden: 403,
  keys_unavailable: 503,
  internal_error: 500,
} as const;

/** The stable error codes that appear in response bodies and in the README table. */
export type ErrorCode = keyof typeof STATUS_OF;

/**
 * A request the function refuses. `code` goes to the client; `reason` only to the log
 * (it may name the rule or claim that failed, never a token).
 */
export class AuthError extends Error {
  /**
   * Whether AuthErrors capture a stack trace. Off: every AuthError is the client's doing (or an
   * outage), answered 401/403/503 by design, and a token flood is all rejections, each of which
   * would pay for a trace nobody reads. Bugs are other errors (500) and keep their stacks. The bench
   * turns it on to measure the difference.
   */
  static captureStacks = false;
  override readonly name: string = "AuthError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly reason: string;
  /** `options.cause`: the failure this one stands for (a fetch error behind keys_unavailable), kept for the log. */
  constructor(code: ErrorCode, reason: string, options?: ErrorOptions) {
    const limit = Error.stackTraceLimit;
    if (!AuthError.captureStacks) Error.stackTraceLimit = 0;
    try {
      super(`${code}: ${reason}`, options);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.code = code;
    this.status = STATUS_OF[code];
    this.reason = reason;
  }
}

/** A dependency (the key endpoint, a JWKS) is unreachable or misbehaving: 503, never cached. */
export class KeysUnavailableError extends AuthError {
  override readonly name = "KeysUnavailableError";
  constructor(reason: string, options?: ErrorOptions) {
    super("keys_unavailable", reason, options);
  }
}

/** A valid machine token without every required scope: 403 with an RFC 6750 challenge naming the scopes. */
export class InsufficientScopeError extends AuthError {
  override readonly name = "InsufficientScopeError";
  readonly requiredScopes: readonly string[];
  constructor(requiredScopes: readonly string[], reason: string) {
    super("insufficient_scope", reason);
    this.requiredScopes = requiredScopes;
  }
}

/**
 * A broken deployment: thrown at cold start, names the variable (or the option) and, for a
 * variable, shows a valid example. An option's type says what it takes, so its error shows none.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** The environment variable, or the option's path (`machine.issuer`), the error is about. */
  readonly variable: string;
  constructor(variable: string, problem: string, example?: string) {
    super(example === undefined ? `${variable} ${problem}` : `${variable} ${problem}. Example: ${variable}=${example}`);
    this.variable = variable;
  }
}
