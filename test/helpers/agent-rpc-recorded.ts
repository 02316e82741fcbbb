/**
 * The recorded agent RPC traffic of the real Zed neutron-server (copied from the lab's
 * shared/reference/agents-rpc into test/fixtures/agents-rpc, so CI has it):
 * samples.jsonl (one record per message kind, with its reply) and failure-replies.jsonl, decoded
 * to {method, args, version, reply}. Tests replay the requests and compare replies.
 */
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/agents-rpc')

export interface RecordedMessage {
  seq: number
  exchange: string
  routingKey: string
  method: string
  version: string
  args: any
  /** Decoded reply (result / failure) for calls. */
  reply?: { result: any; failure: any }
  note?: string
}

function decodeBody(raw: string): any {
  const env = JSON.parse(raw)
  return typeof env['oslo.message'] === 'string' ? JSON.parse(env['oslo.message']) : env
}

export function referenceDir(): string {
  return DIR
}

export function loadSamples(): Map<number, RecordedMessage> {
  const out = new Map<number, RecordedMessage>()
  for (const line of readFileSync(join(DIR, 'samples.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue
    const r = JSON.parse(line)
    const m = decodeBody(r.raw_body)
    const rep = r.replies?.[0] ? decodeBody(r.replies[0].raw_body) : undefined
    out.set(r.seq, {
      seq: r.seq,
      exchange: r.exchange,
      routingKey: r.routing_key,
      method: m.method,
      version: m.version,
      args: m.args,
      reply: rep ? { result: rep.result, failure: rep.failure ? JSON.parse(rep.failure) : null } : undefined,
      note: r.note,
    })
  }
  return out
}

/** failure-replies.jsonl: requests each followed by the server's reply, paired. */
export function loadFailures(): Array<{ method: string; version: string; args: any; failure: { class: string; module: string; message: string } }> {
  const lines = readFileSync(join(DIR, 'failure-replies.jsonl'), 'utf8').split('\n').filter((l) => l.trim())
  const out = []
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const req = decodeBody(JSON.parse(lines[i]!).raw_body)
    const rep = decodeBody(JSON.parse(lines[i + 1]!).raw_body)
    out.push({ method: req.method, version: req.version, args: req.args, failure: JSON.parse(rep.failure) })
  }
  return out
}

/** The whole recorded run (capture-full-run1.jsonl.gz): line number → {routing key, exchange, method, args}. */
export function loadCapture(): Array<{ seq: number; exchange: string; routingKey: string; method: string | undefined; args: any }> {
  const text = gunzipSync(readFileSync(join(DIR, 'capture-full-run1.jsonl.gz'))).toString('utf8')
  return text.split('\n').filter((l) => l.trim()).map((l, seq) => {
    const r = JSON.parse(l)
    const m = typeof r.msg === 'string' ? JSON.parse(r.msg) : r.msg ?? {}
    return { seq, exchange: r.exchange, routingKey: r.routing_keys?.[0] ?? '', method: m.method, args: m.args }
  })
}
