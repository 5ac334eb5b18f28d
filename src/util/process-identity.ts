import { existsSync, readFileSync } from "node:fs";

/**
 * A process as its PID and, where the system says (Linux's /proc), when it started: a PID can be given to
 * another process once its owner has gone, and the start time tells the two apart.
 */
export interface ProcessIdentity {
  pid: number;
  /** Clock ticks after boot (field 22 of /proc/PID/stat); undefined where there is no /proc. */
  started?: string;
}

/**
 * State (field 3) and start time (field 22) from /proc/PID/stat, counted after the command name's closing
 * parenthesis (a name may hold spaces and parentheses); undefined when there is no such process or no /proc.
 */
function readStat(pid: number): { state: string; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", started: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

const hasProc = () => existsSync("/proc/self/stat");

/** This PID's identity now. */
export function identityOf(pid: number): ProcessIdentity {
  return { pid, started: readStat(pid)?.started };
}

/** As written to a file: `PID START`, or `PID` alone. */
export const formatIdentity = (identity: ProcessIdentity) =>
  identity.started === undefined ? String(identity.pid) : `${identity.pid} ${identity.started}`;

/** Read back from formatIdentity's text; undefined when it names no PID. */
export function parseIdentity(text: string): ProcessIdentity | undefined {
  const [pid, started] = text.trim().split(/\s+/);
  const number = Number(pid);
  return Number.isInteger(number) && number > 0 ? { pid: number, started } : undefined;
}

/**
 * Whether the process identified is still running: where /proc says, its PID is there, not a zombie, and
 * started when it was recorded to (a PID taken again by another process is not it); elsewhere, whether
 * its PID exists.
 */
export function stillRunning(identity: ProcessIdentity): boolean {
  if (hasProc()) {
    const stat = readStat(identity.pid);
    return (
      stat !== undefined && stat.state !== "Z" && (identity.started === undefined || identity.started === stat.started)
    );
  }
  try {
    process.kill(identity.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
