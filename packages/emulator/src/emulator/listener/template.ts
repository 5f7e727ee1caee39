// `--template <file>`: the listener read from a CloudFormation template, JSON or YAML (DefaultActions and its ListenerRules), intrinsics resolved where they can be, the rest named.
import { isPlainObject as isRecord } from "alb-oidc-target/rules";
import type { Env } from "../../env.js";
import { parseJwtValidation } from "../jwt-validation/rule-config.js";
import { EmulatorConfigError, parseEmulatorConfig, resolveConfig, type EmulatorConfig } from "./config-file.js";
import { sortRules, type Condition, type FinalAction, type JwtAuth, type ListenerRule, type OidcAuth } from "./rules.js";
import type { BuiltListener, EmbeddedIdp, ListenerSource } from "./source.js";
import { readTemplateFile } from "./template-file.js";
import { multiValueAttribute, parameterValue, resolveString, type TemplateParameters } from "./intrinsics.js";
import { templateFunctions } from "./template-function.js";

const LISTENER = "AWS::ElasticLoadBalancingV2::Listener";
const RULE = "AWS::ElasticLoadBalancingV2::ListenerRule";
const TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup";
const SECRET_REF = /^\{\{resolve:secretsmanager:[^}]*\}\}$/;
/** Listener properties that change nothing locally, or that the notes already cover. */
const LISTENER_KNOWN = new Set(["DefaultActions", "LoadBalancerArn", "Port", "Protocol", "Certificates", "SslPolicy"]);
const OIDC_KEEP = ["Scope", "SessionCookieName", "SessionTimeout", "AuthenticationRequestExtraParams", "OnUnauthenticatedRequest"] as const;
const OIDC_IDP = ["Issuer", "AuthorizationEndpoint", "TokenEndpoint", "UserInfoEndpoint", "ClientId", "ClientSecret"] as const;
/** Fields of an authenticate config the emulator reads; any other is named. */
const OIDC_READ = new Set<string>([
  ...OIDC_KEEP,
  ...OIDC_IDP,
  "UseExistingClientSecret",
  "UserPoolArn",
  "UserPoolClientId",
  "UserPoolDomain",
]);
const RULE_KNOWN = new Set(["ListenerArn", "Priority", "Conditions", "Actions"]);

export interface TemplateOptions {
  /** The template file: JSON (as `cdk synth` writes it) or YAML (as `sam build` writes it, short-form tags included). */
  readonly path: string;
  /** The listener's logical id, when the template has several. */
  readonly listenerId?: string;
  /** Swap every IdP the rules name for the embedded provider. */
  readonly embeddedIdp: boolean;
  /** For ALB_CLIENT_SECRET (a `{{resolve:secretsmanager:...}}` client secret). */
  readonly env: Env;
}

type Resources = Readonly<Record<string, { readonly Type?: string; readonly Properties?: Record<string, unknown> }>>;

/** A value that is a target group of the template (Ref or the ARN attribute), by logical id. */
function targetGroupOf(resources: Resources, v: unknown): string | undefined {
  if (!isRecord(v)) return undefined;
  const ref = v.Ref ?? (Array.isArray(v["Fn::GetAtt"]) ? (v["Fn::GetAtt"] as unknown[])[0] : undefined);
  return typeof ref === "string" && resources[ref]?.Type === TARGET_GROUP ? ref : undefined;
}

/** Does this value name the listener (Ref, or Fn::GetAtt ListenerArn)? */
function refersTo(v: unknown, id: string): boolean {
  if (!isRecord(v)) return false;
  if (v.Ref === id) return true;
  const att = v["Fn::GetAtt"];
  return Array.isArray(att) && att[0] === id;
}

class Reader {
  readonly notes: string[] = [];

  constructor(
    readonly file: string,
    readonly resources: Resources,
    readonly parameters: TemplateParameters,
    readonly o: TemplateOptions,
  ) {}

  note(where: string, what: string): void {
    this.notes.push(`${where}: ${what}`);
  }

  /** Resolves intrinsics to a string where it can; undefined (and a note) where it cannot. */
  str(v: unknown, where: string): string | undefined {
    return resolveString(v, {
      ref: (id) => {
        const value = parameterValue(id, this.parameters);
        if (value === undefined) this.note(where, `{"Ref": "${id}"} cannot be resolved locally`);
        return value;
      },
      unresolved: (what) => this.note(where, `${what} cannot be resolved locally`),
    });
  }

