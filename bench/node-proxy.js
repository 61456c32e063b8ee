// The floor of one HTTP hop in Node.js, for bench/hop.ts: node:http in, undici's dispatch out to
// a keep-alive pool, the upstream key set, the answer relayed; nothing else (no checks, no logs,
// no metrics). Whatever the gateway costs above this is its own work; below it, Node.js's.
// Usage: node bench/node-proxy.js <upstream origin> <port>   (UPSTREAM_KEY in the environment)
"use strict";
const http = require("node:http");
const { Pool } = require("undici");

const [upstream, port] = process.argv.slice(2);
const authorization = `Bearer ${process.env.UPSTREAM_KEY}`;
const pool = new Pool(upstream, { connections: null, keepAliveTimeout: 30_000 });

http.createServer((req, res) => {
  const body = req.method === "GET" || req.method === "HEAD" ? null : req;
  const headers = { authorization, "content-type": req.headers["content-type"] ?? "application/json" };
  pool.dispatch({ method: req.method, path: req.url, headers, body }, {
    onRequestStart(controller) {
      res.once("close", () => res.writableFinished || controller.abort(new Error("client went away")));
    },
    onResponseStart(_c, status, h) {
      res.writeHead(status, { "content-type": h["content-type"], ...(h["content-length"] ? { "content-length": h["content-length"] } : {}) });
    },
    onResponseData(controller, chunk) {
      if (!res.write(chunk)) {
        controller.pause();
        res.once("drain", () => controller.resume());
      }
    },
    onResponseEnd() {
      res.end();
    },
    onResponseError(_c, err) {
      if (!res.headersSent) res.writeHead(502);
      res.destroy(err);
    },
  });
}).listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\n"));
