import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { isWellFormedSecret } from "../../api";

/** Key-shaped strings: the prefix and the body's alphabet; only those whose checksum matches are keys. */
const CANDIDATE = /writer_sk_[A-Za-z0-9_-]{43}_[0-9a-f]{8}/g;
const SKIP = new Set([".git", "node_modules"]);
const MAX_FILE = 10 * 1024 * 1024;

export interface Found { where: string; secret: string }

function scanText(text: string, where: (line: number) => string, out: Map<string, Found>): void {
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    for (const m of line.matchAll(CANDIDATE)) if (isWellFormedSecret(m[0]) && !out.has(m[0])) out.set(m[0], { where: where(i + 1), secret: m[0] });
  }
}

/**
 * Every well-formed API key in a folder's files and, when it is a git repository, in every
 * version of every file in its history (`git log -p --all`): a key deleted from the tree is still
 * leaked if a commit ever held it. Each key is reported once, where it was first seen.
 */
export function scanForKeys(root: string, opts: { history: boolean }): Found[] {
  const out = new Map<string, Found>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (SKIP.has(name)) continue;
      const p = join(dir, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size <= MAX_FILE) scanText(readFileSync(p, "utf8"), (l) => `${relative(root, p) || name}:${l}`, out);
    }
  };
  if (statSync(root).isDirectory()) walk(root);
  else scanText(readFileSync(root, "utf8"), (l) => `${root}:${l}`, out);
  if (opts.history) {
    let log = "";
    try {
      log = execFileSync("git", ["-C", root, "log", "-p", "--all", "--no-color", "--format=commit %H"], { encoding: "utf8", maxBuffer: 512 << 20, stdio: ["ignore", "pipe", "ignore"] });
    } catch {
      return [...out.values()]; // not a git repository
    }
    let commit = "";
    let file = "";
    for (const line of log.split("\n")) {
      if (line.startsWith("commit ")) commit = line.slice(7, 19);
      else if (line.startsWith("+++ b/")) file = line.slice(6);
      else if (line.startsWith("+") || line.startsWith("-")) scanText(line, () => `git ${commit} ${file}`, out);
    }
  }
  return [...out.values()];
}
