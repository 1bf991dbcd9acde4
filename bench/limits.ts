/**
 * Scale limits: where flight-power stops working, and how. Grows the topology until start-up
 * takes longer than a minute, pushes targets per request past max_targets and past what a URL
 * can hold, and opens more and more concurrent clients. Every probe has a deadline, so a hang
 * is reported as a hang; the bench prints what happened at each size. Run with
 * `bun bench/limits.ts` (`--quick` for small sizes); it asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeMachine, loadAverage } from './lib/machine.ts'
import { procStatusKb, sampleRss, timeCommand } from './lib/proc.ts'
import { quickMode, recordRow } from './lib/results.ts'
import { buildBinary, clientEnv, startBenchServer, type TestServer } from './lib/server.ts'
import { formatKb, formatMs, printTable } from './lib/stats.ts'
import { benchTopology, nodeNames } from './lib/topology.ts'
import { runWrk, spreadStatusScript } from './lib/wrk.ts'

const quick = quickMode()
const START_CAP_MS = quick ? 30_000 : 60_000
const TOPOLOGY_SIZES = quick ? [1000, 10_000] : [10_000, 50_000, 100_000, 200_000]
const CONNECTIONS = quick ? [100, 1000] : [100, 1000, 5000]
const CLI_CLIENTS = quick ? 20 : 50
const dir = mkdtempSync(join(tmpdir(), 'flight-power-bench-limits-'))
const rows: string[][] = [['limit', 'size', 'what happened', 'time', 'verdict']]

type Verdict = 'ok' | 'clear error' | 'unclear error' | 'PROBLEM'

/** Add a row to the printed table and the suite summary. */
function report(limit: string, size: string, happened: string, ms: number, verdict: Verdict): void {
  rows.push([limit, size, happened, Number.isFinite(ms) ? formatMs(ms) : '-', verdict])
  console.log(
    `${limit} ${size}: ${happened} (${Number.isFinite(ms) ? formatMs(ms) : '-'}) → ${verdict}`,
  )
  recordRow({
    section: 'Limits',
    what: `${limit}: ${size}`,
    value: happened,
    baseline: '-',
    ratio: '-',
    note: verdict,
  })
}

/** First line of a CLI's stderr, shortened for a table cell. */
function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? ''
  return line.length > 110 ? `${line.slice(0, 110)}…` : line
}

console.log('# Limits: topology size, targets per request, concurrent clients')
console.log(`machine: ${describeMachine()}; load average at start: ${loadAverage()}\n`)
const binary = await buildBinary()

