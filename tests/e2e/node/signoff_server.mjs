// Shared by the Node end-to-end tests: a fresh database (SQLite file, or a new
// PostgreSQL database on the server the test scripts started), the real
// binary started on an ephemeral port, a small HTTP caller and a check tally.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";

/// A database URL for `backend` ("sqlite" | "postgres"), new for this run.
export function freshDatabase(backend, tmp, label) {
  mkdirSync(tmp, { recursive: true });
  if (backend === "sqlite") {
    return `sqlite:${tmp}/${label}-${process.pid}.db`;
  }
  const dsn = process.env.SIGNOFF_TEST_PG_DSN;
  if (!dsn) {
    throw new Error("SIGNOFF_TEST_PG_DSN is not set (scripts/test.sh starts PostgreSQL)");
  }
  const name = `${label.replace(/[^a-z0-9_]/g, "_")}_${process.pid}_${Date.now()}`;
  execFileSync("/usr/bin/psql", [dsn, "-q", "-c", `CREATE DATABASE ${name}`]);
  const url = new URL(dsn);
  url.pathname = `/${name}`;
  return url.toString();
}

/// `signoff admin bootstrap`: {org, user_id, api_key}.
export function bootstrap(binary, db, org, email) {
  return JSON.parse(execFileSync(binary, ["admin", "bootstrap", "--db", db, "--org", org, "--email", email]).toString());
}

/// Starts `signoff serve` on 127.0.0.1:0 with `args` and `env`; resolves once
/// it listens. Answers {base, port, log(), stop()}.
export async function startSignoff(binary, db, { args = [], env = {} } = {}) {
  const server = spawn(binary, ["serve", "--http", "127.0.0.1:0", "--db", db, "--no-delivery", ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...env },
  });
  let log = "";
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`signoff did not start: ${log}`)), 30000);
    server.on("exit", (code) => reject(new Error(`signoff exited with ${code}: ${log}`)));
    server.stderr.on("data", (chunk) => {
      log += chunk.toString();
      const m = log.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    log: () => log,
    stop: () => server.kill("SIGTERM"),
    /// One HTTP call: {status, json, text, headers}.
    call: async (method, path, { body, headers = {} } = {}) => {
      const res = await fetch(base + path, {
        method,
        redirect: "manual",
        headers: { ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      return { status: res.status, json, text, headers: res.headers };
    },
  };
}

/// A tally of checks: check(cond, what), refusedWith(reply, status, reason, what), done(name).
export function checks() {
  let passed = 0;
  let failed = 0;
  const check = (cond, what) => {
    if (cond) {
      passed++;
    } else {
      failed++;
      console.error(`FAILED: ${what}`);
    }
  };
  const refusedWith = (r, status, reason, what) => {
    check(r.status === status, `${what}: ${status}, got ${r.status} ${r.text}`);
    check(r.json?.message?.includes(reason), `${what}: message says "${reason}", got ${r.text}`);
  };
  const fail = (what) => check(false, what);
  const done = (name, log = "") => {
    console.error(`${name}: ${passed} passed, ${failed} failed`);
    if (failed > 0 && log) {
      console.error(log.slice(-4000));
    }
    return failed === 0 ? 0 : 1;
  };
  return { check, refusedWith, fail, done };
}
