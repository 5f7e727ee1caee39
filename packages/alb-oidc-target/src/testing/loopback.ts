// Listening on 127.0.0.1 and closing without waiting for idle keep-alive connections: shared by the key server, the fake ALB, the emulator and its embedded provider.
import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Loopback {
  /** Listens on 127.0.0.1 (port 0: a free one) and resolves the port. */
  listen(port: number): Promise<number>;
  /** Drops every open connection and stops listening; resolves at once if not listening. */
  close(): Promise<void>;
}

/**
 * Tracks a server's connections so that `close()` is immediate, as a test or Ctrl-C expects.
 * @example const lb = loopback(createServer(handler)); const port = await lb.listen(0); ... await lb.close();
 */
export function loopback(server: Server): Loopback {
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return {
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
      }),
  };
}
