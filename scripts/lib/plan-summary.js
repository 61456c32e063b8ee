// Summarises a `pulumi preview --json` for scripts/gitops-check.sh: one line per step with the
// fields that change (mode "preview") or what drifted (mode "drift"). Exit 3: not a plan.
const fs = require("fs");
const [mode, file, planJson] = process.argv.slice(2);
let text = fs.readFileSync(file, "utf8");
let j;
try { j = JSON.parse(text); } catch { process.stdout.write(text); process.exit(3); }
if (mode === "errors") {
  // The preview failed: print its error diagnostics (spec errors carry their paths).
  for (const d of j.diagnostics ?? []) if (d.severity === "error") process.stdout.write(d.message);
  process.exit(0);
}
// Engine bookkeeping that moves without the program changing (see provider/createOnce.ts).
const SKIP = new Set(["__provider", "rotationAnchor", "creationKey", "creationNonce"]);
const show = (v) => (v === undefined ? "(unset)" : JSON.stringify(v));
const shortType = (t) => t.split(/[:/]/).pop();
const steps = [];
for (const s of j.steps ?? []) {
  if (s.op === "same" || s.op === "refresh" || s.op === "read") continue;
  const st = s.newState ?? s.oldState ?? {};
  if (st.type === "pulumi:pulumi:Stack") continue;
  const name = s.urn.split("::").pop();
  const fields = [];
  if (s.op === "update" || s.op === "replace" || s.op === "create-replacement") {
    const ins = s.newState?.inputs ?? {};
    const olds = { ...(s.oldState?.inputs ?? {}), ...(s.oldState?.outputs ?? {}) };
    for (const [k, v] of Object.entries(ins)) {
      if (SKIP.has(k)) continue;
      if (JSON.stringify(v) !== JSON.stringify(olds[k])) fields.push({ field: k, now: olds[k], code: v });
    }
  }
  steps.push({ op: s.op, type: shortType(st.type ?? ""), name, fields });
}
const ops = { create: "+", update: "~", delete: "-", replace: "+-", "create-replacement": "++", "delete-replaced": "--" };
const lines = [];
const verb = mode === "drift"
  ? { create: "missing on the server (deleted outside Pulumi?): would be created", delete: "in state but not in the code: would be deleted", update: "differs from the code", replace: "would be replaced" }
  : { create: "create", delete: "delete", update: "update", replace: "replace" };
for (const s of steps) {
  lines.push(`  ${ops[s.op] ?? "?"} ${s.type} ${s.name}: ${verb[s.op] ?? s.op}`);
  for (const f of s.fields)
    lines.push(mode === "drift"
      ? `      ${f.field}: server has ${show(f.now)}, code says ${show(f.code)}`
      : `      ${f.field}: ${show(f.now)} => ${show(f.code)}`);
}
const counts = {};
for (const s of steps) counts[s.op] = (counts[s.op] ?? 0) + 1;
const total = steps.length;
const summary = Object.entries(counts).map(([op, n]) => `${n} to ${op}`).join(", ");
if (mode === "drift") {
  console.log(total ? `DRIFT: ${total} resource(s) on the server differ from the code (${summary}):` : "no drift: the server matches the code");
} else {
  console.log(total ? `plan: ${summary}` : "plan: no changes");
}
for (const l of lines) console.log(l);
if (planJson) fs.writeFileSync(planJson, JSON.stringify(steps, null, 2));
process.exit(total ? 1 : 0);
