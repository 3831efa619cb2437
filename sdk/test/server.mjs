// A scripted API on 127.0.0.1 for the SDK's unit tests: each test gives a handler that sees every
// request (method, path, query, headers, parsed body) in order and answers what the scenario needs.
import { createServer } from "node:http";

/**
 * Starts a server; `handle(request, index)` returns `{ status, headers, body }` (body: object →
 * JSON) or "drop" to destroy the connection with no answer (a network error for the client).
 */
export async function scriptedServer(handle) {
  const requests = [];
  const server = createServer(async (req, res) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url, "http://127.0.0.1");
    const request = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: raw ? JSON.parse(raw) : undefined,
      at: Date.now(),
    };
    requests.push(request);
    const answer = await handle(request, requests.length - 1);
    if (answer === "drop") {
      req.socket.destroy();
      return;
    }
    const body = answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The API's error envelope, as a scripted answer. */
export function envelope(status, type, code, message, extra = {}) {
  return { status, headers: { "x-request-id": "req_test_0001" }, body: { error: { type, code, message, request_id: "req_test_0001", ...extra } } };
}
