// CloudFormation intrinsics resolved to a string locally (Ref, Fn::GetAtt, Fn::Join, Fn::Sub), for the listener's rules and the functions' Environment alike.
import { isPlainObject as isRecord } from "alb-oidc-target/rules";

/** What pseudo parameters stand for locally (the fake account of the repository's samples). */
export const PSEUDO: Readonly<Record<string, string>> = {
  "AWS::Region": "us-east-1",
  "AWS::AccountId": "123456789012",
  "AWS::Partition": "aws",
  "AWS::URLSuffix": "amazonaws.com",
  "AWS::StackName": "local",
};

/** A template's Parameters: only their defaults matter locally. */
export type TemplateParameters = Readonly<Record<string, { Default?: unknown }>>;

/** A pseudo parameter's local value, or a parameter's default. */
export function parameterValue(id: string, parameters: TemplateParameters): string | undefined {
  const pseudo = PSEUDO[id];
  if (pseudo !== undefined) return pseudo;
  const p = parameters[id];
  return p && (typeof p.Default === "string" || typeof p.Default === "number") ? String(p.Default) : undefined;
}

/** What a caller resolves itself; each reports what it cannot resolve before returning undefined. */
export interface Lookups {
  ref(id: string): string | undefined;
  /** Fn::GetAtt (and `${Id.Attribute}` in Fn::Sub); without it they are unresolved. */
  getAtt?(id: string, attribute: string): string | undefined;
  /** Told of any other value that cannot be resolved (its JSON, cut short). */
  unresolved(what: string): void;
}

/**
 * A template value as a string: literals as they are, intrinsics through `l`; undefined where it cannot be.
 * @example resolveString({ "Fn::Sub": "${AWS::Region}-x" }, { ref: (id) => PSEUDO[id], unresolved: () => {} }) // "us-east-1-x"
 */
export function resolveString(v: unknown, l: Lookups): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (!isRecord(v)) return undefined;
  if (typeof v.Ref === "string") return l.ref(v.Ref);
  const att = v["Fn::GetAtt"];
  if (l.getAtt && Array.isArray(att) && typeof att[0] === "string" && typeof att[1] === "string") return l.getAtt(att[0], att[1]);
  const join = v["Fn::Join"];
  if (Array.isArray(join) && typeof join[0] === "string" && Array.isArray(join[1])) {
    const parts = (join[1] as unknown[]).map((p) => resolveString(p, l));
    return parts.every((p) => p !== undefined) ? parts.join(join[0]) : undefined;
  }
  const sub = v["Fn::Sub"];
  if (typeof sub === "string") {
    const missing: string[] = [];
    const out = sub.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
      const dot = name.indexOf(".");
      const r = dot < 0 || !l.getAtt ? l.ref(name) : l.getAtt(name.slice(0, dot), name.slice(dot + 1));
      if (r === undefined) missing.push(name);
      return r ?? "";
    });
    return missing.length > 0 ? undefined : out;
  }
  l.unresolved(JSON.stringify(v).slice(0, 120));
  return undefined;
}

/** A target group's lambda.multi_value_headers.enabled, when its TargetGroupAttributes set it. */
export function multiValueAttribute(props: Record<string, unknown> | undefined): boolean | undefined {
  const attributes = Array.isArray(props?.TargetGroupAttributes) ? (props.TargetGroupAttributes as unknown[]).filter(isRecord) : [];
  const mv = attributes.find((a) => a.Key === "lambda.multi_value_headers.enabled");
  return mv === undefined ? undefined : String(mv.Value) === "true";
}
