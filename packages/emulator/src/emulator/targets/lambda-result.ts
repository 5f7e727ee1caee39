// The function's result as the ALB receives it (Lambda's JSON of it) and checks it: the HTTP answer it becomes, or the 502 and the access-log error_reason the ALB gives instead.
import { validateHeaderName, validateHeaderValue, type ServerResponse } from "node:http";
import { isPlainObject as isRecord } from "alb-oidc-target/rules";

/** The ALB's limit on the response JSON a Lambda function sends ("1 MB"; the emulator counts 1 MiB). */
export const MAX_RESPONSE_JSON_BYTES = 1024 * 1024;

/** Headers the ALB computes or owns itself. */
const OWN_HEADERS = new Set(["content-length", "transfer-encoding", "connection"]);

export interface HttpAnswer {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/** The access-log error_reason of a result the ALB does not answer with. */
export type ResultRefusal = "LambdaInvalidResponse" | "LambdaResponseTooLarge" | "LambdaUnhandled";

/** What the ALB makes of a result: the answer, or a 502 with its reason and what was wrong. */
export type AlbVerdict =
  { readonly ok: true; readonly answer: HttpAnswer } | { readonly ok: false; readonly reason: ResultRefusal; readonly detail: string };

/** "a string", "null", "an array", ...: how a JSON value is named in a refusal. */
function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  const t = typeof v;
  return t === "object" ? "an object" : `a ${t}`;
}

/** Thrown inside the checks below; caught once in albVerdict. */
class Invalid extends Error {}

/** A header name and value Node can write, so a bad one is a 502 rather than a crash or a header injected into the answer. */
function checkHeader(field: string, name: string, value: string, where: string): void {
  try {
    validateHeaderName(name);
  } catch {
    throw new Invalid(`${field}: ${JSON.stringify(name)} is not a valid header name`);
  }
  try {
    validateHeaderValue(name, value);
  } catch {
    throw new Invalid(`${where} holds a character a header value cannot carry`);
  }
}

/** The headers of a result, by the field the target group's mode reads; each value a string (an array of strings in multi-value mode). */
function resultHeaders(result: Record<string, unknown>, multiValue: boolean): [string, string][] {
  const headers: [string, string][] = [];
  if (multiValue) {
    const mv = result.multiValueHeaders;
    if (mv === undefined && result.headers !== undefined) throw new Invalid("multi-value mode needs multiValueHeaders, got headers");
    if (mv !== undefined && !isRecord(mv)) throw new Invalid(`multiValueHeaders is ${kindOf(mv)}, not an object`);
    for (const [k, values] of Object.entries(mv ?? {})) {
      if (!Array.isArray(values)) throw new Invalid(`multiValueHeaders.${k} is ${kindOf(values)}, not an array of strings`);
      values.forEach((v: unknown, i) => {
        if (typeof v !== "string") throw new Invalid(`multiValueHeaders.${k}[${i}] is ${kindOf(v)}, not a string`);
        checkHeader("multiValueHeaders", k, v, `multiValueHeaders.${k}[${i}]`);
        headers.push([k.toLowerCase(), v]);
      });
    }
    return headers;
  }
  const sv = result.headers;
  if (sv !== undefined && !isRecord(sv)) throw new Invalid(`headers is ${kindOf(sv)}, not an object`);
  for (const [k, v] of Object.entries(sv ?? {})) {
    if (typeof v !== "string") throw new Invalid(`headers.${k} is ${kindOf(v)}, not a string`);
    checkHeader("headers", k, v, `headers.${k}`);
    headers.push([k.toLowerCase(), v]);
  }
  return headers;
}

/** Checks the parsed JSON result field by field (ALB.md section 4) and converts it. */
function answerOf(result: unknown, multiValue: boolean): HttpAnswer {
  if (!isRecord(result)) throw new Invalid(`the result is ${kindOf(result)}, not an object`);
  const status = result.statusCode;
  if (status === undefined) throw new Invalid("statusCode is missing");
  if (typeof status !== "number") throw new Invalid(`statusCode is ${kindOf(status)}, not an integer`);
  if (!Number.isInteger(status)) throw new Invalid(`statusCode ${status} is not an integer`);
  if (status < 100 || status > 599) throw new Invalid(`statusCode ${status} is not an HTTP status (100 to 599)`);
  const description = result.statusDescription;
  if (description !== undefined && typeof description !== "string")
    throw new Invalid(`statusDescription is ${kindOf(description)}, not a string`);
  const headers = resultHeaders(result, multiValue);
  // A missing body is an empty one; null is not (ALB.md section 4).
  const rawBody = result.body;
  if (rawBody !== undefined && typeof rawBody !== "string") throw new Invalid(`body is ${kindOf(rawBody)}, not a string`);
  const body = Buffer.from(rawBody ?? "", result.isBase64Encoded === true ? "base64" : "utf8");
  return { status, headers: headers.filter(([k]) => !OWN_HEADERS.has(k)), body };
}

/**
 * What the ALB answers for a function's result. The ALB sees the JSON Lambda made of it (undefined
 * becomes null, undefined fields vanish): a result JSON cannot carry fails the invocation
 * (LambdaUnhandled), JSON over 1 MB is LambdaResponseTooLarge, a malformed one LambdaInvalidResponse.
 * In multi-value mode the result must carry multiValueHeaders.
 * @example const v = albVerdict({ statusCode: 200, headers: { "x-flag": true } }, false); // { ok: false, reason: "LambdaInvalidResponse", ... }
 */
export function albVerdict(result: unknown, multiValue: boolean): AlbVerdict {
  let payload: string;
  try {
    // Inside an array, a result JSON has no text for (undefined, a function) is written null, as Lambda sends it.
    payload = JSON.stringify([result]).slice(1, -1);
  } catch (err) {
    return { ok: false, reason: "LambdaUnhandled", detail: `the result cannot be serialized to JSON (${(err as Error).message})` };
  }
  const bytes = Buffer.byteLength(payload);
  if (bytes > MAX_RESPONSE_JSON_BYTES)
    return {
      ok: false,
      reason: "LambdaResponseTooLarge",
      detail: `the result's JSON is ${bytes} bytes, over the 1 MB (${MAX_RESPONSE_JSON_BYTES} bytes) limit`,
    };
  try {
    return { ok: true, answer: answerOf(JSON.parse(payload), multiValue) };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, reason: "LambdaInvalidResponse", detail: err.message };
    throw err;
  }
}

/**
 * One line saying what the ALB answers for a result and why (what `invoke` prints).
 * @example describeVerdict(albVerdict(result, false)) // "ALB: 502 Bad Gateway (LambdaInvalidResponse: body is null, not a string)"
 */
export function describeVerdict(v: AlbVerdict): string {
  if (!v.ok) return `ALB: 502 Bad Gateway (${v.reason}: ${v.detail})`;
  return `ALB: ${v.answer.status}, ${v.answer.body.length} body bytes (the result is valid)`;
}

/** Writes a converted answer; Content-Length is computed here, as the ALB computes it. */
export function sendAnswer(res: ServerResponse, a: HttpAnswer): void {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of a.headers) grouped.set(k, [...(grouped.get(k) ?? []), v]);
  // Appended: a Set-Cookie the load balancer set already (a refreshed session) stays, before the function's own.
  for (const [k, v] of grouped) {
    if (k === "set-cookie") res.appendHeader(k, v);
    else res.setHeader(k, v.length === 1 ? (v[0] ?? "") : v);
  }
  res.setHeader("content-length", a.body.length);
  res.writeHead(a.status);
  res.end(a.body);
}
