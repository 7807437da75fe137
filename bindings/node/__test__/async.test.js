'use strict'
// The async variants run on the libuv pool: many at once all resolve correctly, and the event
// loop keeps turning while they work.
const test = require('node:test')
const assert = require('node:assert/strict')
const { binding, loadVectors, loadExamples } = require('./helpers')

const { Engine } = binding
const ASOF = '2026-11-30'

test('1,000 concurrent checkAsync calls all resolve to the sync answer', async () => {
  const engine = new Engine({ asOf: ASOF })
  const claims = loadVectors()
    .filter((v) => !v.profile && v.as_of === ASOF)
    .map((v) => v.claim)
  const expected = claims.map((c) => engine.check(c))
  const n = 1000
  const pending = []
  for (let i = 0; i < n; i++) {
    const c = claims[i % claims.length]
    // Alternate objects and JSON text: both are accepted and must agree.
    pending.push(engine.checkAsync(i % 2 ? JSON.stringify(c) : c))
  }
  const got = await Promise.all(pending)
  assert.equal(got.length, n)
  got.forEach((r, i) => assert.deepEqual(r, expected[i % claims.length], `call ${i}`))
})

test('concurrent checkManyAsync batches keep their input order', async () => {
  const engine = new Engine({ asOf: ASOF })
  const examples = loadExamples().map((e) => JSON.parse(e.text))
  const batches = Array.from({ length: 50 }, (_, i) => examples.slice(i % examples.length).concat(examples))
  const got = await Promise.all(batches.map((b) => engine.checkManyAsync(b)))
  got.forEach((reports, i) => assert.deepEqual(reports, engine.checkMany(batches[i])))
})

test('the event loop keeps running while a large batch is checked', async () => {
  const engine = new Engine({ asOf: ASOF })
  const one = JSON.stringify(JSON.parse(loadExamples()[0].text))
  const text = Array(5000).fill(one).join('\n')
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const started = process.hrtime.bigint()
  try {
    const reports = await engine.checkJsonAsync(text)
    assert.equal(reports.length, 5000)
  } finally {
    clearInterval(timer)
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  // A blocked loop would show no ticks at all however long the batch took.
  assert.ok(ticks > 0, `no timer tick in ${ms.toFixed(0)} ms`)
})

test('an engine can be shared by sync and async callers at once', async () => {
  const engine = new Engine({ asOf: ASOF })
  const claim = JSON.parse(loadExamples().find((e) => e.file.startsWith('defective')).text)
  const want = engine.check(claim)
  const jobs = []
  for (let i = 0; i < 100; i++) {
    jobs.push(engine.checkAsync(claim))
    assert.deepEqual(engine.check(claim), want)
  }
  for (const r of await Promise.all(jobs)) assert.deepEqual(r, want)
})