  secret(v: unknown, where: string): string | undefined {
    const s = this.str(v, where);
    if (s === undefined || !SECRET_REF.test(s)) return s;
    const fromEnv = this.o.env.ALB_CLIENT_SECRET;
    if (fromEnv === undefined || fromEnv === "")
      throw new EmulatorConfigError(
        `${where}.ClientSecret is ${s} (a reference, resolved only in AWS): set ALB_CLIENT_SECRET to the client secret (or pass --embedded-idp)`,
      );
    return fromEnv;
  }

  condition(raw: unknown, where: string): Condition | "unsupported" {
    if (!isRecord(raw)) return "unsupported";
    const field = raw.Field;
    const configKey: Record<string, string> = {
      "path-pattern": "PathPatternConfig",
      "host-header": "HostHeaderConfig",
      "http-request-method": "HttpRequestMethodConfig",
    };
    if (typeof field !== "string" || !(field in configKey)) {
      this.note(
        where,
        `condition ${JSON.stringify(field)} is not emulated (path-pattern, host-header and http-request-method are): the rule is left out`,
      );
      return "unsupported";
    }
    const block = raw[configKey[field] ?? ""];
    const values = isRecord(block) ? block.Values : raw.Values;
    const list = Array.isArray(values) ? values.map((x) => this.str(x, where)) : [];
    if (list.length === 0 || list.some((x) => x === undefined)) {
      this.note(where, `condition ${field} has values that cannot be resolved: the rule is left out`);
      return "unsupported";
    }
    return { field: field as Condition["field"], values: list as string[] };
  }

