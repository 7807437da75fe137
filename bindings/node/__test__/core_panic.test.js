'use strict'
// Reliability (issue #10): a panic inside the core engine itself, in `check` and on a rayon
// worker inside `checkMany`, sync and async, becomes an Error with code CLEANCLAIM_INTERNAL and
// Node keeps running. The core panics on purpose only for an engine built while
// CLEANCLAIM_TEST_PANIC=1, and only for the claim id `__cleanclaim_test_panic__`
// (crates/cleanclaim/src/engine.rs). errors.test.js covers the binding's own test hook.
const test = require('node:test')
const assert = require('node:assert/strict')
const { binding, loadExamples } = require('./helpers')

const { Engine } = binding
const BOMB = '__cleanclaim_test_panic__'
const base = JSON.parse(loadExamples().find((e) => e.file === 'clean-office-visit.json').text)
const claim = (id) => ({ ...structuredClone(base), id })

function armedEngine() {
  process.env.CLEANCLAIM_TEST_PANIC = '1'
  try {
    return new Engine({ asOf: '2026-11-30' })
  } finally {
    // Read once at construction: engines built later are ordinary.
    delete process.env.CLEANCLAIM_TEST_PANIC
  }
}

function thrown(f) {
  try {
    f()
  } catch (e) {
    return e
  }
  assert.fail('expected an error')
}

test('a core panic in check / checkJson is CLEANCLAIM_INTERNAL, sync and async', async () => {
  const engine = armedEngine()
  for (const form of [claim(BOMB), JSON.stringify(claim(BOMB))]) {
    const e = thrown(() => engine.check(form))
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'CLEANCLAIM_INTERNAL')
    await assert.rejects(engine.checkAsync(form), { code: 'CLEANCLAIM_INTERNAL' })
  }
  assert.equal(thrown(() => engine.checkJson(JSON.stringify([claim('A'), claim(BOMB)]))).code, 'CLEANCLAIM_INTERNAL')
  assert.equal(engine.check(claim('OK')).ok, true)
})

test('a core panic on a rayon worker in checkMany is CLEANCLAIM_INTERNAL, sync and async', async () => {
  const engine = armedEngine()
  const batch = Array.from({ length: 2000 }, (_, i) => claim(`C${i}`))
  batch[1234] = claim(BOMB)
  assert.equal(thrown(() => engine.checkMany(batch)).code, 'CLEANCLAIM_INTERNAL')
  await assert.rejects(engine.checkManyAsync(batch), { code: 'CLEANCLAIM_INTERNAL' })
  batch[1234] = claim('C1234')
  const reports = engine.checkMany(batch)
  assert.equal(reports.length, 2000)
  assert.ok(reports.every((r) => r.ok))
  assert.equal((await engine.checkManyAsync(batch)).length, 2000)
})

test('engines built without the variable never panic', () => {
  assert.equal(process.env.CLEANCLAIM_TEST_PANIC, undefined)
  assert.equal(new Engine({ asOf: '2026-11-30' }).check(claim(BOMB)).claim_id, BOMB)
})
