// A CloudFormation template file as data: JSON (what `cdk synth` writes) or YAML (what `sam build` writes, and most hand-written templates), YAML's short-form intrinsic tags turned into the long form (`!Ref X` is `{"Ref": "X"}`).
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parseDocument, type CollectionTag, type ScalarTag, type YAMLError } from "yaml";
import { EmulatorConfigError } from "./config-file.js";

/** The short-form tags CloudFormation reads, and the long-form key each one stands for. */
const SHORT_FORMS: Readonly<Record<string, string>> = {
  Ref: "Ref",
  Condition: "Condition",
  GetAtt: "Fn::GetAtt",
  Sub: "Fn::Sub",
  Join: "Fn::Join",
  Select: "Fn::Select",
  Split: "Fn::Split",
  If: "Fn::If",
  Equals: "Fn::Equals",
  Not: "Fn::Not",
  And: "Fn::And",
  Or: "Fn::Or",
  FindInMap: "Fn::FindInMap",
  Base64: "Fn::Base64",
  Cidr: "Fn::Cidr",
  GetAZs: "Fn::GetAZs",
  ImportValue: "Fn::ImportValue",
  Transform: "Fn::Transform",
  Length: "Fn::Length",
  ToJsonString: "Fn::ToJsonString",
};

/** Each short form in its scalar, sequence and mapping shapes (`!Sub "..."`, `!Sub [..., {...}]`, `!Transform {...}`). */
const CUSTOM_TAGS: (ScalarTag | CollectionTag)[] = Object.entries(SHORT_FORMS).flatMap(([name, key]) => {
  const tag = `!${name}`;
  const scalar: ScalarTag = {
    tag,
    // `!GetAtt Resource.Attribute` is the list form split at the first dot (an attribute name may have dots: Endpoint.Address).
    resolve: (value) => {
      const dot = value.indexOf(".");
      return { [key]: name === "GetAtt" && dot > 0 ? [value.slice(0, dot), value.slice(dot + 1)] : value };
    },
  };
  const seq: CollectionTag = { tag, collection: "seq", resolve: (node) => ({ [key]: node.toJSON() as unknown }) };
  const map: CollectionTag = { tag, collection: "map", resolve: (node) => ({ [key]: node.toJSON() as unknown }) };
  return [scalar, seq, map];
});

/**
 * Is this file read as YAML? `.yaml`/`.yml` always, `.json` never; any other name when its first character is not `{`.
 * @example isYaml(".aws-sam/build/template.yaml", "") // true
 */
export function isYaml(path: string, text: string): boolean {
  const ext = extname(path).toLowerCase();
  if (ext === ".yaml" || ext === ".yml") return true;
  if (ext === ".json") return false;
  return !text.trimStart().startsWith("{");
}

/**
 * A template's YAML text as CloudFormation reads it: the core schema (YAML 1.2, so `2010-09-09` stays a string), short-form tags in their long form.
 * @throws EmulatorConfigError one line naming the file, the line and the column.
 * @example parseYamlTemplate("Resources:\n  Fn:\n    Properties:\n      Role: !GetAtt Role.Arn\n", "t.yaml") // { Resources: { Fn: { Properties: { Role: { "Fn::GetAtt": ["Role", "Arn"] } } } } }
 */
export function parseYamlTemplate(text: string, path: string): unknown {
  // A key written twice: CloudFormation deploys the last one (as JSON.parse reads a JSON template); the yaml package would refuse it.
  const doc = parseDocument(text, { schema: "core", customTags: CUSTOM_TAGS, prettyErrors: false, uniqueKeys: false });
  // An unknown tag is a warning to the yaml package; CloudFormation refuses the template, and so does the emulator.
  const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
  if (problem) throw yamlError(problem, text, path);
  return doc.toJS({ maxAliasCount: 100 });
}

function yamlError(err: YAMLError, text: string, path: string): EmulatorConfigError {
  const offset = err.pos[0];
  const before = text.slice(0, offset).split("\n");
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  const reason = err.message.split("\n")[0] ?? err.code;
  return new EmulatorConfigError(`--template ${path}: cannot be read as YAML at line ${line}, column ${column}: ${reason}`, { cause: err });
}

/**
 * The template file's data, JSON or YAML (see isYaml).
 * @throws EmulatorConfigError naming the file (and for YAML the line) when it cannot be read or parsed.
 */
export function readTemplateFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new EmulatorConfigError(`--template ${path}: cannot be read (${(err as Error).message})`, { cause: err });
  }
  if (isYaml(path, text)) return parseYamlTemplate(text, path);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new EmulatorConfigError(`--template ${path}: cannot be read as JSON (${(err as Error).message})`, { cause: err });
  }
}
