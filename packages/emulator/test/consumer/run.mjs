// `npm run test:consumer -w alb-oidc-target-emulator`: a fresh project installs only the emulator's tarball and the runtime's (one `npm install`, the registry for the rest), then logs alice in through `npx alb-oidc-target-emulator` in front of a handler and of a node:http upstream verifying the headers itself, and runs `invoke`.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { clearTimeout, setTimeout } from "node:timers";
import { URL, URLSearchParams } from "node:url";
import { CookieJar } from "tough-cookie";

const PACKAGE_DIR = resolve(import.meta.dirname, "../..");
const REPOSITORY = resolve(PACKAGE_DIR, "../..");
const FIXTURE = join(PACKAGE_DIR, "test/consumer/fixture");
const keep = process.argv.includes("--keep");
/** Everything below runs on loopback: a hang is a failure, not a stuck CI. */
const DEADLINE_MS = 240_000;

// The consumer resolves the installed packages as a user's tools do: never through this repository's source condition.
const NODE_OPTIONS = (process.env.NODE_OPTIONS ?? "").replace(/--conditions[= ]alb-oidc-target-source/g, "").trim();
// The emulator's ports and the target's variables come from the test, never from the calling shell.
const CLEARED = new Set(["PORT", "IDP_PORT", "KEY_PORT", "LOAD_BALANCER_ARN", "ISSUER", "CLIENT_ID", "ALB_PUBLIC_KEY_ENDPOINT"]);
const ENV = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !CLEARED.has(name))),
  NODE_OPTIONS,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

function sh(cmd, args, cwd, capture = false) {
  process.stdout.write(`$ ${cmd} ${args.join(" ")}\n`);
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit", env: ENV });
}

/** The two tarballs: the ones CI packed already (EMULATOR_TARBALL, TARBALL), or packed now. */
function tarballs(work) {
  if (process.env.EMULATOR_TARBALL && process.env.TARBALL)
    return { emulator: resolve(process.env.EMULATOR_TARBALL), runtime: resolve(process.env.TARBALL) };
  const args = ["pack", "--silent", "--workspace=alb-oidc-target", "--workspace=alb-oidc-target-emulator", "--pack-destination", work];
  sh("npm", args, REPOSITORY, true);
  return { emulator: join(work, "alb-oidc-target-emulator-0.1.0.tgz"), runtime: join(work, "alb-oidc-target-0.1.0.tgz") };
}

/** Processes this test started, each the leader of its own group (npx and the bin under it stop together). */
const children = new Set();

function stopGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((done) => child.once("exit", done));
  try {
    process.kill(-child.pid, "SIGINT");
  } catch {
    // Already gone.
  }
  return exited;
}