  oidc(cfg: Record<string, unknown>, where: string, embedded: EmbeddedIdp | undefined, cognito: boolean): OidcAuth | undefined {
    const file: Record<string, unknown> = {};
    for (const k of Object.keys(cfg)) if (!OIDC_READ.has(k)) this.note(where, `${k} is not emulated`);
    for (const k of OIDC_KEEP) {
      const v = cfg[k];
      if (v === undefined) continue;
      if (k === "AuthenticationRequestExtraParams") {
        if (!isRecord(v)) continue;
        file[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, this.str(pv, `${where}.${k}`) ?? ""]));
        continue;
      }
      // A value that cannot be resolved is named (str notes it) and left to the ALB default.
      const resolved = this.str(v, `${where}.${k}`);
      if (resolved === undefined) continue;
      file[k] = k === "SessionTimeout" ? Number(resolved) : resolved;
    }
    if (embedded) {
      Object.assign(file, embedded.oidc);
      if (cognito) this.note(where, "authenticate-cognito: the embedded provider stands in for the user pool (as an OIDC IdP)");
    } else {
      if (cognito) {
        this.note(where, "authenticate-cognito cannot be emulated without --embedded-idp (the user pool is in AWS): the rule is left out");
        return undefined;
      }
      for (const k of OIDC_IDP) {
        const v = k === "ClientSecret" ? this.secret(cfg[k], where) : this.str(cfg[k], `${where}.${k}`);
        if (v === undefined) {
          if (k === "ClientSecret" && cfg.UseExistingClientSecret === true)
            throw new EmulatorConfigError(`${where} uses UseExistingClientSecret: set ALB_CLIENT_SECRET (or pass --embedded-idp)`);
          throw new EmulatorConfigError(`${where}.${k} cannot be resolved from the template: pass --embedded-idp, or write it out`);
        }
        file[k] = v;
      }
    }
    const parsed = parseEmulatorConfig(file, `${this.file} ${where}`);
    const config: EmulatorConfig = resolveConfig(parsed, undefined);
    return { type: "authenticate-oidc", config };
  }

  jwt(cfg: Record<string, unknown>, where: string, embedded: EmbeddedIdp | undefined): JwtAuth {
    const claims = Array.isArray(cfg.AdditionalClaims)
      ? cfg.AdditionalClaims.map((c: unknown) =>
          isRecord(c)
            ? {
                Format: this.str(c.Format, where),
                Name: this.str(c.Name, where),
                Values: Array.isArray(c.Values) ? c.Values.map((x: unknown) => this.str(x, where)) : c.Values,
              }
            : c,
        )
      : cfg.AdditionalClaims;
    const block = {
      PathPrefixes: ["/"],
      Issuer: embedded ? embedded.machine.Issuer : this.str(cfg.Issuer, `${where}.Issuer`),
      JwksEndpoint: embedded ? embedded.machine.JwksEndpoint : this.str(cfg.JwksEndpoint, `${where}.JwksEndpoint`),
      ...(claims !== undefined && { AdditionalClaims: claims }),
    };
    const parsed = parseJwtValidation(block, (field, problem) => {
      throw new EmulatorConfigError(`${this.file} ${where}: ${field.replace(/^JwtValidation\./, "JwtValidationConfig.")} ${problem}`);
    });
    if (!parsed.Issuer || !parsed.JwksEndpoint)
      throw new EmulatorConfigError(`${this.file} ${where}: JwtValidationConfig needs Issuer and JwksEndpoint (or pass --embedded-idp)`);
    return {
      type: "jwt-validation",
      config: { Issuer: parsed.Issuer, JwksEndpoint: parsed.JwksEndpoint, AdditionalClaims: parsed.AdditionalClaims ?? [] },
    };
  }

  /** A rule's final action; undefined for a type the emulator does not have. */
  final(a: Record<string, unknown>, where: string, groups: Set<string>): FinalAction | undefined {
    switch (a.Type) {
      case "forward":
        return this.forward(a, where, groups);
      case "fixed-response":
        return this.fixedResponse(isRecord(a.FixedResponseConfig) ? a.FixedResponseConfig : {}, where);
      case "redirect":
        return this.redirect(isRecord(a.RedirectConfig) ? a.RedirectConfig : {}, where);
      default:
        return undefined;
    }
  }

  /** A forward action to the first target group it names (the one a ForwardConfig with several gets here, named); each is added to `groups`. */
  forward(a: Record<string, unknown>, where: string, groups: Set<string>): FinalAction {
    const fc = a.ForwardConfig;
    const refs = [
      a.TargetGroupArn,
      ...(isRecord(fc) && Array.isArray(fc.TargetGroups) ? fc.TargetGroups.map((t: unknown) => (isRecord(t) ? t.TargetGroupArn : t)) : []),
    ]
      .filter((v) => v !== undefined)
      .map((v) => targetGroupOf(this.resources, v) ?? this.str(v, where) ?? "?");
    for (const r of refs) groups.add(r);
    const first = refs[0];
    if (new Set(refs).size > 1)
      this.note(where, `forwards to ${[...new Set(refs)].join(", ")}: every request goes to the first, ${first ?? "?"}`);
    return first !== undefined && this.resources[first]?.Type === TARGET_GROUP
      ? { type: "forward", targetGroup: first }
      : { type: "forward" };
  }

  fixedResponse(f: Record<string, unknown>, where: string): FinalAction {
    const statusCode = Number(this.str(f.StatusCode, where));
    if (!Number.isInteger(statusCode) || statusCode < 200 || statusCode > 599)
      throw new EmulatorConfigError(
        `${this.file} ${where}: FixedResponseConfig.StatusCode must be 2XX, 4XX or 5XX, got ${JSON.stringify(f.StatusCode)}`,
      );
    const contentType = this.str(f.ContentType, where);
    const messageBody = this.str(f.MessageBody, where);
    return {
      type: "fixed-response",
      statusCode,
      ...(contentType && { contentType }),
      ...(messageBody !== undefined && { messageBody }),
    };
  }

  redirect(r: Record<string, unknown>, where: string): FinalAction {
    const code = this.str(r.StatusCode, where);
    if (code !== "HTTP_301" && code !== "HTTP_302")
      throw new EmulatorConfigError(
        `${this.file} ${where}: RedirectConfig.StatusCode must be HTTP_301 or HTTP_302, got ${JSON.stringify(r.StatusCode)}`,
      );
    const part = (k: string): Record<string, string> => {
      const v = this.str(r[k], where);
      return v === undefined ? {} : { [k.toLowerCase()]: v };
    };
    return {
      type: "redirect",
      statusCode: code === "HTTP_301" ? 301 : 302,
      ...part("Protocol"),
      ...part("Host"),
      ...part("Port"),
      ...part("Path"),
      ...part("Query"),
    };
  }

  /** One rule's actions: at most one authenticate action, then the final one (by Order). */
  rule(
    name: string,
    priority: number | undefined,
    conditions: Condition[],
    rawActions: unknown,
    embedded: EmbeddedIdp | undefined,
    groups: Set<string>,
  ): ListenerRule | undefined {
    if (!Array.isArray(rawActions) || rawActions.length === 0) throw new EmulatorConfigError(`${this.file} ${name}: has no actions`);
    const actions = (rawActions as unknown[])
      .filter(isRecord)
      .map((a, i) => ({ a, order: Number(a.Order ?? i + 1) }))
      .sort((x, y) => x.order - y.order)
      .map((x) => x.a);
    let auth: OidcAuth | JwtAuth | undefined;
    let action: FinalAction | undefined;
    for (const a of actions) {
      const where = `${name} action ${String(a.Type)}`;
      if (a.Type === "authenticate-oidc" || a.Type === "authenticate-cognito") {
        const cfg = a.Type === "authenticate-oidc" ? a.AuthenticateOidcConfig : a.AuthenticateCognitoConfig;
        const made = this.oidc(isRecord(cfg) ? cfg : {}, name, embedded, a.Type === "authenticate-cognito");
        if (!made) return undefined;
        auth = made;
      } else if (a.Type === "jwt-validation") {
        auth = this.jwt(isRecord(a.JwtValidationConfig) ? a.JwtValidationConfig : {}, name, embedded);
      } else {
        action = this.final(a, where, groups);
        if (!action) {
          this.note(name, `action type ${JSON.stringify(a.Type)} is not emulated: the rule is left out`);
          return undefined;
        }
        break;
      }
    }
    if (!action) throw new EmulatorConfigError(`${this.file} ${name}: has no forward, redirect or fixed-response action`);
    return { name, priority, conditions, ...(auth && { auth }), action };
  }
}

