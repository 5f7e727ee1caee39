// Every TypeScript snippet of the READMEs and docs/ compiles as pasted, imports included: each fenced ts block is typechecked as a user's own file (strict, nodenext) against the packages' exports.
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { codeBlocks, markdownFiles, onDisk, type CodeBlock } from "./markdown.js";
import { REPOSITORY_ROOT } from "./setup.js";

/**
 * A block that is deliberately partial says so on the line above its fence, with the reason:
 * `<!-- not compiled: pino is not a dependency here -->`. Anything else tagged ts/typescript is compiled.
 */
const NOT_COMPILED = /^<!--\s*not compiled:\s*(\S.*?)\s*-->$/;

/** The fewest snippets this test must have compiled: fewer means the extraction broke or the docs lost their examples. */
const MIN_CHECKED = 11;

/**
 * What a user's strict project would have: nodenext, strict and then some, `@types/node` (TypeScript 6 loads no
 * `@types` package it is not told to), no DOM. The source condition resolves the workspaces to their src/, as every
 * other tool in this repository does; an installed package resolves to the lib/ built from the same sources.
 */
const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  lib: ["lib.es2023.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  customConditions: ["alb-oidc-target-source"],
  types: ["node"],
  strict: true,
  noImplicitReturns: true,
  noImplicitOverride: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
  noEmit: true,
};

interface Snippet {
  /** The Markdown file and line, as a message names it. */
  readonly where: string;
  readonly block: CodeBlock;
}

/** The ts/typescript blocks of the given Markdown files, split into those to compile and those marked as not compiled (with the reason). */
export function snippetsOf(files: readonly { file: string; markdown: string }[]): {
  checked: Snippet[];
  skipped: (Snippet & { reason: string })[];
} {
  const checked: Snippet[] = [];
  const skipped: (Snippet & { reason: string })[] = [];
  for (const { file, markdown } of files) {
    for (const block of codeBlocks(markdown)) {
      if (block.lang !== "ts" && block.lang !== "typescript") continue;
      const snippet = { where: `${file}:${block.line}`, block };
      const reason = NOT_COMPILED.exec(block.before)?.[1];
      if (reason === undefined) checked.push(snippet);
      else skipped.push({ ...snippet, reason });
    }
  }
  return { checked, skipped };
}

/** The npm package a module specifier is in: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
const packageOf = (specifier: string): string =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

/** Is this import only types (`import type ...`, or every name in braces marked `type`)? Then only its types package is needed. */
function typeOnly(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false;
  if (clause.phaseModifier === ts.SyntaxKind.TypeKeyword) return true;
  const named = clause.namedBindings;
  return clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
}

/**
 * Typechecks snippets as files of a project at the repository root (so `alb-oidc-target`, `express`, `aws-cdk-lib`
 * ... resolve from its node_modules, as from a user's); each is an ES module (`.mts`), top-level await allowed.
 * Returns one line per error, at the Markdown line it is on, and what each snippet needs installed: the packages it
 * imports values from, the `@types/...` package that types an import (`@types/express`, `@types/aws-lambda`), and
 * `@types/node` (the compiler options name it, as a user's must under TypeScript 6).
 */
export function typecheck(snippets: readonly Snippet[]): { problems: string[]; needs: Map<Snippet, Set<string>> } {
  const files = new Map<string, { snippet: Snippet; text: string }>();
  snippets.forEach((snippet, i) => {
    const name = join(REPOSITORY_ROOT, ".docs-snippets", `${i}-${basename(snippet.where).replace(/\W/g, "-")}.mts`);
    files.set(name, { snippet, text: snippet.block.code });
  });
  const disk = ts.createCompilerHost(OPTIONS);
  const host: ts.CompilerHost = {
    ...disk,
    fileExists: (name) => files.has(name) || disk.fileExists(name),
    readFile: (name) => files.get(name)?.text ?? disk.readFile(name),
    getSourceFile: (name, language, ...rest) => {
      const own = files.get(name);
      return own ? ts.createSourceFile(name, own.text, language) : disk.getSourceFile(name, language, ...rest);
    },
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options: OPTIONS, host });
  const text = (d: ts.Diagnostic): string => `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
  const problems = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => `(project) ${text(d)}`);
  const needs = new Map<Snippet, Set<string>>();
  for (const [name, { snippet }] of files) {
    const source = program.getSourceFile(name);
    if (source === undefined) throw new Error(`${snippet.where}: the snippet did not become a source file`);
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const line = source.getLineAndCharacterOfPosition(d.start ?? 0).line;
      problems.push(`${snippet.where.replace(/:\d+$/, "")}:${snippet.block.line + line}: ${text(d)}`);
    }
    const need = new Set(["@types/node"]);
    for (const node of source.statements) {
      if (!ts.isImportDeclaration(node) || !ts.isStringLiteral(node.moduleSpecifier)) continue;
      const specifier = node.moduleSpecifier.text;
      if (specifier.startsWith("node:") || specifier.startsWith(".")) continue;
      if (!typeOnly(node)) need.add(packageOf(specifier));
      const typedBy = ts.resolveModuleName(specifier, name, OPTIONS, host).resolvedModule?.packageId?.name;
      if (typedBy?.startsWith("@types/")) need.add(typedBy);
    }
    needs.set(snippet, need);
  }
  return { problems, needs };
}

/**
 * The packages a Markdown text tells the reader to install: every word after `npm install` / `npm i` (flags
 * left out), in code blocks and inline code alike, up to the end of the command.
 * @example installedBy("`npm install --save-dev @types/node`") // Set { "@types/node" }
 */
export function installedBy(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const [, args = ""] of markdown.matchAll(/\bnpm (?:install|i)\b([^\n`#&|;]*)/g)) {
    for (const word of args.trim().split(/\s+/)) if (word !== "" && !word.startsWith("-")) names.add(word);
  }
  return names;
}

