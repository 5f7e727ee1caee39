// A target group's own function in a CloudFormation template: its code (CDK's aws:asset:path next to the template, SAM's CodeUri, an inline ZipFile), Handler, Timeout and Environment, or why the emulator cannot run it.
import { existsSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { isPlainObject as isRecord } from "alb-oidc-target/rules";
import { TARGET_GROUP_ARN } from "alb-oidc-target/testing";
import { multiValueAttribute, parameterValue, resolveString, type TemplateParameters } from "./intrinsics.js";

const LAMBDA = "AWS::Lambda::Function";
const SERVERLESS = "AWS::Serverless::Function";
const ALIAS = "AWS::Lambda::Alias";
const VERSION = "AWS::Lambda::Version";
const LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer";
const LISTENER = "AWS::ElasticLoadBalancingV2::Listener";
const TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup";
/** The file extensions the Lambda Node.js runtime tries for a handler's module, in its order. */
const MODULE_EXTENSIONS = [".js", ".mjs", ".cjs"] as const;

type Resource = { readonly Type?: string; readonly Properties?: Record<string, unknown>; readonly Metadata?: Record<string, unknown> };
type Resources = Readonly<Record<string, Resource>>;

/** The emulator's values for what a function's Environment may reference: the load balancer, its listener, the target group. */
export interface EmulatorValues {
  /** The ARN the emulator signs as (LOAD_BALANCER_ARN). */
  readonly loadBalancerArn: string;
  /** The emulator's URL, http://localhost:<port> (the load balancer's DNSName stands for its host). */
  readonly url: string;
}

/** Where the function's code is: a directory (CDK asset, SAM CodeUri) or the inline source of `Code.ZipFile`. */
export type FunctionCode = { readonly dir: string } | { readonly inline: string };

/** A function the emulator can run: its code, the module and export its Handler names, its Timeout. */
export interface RunnableFunction {
  readonly code: FunctionCode;
  /** The handler's module, relative to the code directory (`dir/sub/index.mjs`). */
  readonly module: string;
  /** The export to call; a dotted path for a nested one (`handlers.main`). */
  readonly exportPath: string;
  /** The template's Timeout in seconds, when it gives one. */
  readonly timeoutS: number | undefined;
}

/** A target group whose target is a Lambda function of the same template. */
export interface TemplateFunction {
  /** The target group's logical id. */
  readonly targetGroup: string;
  /** The function's logical id. */
  readonly functionId: string;
  /** The group's lambda.multi_value_headers.enabled. */
  readonly multiValue: boolean;
  /** What runs, or why the emulator cannot run it (named at start; requests get the ALB's 502 LambdaUnhandled). */
  readonly run: RunnableFunction | { readonly unrunnable: string };
  /** Its Environment.Variables with intrinsics resolved to the emulator's values; a variable that cannot be resolved is left out (and named in `notes`). */
  environment(v: EmulatorValues): Record<string, string>;
  /** What is not emulated about this function (layers, variables that cannot be resolved), named at start. */
  readonly notes: readonly string[];
}

/**
 * The function each of `targetGroups` targets, when it is a function of the template (Targets[].Id a Ref
 * or Fn::GetAtt Arn of an AWS::Lambda::Function or AWS::Serverless::Function, directly or through an
 * alias or version of it). Groups with other targets are left out.
 * @example templateFunctions({ resources, parameters, globals: undefined, templatePath: "cdk.out/App.template.json", targetGroups: ["TargetGroup"] })
 */
export function templateFunctions(t: {
  readonly resources: Resources;
  readonly parameters: TemplateParameters;
  /** SAM's Globals.Function: defaults for every AWS::Serverless::Function. */
  readonly globals: Record<string, unknown> | undefined;
  readonly templatePath: string;
  readonly targetGroups: readonly string[];
}): TemplateFunction[] {
  const out: TemplateFunction[] = [];
  for (const tg of t.targetGroups) {
    const props = t.resources[tg]?.Properties;
    const targets = Array.isArray(props?.Targets) ? (props.Targets as unknown[]) : [];
    const functionId = targets.map((x) => (isRecord(x) ? functionOf(t.resources, x.Id) : undefined)).find((x) => x !== undefined);
    if (functionId === undefined) continue;
    out.push(describeFunction(t, tg, functionId));
  }
  return out;
}

/** The logical id of the function a target Id names (through an alias or version), or undefined. */
function functionOf(resources: Resources, id: unknown, depth = 0): string | undefined {
  const ref = refOrArn(id);
  const r = ref === undefined ? undefined : resources[ref];
  if (ref === undefined || !r || depth > 3) return undefined;
  if (r.Type === LAMBDA || r.Type === SERVERLESS) return ref;
  if (r.Type === ALIAS || r.Type === VERSION) return functionOf(resources, r.Properties?.FunctionName, depth + 1);
  return undefined;
}

/** The logical id a `Ref` or `Fn::GetAtt [id, "Arn"]` names. */
function refOrArn(v: unknown): string | undefined {
  if (!isRecord(v)) return undefined;
  if (typeof v.Ref === "string") return v.Ref;
  const att = v["Fn::GetAtt"];
  return Array.isArray(att) && typeof att[0] === "string" && att[1] === "Arn" ? att[0] : undefined;
}

/** SAM's Globals.Function under the function's own properties (its Environment.Variables merged). */
function propertiesOf(r: Resource, globals: Record<string, unknown> | undefined): Record<string, unknown> {
  const own = r.Properties ?? {};
  if (r.Type !== SERVERLESS || !globals) return own;
  const vars = (p: Record<string, unknown>): Record<string, unknown> =>
    isRecord(p.Environment) && isRecord(p.Environment.Variables) ? p.Environment.Variables : {};
  return { ...globals, ...own, Environment: { Variables: { ...vars(globals), ...vars(own) } } };
}

function describeFunction(
  t: {
    readonly resources: Resources;
    readonly parameters: TemplateParameters;
    readonly globals: Record<string, unknown> | undefined;
    readonly templatePath: string;
  },
  targetGroup: string,
  functionId: string,
): TemplateFunction {
  const r = t.resources[functionId] ?? {};
  const p = propertiesOf(r, t.globals);
  const notes: string[] = [];
  if (Array.isArray(p.Layers) && p.Layers.length > 0)
    notes.push(`${functionId}: Layers are not emulated (the function runs without them; /opt is not there)`);
  const resolver = new EnvResolver(t.resources, t.parameters, functionId, notes);
  const variables = isRecord(p.Environment) && isRecord(p.Environment.Variables) ? p.Environment.Variables : {};
  resolver.check(variables);
  return {
    targetGroup,
    functionId,
    multiValue: multiValueAttribute(t.resources[targetGroup]?.Properties) ?? false,
    run: runnable(r, p, dirname(resolve(t.templatePath))),
    environment: (v) => resolver.resolveAll(variables, v),
    notes,
  };
}

/** The function's code, handler and timeout, or why the emulator cannot run it. */
function runnable(r: Resource, p: Record<string, unknown>, templateDir: string): RunnableFunction | { unrunnable: string } {
  const code = isRecord(p.Code) ? p.Code : {};
  if (p.PackageType === "Image" || code.ImageUri !== undefined || p.ImageUri !== undefined)
    return {
      unrunnable:
        "a container image (PackageType Image): the emulator runs Node.js code, not images (run the image as an HTTP server and pass --upstream)",
    };
  const runtime = typeof p.Runtime === "string" ? p.Runtime : undefined;
  if (runtime === undefined) return { unrunnable: "no Runtime: the emulator runs nodejs* functions" };
  if (!runtime.startsWith("nodejs"))
    return { unrunnable: `Runtime ${runtime}: the emulator runs nodejs* functions only (pass --upstream or --handler)` };
  const handler = typeof p.Handler === "string" ? p.Handler : undefined;
  const parsed = handler === undefined ? undefined : splitHandler(handler);
  if (!parsed) return { unrunnable: `Handler ${JSON.stringify(p.Handler)} is not <file>.<export>, like index.handler` };
  const timeoutS =
    typeof p.Timeout === "number" ? p.Timeout : typeof p.Timeout === "string" && /^\d+$/.test(p.Timeout) ? Number(p.Timeout) : undefined;
  // SAM's InlineCode is CloudFormation's Code.ZipFile.
  const inline =
    typeof code.ZipFile === "string" ? code.ZipFile : r.Type === SERVERLESS && typeof p.InlineCode === "string" ? p.InlineCode : undefined;
  if (inline !== undefined) {
    // CloudFormation writes inline code to index.js, as CommonJS (no package.json beside it).
    if (parsed.module !== "index") return { unrunnable: `Handler ${handler ?? ""} with inline Code.ZipFile: the inline file is index.js` };
    return { code: { inline }, module: "index.js", exportPath: parsed.exportPath, timeoutS };
  }
  const found = codeDir(r, p, templateDir);
  if ("unrunnable" in found) return found;
  const module = MODULE_EXTENSIONS.map((ext) => `${parsed.module}${ext}`).find((m) => existsSync(join(found.dir, m)));
  if (module === undefined)
    return {
      unrunnable: `Handler ${handler ?? ""}: no ${MODULE_EXTENSIONS.map((ext) => `${parsed.module}${ext}`).join(", ")} in ${found.dir}`,
    };
  return { code: { dir: found.dir }, module, exportPath: parsed.exportPath, timeoutS };
}

/**
 * A Handler as the Lambda Node.js runtime reads it: the module path up to the first dot after the last
 * slash, then the export (itself dotted for a nested one).
 * @example splitHandler("src/api/index.handlers.main") // { module: "src/api/index", exportPath: "handlers.main" }
 */
export function splitHandler(handler: string): { module: string; exportPath: string } | undefined {
  const slash = handler.lastIndexOf("/");
  const dot = handler.indexOf(".", slash + 1);
  if (dot < 0) return undefined;
  const module = handler.slice(0, dot);
  const exportPath = handler.slice(dot + 1);
  if (module === "" || module.endsWith("/") || !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(exportPath)) return undefined;
  return { module, exportPath };
}

/** The code directory: CDK's aws:asset:path metadata, else SAM's CodeUri, each relative to the template's directory. */
function codeDir(r: Resource, p: Record<string, unknown>, templateDir: string): { dir: string } | { unrunnable: string } {
  const asset = r.Metadata?.["aws:asset:path"];
  const codeUri = r.Type === SERVERLESS ? p.CodeUri : undefined;
  const relative = typeof asset === "string" ? asset : typeof codeUri === "string" && !codeUri.startsWith("s3://") ? codeUri : undefined;
  if (relative === undefined) {
    const where =
      isRecord(p.Code) && p.Code.S3Bucket !== undefined
        ? "in S3 (Code.S3Bucket)"
        : codeUri !== undefined
          ? `at CodeUri ${JSON.stringify(codeUri).slice(0, 120)}`
          : "not in the template";
    return {
      unrunnable: `its code is ${where}, with no aws:asset:path metadata naming a directory next to the template (cdk synth writes it unless --no-asset-metadata; SAM needs a local CodeUri)`,
    };
  }
  const dir = resolve(templateDir, relative);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    return {
      unrunnable: `its code directory ${dir} (${typeof asset === "string" ? "aws:asset:path" : "CodeUri"}) does not exist: synthesize again`,
    };
  return { dir };
}

/** Resolves a function's Environment.Variables: literals, pseudo parameters, parameters' defaults, the load balancer, its listeners and target groups. */
class EnvResolver {
  constructor(
    readonly resources: Resources,
    readonly parameters: TemplateParameters,
    readonly functionId: string,
    readonly notes: string[],
  ) {}

  /** Names, once at start, each variable that cannot be resolved (the values are the emulator's, so any will do). */
  check(variables: Record<string, unknown>): void {
    const probe: EmulatorValues = {
      loadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/0",
      url: "http://localhost:0",
    };
    for (const [name, raw] of Object.entries(variables)) {
      const why: string[] = [];
      if (this.value(raw, probe, why) === undefined)
        this.notes.push(
          `${this.functionId}: Environment ${name} is ${why[0] ?? JSON.stringify(raw).slice(0, 120)}, which cannot be resolved locally: the function runs without it`,
        );
    }
  }

  resolveAll(variables: Record<string, unknown>, v: EmulatorValues): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [name, raw] of Object.entries(variables)) {
      const value = this.value(raw, v, []);
      if (value !== undefined) env[name] = value;
    }
    return env;
  }

  private value(raw: unknown, v: EmulatorValues, why: string[]): string | undefined {
    return resolveString(raw, {
      ref: (id) => this.ref(id, v, why),
      getAtt: (id, attribute) => this.getAtt(id, attribute, v, why),
      unresolved: (what) => why.push(what),
    });
  }

  private ref(id: string, v: EmulatorValues, why: string[]): string | undefined {
    const parameter = parameterValue(id, this.parameters);
    if (parameter !== undefined) return parameter;
    const type = this.resources[id]?.Type;
    if (type === LOAD_BALANCER) return v.loadBalancerArn;
    if (type === LISTENER) return listenerArn(v.loadBalancerArn, id);
    if (type === TARGET_GROUP) return TARGET_GROUP_ARN;
    why.push(`{"Ref": "${id}"}${type ? ` (an ${type})` : ""}`);
    return undefined;
  }

  private getAtt(id: string, attribute: string, v: EmulatorValues, why: string[]): string | undefined {
    const type = this.resources[id]?.Type;
    const lbFullName = v.loadBalancerArn.split(":loadbalancer/")[1] ?? "";
    const tgFullName = TARGET_GROUP_ARN.split(":")[5] ?? "";
    const known: Record<string, string> =
      type === LOAD_BALANCER
        ? {
            LoadBalancerArn: v.loadBalancerArn,
            LoadBalancerFullName: lbFullName,
            LoadBalancerName: lbFullName.split("/")[1] ?? "",
            DNSName: new URL(v.url).hostname,
          }
        : type === LISTENER
          ? { ListenerArn: listenerArn(v.loadBalancerArn, id) }
          : type === TARGET_GROUP
            ? { TargetGroupArn: TARGET_GROUP_ARN, TargetGroupFullName: tgFullName, TargetGroupName: tgFullName.split("/")[1] ?? "" }
            : {};
    const value = known[attribute];
    if (value === undefined) why.push(`{"Fn::GetAtt": ["${id}", "${attribute}"]}${type ? ` (an ${type})` : ""}`);
    return value;
  }
}

/**
 * The listener's ARN under the emulator's load balancer (its last part derived from the logical id, so each listener has its own).
 * @example listenerArn("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188", "HttpsListener")
 * // "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/<16 hex digits>"
 */
export function listenerArn(loadBalancerArn: string, logicalId: string): string {
  const id = createHash("sha256").update(logicalId).digest("hex").slice(0, 16);
  return `${loadBalancerArn.replace(":loadbalancer/", ":listener/")}/${id}`;
}
