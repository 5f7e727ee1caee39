// Shared test setup: synthesizes the stack offline from the committed cdk.json context plus overrides.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, type Environment } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { APP_DIR, createStack } from "../lib/app";

/** The example values committed in cdk.json: the tests prove they synthesize. */
export const EXAMPLE_CONTEXT: Readonly<Record<string, unknown>> = (
  JSON.parse(fs.readFileSync(path.join(APP_DIR, "cdk.json"), "utf8")) as { context: Record<string, unknown> }
).context;

export const TEST_ENV: Environment = { account: "123456789012", region: "ap-northeast-1" };

let placeholder: string | undefined;

/**
 * The function bundle: the root build's dist/ when it exists (CI builds it first), otherwise a
 * placeholder directory, so that the infra tests also run before `npm run build`.
 */
export function assetPath(): string {
  const dist = path.resolve(APP_DIR, "..", "dist");
  if (fs.existsSync(path.join(dist, "index.js"))) return dist;
  if (placeholder === undefined) {
    placeholder = fs.mkdtempSync(path.join(os.tmpdir(), "alb-oidc-target-dist-"));
    fs.writeFileSync(path.join(placeholder, "index.js"), "exports.handler = async () => ({ statusCode: 200 });\n");
  }
  return placeholder;
}

/** Synthesizes the stack from the example context with `overrides` applied (`undefined` removes a key). */
export function synth(overrides: Record<string, unknown> = {}, env?: Environment): Template {
  const merged: Record<string, unknown> = { ...EXAMPLE_CONTEXT, assetPath: assetPath(), ...overrides };
  const context = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
  const app = new App({ context });
  return Template.fromStack(createStack(app, env));
}

/** The single resource of `type`, failing unless there is exactly one. */
export function onlyResource(template: Template, type: string): { Properties: Record<string, any>; DependsOn?: string[] } {
  const resources = Object.values(template.findResources(type));
  if (resources.length !== 1) throw new Error(`expected one ${type}, found ${resources.length}`);
  return resources[0] as { Properties: Record<string, any>; DependsOn?: string[] };
}

/** The logical id of the single resource of `type`. */
export function onlyLogicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  if (ids.length !== 1 || ids[0] === undefined) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0];
}

export const MACHINE_CONTEXT = {
  m2mPathPrefixes: "/api/,/internal/",
  m2mIssuer: "https://auth.example.com",
  m2mJwksUri: "https://auth.example.com/.well-known/jwks.json",
  m2mAudience: "https://api.example.com",
  m2mRequiredScopes: "orders:read orders:write",
  m2mAlgorithms: "RS256",
  m2mAdditionalClaims: [
    { name: "scope", format: "space-separated-values", values: ["orders:read"] },
    { name: "aud", format: "string-array", values: ["https://api.example.com"] },
  ],
};