function readTemplate(path: string): {
  resources: Resources;
  parameters: TemplateParameters;
  globals: Record<string, unknown> | undefined;
} {
  const raw = readTemplateFile(path);
  if (!isRecord(raw) || !isRecord(raw.Resources))
    throw new EmulatorConfigError(`--template ${path}: has no Resources (is it a CloudFormation template?)`);
  return {
    resources: raw.Resources as Resources,
    parameters: (isRecord(raw.Parameters) ? raw.Parameters : {}) as Record<string, { Default?: unknown }>,
    // SAM's Globals.Function: defaults for every AWS::Serverless::Function.
    globals: isRecord(raw.Globals) && isRecord(raw.Globals.Function) ? raw.Globals.Function : undefined,
  };
}

/** The actions that authenticate: a listener using one of them is the one a user logs in through. */
const AUTHENTICATE = new Set(["authenticate-oidc", "authenticate-cognito", "jwt-validation"]);

/**
 * The listeners of a template: each Listener resource by logical id, then each existing listener (an ARN
 * written out) that ListenerRules of the template are added to, by its ARN.
 * @example listenerIds(JSON.parse(text).Resources) // ["AppLoadBalancerHttps1A2B3C4D", "AppLoadBalancerHttp5E6F7A8B"]
 */
export function listenerIds(resources: Resources): string[] {
  const own = Object.keys(resources).filter((k) => resources[k]?.Type === LISTENER);
  const existing = new Set<string>();
  for (const r of Object.values(resources)) {
    const arn = r.Type === RULE ? r.Properties?.ListenerArn : undefined;
    if (typeof arn === "string") existing.add(arn);
  }
  return [...own, ...existing];
}

/** Is this listener one the template only adds rules to (an ARN, not a resource of the template)? */
function isExisting(resources: Resources, listenerId: string): boolean {
  return resources[listenerId]?.Type !== LISTENER;
}

/** The ListenerRules added to a listener, by logical id. */
function ruleIdsOf(resources: Resources, listenerId: string): string[] {
  return Object.keys(resources).filter((k) => {
    const r = resources[k];
    if (r?.Type !== RULE) return false;
    const arn = r.Properties?.ListenerArn;
    return isExisting(resources, listenerId) ? arn === listenerId : refersTo(arn, listenerId);
  });
}

/**
 * The authenticate actions (authenticate-oidc, authenticate-cognito, jwt-validation) of a listener's DefaultActions and rules.
 * @example authenticateActions(resources, "AppLoadBalancerHttp5E6F7A8B").size // 0: the HTTP listener only redirects
 */
export function authenticateActions(resources: Resources, listenerId: string): Set<string> {
  const actionLists = [
    resources[listenerId]?.Properties?.DefaultActions,
    ...ruleIdsOf(resources, listenerId).map((r) => resources[r]?.Properties?.Actions),
  ];
  const found = new Set<string>();
  for (const list of actionLists) {
    for (const a of Array.isArray(list) ? list : [])
      if (isRecord(a) && typeof a.Type === "string" && AUTHENTICATE.has(a.Type)) found.add(a.Type);
  }
  return found;
}

