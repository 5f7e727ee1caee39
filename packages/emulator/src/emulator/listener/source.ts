// Where the listener comes from (the config file, or a CloudFormation template as a ListenerSource) and the configuration in force derived from it.
import { jwtValidationNeedsEmbeddedProvider } from "../jwt-validation/rule-config.js";
import { needsEmbeddedProvider, resolveConfig, type EmulatorConfig, type EmulatorConfigFile, type IdpFields } from "./config-file.js";
import { listenerFromConfig, prefixOf, type Listener, type ListenerRule } from "./rules.js";
import type { TemplateFunction } from "./template-function.js";

/** The embedded provider's side of a listener: what `--embedded-idp` puts in place of every IdP the rules name. */
export interface EmbeddedIdp {
  readonly oidc: IdpFields;
  readonly machine: { readonly Issuer: string; readonly JwksEndpoint: string };
}

/** A listener as a source builds it: its rules and notes, and what it says of the target group and the load balancer. */
export type BuiltListener = Listener & {
  /** lambda.multi_value_headers.enabled of the target group. */
  readonly multiValue?: boolean;
  /** The ARN the emulator signs as. */
  readonly loadBalancerArn?: string;
  /** The target groups whose target is a function of the template. */
  readonly functions?: readonly TemplateFunction[];
};

/** A listener read from somewhere else (a CloudFormation template); built once the embedded provider's URLs are known. */
export interface ListenerSource {
  /** Where it came from, for the banner. */
  readonly description: string;
  readonly needsEmbeddedProvider: boolean;
  build(embedded: EmbeddedIdp | undefined): BuiltListener;
}

/** Where the listener comes from: a source, or else the config file (all defaults when empty). */
export interface ListenerOrigin {
  readonly file: EmulatorConfigFile;
  readonly source: ListenerSource | undefined;
  /** Edits the resolved configuration before anything is built from it (tests). */
  readonly adjustConfig: ((c: EmulatorConfig) => EmulatorConfig) | undefined;
}

/** The listener in force, and the configuration in force: the first authenticate-oidc action's, plus the JwtValidation block the function is told about. */
export interface ListenerInForce {
  readonly listener: Listener;
  readonly config: EmulatorConfig;
  /** The template's target groups with a function of their own (none with the config file). */
  readonly functions: readonly TemplateFunction[];
}

/** Do the listener's actions need the embedded provider (an IdP or a JWKS left to it)? */
export function listenerNeedsEmbeddedProvider(o: Pick<ListenerOrigin, "file" | "source">): boolean {
  return o.source
    ? o.source.needsEmbeddedProvider
    : needsEmbeddedProvider(o.file) || jwtValidationNeedsEmbeddedProvider(o.file.JwtValidation);
}

/**
 * The listener and the configuration in force, once the embedded provider's URLs (if it runs) are known.
 * @throws EmulatorConfigError naming the field the configuration lacks.
 */
export function listenerInForce(o: ListenerOrigin, embedded: EmbeddedIdp | undefined): ListenerInForce {
  if (o.source) return fromSource(o.source, embedded, o.adjustConfig);
  const resolved = resolveConfig(o.file, needsEmbeddedProvider(o.file) ? embedded?.oidc : undefined, embedded?.machine);
  const config = o.adjustConfig ? o.adjustConfig(resolved) : resolved;
  return { listener: listenerFromConfig(config), config, functions: [] };
}

function fromSource(
  source: ListenerSource,
  embedded: EmbeddedIdp | undefined,
  adjustConfig: ((c: EmulatorConfig) => EmulatorConfig) | undefined,
): ListenerInForce {
  const built = source.build(embedded);
  let config = configOfBuilt(built, embedded);
  if (adjustConfig) config = adjustConfig(config);
  const notes = [...built.notes, ...machineRouteNotes(built.rules, config)];
  return { listener: { rules: built.rules, notes }, config, functions: built.functions ?? [] };
}

/** The configuration in force for a built listener: its first authenticate-oidc action's, and its first jwt-validation rule's when its paths are all `<prefix>*`. */
function configOfBuilt(built: BuiltListener, embedded: EmbeddedIdp | undefined): EmulatorConfig {
  const firstOidc = built.rules.find((r) => r.auth?.type === "authenticate-oidc")?.auth;
  const base: EmulatorConfig =
    firstOidc?.type === "authenticate-oidc" ? firstOidc.config : resolveConfig({}, embedded?.oidc ?? placeholderIdp());
  const firstJwt = built.rules.find((r) => r.auth?.type === "jwt-validation");
  const prefixes = firstJwt?.conditions.find((c) => c.field === "path-pattern")?.values.map(prefixOf) ?? [];
  return {
    ...base,
    MultiValueHeaders: built.multiValue ?? base.MultiValueHeaders,
    LoadBalancerArn: built.loadBalancerArn ?? base.LoadBalancerArn,
    ...(firstJwt?.auth?.type === "jwt-validation" &&
      prefixes.length > 0 &&
      prefixes.every((p) => p !== undefined) && { JwtValidation: { ...firstJwt.auth.config, PathPrefixes: prefixes } }),
  };
}

/** What the function's one set of machine-route variables cannot say about the listener's jwt-validation rules. */
function machineRouteNotes(rules: readonly ListenerRule[], config: EmulatorConfig): string[] {
  const notes: string[] = [];
  const jwtRules = rules.filter((r) => r.auth?.type === "jwt-validation");
  const firstJwt = jwtRules[0];
  if (firstJwt && !config.JwtValidation)
    notes.push(
      `${firstJwt.name}: its path patterns are not all <prefix>*, so the function gets no M2M_PATH_PREFIXES and treats those requests as user requests`,
    );
  if (jwtRules.length > 1)
    notes.push(
      `${jwtRules.map((r) => r.name).join(", ")}: the function re-verifies machine tokens with the first rule's issuer and paths only`,
    );
  return notes;
}

/** Stand-in IdP fields when neither the rules nor the embedded provider give any (a listener without authenticate-oidc). */
function placeholderIdp(): IdpFields {
  const issuer = "https://idp.example.com";
  return {
    Issuer: issuer,
    AuthorizationEndpoint: `${issuer}/authorize`,
    TokenEndpoint: `${issuer}/token`,
    UserInfoEndpoint: `${issuer}/userinfo`,
    ClientId: "alb-oidc-local",
    ClientSecret: "unused",
  };
}
