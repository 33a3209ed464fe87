// auths_export read back by an independent CSV reader (csv-parse, pinned in
// package.json): auths with commas, quotes, newlines, non-ASCII and
// formula-like values are created over REST, exported, downloaded from
// GET /api/v5/uploads/{upload_id} and read through the MCP resource
// signoff://uploads/{upload_id} with the official TypeScript SDK; both files
// must parse to the values that went in (formulas neutralised with a quote).
//   node csv_export.mjs <signoff-binary> <temp-dir>
// Exits 0 when every check passes; prints each failed check to stderr.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [binary, tmp] = process.argv.slice(2);
if (!binary || !tmp) {
  console.error("usage: node csv_export.mjs <signoff-binary> <temp-dir>");
  process.exit(2);
}

let failed = 0;
let passed = 0;
function check(cond, what) {
  if (cond) {
    passed++;
  } else {
    failed++;
    console.error(`FAILED: ${what}`);
  }
}
function same(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

mkdirSync(tmp, { recursive: true });
const db = `sqlite:${tmp}/csv-export-${process.pid}.db`;
const boot = JSON.parse(
  execFileSync(binary, ["admin", "bootstrap", "--db", db, "--org", "csv", "--email", "root@csv.example"]).toString()
);
const server = spawn(binary, ["serve", "--http", "127.0.0.1:0", "--db", db], { stdio: ["ignore", "ignore", "pipe"] });
const port = await new Promise((resolve, reject) => {
  let text = "";
  const timer = setTimeout(() => reject(new Error(`server did not start: ${text}`)), 30000);
  server.stderr.on("data", (chunk) => {
    text += chunk.toString();
    const m = text.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    if (m) {
      clearTimeout(timer);
      resolve(Number(m[1]));
    }
  });
});
const base = `http://127.0.0.1:${port}`;
const auth = { Authorization: `Bearer ${boot.api_key}` };

async function rest(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { ...auth, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`${method} ${path}: ${res.status} ${text}`);
  }
  return JSON.parse(text);
}

const api = "/api/v5/artifacts/auths";
const tricky = {
  name: 'Okta, "SSO"',
  description: "line one\nline two, with a comma",
  flag: "=1+1",
  protocols: ["oidc", "+saml"],
  slugs: ["-okta"],
  items: ["@item", "second, item"],
  departments: ["Zürich", "Engineering"],
};
const plain = { name: "认证 🔑 — naïve", slugs: ["plain"] };

try {
  for (const name of tricky.departments) {
    await rest("POST", `${api}/departments`, { name });
  }
  const flag = await rest("POST", `${api}/parts`, { kind: "flag", value: tricky.flag });
  const items = [];
  for (const value of tricky.items) {
    items.push((await rest("POST", `${api}/parts`, { kind: "item", value })).id);
  }
  const created = await rest("POST", `${api}/create`, {
    auths: [
      {
        name: tricky.name,
        description: tricky.description,
        flag_id: flag.id,
        protocol_ids: tricky.protocols,
        slug_ids: tricky.slugs,
        item_ids: items,
        department_ids: tricky.departments,
      },
      { name: plain.name, slug_ids: plain.slugs },
    ],
  });
  check(created.results.every((r) => r.success), `auths created: ${JSON.stringify(created.results)}`);
  const ids = created.results.map((r) => r.auth_id);

  const exported = await rest("POST", `${api}/export`, {});
  same(exported.row_count, 2, "row_count");

  const res = await fetch(`${base}/api/v5/uploads/${exported.upload_id}`, { headers: auth });
  same(res.status, 200, "download status");
  same(res.headers.get("content-type"), "text/csv; charset=utf-8", "Content-Type");
  check(
    (res.headers.get("content-disposition") ?? "").includes(`filename="${exported.file_name}"`),
    "Content-Disposition names the file"
  );
  const fromRest = await res.text();
  check(fromRest.endsWith("\r\n"), "the file ends with CRLF");

  // Strict RFC 4180 parsing: CRLF record ends, well-formed quotes, every record
  // as wide as the header.
  const rows = parse(fromRest, {
    columns: true,
    record_delimiter: "\r\n",
    relax_quotes: false,
    relax_column_count: false,
  });
  same(rows.length, 2, "parsed row count");
  same(
    Object.keys(rows[0] ?? {}).join(","),
    "id,name,description,flag,protocols,slugs,items,departments,group_id,version,created_by,created_at,updated_at",
    "header"
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const a = byId.get(ids[0]) ?? {};
  same(a.name, tricky.name, "comma and quotes survive");
  same(a.description, tricky.description, "newline and comma survive");
  same(a.flag, "'=1+1", "formula neutralised");
  same(a.protocols, "oidc; +saml", "many-valued join (only a leading sign is neutralised)");
  same(a.slugs, "'-okta", "leading minus neutralised");
  same(a.items, "'@item; second, item", "leading at-sign neutralised, order kept");
  same(a.departments, "Engineering; Zürich", "departments sorted, non-ASCII kept");
  same(a.version, "1", "version");
  same(a.created_by, boot.user_id, "created_by");
  const b = byId.get(ids[1]) ?? {};
  same(b.name, plain.name, "non-ASCII name survives");
  same(b.description, "", "empty description");
  same(b.slugs, "plain", "plain slug");

  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: { headers: auth },
  });
  const client = new Client({ name: "signoff-csv-export", version: "1.0.0" });
  await client.connect(transport);
  const { resourceTemplates } = await client.listResourceTemplates();
  check(
    resourceTemplates.some((t) => t.uriTemplate === "signoff://uploads/{upload_id}"),
    "resources/templates/list has signoff://uploads/{upload_id}"
  );
  const read = await client.readResource({ uri: `signoff://uploads/${exported.upload_id}` });
  const content = read.contents?.[0] ?? {};
  same(content.mimeType, "text/csv", "resource mimeType");
  same(content.text, fromRest, "resource text equals the REST download");
  same(parse(content.text ?? "", { columns: true }).length, 2, "resource parses to two rows");
  await client.close();
} catch (e) {
  failed++;
  console.error(`FAILED: ${e?.stack ?? e}`);
} finally {
  server.kill("SIGTERM");
}

console.log(`csv export (csv-parse): ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
