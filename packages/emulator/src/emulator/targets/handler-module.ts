// Loading a user's Lambda handler module (--handler <file>[#export]): .js/.mjs/.cjs as they are, .ts through tsx, with the function's environment in place first.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { EmulatorConfigError } from "../errors.js";
import type { LambdaFunction } from "./lambda.js";

export interface HandlerSpec {
  /** Absolute path of the module. */
  readonly file: string;
  /** The export to call (`handler` by default, as Lambda's `index.handler`); a template's Handler may name a nested one, `handlers.main`. */
  readonly exportName: string;
}

const TS_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".tsx"]);
const JS_EXTENSIONS = new Set([".js", ".mjs", ".cjs"]);

/**
 * Parses `--handler <file>[#export]`, relative to `cwd`.
 * @throws EmulatorConfigError quoting the value.
 * @example parseHandlerSpec("dist/index.js#handler", process.cwd())
 */
export function parseHandlerSpec(raw: string, cwd: string): HandlerSpec {
  const hash = raw.lastIndexOf("#");
  const filePart = hash < 0 ? raw : raw.slice(0, hash);
  const exportName = hash < 0 ? "handler" : raw.slice(hash + 1);
  if (filePart === "") throw new EmulatorConfigError(`--handler needs a file, like src/index.ts#handler, got "${raw}"`);
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName))
    throw new EmulatorConfigError(`--handler export must be a JavaScript name, like handler, got "${exportName}" in "${raw}"`);
  const ext = extname(filePart);
  if (!TS_EXTENSIONS.has(ext) && !JS_EXTENSIONS.has(ext))
    throw new EmulatorConfigError(`--handler must be a .js, .mjs, .cjs or .ts file, got "${filePart}"`);
  const file = resolve(cwd, filePart);
  if (!existsSync(file)) throw new EmulatorConfigError(`--handler file does not exist: "${filePart}" (resolved to ${file})`);
  return { file, exportName };
}

/** Counts loads, so each emulator in one process gets its own module instance built from its own environment. */
let loads = 0;

async function importModule(file: string): Promise<Record<string, unknown>> {
  const ext = extname(file);
  const url = pathToFileURL(file);
  if (TS_EXTENSIONS.has(ext)) {
    // tsx, a dependency of the emulator, loads a .ts handler as Lambda would run its compiled JavaScript.
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(`${url.href}?load=${++loads}`, import.meta.url)) as Record<string, unknown>;
  }
  if (ext === ".cjs") {
    const require = createRequire(import.meta.url);
    Reflect.deleteProperty(require.cache, file);
    return { ...(require(file) as Record<string, unknown>) };
  }
  return (await import(`${url.href}?load=${++loads}`)) as Record<string, unknown>;
}

/** The value at a dotted export path (`handlers.main`), as the Lambda Node.js runtime walks a Handler's. */
function exportAt(root: unknown, path: string): unknown {
  let v = root;
  for (const key of path.split(".")) {
    if ((typeof v !== "object" && typeof v !== "function") || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * Imports the module and returns its handler. `env` is written into process.env BEFORE the import,
 * since handlers read it at module scope (as Lambda sets it before the init phase).
 * @throws the module's own error when it fails to load; Error when the export is not a function.
 */
export async function loadHandler(spec: HandlerSpec, env: Readonly<Record<string, string>>): Promise<LambdaFunction> {
  Object.assign(process.env, env);
  const mod = await importModule(spec.file);
  // A CommonJS module imported as ESM puts its exports on `default`.
  const fn = exportAt(mod, spec.exportName) ?? exportAt(mod.default, spec.exportName);
  if (typeof fn !== "function") {
    const found = Object.keys(mod).filter((k) => k !== "default");
    throw new Error(`${spec.file} has no function export "${spec.exportName}" (exports: ${found.join(", ") || "none"})`);
  }
  return fn as LambdaFunction;
}
