// A client's connection upgrade (a WebSocket): the listener's rules answer it like any request; a Lambda target refuses it with 400, an HTTP target gets it, and its 101 turns the connection into a tunnel.
import { ServerResponse, type IncomingMessage, type Server } from "node:http";
import { Socket } from "node:net";
import type { Duplex } from "node:stream";

/** The raw connection of an upgrade request and the bytes read past its headers. */
export interface Upgrade {
  readonly socket: Duplex;
  readonly head: Buffer;
}

/** Set for upgrade requests only: the targets look here, so the rules and route() stay as for any request. */
const upgrades = new WeakMap<IncomingMessage, Upgrade>();

/**
 * The upgrade behind a request, or undefined for an ordinary one.
 * @example const up = upgradeOf(req); if (up) return refuse(res);
 */
export function upgradeOf(req: IncomingMessage): Upgrade | undefined {
  return upgrades.get(req);
}

/**
 * Hands every upgrade request to `handle` with a response written to its own connection (closed once
 * answered), so an upgrade can be refused, redirected to the IdP or answered 401 like any request.
 * Without this, Node handles an upgrade request as an ordinary one, and it reached a Lambda function.
 */
export function serveUpgrades(server: Server, handle: (req: IncomingMessage, res: ServerResponse) => void): void {
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    // Node gives every upgrade a net.Socket; the event's type only says Duplex.
    if (!(socket instanceof Socket)) {
      socket.destroy();
      return;
    }
    upgrades.set(req, { socket, head });
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.on("finish", () => socket.end());
    handle(req, res);
  });
}
