// The notes API tested as a user of the package tests their function: the fake ALB from alb-oidc-target/testing, real signatures, a loopback key server.
import { createFakeAlb, type FakeAlb } from "alb-oidc-target/testing";
import type { ALBResult } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler } from "../src/handler.js";
import { memoryStore, type NoteStore } from "../src/store.js";

let alb: FakeAlb;
let store: NoteStore;
let handler: ReturnType<typeof createHandler>;
const BOB = { sub: "bob", name: "Bob Example", email: "bob@example.com", email_verified: true };

beforeAll(async () => {
  alb = await createFakeAlb();
  store = memoryStore();
  handler = createHandler({ env: { ...alb.env, ...alb.machineEnv }, writeLog: () => undefined }, store);
});
afterAll(async () => {
  await alb.stop();
});

const json = (res: ALBResult): Record<string, unknown> => JSON.parse(res.body ?? "") as Record<string, unknown>;
const post = (text: unknown, claims?: Record<string, unknown>) =>
  handler(
    alb.userEvent({
      method: "POST",
      path: "/notes",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
      ...(claims && { claims }),
    }),
  );

describe("notes of a user", () => {
  it("alice writes a note and lists it; bob sees none of hers", async () => {
    const created = await post("buy milk");
    expect(created.statusCode).toBe(201);
    const note = json(created);
    expect(note).toMatchObject({ owner: "alice", text: "buy milk" });
    expect(created.headers?.location).toBe(`/notes/${String(note.id)}`);

    const mine = await handler(alb.userEvent({ path: "/notes" }));
    expect(json(mine).notes).toEqual([note]);
    const bobs = await handler(alb.userEvent({ path: "/notes", claims: BOB }));
    expect(json(bobs).notes).toEqual([]);
  });

  it("another user's note is 404, for reading and for deleting", async () => {
    const note = json(await post("private"));
    const read = await handler(alb.userEvent({ path: `/notes/${String(note.id)}`, claims: BOB }));
    expect(read.statusCode).toBe(404);
    const del = await handler(alb.userEvent({ method: "DELETE", path: `/notes/${String(note.id)}`, claims: BOB }));
    expect(del.statusCode).toBe(404);
    expect(await store.get("alice", String(note.id))).toBeDefined();
  });

  it("alice deletes her note: 204, then 404", async () => {
    const note = json(await post("temporary"));
    const path = `/notes/${String(note.id)}`;
    const del = await handler(alb.userEvent({ method: "DELETE", path }));
    expect([del.statusCode, del.statusDescription]).toEqual([204, "204 No Content"]);
    expect((await handler(alb.userEvent({ path }))).statusCode).toBe(404);
  });

  it("a note without text is 400", async () => {
    const res = await post("");
    expect(res.statusCode).toBe(400);
    expect(json(res).error).toBe("bad_request");
  });

  it("answers in multi-value mode for a multi-value target group", async () => {
    const res = await handler(alb.userEvent({ path: "/notes", multiValue: true }));
    expect(res.multiValueHeaders?.["content-type"]).toEqual(["application/json"]);
    expect(res.headers).toBeUndefined();
  });

  it("a forged note owner is refused before the app: tampered token, 401, nothing stored", async () => {
    const before = (await store.listAll()).length;
    const res = await handler(
      alb.userEvent({
        method: "POST",
        path: "/notes",
        token: alb.badUserToken("tampered"),
        body: '{"text":"x"}',
        headers: { "content-type": "application/json" },
      }),
    );
    expect(res.statusCode).toBe(401);
    expect(json(res)).toEqual({ message: "Token verification failed", error: "invalid_signature" });
    expect((await store.listAll()).length).toBe(before);
  });

  it("no token at all is 401 missing_token", async () => {
    const res = await handler(alb.userEvent({ path: "/notes", token: null }));
    expect(json(res).error).toBe("missing_token");
  });
});

describe("the machine route", () => {
  it("a service with notes:read lists every note", async () => {
    await post("for the report", BOB);
    const res = await handler(alb.machineEvent({ path: "/api/notes", scopes: ["notes:read"], clientId: "reporting" }));
    expect(res.statusCode).toBe(200);
    const body = json(res) as { notes: { owner: string }[]; readBy: string };
    expect(body.readBy).toBe("reporting");
    expect(new Set(body.notes.map((n) => n.owner))).toEqual(new Set(["alice", "bob"]));
  });

  it("a service without notes:read is 403 insufficient_scope", async () => {
    const res = await handler(alb.machineEvent({ path: "/api/notes", scopes: ["notes:write"] }));
    expect(res.statusCode).toBe(403);
    expect(json(res).error).toBe("insufficient_scope");
  });

  it("an expired machine token is 401 expired", async () => {
    const res = await handler(alb.machineEvent({ path: "/api/notes", token: alb.badMachineToken("expired", { scopes: "notes:read" }) }));
    expect(json(res).error).toBe("expired");
  });

  it("a user's ALB token does not open the machine route", async () => {
    const res = await handler(alb.userEvent({ path: "/api/notes" }));
    expect(res.statusCode).toBe(401);
    expect(json(res).error).toBe("missing_token");
  });

  it("nor any other spelling of it: another case needs the bearer token, a path that normalises onto it is 400", async () => {
    const upper = await handler(alb.userEvent({ path: "/API/notes" }));
    expect([upper.statusCode, json(upper).error]).toEqual([401, "missing_token"]);
    for (const path of ["/x/../api/notes", "/x/%2e%2e/api/notes", "/./api/notes", "/x\\..\\api\\notes"]) {
      const res = await handler(alb.userEvent({ path }));
      expect([res.statusCode, json(res).error], path).toEqual([400, "ambiguous_path"]);
    }
  });
});
