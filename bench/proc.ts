// CPU time of a process from /proc, for per-request costs measured from outside the process.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export const TICK_US = 1e6 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** The fields of /proc/<pid>/stat after the command name (field 2 may hold spaces and parentheses). */
const fields = (pid: number) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");

/** [utime + stime, stime] in microseconds; with `reaped`, also of the children it has waited for (cutime, cstime). */
export function cpuUs(pid: number, reaped = false): [number, number] {
  const f = fields(pid).map(Number);
  const user = f[11] + (reaped ? f[13] : 0);
  const sys = f[12] + (reaped ? f[14] : 0);
  return [(user + sys) * TICK_US, sys * TICK_US];
}