/**
 * Reads the listener from a template and builds it once the embedded provider's URLs are known.
 * @throws EmulatorConfigError naming the file, the rule and the field.
 * @example startEmulator({ listener: templateListener({ path: "cdk.out/App.template.json", embeddedIdp: true, env: process.env }) })
 */
export function templateListener(o: TemplateOptions): ListenerSource {
  const { resources, parameters, globals } = readTemplate(o.path);
  const { listenerId, others, why } = pickListener(o, resources);
  const ruleIds = ruleIdsOf(resources, listenerId);
  const auth = authenticateActions(resources, listenerId);
  return {
    description: `${o.path} listener ${listenerId}${why}${ruleIds.length > 0 ? ` with rules ${ruleIds.join(", ")}` : ""}${o.embeddedIdp ? ", IdPs swapped for the embedded provider" : ""}`,
    needsEmbeddedProvider: o.embeddedIdp && auth.size > 0,
    build: (embedded) => {
      const reader = new Reader(o.path, resources, parameters, o);
      for (const other of others)
        reader.note(other, `another listener of the template, not emulated (--listener ${other} runs it instead)`);
      return buildListener(reader, listenerId, ruleIds, embedded, globals);
    },
  };
}

/**
 * The listener's id: the one `--listener` names, else the template's only listener, else the only one
 * whose rules authenticate (an AlbOidcTarget adds an HTTP listener that only redirects to HTTPS).
 */
function pickListener(o: TemplateOptions, resources: Resources): { listenerId: string; others: string[]; why: string } {
  const ids = listenerIds(resources);
  if (ids.length === 0)
    throw new EmulatorConfigError(`--template ${o.path}: has no ${LISTENER} (and no ListenerRule on an existing listener)`);
  const id = o.listenerId;
  const othersThan = (picked: string): string[] => ids.filter((i) => i !== picked);
  if (id !== undefined) {
    if (!ids.includes(id)) throw new EmulatorConfigError(`--listener ${id}: not a listener of ${o.path} (listeners: ${ids.join(", ")})`);
    return { listenerId: id, others: othersThan(id), why: "" };
  }
  if (ids.length === 1) return { listenerId: ids[0] ?? "", others: [], why: "" };
  const authenticating = ids.filter((i) => authenticateActions(resources, i).size > 0);
  if (authenticating.length === 1) {
    const picked = authenticating[0] ?? "";
    return { listenerId: picked, others: othersThan(picked), why: " (the one whose rules authenticate)" };
  }
  if (authenticating.length === 0)
    throw new EmulatorConfigError(
      `--template ${o.path}: has ${ids.length} listeners (${ids.join(", ")}) and none authenticates: pick one with --listener <logicalId>`,
    );
  throw new EmulatorConfigError(
    `--template ${o.path}: ${authenticating.length} listeners authenticate (${authenticating.join(", ")}): pick one with --listener <logicalId>`,
  );
}

/** The listener's rules (its ListenerRules, then its DefaultActions), with what the emulator cannot emulate noted. */
function buildListener(
  reader: Reader,
  listenerId: string,
  ruleIds: readonly string[],
  embedded: EmbeddedIdp | undefined,
  globals: Record<string, unknown> | undefined,
): BuiltListener {
  const existing = isExisting(reader.resources, listenerId);
  const props = existing ? existingListenerProps(reader, listenerId) : (reader.resources[listenerId]?.Properties ?? {});
  const groups = new Set<string>();
  for (const k of Object.keys(props)) if (!LISTENER_KNOWN.has(k)) reader.note(listenerId, `${k} is not emulated`);
  if (props.Protocol === "HTTPS" || props.Certificates !== undefined)
    reader.note(
      listenerId,
      `${typeof props.Protocol === "string" ? props.Protocol : "HTTPS"} with its certificates: the emulator listens on plain http://localhost`,
    );
  const rules: ListenerRule[] = [];
  for (const rid of ruleIds) {
    const rule = listenerRule(reader, rid, embedded, groups);
    if (rule) rules.push(rule);
  }
  const defaultName = existing ? "existing listener DefaultActions" : `${listenerId} DefaultActions`;
  const defaultRule = reader.rule(defaultName, undefined, [], props.DefaultActions, embedded, groups);
  if (!defaultRule) throw new EmulatorConfigError(`${reader.file} ${listenerId}: its DefaultActions cannot be emulated (see above)`);
  rules.push(defaultRule);
  const functions = templateFunctions({
    resources: reader.resources,
    parameters: reader.parameters,
    globals,
    templatePath: reader.file,
    targetGroups: [...groups],
  });
  for (const f of functions) for (const n of f.notes) reader.notes.push(n);
  const withFunction = new Set(functions.map((f) => f.targetGroup));
  const multiValue = multiValueOf(
    reader,
    listenerId,
    [...groups].filter((g) => !withFunction.has(g)),
    groups,
  );
  const lb = existing ? loadBalancerOfListener(listenerId) : loadBalancerArnOf(reader, listenerId, props.LoadBalancerArn);
  return {
    rules: sortRules(rules),
    notes: reader.notes,
    functions,
    ...(multiValue !== undefined && { multiValue }),
    ...(lb?.startsWith("arn:") && { loadBalancerArn: lb }),
  };
}

