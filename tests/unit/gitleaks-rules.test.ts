// .gitleaks.toml's rules (README "When a key leaks") match what writer-local really issues, and
// `writer-local scan`'s candidate pattern agrees with them: a rule that drifted from the key format
// would let leaked keys through a pre-commit hook unnoticed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateSecret, isWellFormedSecret } from "../../api";
import { generateAdminToken } from "../../server/store/domain/tokens";
import { scanForKeys } from "../../server/leaks/scan";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

const toml = readFileSync(join(__dirname, "..", "..", ".gitleaks.toml"), "utf8");
const rule = (id: string) => {
  const block = toml.split("[[rules]]").find((b) => b.includes(`id = "${id}"`));
  const m = /regex = '''(.+?)'''/.exec(block ?? "");
  if (!m) throw new Error(`no rule ${id} in .gitleaks.toml`);
  return new RegExp(m[1], "g");
};

test("the key rule finds every issued key, whole, and nothing one character short", () => {
  const r = rule("writer-local-api-key");
  for (let i = 0; i < 200; i++) {
    const s = generateSecret();
    expect(isWellFormedSecret(s)).toBe(true);
    expect(`const k = "${s}";`.match(r)).toEqual([s]);
    expect(s.slice(0, -1).match(r)).toBeNull();
  }
});

test("the admin-token rule finds every generated admin token", () => {
  const r = rule("writer-local-admin-token");
  for (let i = 0; i < 200; i++) {
    const t = generateAdminToken();
    expect(`WRITER_ADMIN_TOKEN=${t}`.match(r)).toEqual([t]);
  }
});

test("scan reports what the rule finds, and skips a look-alike whose checksum is wrong", () => {
  const dir = mkdtempSync(join(tmpdir(), "scan-unit-"));
  const good = generateSecret();
  const bad = good.slice(0, -1) + (good.endsWith("0") ? "1" : "0");
  writeFileSync(join(dir, "a.env"), `A=${good}\nB=${bad}\n`);
  expect(scanForKeys(dir, { history: false })).toEqual([{ where: "a.env:1", secret: good }]);
});
