/** CPU time of processes read from /proc (Linux), for the benchmarks' CPU splits. */
import { readFileSync } from 'node:fs'

/** The fields of /proc/PID/stat after the command name: [0] is state, [11]/[12] utime/stime. */
function statFields(pid: number | string): string[] {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
}

/** utime + stime of a process, in clock ticks (1/100 s); 0 if it is gone. */
export function ticks(pid: number | string): number {
  try {
    const f = statFields(pid)
    return Number(f[11]) + Number(f[12])
  } catch {
    return 0
  }
}

/** cutime + cstime: CPU of the children a process has waited for, in ticks. */
export function reapedChildrenTicks(pid: number | string): number {
  const f = statFields(pid)
  return Number(f[13]) + Number(f[14])
}

/** The parent's pid; undefined if the process is gone. */
export function parentPid(pid: number | string): number | undefined {
  try {
    return Number(statFields(pid)[1])
  } catch {
    return undefined
  }
}
