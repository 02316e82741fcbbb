/**
 * Makes a TCP service of the host namespace reachable on the same 127.0.0.1:PORT inside a
 * private network namespace (for ovs-vswitchd in a lab hypervisor namespace dialing the
 * controller's OpenFlow listener): a python3 relay listens in the namespace and forwards each
 * connection over a unix socket (filesystem, crosses namespaces) to this process, which forwards
 * it to the real listener. Unix controller targets outside OVS's run directory are refused by
 * ovs-vswitchd, hence TCP. Stopped with close() (server) and the lab (relay process, by PID).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { PYTHON } from './ovs-lab.js'

const RELAY = `
import asyncio, sys
port, path = int(sys.argv[1]), sys.argv[2]
async def pipe(r, w):
    try:
        while True:
            b = await r.read(65536)
            if not b: break
            w.write(b); await w.drain()
    except Exception: pass
    finally:
        try: w.close()
        except Exception: pass
async def handle(r, w):
    try: ur, uw = await asyncio.open_unix_connection(path)
    except Exception:
        w.close(); return
    await asyncio.gather(pipe(r, uw), pipe(ur, w))
async def main():
    s = await asyncio.start_server(handle, '127.0.0.1', port)
    print('ready', flush=True)
    async with s: await s.serve_forever()
asyncio.run(main())
`

export interface NetnsRelay {
  readonly child: ChildProcess
  close(): Promise<void>
}

export async function relayIntoNamespace(ns: string, port: number, socketPath: string): Promise<NetnsRelay> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => {
    const up = connect(port, '127.0.0.1')
    for (const x of [s, up]) { sockets.add(x); x.once('close', () => sockets.delete(x)) }
    s.pipe(up).pipe(s)
    s.on('error', () => up.destroy())
    up.on('error', () => s.destroy())
  })
  await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(socketPath, res) })
  const child = spawn('ip', ['netns', 'exec', ns, PYTHON, '-u', '-c', RELAY, String(port), socketPath], { stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((res, rej) => {
    let out = ''
    const t = setTimeout(() => rej(new Error(`relay in ${ns} did not start`)), 20_000)
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); if (out.includes('ready')) { clearTimeout(t); res() } })
    child.once('exit', (c) => { clearTimeout(t); rej(new Error(`relay in ${ns} exited ${c}`)) })
  })
  return {
    child,
    async close() {
      child.kill('SIGKILL')
      // server.close() waits for open connections: end them
      for (const x of sockets) x.destroy()
      await new Promise<void>((res) => server.close(() => res()))
    },
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for listeners that must keep their port across a restart). */
export async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res))
  const a = s.address()
  await new Promise<void>((res) => s.close(() => res()))
  return typeof a === 'object' && a ? a.port : 0
}
