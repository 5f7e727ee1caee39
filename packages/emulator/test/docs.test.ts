// The documentation holds together: every relative link and #anchor resolves (GitHub's heading slugs), also those the emulator prints; no prose line is over 160 characters.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { banner } from "../src/emulator/banner.js";
import { markdownFiles, onDisk } from "./markdown.js";
import { testEmulator } from "./setup.js";

const MAX_LINE = 160;

/** The lines outside fenced code blocks, with their line numbers; inline code spans blanked so that nothing in them reads as a link. */
function proseLines(markdown: string): { n: number; text: string }[] {
  const out: { n: number; text: string }[] = [];
  let fence: string | undefined;
  markdown.split("\n").forEach((line, i) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (m) {
      const marker = m[1] ?? "";
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ n: i + 1, text: line.replace(/(`+)[^`]*?\1/g, (s) => " ".repeat(s.length)) });
  });
  return out;
}

/** GitHub's heading anchor (github-slugger): the rendered text lower-cased, punctuation dropped, each space a hyphen. */
export function slug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`/g, "")
    .replace(/\*/g, "")
    .trim()
    .toLowerCase();
  return rendered.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "").replace(/ /g, "-");
}

/** Every anchor a file offers: its headings' slugs (a repeated slug gets -1, -2, ... as on GitHub) and explicit HTML ids. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      const marker = f[1]?.[0];
      fence = fence === undefined ? marker : marker === fence ? undefined : fence;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slug(h[1] ?? "");
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      out.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const id of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(id[1] ?? "");
  }
  return out;
}

/** The relative link targets of a file (inline links and images, reference definitions), with their line numbers. */
function relativeLinks(markdown: string): { n: number; target: string }[] {
  const out: { n: number; target: string }[] = [];
  for (const { n, text } of proseLines(markdown)) {
    const targets = [
      ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? ""),
      ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1] ?? ""),
    ];
    for (const target of targets) if (!/^([a-z][a-z0-9+.-]*:|\/\/)/i.test(target)) out.push({ n, target });
  }
  return out;
}

/** What is wrong with the links of one file: a path that does not exist, or an anchor its target does not have. */
function brokenLinks(file: string, markdown: string, read: (path: string) => string | undefined): string[] {
  const problems: string[] = [];
  for (const { n, target } of relativeLinks(markdown)) {
    const [pathPart = "", anchor] = target.split("#", 2);
    const path = pathPart === "" ? file : normalize(join(dirname(file), decodeURIComponent(pathPart)));
    const text = pathPart === "" ? markdown : read(path);
    if (text === undefined) {
      problems.push(`${file}:${n}: ${target}: ${path} does not exist`);
      continue;
    }
    if (anchor !== undefined && path.endsWith(".md") && !anchorsOf(text).has(anchor)) {
      problems.push(`${file}:${n}: ${target}: no heading with the anchor #${anchor} in ${path}`);
    }
  }
  return problems;
}

/** Prose lines (not tables, not code) longer than the limit. */
function longLines(file: string, markdown: string): string[] {
  return proseLines(markdown)
    .filter(({ text }) => !text.trimStart().startsWith("|"))
    .map(({ n }) => ({ n, length: (markdown.split("\n")[n - 1] ?? "").length }))
    .filter(({ length }) => length > MAX_LINE)
    .map(({ n, length }) => `${file}:${n}: ${length} characters`);
}

/** Reads a repository path: a file's text, "" for a directory, undefined when it does not exist. */
function readRepo(path: string): string | undefined {
  if (!existsSync(onDisk(path))) return undefined;
  return statSync(onDisk(path)).isDirectory() ? "" : readFileSync(onDisk(path), "utf8");
}