/** Starts a process in `cwd` and resolves with its stdout so far once a line matches `ready`. */
function startUntil(cmd, args, cwd, ready, env = ENV) {
  process.stdout.write(`$ ${cmd} ${args.join(" ")} &\n`);
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let out = "";
  let err = "";
  child.stderr.on("data", (c) => (err += c));
  return new Promise((done, fail) => {
    child.once("exit", (code) => fail(new Error(`${cmd} ${args.join(" ")} exited with ${code} before it was ready:\n${out}\n${err}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      out += `${line}\n`;
      if (ready.test(line)) done({ child, out });
    });
  });
}

/** The emulator's URL and the `export NAME='value'` lines its banner printed. */
function readBanner(text) {
  const url = /Application \(ALB listener\):\s+(http:\/\/localhost:\d+)\//.exec(text)?.[1];
  assert.ok(url, `no application URL in the banner:\n${text}`);
  const exports = text.split("\n").filter((l) => /^\s+export [A-Z_]+='/.test(l));
  assert.deepEqual(
    exports.map((l) => /export ([A-Z_]+)=/.exec(l)?.[1]),
    ["LOAD_BALANCER_ARN", "ISSUER", "CLIENT_ID", "ALB_PUBLIC_KEY_ENDPOINT"],
    `the banner's environment lines:\n${text}`,
  );
  return { url, exports: exports.map((l) => l.trim()) };
}

/**
 * A cookie-keeping client that follows redirects by hand. It connects to 127.0.0.1 only, sending the
 * URL's host in the Host header, so that `localhost` never leaves loopback whatever the resolver says.
 */
class LoopbackBrowser {
  jar = new CookieJar();

  async fetch(url, { method = "GET", body, headers = {} } = {}) {
    const u = new URL(url);
    assert.ok(u.protocol === "http:" && ["localhost", "127.0.0.1"].includes(u.hostname), `the test stays on loopback, not ${url}`);
    const cookie = await this.jar.getCookieString(url);
    const res = await new Promise((done, fail) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port: u.port,
          path: `${u.pathname}${u.search}`,
          method,
          headers: { host: u.host, ...(cookie && { cookie }), ...headers },
        },
        (r) => {
          let text = "";
          r.setEncoding("utf8");
          r.on("data", (c) => (text += c));
          r.on("end", () => done({ status: r.statusCode, headers: r.headers, body: text, url }));
        },
      );
      req.on("error", fail);
      req.end(body);
    });
    for (const c of res.headers["set-cookie"] ?? []) await this.jar.setCookie(c, url, { ignoreError: true });
    return res;
  }

  /** Follows redirects as a browser does (302/303 become GET); returns the first answer that is not one. */
  async follow(url, init = {}) {
    let current = url;
    let next = init;
    for (let hop = 0; hop < 15; hop++) {
      const res = await this.fetch(current, next);
      const location = res.headers.location;
      if (res.status < 300 || res.status > 399 || !location) return res;
      current = new URL(location, current).href;
      next = {};
    }
    throw new Error(`more than 15 redirects from ${url}`);
  }

  /** Opens `url`, fills the embedded provider's login form with `login`, and follows back to the application. */
  async login(url, login) {
    const page = await this.follow(url);
    assert.equal(page.status, 200, `expected the login page, got ${page.status} at ${page.url}: ${page.body.slice(0, 200)}`);
    const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(page.body)?.[1];
    assert.ok(action && page.body.includes('name="login"'), `no login form at ${page.url}`);
    const hidden = [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]);
    const form = new URLSearchParams([...hidden, ["login", login]]).toString();
    return this.follow(new URL(action.replace(/&amp;/g, "&"), page.url).href, {
      method: "POST",
      body: form,
      headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(Buffer.byteLength(form)) },
    });
  }
}

/** A port free on 127.0.0.1 right now, for the upstream the emulator is told about before it listens. */
async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

let checks = 0;
function ok(name) {
  checks++;
  process.stdout.write(`ok ${checks} - ${name}\n`);
}

const deadline = setTimeout(() => {
  process.stderr.write(`the emulator consumer test did not finish in ${DEADLINE_MS / 1000} s\n`);
  for (const child of children) stopGroup(child);
  process.exit(1);
}, DEADLINE_MS);

