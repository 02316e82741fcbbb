/**
 * `neutrino controller` as a real process for tests (run from the sources through tsx, so no build
 * is needed): started on an ephemeral northbound port on 127.0.0.1, restartable on the same port,
 * stopped or killed by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const MAIN = resolve(import.meta.dirname, 'neutrino-cli.ts')

export interface ControllerProcess {
  /** The northbound base, http://127.0.0.1:PORT/controller/nb/v2/neutron */
  url: string
  port: number
  pid: number
  stop(): Promise<number | null>
  kill(): Promise<void>
}

/** Starts the controller with state in `dir`; `port` 0 picks one (pass the same one to restart). */
export function startControllerProcess(dir: string, port: number, o: { dbUrl?: string; username?: string; password?: string } = {}): Promise<ControllerProcess> {
  const auth = { username: o.username ?? 'admin', password: o.password ?? 'admin' }
  const conf = join(dir, 'controller.conf')
  writeFileSync(conf, `[DEFAULT]\nstate_path = ${dir}\n\n[controller]\nnorthbound_port = ${port}\nopenflow_listen = ptcp:0:127.0.0.1\nusername = ${auth.username}\npassword = ${auth.password}\n${o.dbUrl ? `\n[database]\nconnection = ${o.dbUrl}\n` : ''}`)
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN, 'controller', '--config-file', conf], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let errText = ''
  child.stderr!.on('data', (b: Buffer) => { errText += b.toString() })
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)))
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`controller did not start: ${errText}`)) }, 60_000)
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`controller exited ${code}: ${errText}`)) })
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString()
      const m = /northbound listening on (http:\/\/127\.0\.0\.1:(\d+)\S*)/.exec(out)
      if (!m) return
      clearTimeout(timer)
      resolvePromise({
        url: m[1]!.replace(/\/+$/, ''),
        port: Number(m[2]),
        pid: child.pid!,
        stop: () => {
          const k = setTimeout(() => child.kill('SIGKILL'), 10_000)
          child.kill('SIGTERM')
          return exited.finally(() => clearTimeout(k))
        },
        kill: async () => {
          child.kill('SIGKILL')
          await exited
        },
      })
    })
  })
}