describe("the checker itself", () => {
  it("slugs headings as GitHub does", () => {
    expect(slug("Run your own app behind the emulator")).toBe("run-your-own-app-behind-the-emulator");
    expect(slug("From your CloudFormation template: `--template`")).toBe("from-your-cloudformation-template---template");
    expect(slug("Machine routes (`jwt-validation`)")).toBe("machine-routes-jwt-validation");
    expect(slug("Checks (CI)")).toBe("checks-ci");
    expect(slug("ALBeast, and why the signer check is always on")).toBe("albeast-and-why-the-signer-check-is-always-on");
  });

  it("finds a missing file, a missing anchor and a long line, and passes what resolves", () => {
    const doc = [
      "# Title",
      "## Part",
      "## Part",
      "[ok](#part) [ok](#part-1) [ok](other.md#there) [bad](#nowhere) [bad](missing.md) [bad](other.md#gone)",
      "`[not a link](missing.md)` and [web](https://example.com/x.md#y)",
      "```",
      "[in code](missing.md)" + "x".repeat(200),
      "```",
      `| a table row may be long ${"x".repeat(200)} |`,
      "y".repeat(161),
    ].join("\n");
    const read = (p: string): string | undefined => (p === "docs/other.md" ? "## There\n" : undefined);
    expect(brokenLinks("docs/doc.md", doc, read)).toEqual([
      "docs/doc.md:4: #nowhere: no heading with the anchor #nowhere in docs/doc.md",
      "docs/doc.md:4: missing.md: docs/missing.md does not exist",
      "docs/doc.md:4: other.md#gone: no heading with the anchor #gone in docs/other.md",
    ]);
    expect(longLines("docs/doc.md", doc)).toEqual(["docs/doc.md:10: 161 characters"]);
  });
});

describe("the documentation", () => {
  const files = markdownFiles();

  it("covers the README, docs/, the packages' and the examples' READMEs", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "README.md",
        "packages/alb-oidc-target/README.md",
        "packages/emulator/README.md",
        "packages/cdk/README.md",
        "examples/notes-api/README.md",
        "docs/security.md",
      ]),
    );
  });

  it("has no relative link or #anchor that does not resolve", () => {
    const problems = files.flatMap((file) => brokenLinks(file, readFileSync(onDisk(file), "utf8"), readRepo));
    expect(problems).toEqual([]);
  });

  it(`has no line over ${MAX_LINE} characters outside tables and code blocks`, () => {
    const problems = files.flatMap((file) => longLines(file, readFileSync(onDisk(file), "utf8")));
    expect(problems).toEqual([]);
  });

  it("gives the two commands and 'Use it in your own function' near the top of the README", () => {
    const top = readFileSync(onDisk("README.md"), "utf8").split("\n").slice(0, 40).join("\n");
    expect(top).toContain("npm ci && npm start");
    expect(top).toContain("npm ci && npm test");
    expect(top).toContain("\n## Use it in your own function\n");
  });

  it("points the emulator's banner, help text and config file only at sections that exist", () => {
    const sources = ["alb.config.json", "packages/emulator/src/start.ts", "packages/emulator/src/emulator/banner.ts"];
    const links = sources.flatMap((s) => [
      ...readFileSync(onDisk(s), "utf8").matchAll(/\b((?:README|docs\/[\w-]+|packages\/[\w-]+\/README)\.md)#([\w-]+)/g),
    ]);
    expect(links.length).toBeGreaterThanOrEqual(3);
    for (const [link, path = "", anchor = ""] of links) {
      expect(anchorsOf(readFileSync(onDisk(path), "utf8")).has(anchor), link).toBe(true);
    }
  });

  it("points a running emulator's banner and the config file at README sections that exist (the old docs/readme/run-locally.md nowhere)", async () => {
    const alb = await testEmulator();
    try {
      const readme = anchorsOf(readFileSync(onDisk("README.md"), "utf8"));
      const text = `${banner(alb, "test")}\n${readFileSync(onDisk("alb.config.json"), "utf8")}`;
      const links = [...text.matchAll(/README\.md#([a-z0-9-]+)/g)].map((m) => m[1] ?? "");
      expect(links.length).toBeGreaterThanOrEqual(2);
      for (const link of links) expect(readme.has(link), link).toBe(true);
      expect(text).not.toContain("docs/readme/run-locally.md");
      expect(text).toContain("README.md#run-your-own-app-behind-the-emulator");
    } finally {
      await alb.stop();
    }
  });
});
