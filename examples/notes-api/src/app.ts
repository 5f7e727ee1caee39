// The notes API: per-user notes keyed by the verified sub, and a machine route that lists every note for a service holding notes:read.
import type { AlbApp, AlbAppResult } from "alb-oidc-target";
import type { NoteStore } from "./store.js";

const MAX_TEXT = 2000;

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): AlbAppResult {
  return {
    statusCode,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

function readText(body: string | null | undefined, base64: boolean): string | undefined {
  try {
    const parsed: unknown = JSON.parse(base64 ? Buffer.from(body ?? "", "base64").toString("utf8") : (body ?? ""));
    const text = (parsed as { text?: unknown } | null)?.text;
    return typeof text === "string" && text.trim() !== "" && text.length <= MAX_TEXT ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The app behind withAlbAuth: it only ever sees authenticated requests.
 * @example export const handler = withAlbAuth(notesApp(memoryStore()));
 */
export function notesApp(store: NoteStore): AlbApp {
  return async ({ event, principal }) => {
    const method = event.httpMethod;
    const path = event.path.replace(/\/+$/, "") || "/";

    if (principal.type === "machine") {
      // withAlbAuth already demanded notes:read (M2M_REQUIRED_SCOPES / machine.requiredScopes) before calling us.
      if (method === "GET" && path === "/api/notes") return json(200, { notes: await store.listAll(), readBy: principal.clientId });
      return json(404, { error: "not_found" });
    }

    const owner = principal.sub;
    if (path === "/notes") {
      if (method === "GET") return json(200, { notes: await store.list(owner) });
      if (method === "POST") {
        const text = readText(event.body, event.isBase64Encoded);
        if (text === undefined) return json(400, { error: "bad_request", message: `send {"text": "..."} (1 to ${MAX_TEXT} characters)` });
        const note = await store.add(owner, text);
        return json(201, note, { location: `/notes/${note.id}` });
      }
      return json(405, { error: "method_not_allowed" }, { allow: "GET, POST" });
    }
    const m = /^\/notes\/([0-9a-f-]{36})$/.exec(path);
    if (m?.[1] !== undefined) {
      const id = m[1];
      if (method === "GET") {
        const note = await store.get(owner, id);
        // Another user's note is "not found", never "forbidden": ids do not leak.
        return note ? json(200, note) : json(404, { error: "not_found" });
      }
      if (method === "DELETE") return (await store.remove(owner, id)) ? { statusCode: 204 } : json(404, { error: "not_found" });
      return json(405, { error: "method_not_allowed" }, { allow: "GET, DELETE" });
    }
    return json(404, { error: "not_found" });
  };
}
