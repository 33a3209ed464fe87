// Interop test: the official MCP TypeScript SDK client (pinned in package.json)
// drives the real signoff binary over stdio or Streamable HTTP.
//   node interop.mjs <signoff-binary> stdio|http <temp-dir>
// Exits 0 when every check passes; prints each failed check to stderr.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [binary, mode, tmp] = process.argv.slice(2);
if (!binary || !["stdio", "http"].includes(mode) || !tmp) {
  console.error("usage: node interop.mjs <signoff-binary> stdio|http <temp-dir>");
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

mkdirSync(tmp, { recursive: true });
const db = `sqlite:${tmp}/interop-${mode}-${process.pid}.db`;
const boot = JSON.parse(
  execFileSync(binary, ["admin", "bootstrap", "--db", db, "--org", "interop", "--email", "root@interop.example"]).toString()
);

let server;
let transport;
if (mode === "stdio") {
  transport = new StdioClientTransport({
    command: binary,
    args: ["stdio", "--db", db],
    env: { ...process.env, SIGNOFF_API_KEY: boot.api_key },
    stderr: "inherit",
  });
} else {
  server = spawn(binary, ["serve", "--http", "127.0.0.1:0", "--db", db], { stdio: ["ignore", "ignore", "pipe"] });
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
  transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${boot.api_key}` } },
  });
}

const client = new Client({ name: "signoff-interop", version: "1.0.0" });
try {
  await client.connect(transport);
  check(client.getServerVersion()?.name === "signoff", "serverInfo.name is signoff");
  check(client.getServerCapabilities()?.tools !== undefined, "tools capability declared");

  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const name of ["catalog_assign", "catalog_revoke", "catalog_rows_create", "identity_users_list"]) {
    check(names.includes(name), `tools/list has ${name}`);
  }
  check(tools.every((t) => t.inputSchema?.type === "object" && t.outputSchema?.type === "object"), "every tool has object input and output schemas");

  const row = await client.callTool({
    name: "catalog_rows_create",
    arguments: { slug: "openai-team", display_name: "OpenAI team seat", category: "llm-backend" },
  });
  check(row.isError === false, `catalog_rows_create succeeds: ${JSON.stringify(row.content)}`);
  check(row.structuredContent?.categoryDisplay === "🤖 Paid AI Subscriptions", "categoryDisplay is the English label");

  const args = { catalog_slug: "openai-team", email: "ada@example.com", note: "Onboarding kit" };
  const a = await client.callTool({ name: "catalog_assign", arguments: args });
  const b = await client.callTool({ name: "catalog_assign", arguments: args });
  check(a.isError === false && a.structuredContent?.state === "approved", "assign approves");
  check(a.structuredContent?.id === b.structuredContent?.id, "assign is idempotent");
  check(JSON.parse(a.content[0].text).id === a.structuredContent.id, "text block mirrors structuredContent");

  const bad = await client.callTool({ name: "catalog_assign", arguments: { catalog_slug: "openai-team" } });
  check(bad.isError === true && bad.structuredContent?.code === "invalid_argument", "schema violation is an isError result");

  const res = await client.listResources();
  check(res.resources.some((r) => r.uri === "signoff://catalog/categories"), "categories resource listed");
  const cats = await client.readResource({ uri: "signoff://catalog/categories" });
  check(cats.contents[0].text.includes("llm-backend"), "categories resource readable");

  await client.ping();
  check(true, "ping");
} catch (e) {
  failed++;
  console.error(`FAILED: ${e?.stack ?? e}`);
} finally {
  await client.close().catch(() => {});
  if (server) server.kill("SIGTERM");
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
