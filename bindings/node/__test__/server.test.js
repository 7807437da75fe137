'use strict'
// examples/node/server.js on 127.0.0.1 with an ephemeral port: a clean and a defective example
// claim get their reports, unusable input gets 400 with the error code.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { ROOT, binding, loadExamples } = require('./helpers')

const { createServer } = require(path.join(ROOT, 'examples', 'node', 'server.js'))

async function post(base, body, { method = 'POST', url = '/check' } = {}) {
  const res = await fetch(base + url, { method, body: method === 'POST' ? body : undefined })
  return { status: res.status, body: await res.json() }
}

test('the example server checks posted claims', async (t) => {
  const engine = new binding.Engine({ asOf: '2026-11-30' })
  const server = createServer(engine)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => server.close(resolve)))
  const base = `http://127.0.0.1:${server.address().port}`
  const examples = loadExamples()

  const clean = examples.find((e) => e.file === 'clean-office-visit.json')
  let r = await post(base, clean.text)
  assert.equal(r.status, 200)
  assert.deepEqual(r.body, { claim_id: JSON.parse(clean.text).id, ok: true, findings: [] })

  const defective = examples.find((e) => e.file === 'defective-npi-and-total.json')
  r = await post(base, defective.text)
  assert.equal(r.status, 200)
  assert.equal(r.body.ok, false)
  assert.deepEqual(r.body, engine.check(defective.text), 'the same report as an in-process check')
  assert.ok(r.body.findings.some((f) => f.rule === 'claim.total_mismatch'))

  r = await post(base, '{"id": ')
  assert.equal(r.status, 400)
  assert.equal(r.body.error.code, 'CLEANCLAIM_JSON')
  r = await post(base, JSON.stringify({ id: 'x' }))
  assert.equal(r.status, 400)
  assert.equal(r.body.error.code, 'CLEANCLAIM_JSON')

  assert.equal((await post(base, '', { method: 'GET' })).status, 405)
  assert.equal((await post(base, clean.text, { url: '/' })).status, 404)

  // Many at once: each answer belongs to its own request.
  const all = await Promise.all(examples.map((e) => post(base, e.text)))
  all.forEach((res, i) => assert.equal(res.body.claim_id, JSON.parse(examples[i].text).id))
})