/** What the emulator puts in place of an existing listener's DefaultActions, which are not in the template: a 404, named. */
function existingListenerProps(reader: Reader, arn: string): Record<string, unknown> {
  reader.note(
    arn,
    "an existing listener: its DefaultActions are not in the template, so a request no rule of the template matches gets a 404 here",
  );
  const body = "No rule of the template matches (the existing listener's default action is not in the template).";
  return {
    DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain", MessageBody: body } }],
  };
}

/** A ListenerRule resource as a rule; undefined (with a note) when one of its conditions or actions cannot be emulated. */
function listenerRule(reader: Reader, rid: string, embedded: EmbeddedIdp | undefined, groups: Set<string>): ListenerRule | undefined {
  const p = reader.resources[rid]?.Properties ?? {};
  for (const k of Object.keys(p)) if (!RULE_KNOWN.has(k)) reader.note(rid, `${k} is not emulated`);
  const priority = Number(reader.str(p.Priority, rid));
  if (!Number.isInteger(priority))
    throw new EmulatorConfigError(`${reader.file} ${rid}: Priority must be a number, got ${JSON.stringify(p.Priority)}`);
  const conditions: Condition[] = [];
  let usable = true;
  // Every condition is read, so that each one the emulator lacks is named.
  for (const c of Array.isArray(p.Conditions) ? p.Conditions : []) {
    const made = reader.condition(c, rid);
    if (made === "unsupported") usable = false;
    else conditions.push(made);
  }
  if (!usable) return undefined;
  return reader.rule(rid, priority, conditions, p.Actions, embedded, groups);
}

/**
 * lambda.multi_value_headers.enabled of the first target group the rules forward to (the fallback target's); the
 * groups with no function of the template share that one target, named when there are several.
 */
function multiValueOf(
  reader: Reader,
  listenerId: string,
  withoutFunction: readonly string[],
  groups: ReadonlySet<string>,
): boolean | undefined {
  if (withoutFunction.length > 1)
    reader.note(listenerId, `forwards to ${withoutFunction.join(", ")}, which have no function of the template: they share the one target`);
  const first = withoutFunction[0] ?? [...groups][0];
  return multiValueAttribute(first === undefined ? undefined : reader.resources[first]?.Properties);
}

/**
 * The load balancer an existing listener belongs to, from the listener's ARN (what the ALB signs as).
 * @example loadBalancerOfListener("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2")
 * // "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188"
 */
function loadBalancerOfListener(listenerArn: string): string | undefined {
  const m = /^(arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:)listener\/(app\/[^/]+\/[^/]+)\/[^/]+$/.exec(listenerArn);
  return m ? `${m[1] ?? ""}loadbalancer/${m[2] ?? ""}` : undefined;
}

/** The listener's LoadBalancerArn when the template writes it out. */
function loadBalancerArnOf(reader: Reader, listenerId: string, lbRaw: unknown): string | undefined {
  const lb = typeof lbRaw === "string" ? lbRaw : undefined;
  // A Ref to the template's own load balancer has no ARN before deployment: the emulator signs as its default ARN.
  if (lbRaw !== undefined && lb === undefined)
    reader.note(
      listenerId,
      `LoadBalancerArn ${JSON.stringify(lbRaw)} has no ARN before deployment: tokens are signed as the default LoadBalancerArn`,
    );
  return lb;
}
