// docs/emulator-fidelity.md holds to its own format: unique sections, four-cell rows, an emulator cell that says emulated or not, and tests that exist for what it says is emulated.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { onDisk } from "./markdown.js";

const DOC = "docs/emulator-fidelity.md";

interface Row {
  readonly section: string;
  /** 1-based line number in the doc. */
  readonly line: number;
  readonly cells: readonly string[];
}

/** The cells of a table line: split on `|` that is not escaped, the outer pipes dropped, each cell trimmed. */
function cellsOf(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

/** Every `## ` heading and every table body row (header and separator lines left out), with the section it is in. */
function readDoc(markdown: string): { headings: string[]; rows: Row[] } {
  const headings: string[] = [];
  const rows: Row[] = [];
  let section = "";
  let inTable = false;
  let inFence = false;
  markdown.split("\n").forEach((text, i) => {
    if (/^\s*(```|~~~)/.test(text)) inFence = !inFence;
    if (inFence) return;
    const heading = /^## (.+)$/.exec(text);
    if (heading) {
      section = (heading[1] ?? "").trim();
      headings.push(section);
    }
    if (!text.trim().startsWith("|")) {
      inTable = false;
      return;
    }
    // A table's first line is its header, its second the separator.
    if (!inTable) {
      inTable = true;
      return;
    }
    if (/^\|[\s:|-]+\|$/.test(text.trim())) return;
    rows.push({ section, line: i + 1, cells: cellsOf(text) });
  });
  return { headings, rows };
}

/** The backticked repository paths a cell names (`packages/.../x.test.ts`), ignoring any other code span. */
function pathsIn(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "").filter((s) => /^[\w.@-]+(\/[\w.@-]+)+\.\w+$/.test(s));
}

const where = (r: Row): string => `${DOC}:${r.line} (${r.section})`;

const { headings, rows } = readDoc(readFileSync(onDisk(DOC), "utf8"));
const emulated = rows.filter((r) => /^emulated\b/.test(r.cells[2] ?? ""));
const notEmulated = rows.filter((r) => /^not emulated\b/.test(r.cells[2] ?? ""));

describe(DOC, () => {
  it("has sections with tables, each heading once", () => {
    expect(rows.length).toBeGreaterThan(50);
    const twice = headings.filter((h, i) => headings.indexOf(h) !== i);
    expect(twice).toEqual([]);
  });

  it("has four cells in every row, none of them empty: behaviour, AWS page, emulator, test", () => {
    const bad = rows.filter((r) => r.cells.length !== 4 || r.cells.some((c) => c === "")).map(where);
    expect(bad).toEqual([]);
  });

  it("says in every emulator cell `emulated` or `not emulated` first", () => {
    const bad = rows.filter((r) => !emulated.includes(r) && !notEmulated.includes(r)).map((r) => `${where(r)}: ${r.cells[2] ?? ""}`);
    expect(bad).toEqual([]);
  });

  it("names for every emulated row at least one test file, and every file it names exists", () => {
    const bad = emulated
      .filter((r) => {
        const paths = pathsIn(r.cells[3] ?? "");
        return paths.length === 0 || !paths.every((p) => existsSync(onDisk(p)));
      })
      .map((r) => `${where(r)}: ${r.cells[3] ?? ""}`);
    expect(bad).toEqual([]);
  });

  it("says `none` for a row not emulated, or names files that exist", () => {
    const bad = notEmulated
      .filter((r) => {
        const cell = r.cells[3] ?? "";
        const paths = pathsIn(cell);
        return cell !== "none" && (paths.length === 0 || !paths.every((p) => existsSync(onDisk(p))));
      })
      .map((r) => `${where(r)}: ${r.cells[3] ?? ""}`);
    expect(bad).toEqual([]);
  });

  it("cites every packages/emulator/test/conformance-*.test.ts in some row", () => {
    const cited = new Set(rows.flatMap((r) => pathsIn(r.cells[3] ?? "")));
    const files = readdirSync(onDisk("packages/emulator/test"))
      .filter((f) => /^conformance-.+\.test\.ts$/.test(f))
      .map((f) => `packages/emulator/test/${f}`);
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !cited.has(f))).toEqual([]);
  });

  it("counts its rows", () => {
    console.log(`${DOC}: ${emulated.length} emulated, ${notEmulated.length} not emulated (${rows.length} rows)`);
    expect(emulated.length + notEmulated.length).toBe(rows.length);
  });
});

describe("readDoc", () => {
  it("reads sections, skips each table's header and separator, keeps escaped pipes inside a cell", () => {
    const doc = ["# T", "", "## A", "", "| a | b |", "| - | - |", "| x \\| y | z |", "", "## B", "| h |", "| --- |", "| only |"].join("\n");
    expect(readDoc(doc)).toEqual({
      headings: ["A", "B"],
      rows: [
        { section: "A", line: 7, cells: ["x \\| y", "z"] },
        { section: "B", line: 12, cells: ["only"] },
      ],
    });
  });

  it("names only path-like code spans as files", () => {
    expect(pathsIn("`packages/emulator/test/a.test.ts`, `--timeout`, `x-amzn-oidc-data` (Chromium)")).toEqual([
      "packages/emulator/test/a.test.ts",
    ]);
  });
});
