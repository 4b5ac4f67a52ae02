// Sends log lines to a Loki server through winston with the winston-loki transport.
//
// Usage: node push_winston_loki.js LOKI_BASE_URL proto|json COUNT EXPECTED_JSON
// (winston, winston-loki and snappy must be resolvable, e.g. through NODE_PATH)
//
// With `json: false` (its default) the transport encodes each batch as a protobuf PushRequest
// and compresses it with snappy; with `json: true` it posts JSON whose entries carry a third
// element, structured metadata. If the snappy module cannot be loaded the transport silently
// falls back to JSON, so the content type it settled on is checked before anything is sent.
//
// The transport batches: entries wait in memory and a loop posts them every `interval` seconds.
// flush() resolves once everything logged before it has been answered, close() sends what is
// left. Lines go out in several batches (a flush after every quarter) so that the server sees
// more than one push. Stream labels are `level` plus the transport's `labels`; with a `format`
// given to the transport the line is the formatted message (here: the message alone).
// The streams and lines the server should hold are written to EXPECTED_JSON as
// {"streams": [{"labels": {...}, "result_labels": {...}, "lines": [...]}, ...]}.
'use strict'

const fs = require('fs')
const winston = require('winston')
const LokiTransport = require('winston-loki')

async function main () {
  const [host, encoding, countArg, expectedPath] = process.argv.slice(2)
  const count = Number(countArg)
  if (!['proto', 'json'].includes(encoding) || !(count > 0) || !expectedPath) {
    throw new Error('usage: push_winston_loki.js LOKI_BASE_URL proto|json COUNT EXPECTED_JSON')
  }

  const errors = []
  const app = 'clients-node-' + encoding
  const transport = new LokiTransport({
    host,
    json: encoding === 'json',
    interval: 1,
    timeout: 10000,
    labels: { app, client: 'winston-loki' },
    format: winston.format.printf(info => info.message),
    // A failed post is retried after a 60 s back-off; record it so that this program fails
    // at once instead.
    onConnectionError: err => errors.push(err),
    gracefulShutdown: false
  })
  const wanted = encoding === 'json' ? 'application/json' : 'application/x-protobuf'
  if (transport.batcher.contentType !== wanted) {
    throw new Error(`winston-loki would send ${transport.batcher.contentType}, not ${wanted} (snappy missing?)`)
  }
  const logger = winston.createLogger({ level: 'info', transports: [transport] })

  // A bound on the whole run, so that a server that never answers fails the step.
  const deadline = setTimeout(() => {
    console.error(`winston-loki (${encoding}): not flushed after 60 s; errors: ${errors.join('; ')}`)
    process.exit(1)
  }, 60000)

  const streams = new Map()
  const quarter = Math.ceil(count / 4)
  for (let i = 0; i < count; i++) {
    const level = i % 3 === 0 ? 'warn' : 'info'
    let message = `node ${encoding} line ${String(i).padStart(4, '0')} of ${count}`
    if (i % 5 === 0) message += ' «ünïcödé» ✓ "quoted" back\\slash'
    logger.log(level, message)

    const labels = { level, app, client: 'winston-loki' }
    const key = JSON.stringify(labels)
    if (!streams.has(key)) {
      // In JSON mode every entry also carries structured metadata: the winston fields that are
      // not labels, here {level}. Loki's query API returns structured metadata merged into
      // the stream's labels, renaming a name that collides with a stream label to
      // `<name>_extracted`.
      const resultLabels = encoding === 'json' ? { ...labels, level_extracted: level } : labels
      streams.set(key, { labels, result_labels: resultLabels, lines: [] })
    }
    streams.get(key).lines.push(message)

    if ((i + 1) % quarter === 0) {
      // winston hands the entry to the transport asynchronously; let that happen first.
      await new Promise(resolve => setImmediate(resolve))
      await transport.flush()
      if (errors.length) break
    }
  }
  await new Promise(resolve => setImmediate(resolve))
  await transport.close()
  clearTimeout(deadline)

  if (errors.length) {
    throw new Error(`winston-loki (${encoding}): ${errors.length} pushes failed, first: ${errors[0]}`)
  }
  fs.writeFileSync(expectedPath, JSON.stringify({ streams: [...streams.values()] }))
}

main().catch(err => {
  console.error(err && err.message ? err.message : err)
  process.exit(1)
})
