// The bench baseline: the smallest Worker on the same runtime (wrangler dev, workerd), so the
// API's latency is read as a ratio to it rather than as an absolute figure of this machine.
export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/health") return Response.json({ status: "ok" });
    return new Response("Hello, world!", { headers: { "content-type": "text/plain; charset=utf-8" } });
  },
};
