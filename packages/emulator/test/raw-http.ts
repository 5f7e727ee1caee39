// Requests written byte for byte on a loopback TCP socket (fetch and node:http add or refuse headers), and the answer as it came.
import { connect } from "node:net";

export interface RawAnswer {
  readonly status: number;
  /** The status line's reason phrase. */
  readonly phrase: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Sends `head` (request line and header lines, without the final empty line; `Connection: close` is
 * the caller's) and reads the answer until the server closes.
 * @example await rawRequest(port, ["GET / HTTP/1.1", "host: localhost", "connection: close"])
 */
export function rawRequest(port: number, lines: readonly string[]): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const [statusLine = "", ...headerLines] = text.slice(0, split < 0 ? text.length : split).split("\r\n");
      const m = /^HTTP\/1\.1 (\d{3}) ?(.*)$/.exec(statusLine);
      const headers: Record<string, string> = {};
      for (const l of headerLines) {
        const colon = l.indexOf(":");
        headers[l.slice(0, colon).toLowerCase()] = l.slice(colon + 1).trim();
      }
      resolve({ status: Number(m?.[1] ?? 0), phrase: m?.[2] ?? "", headers, body: split < 0 ? "" : text.slice(split + 4) });
    });
    socket.end(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  });
}
