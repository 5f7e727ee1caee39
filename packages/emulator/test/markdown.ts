// The repository's Markdown as the docs tests read it: which files a reader meets, and the fenced code blocks in them.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY_ROOT } from "./setup.js";

/** A repository path (as messages name it) on disk. */
export const onDisk = (path: string): string => join(REPOSITORY_ROOT, path);

/** Folders of a package that hold no documentation: sources, tests, build output. */
const NOT_DOCS = new Set(["node_modules", "src", "test", "lib", "dist", "cdk.out"]);

/** The Markdown files a reader of the repository meets: the README, docs/, each package's, the sample's and the examples' READMEs and changelogs. */
export function markdownFiles(): string[] {
  const files = ["README.md"];
  for (const name of readdirSync(onDisk("docs"))) if (name.endsWith(".md")) files.push(join("docs", name));
  const walk = (dir: string): void => {
    for (const name of readdirSync(onDisk(dir))) {
      if (NOT_DOCS.has(name) || name.startsWith(".")) continue;
      const path = join(dir, name);
      if (statSync(onDisk(path)).isDirectory()) walk(path);
      else if (name === "README.md" || name === "CHANGELOG.md") files.push(path);
    }
  };
  for (const dir of ["packages", "sample", "examples"]) walk(dir);
  return files;
}

/** One fenced code block: its info string's first word (`ts`, `sh`, ...), where its code starts, the code, and the non-blank line above the fence. */
export interface CodeBlock {
  readonly lang: string;
  /** The 1-based line number of the block's first line of code (the line after the opening fence). */
  readonly line: number;
  /** The code with the fence's own indentation removed (a block inside a list item is indented). */
  readonly code: string;
  /** The last non-blank line before the opening fence, trimmed ("" at the top of the file). */
  readonly before: string;
}

/**
 * The fenced code blocks of a Markdown text (``` or ~~~, indented or not), in order; an unclosed block runs to the end.
 * @example codeBlocks("```ts\nconst a = 1;\n```").map((b) => b.lang) // ["ts"]
 */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  let open: { marker: string; indent: number; lang: string; line: number; before: string; code: string[] } | undefined;
  let before = "";
  lines.forEach((text, i) => {
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(text);
    if (open === undefined) {
      if (fence) open = { marker: fence[2] ?? "", indent: (fence[1] ?? "").length, lang: fence[3] ?? "", line: i + 2, before, code: [] };
      else if (text.trim() !== "") before = text.trim();
      return;
    }
    const { marker } = open;
    // A closing fence: the same character, at least as long, no info string.
    if (fence && (fence[2] ?? "").startsWith(marker) && (fence[3] ?? "") === "") {
      blocks.push({ lang: open.lang, line: open.line, code: open.code.join("\n"), before: open.before });
      open = undefined;
      before = text.trim();
      return;
    }
    open.code.push(text.slice(Math.min(open.indent, /^\s*/.exec(text)?.[0].length ?? 0)));
  });
  if (open !== undefined) blocks.push({ lang: open.lang, line: open.line, code: open.code.join("\n"), before: open.before });
  return blocks;
}
