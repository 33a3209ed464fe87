-- wrk script: stateless (2026-07-28) MCP tools/call of the read-only
-- catalog_rows_get over keep-alive connections. The API key comes from the
-- environment (SIGNOFF_BENCH_KEY).
local key = os.getenv("SIGNOFF_BENCH_KEY")
wrk.method = "POST"
wrk.path = "/mcp"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Authorization"] = "Bearer " .. key
wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
wrk.headers["Mcp-Method"] = "tools/call"
wrk.headers["Mcp-Name"] = "catalog_rows_get"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"catalog_rows_get",' ..
  '"arguments":{"slug":"openai-team"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",' ..
  '"io.modelcontextprotocol/clientCapabilities":{}}}}'

local errors = 0
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"isError":false', 1, true) then
    errors = errors + 1
    if errors == 1 then
      io.stderr:write("unexpected response " .. status .. ": " .. body .. "\n")
    end
  end
end
