#!/usr/bin/env node
// pulumi-resource-writer: the native provider plugin. The engine starts it (with its address as an
// argument, unused here) and reads the port it prints.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serve } from "./server";

/** Set by scripts/package-plugin when it bundles the plugin (the bundle has no package.json beside it). */
declare const WRITER_PLUGIN_VERSION: string | undefined;

const version = typeof WRITER_PLUGIN_VERSION === "string"
  ? WRITER_PLUGIN_VERSION
  : (JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string }).version;
// The engine passes its own address (for logs) as the first argument that is not a flag.
const engineAddress = process.argv.slice(2).find((a) => !a.startsWith("-"));
serve(version, engineAddress).catch((e) => {
  process.stderr.write(`pulumi-resource-writer: cannot start: ${(e as Error).message}\n`);
  process.exit(1);
});
