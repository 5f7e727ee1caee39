// A small HTTP(S) GET for key material: one deadline for the whole fetch (one retry included), a body cap, and outage vs not-found kept apart.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

/** The endpoint answered that it has no such document (404, or S3's 403 for a missing object). */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
  constructor(readonly status: number) {
    super(`key endpoint answered ${status}`);
  }
}

/** The endpoint could not be used right now: refused, reset, timed out, 5xx, oversized. Retryable. */
class FetchFailedError extends Error {
  override readonly name = "FetchFailedError";
}

export interface FetchOptions {
  /** Deadline for the whole call, retries included. */
  readonly timeoutMs: number;
  /** Largest body accepted; more is treated as a failure of the endpoint. */
  readonly maxBytes: number;
}

function getOnce(url: URL, signal: AbortSignal, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(url, { method: "GET", signal, agent: false, headers: { accept: "*/*" } }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        res.resume();
        const notFound = status === 404 || status === 403 || status === 410;
        reject(notFound ? new NotFoundError(status) : new FetchFailedError(`key endpoint answered ${status}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(new FetchFailedError(`key endpoint body exceeds ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => {
        if (res.complete) resolve(Buffer.concat(chunks));
        else reject(new FetchFailedError("key endpoint closed the response early"));
      });
      res.on("error", (err) => reject(toFailure(err)));
      res.on("aborted", () => reject(new FetchFailedError("key endpoint closed the response early")));
    });
    req.on("error", (err) => reject(toFailure(err)));
    req.end();
  });
}

function toFailure(err: unknown): Error {
  if (err instanceof FetchFailedError || err instanceof NotFoundError) return err;
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === "AbortError") return new FetchFailedError("key endpoint timed out", { cause: err });
  return new FetchFailedError(`key endpoint unreachable (${e.code ?? e.name ?? "error"})`, { cause: err });
}

/**
 * GETs a URL within one deadline, retrying once on a failure (never on a not-found).
 * @throws NotFoundError for 404/403/410, FetchFailedError for everything else that went wrong.
 */
export async function fetchWithDeadline(url: string, options: FetchOptions): Promise<Buffer> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const target = new URL(url);
  try {
    return await getOnce(target, signal, options.maxBytes);
  } catch (err) {
    if (err instanceof NotFoundError || signal.aborted) throw toFailure(err);
    return getOnce(target, signal, options.maxBytes).catch((e: unknown) => {
      throw toFailure(e);
    });
  }
}