describe("the checker itself", () => {
  const doc = [
    "```ts",
    "export const handler = (event: ALBEvent) => event.path;", // ALBEvent not imported: the README's old middy snippet
    "```",
    "<!-- not compiled: a fragment -->",
    "",
    "```typescript",
    "handler(event);",
    "```",
    "```typescript",
    'import type { ALBEvent } from "aws-lambda";',
    'import { withAlbAuth } from "alb-oidc-target";',
    "export const handler = withAlbAuth(async ({ event }: { event: ALBEvent }) => ({ statusCode: 200, body: event.path }));",
    "```",
    "```sh",
    "npm test",
    "```",
  ].join("\n");

  it("finds the ts and typescript blocks, and skips only those marked with a reason", () => {
    const { checked, skipped } = snippetsOf([{ file: "docs/x.md", markdown: doc }]);
    expect(checked.map((s) => s.where)).toEqual(["docs/x.md:2", "docs/x.md:10"]);
    expect(skipped.map((s) => [s.where, s.reason])).toEqual([["docs/x.md:7", "a fragment"]]);
  });

  it("reports a missing import at its Markdown line, and passes a snippet that imports what it uses", () => {
    const { checked } = snippetsOf([{ file: "docs/x.md", markdown: doc }]);
    const { problems, needs } = typecheck(checked);
    expect(problems).toEqual(["docs/x.md:2: TS2304 Cannot find name 'ALBEvent'."]);
    // A type-only import needs its types package only; a value import its package (and its types package when it has none).
    expect([...needs.values()].map((n) => [...n].sort())).toEqual([
      ["@types/node"],
      ["@types/aws-lambda", "@types/node", "alb-oidc-target"],
    ]);
  }, 120_000);

  it("reads the packages of install commands, flags and comments left out", () => {
    const text = "```sh\nnpm install a @s/b   # c\nnpm i -D @types/x && npm test\n```\nthen `npm install --save-dev y`.";
    expect([...installedBy(text)].sort()).toEqual(["@s/b", "@types/x", "a", "y"]);
  });
});

describe("the documentation's TypeScript", () => {
  const files = markdownFiles().map((file) => ({ file, markdown: readFileSync(onDisk(file), "utf8") }));
  const { checked, skipped } = snippetsOf(files);

  it(`compiles as pasted: ${checked.length} snippets checked, ${skipped.length} marked as not compiled`, () => {
    expect(checked.length).toBeGreaterThanOrEqual(MIN_CHECKED);
    // Partial blocks stay the exception, each with its reason on record.
    expect(skipped.length).toBeLessThanOrEqual(Math.floor(checked.length / 4));
    const { problems, needs } = typecheck(checked);
    expect(problems).toEqual([]);

    // Each snippet's packages are in an install command of its page; a page of docs/ may rely on the README's.
    const installs = new Map(files.map(({ file, markdown }) => [file, installedBy(markdown)]));
    const missing: string[] = [];
    for (const [snippet, need] of needs) {
      const file = snippet.where.replace(/:\d+$/, "");
      const offered = new Set([...(installs.get(file) ?? []), ...(file.startsWith("docs/") ? (installs.get("README.md") ?? []) : [])]);
      for (const name of need) if (!offered.has(name)) missing.push(`${snippet.where}: ${name} is not in an npm install of ${file}`);
    }
    expect(missing).toEqual([]);
  }, 180_000);
});
