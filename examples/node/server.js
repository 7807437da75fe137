'use strict'
// An HTTP endpoint that checks one posted claim in process with the `cleanclaim` package.
//
//   node examples/node/server.js            # listens on 127.0.0.1:8080 (PORT to change)
//   curl --data-binary @examples/claims/defective-dates.json http://127.0.0.1:8080/check
//
// POST /check with a claim (the shared JSON model) answers 200 with the report JSON, whether or
// not the claim passed (`ok` says which). Unusable input answers 400 with
// {"error": {"code", "message"}}; an oversized body 413. Checks run on the libuv pool
// (checkAsync), so one slow request never stalls the others.
const http = require('node:http')
const { Engine } = require('../../bindings/node')

const MAX_BODY = 1 << 20

function send(res, status, body) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** The request handler; `engine` is shared by every request (engines are immutable). */
function createHandler(engine = new Engine()) {
  return (req, res) => {
    if (req.url !== '/check') return send(res, 404, { error: { code: 'NOT_FOUND', message: 'POST /check' } })
    if (req.method !== 'POST') return send(res, 405, { error: { code: 'METHOD', message: 'POST /check' } })
    const chunks = []
    let size = 0
    req.on('data', (c) => {
      size += c.length
      if (size > MAX_BODY) {
        send(res, 413, { error: { code: 'CLEANCLAIM_LIMIT', message: `body over ${MAX_BODY} bytes` } })
        req.destroy()
      } else {
        chunks.push(c)
      }
    })
    req.on('end', () => {
      if (res.headersSent) return
      engine.checkAsync(Buffer.concat(chunks).toString('utf8')).then(
        // The report is the shared report JSON as is (claim_id, ok, findings).
        (report) => send(res, 200, report),
        // Core messages never quote input values, so they are safe to return and to log.
        (err) => send(res, err.code === 'CLEANCLAIM_INTERNAL' ? 500 : 400, { error: { code: err.code, message: err.message } }),
      )
    })
  }
}

function createServer(engine) {
  return http.createServer(createHandler(engine))
}

module.exports = { createHandler, createServer }

if (require.main === module) {
  const port = Number(process.env.PORT || 8080)
  createServer().listen(port, '127.0.0.1', () => console.log(`cleanclaim: POST http://127.0.0.1:${port}/check`))
}
