// The ALB's header limits, over real HTTP: request line up to 16 K, each header up to 16 K, all headers up to 64 K (K = 1024 bytes); beyond, the ALB's plain 400 page, the function never called. Node's own 16 KiB limit (431) no longer decides.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "./raw-http.js";
import { testEmulator, type TestEmulator } from "./setup.js";

const K = 1024;

/** The ALB's own 400 page (no explanation of ours: the ALB shows none either). */
const ALB_400_PAGE =
  "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n</body>\r\n</html>\r\n";

describe("header limits", () => {
  let alb: TestEmulator;
  /** The two header lines every request here starts with. */
  let base: string[];
  beforeAll(async () => {
    alb = await testEmulator({
      target: { kind: "handler", handler: "test/fixtures/ok-handler.mjs" },
      file: { OnUnauthenticatedRequest: "allow" },
    });
    base = [`host: 127.0.0.1:${alb.port}`, "connection: close"];
  });
  afterAll(async () => {
    await alb.stop();
  });

  /** The bytes the emulator counts for a header block: each `name: value` line with its CRLF. */
  const blockBytes = (lines: readonly string[]): number => lines.reduce((n, l) => n + Buffer.byteLength(l) + 2, 0);

  /** Sends the request and says whether the function got it (200) or the ALB refused it (its 400 page, the function not called). */
  async function send(requestLine: string, headers: readonly string[]): Promise<number> {
    const before = alb.events.length;
    const res = await rawRequest(alb.port, [requestLine, ...headers]);
    if (res.status === 200) {
      expect(res.body).toBe("ok");
      expect(alb.events.length).toBe(before + 1);
    } else {
      expect(res.status).toBe(400);
      expect(res.phrase).toBe("Bad Request");
      expect(res.body).toBe(ALB_400_PAGE);
      expect(alb.events.length).toBe(before);
    }
    return res.status;
  }

  it("two 9 KB headers (over Node's 16 KiB default, which answered 431) are served", async () => {
    const headers = [...base, `x-a: ${"a".repeat(9000)}`, `x-b: ${"b".repeat(9000)}`];
    expect(await send("GET / HTTP/1.1", headers)).toBe(200);
    expect(alb.events.at(-1)?.headers?.["x-b"]).toHaveLength(9000);
  });

  it("60 KB of headers in all are served", async () => {
    const headers = [...base, ...Array.from({ length: 6 }, (_, i) => `x-fill-${i}: ${"f".repeat(10_000)}`)];
    expect(blockBytes(headers)).toBeGreaterThan(60_000);
    expect(await send("GET / HTTP/1.1", headers)).toBe(200);
  });

  it("a request line of exactly 16 K is served; one byte more is the ALB's 400", async () => {
    const line = (bytes: number): string => `GET /${"p".repeat(bytes - "GET / HTTP/1.1".length)} HTTP/1.1`;
    expect(Buffer.byteLength(line(16 * K))).toBe(16 * K);
    expect(await send(line(16 * K), base)).toBe(200);
    expect(await send(line(16 * K + 1), base)).toBe(400);
    expect(alb.logs.join("")).toContain("the request line is 16385 bytes, over the ALB's 16 K (16384 bytes)");
  });

  it("a header of exactly 16 K (name: value) is served; one byte more is the ALB's 400", async () => {
    const header = (bytes: number): string => `x-big: ${"v".repeat(bytes - "x-big: ".length)}`;
    expect(Buffer.byteLength(header(16 * K))).toBe(16 * K);
    expect(await send("GET / HTTP/1.1", [...base, header(16 * K)])).toBe(200);
    expect(await send("GET / HTTP/1.1", [...base, header(16 * K + 1)])).toBe(400);
    expect(alb.logs.join("")).toContain("the header x-big is 16385 bytes, over the ALB's 16 K (16384 bytes)");
  });

  it("headers of exactly 64 K in all are served; one byte more is the ALB's 400", async () => {
    const headers = (total: number): string[] => {
      const lines = [...base, ...Array.from({ length: 4 }, (_, i) => `x-fill-${i}: ${"f".repeat(16_000)}`)];
      const last = "x-last: ";
      return [...lines, `${last}${"l".repeat(total - blockBytes(lines) - last.length - 2)}`];
    };
    expect(blockBytes(headers(64 * K))).toBe(64 * K);
    expect(await send("GET / HTTP/1.1", headers(64 * K))).toBe(200);
    expect(await send("GET / HTTP/1.1", headers(64 * K + 1))).toBe(400);
    expect(alb.logs.join("")).toContain("the headers are 65537 bytes in all, over the ALB's 64 K (65536 bytes)");
  });

  it("headers far beyond every limit (200 KB, past what the emulator's HTTP parser reads) are the same 400, not Node's 431", async () => {
    const headers = [...base, ...Array.from({ length: 20 }, (_, i) => `x-fill-${i}: ${"f".repeat(10_000)}`)];
    expect(await send("GET / HTTP/1.1", headers)).toBe(400);
  });

  it("many small headers are all counted and all passed on (Node's 2000-header cap does not drop any)", async () => {
    const headers = [...base, ...Array.from({ length: 2500 }, (_, i) => `x-h${i}: ${i}`)];
    expect(await send("GET / HTTP/1.1", headers)).toBe(200);
    expect(alb.events.at(-1)?.headers?.["x-h2499"]).toBe("2499");
  });
});
