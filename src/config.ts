// Environment -> typed, validated configuration, read once per cold start; every error names its variable.
import { ConfigError } from "./errors.js";

export interface Config {
  /** Load balancer ARNs whose signature (`signer` header field) we accept. */
  readonly albArns: readonly string[];
  /** The IdP issuer exactly as configured on the ALB. */
  readonly issuer: string;
  /** OIDC client ids configured on the ALB (`client` header field). */
  readonly clientIds: readonly string[];
  /** Base URL of the ALB public-key endpoint, without a trailing slash. */
  readonly keyEndpoint: string;
  /** Budget for one key fetch, including its one retry. */
  readonly keyFetchTimeoutMs: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

const ARN_EXAMPLE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
const ALB_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):elasticloadbalancing:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** GovCloud regions serve ALB public keys from S3, not from public-keys.auth.elb. */
const GOVCLOUD_KEY_ENDPOINTS: Readonly<Record<string, string>> = {
  "us-gov-west-1": "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1",
  "us-gov-east-1": "https://s3-us-gov-east-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-east-1",
};

/** Splits a comma-separated list, trimming entries and dropping empty ones. */
export function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Reads a required variable: absent or blank is a ConfigError that names it. */
export function required(env: Env, name: string, meaning: string, example: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, `is required: ${meaning}`, example);
  return value;
}

/** Reads an optional variable: absent or blank gives undefined. */
export function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Checks that a URL is https, or http to a loopback host (local runs and tests),
 * and returns it without a trailing slash.
 */
export function secureUrl(name: string, value: string, example: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${value}"`, example);
  }
  const loopbackHttp = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !loopbackHttp) {
    throw new ConfigError(name, `must use https:// (http:// only to 127.0.0.1, localhost or [::1]), got "${value}"`, example);
  }
  if (url.search || url.hash) throw new ConfigError(name, `must not have a query or fragment, got "${value}"`, example);
  return value.replace(/\/+$/, "");
}

/** Reads an optional integer within bounds. */
export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`, String(fallback));
  }
  return n;
}

function parseAlbArns(env: Env): { arns: string[]; partition: string; region: string } {
  const raw = required(env, "LOAD_BALANCER_ARN", "the ARN of the load balancer that signs x-amzn-oidc-data", ARN_EXAMPLE);
  const arns = splitList(raw);
  if (arns.length === 0) {
    throw new ConfigError("LOAD_BALANCER_ARN", "is required: the ARN of the load balancer that signs x-amzn-oidc-data", ARN_EXAMPLE);
  }
  let partition = "";
  let region = "";
  for (const arn of arns) {
    const m = ALB_ARN.exec(arn);
    if (!m) {
      throw new ConfigError("LOAD_BALANCER_ARN", `must hold Application Load Balancer ARNs, got "${arn}"`, ARN_EXAMPLE);
    }
    if (region && (m[2] !== region || m[1] !== partition)) {
      throw new ConfigError(
        "LOAD_BALANCER_ARN",
        `must name load balancers of one region (they share one key endpoint), got ${region} and ${m[2]}`,
        ARN_EXAMPLE,
      );
    }
    partition = m[1] ?? "";
    region = m[2] ?? "";
  }
  return { arns, partition, region };
}

function defaultKeyEndpoint(partition: string, region: string): string {
  if (partition === "aws-us-gov") {
    const endpoint = GOVCLOUD_KEY_ENDPOINTS[region];
    if (endpoint) return endpoint;
  }
  if (partition === "aws") return `https://public-keys.auth.elb.${region}.amazonaws.com`;
  // No AWS source states the endpoint for other partitions: make the operator say it.
  throw new ConfigError(
    "ALB_PUBLIC_KEY_ENDPOINT",
    `is required for load balancers in ${partition} ${region} (no default is documented there)`,
    "https://public-keys.auth.elb.<region>.<domain>",
  );
}

/**
 * Builds the validated configuration from the environment.
 * @throws ConfigError naming the first bad variable, with an example of a valid value.
 */
export function loadConfig(env: Env): Config {
  const { arns, partition, region } = parseAlbArns(env);
  const issuer = required(env, "ISSUER", "the IdP issuer exactly as configured on the ALB", "https://access.line.me");
  secureUrl("ISSUER", issuer, "https://access.line.me");
  const clientIds = splitList(required(env, "CLIENT_ID", "the OIDC client id configured on the ALB", "1234567890"));
  if (clientIds.length === 0) {
    throw new ConfigError("CLIENT_ID", "is required: the OIDC client id configured on the ALB", "1234567890");
  }
  const endpointRaw = optional(env, "ALB_PUBLIC_KEY_ENDPOINT");
  const keyEndpoint =
    endpointRaw === undefined
      ? defaultKeyEndpoint(partition, region)
      : secureUrl("ALB_PUBLIC_KEY_ENDPOINT", endpointRaw, `https://public-keys.auth.elb.${region}.amazonaws.com`);
  const keyFetchTimeoutMs = integer(env, "KEY_FETCH_TIMEOUT_MS", 1500, 50, 30000);
  return { albArns: arns, issuer, clientIds, keyEndpoint, keyFetchTimeoutMs };
}
