// A loopback HTTP server standing in for the ALB public-key endpoint (PEM at /<kid>) and for JWKS endpoints; counts requests and can go down and come back.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { TestKey } from "./keys.js";
import { loopback } from "./loopback.js";

/** Replaces normal answers while set: lets tests script outages, slow answers and garbage. */
export type FaultHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface KeyServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (use as ALB_PUBLIC_KEY_ENDPOINT). */
  readonly url: string;
  readonly port: number;
  /** Every request path received, in order. */
  readonly requests: string[];
  /** Serve this key's PEM at /<kid> (and in /jwks.json as a JWK). */
  addKey(key: TestKey): void;
  removeKey(kid: string): void;
  /** Script the next answers; `undefined` restores normal service. */
  setFault(fault: FaultHandler | undefined): void;
  /** Close the listening socket (connections are refused) and any open connections. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  restart(): Promise<void>;
}

export interface KeyServerOptions {
  readonly keys?: readonly TestKey[];
  readonly port?: number;
  /** Path of the JWKS document (for machine-token issuers). */
  readonly jwksPath?: string;
}

/**
 * Starts a key server on 127.0.0.1.
 * @example const ks = await startKeyServer({ keys: [key] }); process.env.ALB_PUBLIC_KEY_ENDPOINT = ks.url;
 */
export async function startKeyServer(options: KeyServerOptions = {}): Promise<KeyServer> {
  const keys = new Map<string, TestKey>();
  for (const k of options.keys ?? []) keys.set(k.kid, k);
  const jwksPath = options.jwksPath ?? "/jwks.json";
  const requests: string[] = [];
  let fault: FaultHandler | undefined;

  const server = createServer((req, res) => {
    const path = req.url ?? "";
    requests.push(path);
    if (fault) {
      fault(req, res);
      return;
    }
    if (path === jwksPath) {
      const jwks = { keys: [...keys.values()].map((k) => ({ ...k.publicKey.export({ format: "jwk" }), kid: k.kid, use: "sig" })) };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks));
      return;
    }
    const key = keys.get(path.slice(1));
    if (!key) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
      return;
    }
    res.writeHead(200, { "content-type": "application/x-pem-file" }).end(key.publicKeyPem);
  });
  const lb = loopback(server);
  const port = await lb.listen(options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    addKey: (k) => void keys.set(k.kid, k),
    removeKey: (kid) => void keys.delete(kid),
    setFault: (f) => {
      fault = f;
    },
    stop: () => lb.close(),
    restart: async () => {
      if (!server.listening) await lb.listen(port);
    },
  };
}