try {
  // --- Topology size: start-up time and idle memory, until start-up exceeds the cap. -----
  for (const size of TOPOLOGY_SIZES) {
    const label = `${size.toLocaleString('en-US')} nodes`
    const started = performance.now()
    let server: TestServer
    try {
      server = await startBenchServer(benchTopology({ nodes: size, status: 'exit 0' }), {
        startTimeoutMs: START_CAP_MS,
      })
    } catch (error) {
      const ms = performance.now() - started
      const why = /Timed out/.test(String(error))
        ? `not listening after ${formatMs(START_CAP_MS)} (killed)`
        : firstLine(String(error))
      report('topology size', label, why, ms, 'PROBLEM')
      break
    }
    const startMs = performance.now() - started
    const idleKb = procStatusKb(server.pid, 'VmRSS')
    const peakKb = procStatusKb(server.pid, 'VmHWM')
    const listStarted = performance.now()
    const list = await timeCommand([binary, 'list'], { env: clientEnv(server), timeoutMs: 60_000 })
    const listMs = performance.now() - listStarted
    const listed = list.stdout.trim().split('\n').filter(Boolean).length
    await server.stop()
    const happened = `started; RSS ${formatKb(idleKb)} (peak ${formatKb(peakKb)}); \`list\` ${listed === size ? 'all' : listed} nodes in ${formatMs(listMs)}`
    report(
      'topology size',
      label,
      happened,
      startMs,
      list.code === 0 && listed >= size ? 'ok' : 'PROBLEM',
    )
  }

  // --- Targets per request, against max_targets (default 10,000). -----------------------
  const nodes = quick ? 2000 : 12_000
  const max = quick ? 1000 : 10_000
  const server = await startBenchServer(benchTopology({ nodes, status: 'exit 0' }), {
    config: { max_targets: String(max) },
  })
  try {
    const env = clientEnv(server)
    const width = String(nodes).length
    const name = (i: number) => `node${String(i).padStart(width, '0')}`
    const cli = async (args: string[]) =>
      timeCommand([binary, ...args, '--timeout', '600'], { env, timeoutMs: 660_000 })
    // A refusal is clear when it is a usage error (exit 2) that says what the limit is about.
    const classify = (code: number, stderr: string, wanted: RegExp): Verdict =>
      code === 2 && wanted.test(stderr) ? 'clear error' : code === 2 ? 'unclear error' : 'PROBLEM'

    let run = await cli(['status', `node[${name(1).slice(4)}-${name(max).slice(4)}]`])
    const on = run.stdout.split('\n').filter((line) => / On$/.test(line)).length
    report(
      'targets per request',
      `${max.toLocaleString('en-US')} (= max_targets)`,
      `exit ${run.code}, ${on} On`,
      run.ms,
      run.code === 0 && on === max ? 'ok' : 'PROBLEM',
    )

    run = await cli(['status', `node[${name(1).slice(4)}-${name(max + 1).slice(4)}]`])
    report(
      'targets per request',
      `${(max + 1).toLocaleString('en-US')} (max_targets + 1)`,
      `exit ${run.code}: ${firstLine(run.stderr)}`,
      run.ms,
      classify(run.code, run.stderr, /too many nodes/i),
    )

    run = await cli(['status', '@all'])
    report(
      'targets per request',
      `@all = ${nodes.toLocaleString('en-US')}`,
      `exit ${run.code}: ${firstLine(run.stderr)}`,
      run.ms,
      classify(run.code, run.stderr, /too many nodes/i),
    )

    run = await cli(['status', 'node[1-100000000]'])
    report(
      'targets per request',
      '100,000,000 (node[1-100000000])',
      `exit ${run.code}: ${firstLine(run.stderr)}`,
      run.ms,
      classify(run.code, run.stderr, /more than/i),
    )

    // The same, past the client: straight to the server, which must refuse it on its own.
    const direct = async (query: string) => {
      const started = performance.now()
      try {
        const response = await fetch(`${server.url}/?${query}`, {
          headers: { authorization: `Bearer ${server.readToken}` },
          signal: AbortSignal.timeout(120_000),
        })
        const body = await response.text()
        let detail = body.slice(0, 100)
        try {
          detail =
            (JSON.parse(body) as { errors?: { detail?: string }[] }).errors?.[0]?.detail ??
            `${(JSON.parse(body) as { data?: unknown[] }).data?.length} results`
        } catch {
          // not JSON: keep the raw start
        }
        return { status: response.status, detail, ms: performance.now() - started }
      } catch (error) {
        return { status: 0, detail: String(error), ms: performance.now() - started }
      }
    }
    let reply = await direct('nodes=node%5B1-100000000%5D')
    report(
      'targets per request',
      'API: nodes=node[1-100000000]',
      `HTTP ${reply.status}: ${reply.detail.slice(0, 100)}`,
      reply.ms,
      reply.status === 400 ? 'clear error' : 'PROBLEM',
    )

    reply = await direct('nodes=node%5B1-')
    report(
      'target syntax',
      'API: nodes=node[1-',
      `HTTP ${reply.status}: ${reply.detail.slice(0, 100)}`,
      reply.ms,
      reply.status === 400 ? 'clear error' : 'PROBLEM',
    )

    // Unfoldable lists: every other node spelled out, so the URL grows with the count.
    for (const count of quick ? [500, 5000] : [1000, 5000, max]) {
      const list = Array.from({ length: count }, (_, i) => name(((i * 2) % nodes) + 1))
      const query = `nodes=${list.join(',')}`
      reply = await direct(query)
      // 414/431 are the right statuses, but only a JSON:API body tells a client why.
      const refused = reply.status === 400 || reply.status === 414 || reply.status === 431
      const verdict: Verdict =
        reply.status === 200
          ? 'ok'
          : refused && reply.detail.trim() !== ''
            ? 'clear error'
            : refused
              ? 'unclear error'
              : 'PROBLEM'
      report(
        'URL length',
        `${count.toLocaleString('en-US')} names spelled out (${(query.length / 1024).toFixed(0)} KiB query)`,
        `HTTP ${reply.status}: ${reply.detail.slice(0, 100) || '(empty body)'}`,
        reply.ms,
        verdict,
      )
    }
    // The CLI with that many arguments: it sends them as given.
    const argsCount = quick ? 2000 : 5000
    run = await cli([
      'status',
      ...Array.from({ length: argsCount }, (_, i) => name(((i * 2) % nodes) + 1)),
    ])
    const onArgs = run.stdout.split('\n').filter((line) => / On$/.test(line)).length
    // Exit 3 ("unexpected error") for arguments the user typed is not the right answer: it
    // should be a usage error (2) saying to use ranges or a group, or the client should batch.
    report(
      'URL length',
      `CLI with ${argsCount.toLocaleString('en-US')} node arguments`,
      run.code === 0 ? `exit 0, ${onArgs} On` : `exit ${run.code}: ${firstLine(run.stderr)}`,
      run.ms,
      run.code === 0
        ? 'ok'
        : run.code === 2
          ? 'clear error'
          : run.code === 3
            ? 'unclear error'
            : 'PROBLEM',
    )

    const missing = Math.min(5000, max)
    run = await cli(['status', `nosuch[1-${missing}]`])
    const unknown = run.stdout.split('\n').filter((line) => line.trim() !== '').length
    report(
      'unknown nodes',
      `${missing.toLocaleString('en-US')} names not in the topology`,
      `exit ${run.code}, ${unknown} lines`,
      run.ms,
      run.code === 1 ? 'clear error' : 'PROBLEM',
    )

    // --- Concurrent clients. -------------------------------------------------------------
    const spread = spreadStatusScript(dir, {
      token: server.readToken,
      prefix: 'node',
      count: nodes,
    })
    for (const connections of CONNECTIONS) {
      const sampler = sampleRss(server.pid)
      const started = performance.now()
      let happened: string
      let verdict: 'ok' | 'PROBLEM'
      try {
        const result = await runWrk({
          url: `${server.url}/`,
          connections,
          seconds: 5,
          script: spread,
        })
        const peak = sampler.stop()
        happened = `${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(0)} ms, ${result.errors} errors/timeouts, peak RSS ${formatKb(peak)}`
        verdict = result.errors === 0 ? 'ok' : 'PROBLEM'
      } catch (error) {
        sampler.stop()
        happened = firstLine(String(error))
        verdict = 'PROBLEM'
      }
      const health = await fetch(`${server.url}/health`, {
        signal: AbortSignal.timeout(10_000),
      }).then(
        (r) => r.status,
        () => 0,
      )
      if (health !== 200) {
        happened += `; afterwards /health answered ${health || 'nothing'}`
        verdict = 'PROBLEM'
      }
      report(
        'concurrent clients',
        `wrk -c ${connections.toLocaleString('en-US')}, status of a different node each`,
        happened,
        performance.now() - started,
        verdict,
      )
    }

    // Real client processes, all at once.
    const started = performance.now()
    const runs = await Promise.all(
      nodeNames(CLI_CLIENTS).map((_, i) =>
        timeCommand([binary, 'status', name(i + 1)], { env, timeoutMs: 120_000 }),
      ),
    )
    const codes = new Map<number, number>()
    for (const r of runs) codes.set(r.code, (codes.get(r.code) ?? 0) + 1)
    const summary = [...codes].map(([code, count]) => `${count} × exit ${code}`).join(', ')
    report(
      'concurrent clients',
      `${CLI_CLIENTS} flight-power processes at once`,
      summary,
      performance.now() - started,
      codes.get(0) === CLI_CLIENTS ? 'ok' : 'PROBLEM',
    )
  } finally {
    await server.stop()
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}

console.log()
printTable(rows)
console.log(`\nload average at end: ${loadAverage()}`)
