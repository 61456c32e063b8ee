// Splits a base URL for the shell scripts: prints "<protocol> <host> <port> <loopback:yes|no>".
// The port defaults to the scheme's (80/443); a trailing slash or path is ignored; a bad URL exits 2.
const { isIPv4 } = require("node:net");

let u;
try {
  u = new URL(process.argv[2]);
} catch {
  console.error(`not a URL: ${JSON.stringify(process.argv[2])} (expected e.g. http://127.0.0.1:8787)`);
  process.exit(2);
}
const protocol = u.protocol.replace(":", "");
if (protocol !== "http" && protocol !== "https") {
  console.error(`not an http(s) URL: ${process.argv[2]}`);
  process.exit(2);
}
const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
const port = u.port || (protocol === "https" ? "443" : "80");
const loopback = host === "localhost" || host === "::1" || (isIPv4(host) && host.startsWith("127."));
console.log(`${protocol} ${host} ${port} ${loopback ? "yes" : "no"}`);
