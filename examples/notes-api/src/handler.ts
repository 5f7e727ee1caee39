// Builds the notes API's Lambda handler: the app behind withAlbAuth, machine routes under /api/ needing notes:read (issuer, JWKS and audience from M2M_* variables).
import { withAlbAuth, type AlbAuthOptions, type AlbHandler } from "alb-oidc-target";
import { notesApp } from "./app.js";
import { memoryStore, type NoteStore } from "./store.js";

/** The machine-route settings the app insists on, whatever the environment says. */
export const MACHINE = { pathPrefixes: ["/api/"], requiredScopes: ["notes:read"] } as const;

/**
 * Builds the handler once per cold start (tests pass the fake ALB's env and their own store).
 * @example export const handler = createHandler();
 */
export function createHandler(options: AlbAuthOptions = {}, store: NoteStore = memoryStore()): AlbHandler {
  return withAlbAuth(notesApp(store), { ...options, machine: { ...options.machine, ...MACHINE } });
}
