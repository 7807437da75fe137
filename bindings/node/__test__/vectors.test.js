'use strict'
// Every shared vector gives exactly the rule ids the Rust core gives, through every entry point.
const test = require('node:test')
const assert = require('node:assert/strict')
const { binding, loadVectors, ruleIds } = require('./helpers')

const { Engine } = binding
const vectors = loadVectors()

test('there are shared vectors to run', () => {
  assert.ok(vectors.length >= 10, `only ${vectors.length} vectors`)
})

for (const v of vectors) {
  test(`vector ${v.file}`, async () => {
    const engine = new Engine({ asOf: v.as_of, profile: v.profile })
    const text = JSON.stringify(v.claim)
    assert.deepEqual(ruleIds(engine.check(v.claim)), v.expect, 'check(object)')
    assert.deepEqual(ruleIds(engine.check(text)), v.expect, 'check(string)')
    assert.deepEqual(ruleIds(engine.checkJson(text)[0]), v.expect, 'checkJson')
    assert.deepEqual(ruleIds(engine.checkMany([v.claim])[0]), v.expect, 'checkMany')
    assert.deepEqual(ruleIds(await engine.checkAsync(v.claim)), v.expect, 'checkAsync')
    assert.deepEqual(ruleIds((await engine.checkManyAsync([text]))[0]), v.expect, 'checkManyAsync')
  })
}

test('a batch of every vector gives the same reports as one-by-one checks', async () => {
  // One as_of for the batch: the vectors that depend on "today" all use the same date.
  const asOf = vectors[0].as_of
  const same = vectors.filter((v) => v.as_of === asOf && !v.profile)
  const engine = new Engine({ asOf })
  const one = same.map((v) => engine.check(v.claim))
  assert.deepEqual(engine.checkMany(same.map((v) => v.claim)), one)
  assert.deepEqual(await engine.checkManyAsync(same.map((v) => v.claim)), one)
  const lines = same.map((v) => JSON.stringify(v.claim)).join('\n')
  assert.deepEqual(engine.checkJson(lines), one, 'JSON lines')
  assert.deepEqual(engine.checkJson(JSON.stringify(same.map((v) => v.claim))), one, 'array')
  assert.deepEqual(await engine.checkJsonAsync(lines), one)
})

test('reports are plain objects shaped like the report JSON model', () => {
  const v = vectors.find((x) => x.expect.length > 0 && !x.profile)
  const r = new Engine({ asOf: v.as_of }).check(v.claim)
  assert.deepEqual(Object.keys(r), ['claim_id', 'ok', 'findings'])
  assert.equal(r.claim_id, v.claim.id)
  for (const f of r.findings) {
    assert.deepEqual(Object.keys(f), ['rule', 'severity', 'path', 'message', 'line'])
    assert.ok(['error', 'warning', 'info'].includes(f.severity))
    assert.ok(f.line === null || Number.isInteger(f.line))
  }
  assert.equal(r.ok, !r.findings.some((f) => f.severity === 'error'))
})

test('engine options: disable and severity overrides', () => {
  const v = vectors.find((x) => x.file === 'total-mismatch.json')
  assert.ok(v, 'total-mismatch.json vector')
  const base = new Engine({ asOf: v.as_of }).check(v.claim)
  assert.ok(ruleIds(base).includes('claim.total_mismatch'))
  const off = new Engine({ asOf: v.as_of, disable: ['claim.total_mismatch'] }).check(v.claim)
  assert.ok(!ruleIds(off).includes('claim.total_mismatch'))
  const warn = new Engine({ asOf: v.as_of, severity: { 'claim.total_mismatch': 'warning' } }).check(v.claim)
  const f = warn.findings.find((x) => x.rule === 'claim.total_mismatch')
  assert.equal(f.severity, 'warning')
  assert.ok(typeof binding.version() === 'string' && binding.version().length > 0)
})