const work = mkdtempSync(join(tmpdir(), "alb-emulator-consumer-"));
try {
  const tgz = tarballs(work);
  for (const t of [tgz.emulator, tgz.runtime]) process.stdout.write(`tarball: ${t} (${statSync(t).size} bytes)\n`);
  const app = join(work, "app");
  mkdirSync(app);
  cpSync(FIXTURE, app, { recursive: true });
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "emulator-consumer", private: true, type: "module" }, null, 2)}\n`);

  // The only install: the emulator's tarball and the runtime's it depends on (neither is published); the registry for the rest.
  sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tgz.emulator, tgz.runtime], app);
  const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
  assert.deepEqual(Object.keys(manifest.dependencies).sort(), ["alb-oidc-target", "alb-oidc-target-emulator"]);
  assert.equal(manifest.devDependencies, undefined);
  for (const dep of ["oidc-provider", "openid-client", "tsx", "jose"])
    assert.ok(existsSync(join(app, "node_modules", dep, "package.json")), `${dep} came with the emulator`);
  assert.ok(existsSync(join(app, "node_modules/.bin/alb-oidc-target-emulator")), "the bin alb-oidc-target-emulator is installed");
  // One runtime, the tarball's: the emulator shares it with the user's code (no registry copy nested under it).
  assert.ok(!existsSync(join(app, "node_modules/alb-oidc-target-emulator/node_modules/alb-oidc-target")), "a second alb-oidc-target");
  ok("one npm install of the two tarballs brings the bin and the emulator's dependencies");

  const whoami = JSON.parse(sh("npx", ["alb-oidc-target-emulator", "invoke", "whoami"], app, true));
  assert.equal(whoami.statusCode, 200);
  assert.equal(JSON.parse(whoami.body).identity, "alice");
  ok("npx alb-oidc-target-emulator invoke whoami: the package's sample event, 200 for alice");

  const built = JSON.parse(
    sh("npx", ["alb-oidc-target-emulator", "invoke", "--path", "/me", "--user", "bob", "--handler", "./handler.mjs"], app, true),
  );
  assert.equal(built.statusCode, 200);
  assert.deepEqual(JSON.parse(built.body), { from: "handler", type: "user", sub: "bob" });
  ok("invoke --path /me --user bob --handler ./handler.mjs: the consumer's handler verified bob");

  let missing;
  try {
    sh("npx", ["alb-oidc-target-emulator", "invoke", "./nope.json"], app, true);
  } catch (err) {
    missing = err;
  }
  assert.equal(missing?.status, 2);
  assert.equal(missing.stderr, "invoke: event file not found: ./nope.json (alb-oidc-target-emulator invoke --help)\n");
  ok("invoke ./nope.json: one line naming the file, exit 2");

  {
    const { child, out } = await startUntil(
      "npx",
      ["alb-oidc-target-emulator", "--handler", "./handler.mjs"],
      app,
      /Ctrl-C stops everything/,
      {
        ...ENV,
        PORT: "0",
      },
    );
    try {
      const { url } = readBanner(out);
      assert.match(out, /Listener rules \(built-in defaults; first match wins\)/);
      const browser = new LoopbackBrowser();
      const final = await browser.login(`${url}/orders?x=1`, "alice");
      assert.equal(final.status, 200, final.body);
      assert.equal(final.url, `${url}/orders?x=1`);
      assert.deepEqual(JSON.parse(final.body), { from: "handler", type: "user", sub: "alice" });
      const again = await browser.fetch(`${url}/`);
      assert.equal(again.status, 200, "the session cookie carries the next request");
      const stranger = await new LoopbackBrowser().fetch(`${url}/`);
      assert.equal(stranger.status, 302, "no session: sent to the IdP, the handler not reached");
      ok(
        "npx alb-oidc-target-emulator --handler ./handler.mjs: alice logs in through the embedded provider, the handler answers 200 with sub alice",
      );
    } finally {
      await stopGroup(child);
    }
  }

  {
    const upstreamPort = await freePort();
    const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
    const { child, out } = await startUntil(
      "npx",
      ["alb-oidc-target-emulator", "--upstream", upstreamUrl],
      app,
      /Ctrl-C stops everything/,
      {
        ...ENV,
        PORT: "0",
      },
    );
    try {
      const { url, exports } = readBanner(out);
      // The banner's lines, pasted into a shell that starts the server: its whole configuration.
      const script = `${exports.join("\n")}\nexec node upstream.mjs`;
      const upstream = await startUntil("sh", ["-c", script], app, /^listening on /, { ...ENV, UPSTREAM_PORT: String(upstreamPort) });
      try {
        const direct = await new LoopbackBrowser().fetch(`${upstreamUrl}/`);
        assert.equal(direct.status, 401, "the upstream verifies: without the ALB's headers it refuses");
        assert.equal(JSON.parse(direct.body).error, "missing_token");
        const final = await new LoopbackBrowser().login(`${url}/reports`, "alice");
        assert.equal(final.status, 200, final.body);
        assert.equal(final.url, `${url}/reports`);
        assert.deepEqual(JSON.parse(final.body), { from: "upstream", type: "user", sub: "alice" });
        ok("--upstream in front of a node:http server with createAlbAuth().verifyHeaders and the banner's variables: 200 with sub alice");
      } finally {
        await stopGroup(upstream.child);
      }
    } finally {
      await stopGroup(child);
    }
  }

  process.stdout.write(`emulator consumer test passed (${checks} checks)\n`);
} finally {
  clearTimeout(deadline);
  await Promise.all([...children].map(stopGroup));
  if (keep) process.stdout.write(`kept ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
