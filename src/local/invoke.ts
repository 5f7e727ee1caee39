// `npm run invoke -- <event.json> [--as-is]`: runs the Lambda handler on a sample ALB event, minting a fresh token with a local key and serving it from a loopback key server.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { createApp } from "../app.js";
import { DEFAULT_ALB_ARN, DEFAULT_CLIENT_ID, DEFAULT_ISSUER, mintAlbToken } from "../testing/alb-token.js";
import { createAlbKey } from "../testing/keys.js";
import { startKeyServer, type KeyServer } from "../testing/key-server.js";

/**
 * A sample event: an ALB event plus an optional `mint` block describing the user whose token
 * the tool mints. Samples describe claims, never stale tokens.
 */
export interface SampleEvent extends ALBEvent {
  readonly description?: string;
  readonly mint?: {
    /** Userinfo claims of the user (`sub` becomes x-amzn-oidc-identity). */
    readonly claims: Readonly<Record<string, unknown>>;
    /** Seconds until exp; negative for an expired token. Default 60, as the ALB. */
    readonly expiresIn?: number;
    /** Send this x-amzn-oidc-identity instead of the claims' sub. */
    readonly identity?: string;
  };
}

/** What a local invocation needs besides the event: env for the handler and whatever must be stopped afterwards. */
export interface Prepared {
  readonly event: ALBEvent;
  readonly env: Record<string, string | undefined>;
  readonly servers: KeyServer[];
}

function setHeader(event: ALBEvent, name: string, value: string): void {
  if (event.multiValueHeaders) event.multiValueHeaders[name] = [value];
  else event.headers = { ...event.headers, [name]: value };
}

/** Mints what the sample asks for and returns the event and env to run it with. */
export async function prepare(sample: SampleEvent, baseEnv: Record<string, string | undefined>): Promise<Prepared> {
  const { mint, description: _description, ...rest } = sample;
  const event: ALBEvent = structuredClone(rest);
  const key = createAlbKey();
  const server = await startKeyServer({ keys: [key] });
  const env = {
    ...baseEnv,
    LOAD_BALANCER_ARN: baseEnv.LOAD_BALANCER_ARN ?? DEFAULT_ALB_ARN,
    ISSUER: baseEnv.ISSUER ?? DEFAULT_ISSUER,
    CLIENT_ID: baseEnv.CLIENT_ID ?? DEFAULT_CLIENT_ID,
    ALB_PUBLIC_KEY_ENDPOINT: server.url,
  };
  if (mint) {
    const token = mintAlbToken({
      key,
      claims: mint.claims,
      issuer: env.ISSUER,
      clientId: env.CLIENT_ID.split(",")[0]?.trim() ?? DEFAULT_CLIENT_ID,
      signer: env.LOAD_BALANCER_ARN.split(",")[0]?.trim() ?? DEFAULT_ALB_ARN,
      expiresIn: mint.expiresIn ?? 60,
    });
    setHeader(event, "x-amzn-oidc-accesstoken", `local-${randomBytes(16).toString("hex")}`);
    setHeader(event, "x-amzn-oidc-identity", mint.identity ?? String(mint.claims.sub));
    setHeader(event, "x-amzn-oidc-data", token);
  }
  return { event, env, servers: [server] };
}

/** Runs one event through the handler built exactly as Lambda builds it; logs go to stderr. */
export async function invoke(event: ALBEvent, env: Record<string, string | undefined>): Promise<ALBResult> {
  const { handler } = createApp(env, { writeLog: (l) => process.stderr.write(l) });
  return handler(event, { awsRequestId: `local-${randomBytes(4).toString("hex")}` });
}

async function main(argv: string[]): Promise<number> {
  const asIs = argv.includes("--as-is");
  const file = argv.find((a) => !a.startsWith("--"));
  if (!file) {
    process.stderr.write("usage: npm run invoke -- <event.json> [--as-is]\n");
    return 2;
  }
  const sample = JSON.parse(await readFile(file, "utf8")) as SampleEvent;
  if (asIs) {
    process.stdout.write(`${JSON.stringify(await invoke(sample, process.env), null, 2)}\n`);
    return 0;
  }
  const { event, env, servers } = await prepare(sample, process.env);
  try {
    process.stdout.write(`${JSON.stringify(await invoke(event, env), null, 2)}\n`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
