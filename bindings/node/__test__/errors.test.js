'use strict'
// Unusable input throws (sync) or rejects (async) with a stable `code`; a failed check is a
// value; a Rust panic becomes CLEANCLAIM_INTERNAL and Node keeps running.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { binding, loadExamples, nativeAddon } = require('./helpers')

const { Engine } = binding
const CLEAN = JSON.parse(loadExamples().find((e) => e.file.startsWith('clean')).text)

function codeOf(fn) {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof Error, 'thrown value is an Error')
    return e
  }
  assert.fail('did not throw')
}

test('JSON syntax errors: CLEANCLAIM_JSON with line and column', async () => {
  const engine = new Engine()
  const e = codeOf(() => engine.check('{\n  "id": "A",\n  "kind": }'))
  assert.equal(e.code, 'CLEANCLAIM_JSON')
  assert.equal(e.line, 3)
  assert.ok(e.column > 0)
  await assert.rejects(engine.checkAsync('{'), { code: 'CLEANCLAIM_JSON' })
  assert.equal(codeOf(() => engine.checkJson('[{')).code, 'CLEANCLAIM_JSON')
  await assert.rejects(engine.checkJsonAsync('nope'), { code: 'CLEANCLAIM_JSON' })
})

test('claims that do not fit the model: CLEANCLAIM_JSON with the field path', async () => {
  const engine = new Engine()
  const bad = structuredClone(CLEAN)
  delete bad.lines[1].units
  const e = codeOf(() => engine.check(bad))
  assert.equal(e.code, 'CLEANCLAIM_JSON')
  assert.match(e.path, /^lines\[1\]/)
  assert.match(e.message, /units/)
  await assert.rejects(engine.checkAsync(bad), { code: 'CLEANCLAIM_JSON' })
  const typo = { ...CLEAN, totl_charge: 1 }
  assert.equal(codeOf(() => engine.check(typo)).code, 'CLEANCLAIM_JSON')
})

test('batches name the failing element', async () => {
  const engine = new Engine()
  const e = codeOf(() => engine.checkMany([CLEAN, CLEAN, '{"id": 1}']))
  assert.equal(e.code, 'CLEANCLAIM_JSON')
  assert.equal(e.index, 2)
  assert.match(e.message, /^claims\[2\]/)
  await assert.rejects(engine.checkManyAsync([CLEAN, 42]), { code: 'CLEANCLAIM_JSON', index: 1 })
})

test('arguments that are not claims: CLEANCLAIM_INVALID, and async variants reject instead of throwing', async () => {
  const engine = new Engine()
  for (const v of [undefined, () => 1, Symbol('s')]) {
    assert.equal(codeOf(() => engine.check(v)).code, 'CLEANCLAIM_INVALID')
  }
  assert.equal(codeOf(() => engine.check({ id: 1n })).code, 'CLEANCLAIM_INVALID')
  const cyclic = structuredClone(CLEAN)
  cyclic.self = cyclic
  assert.equal(codeOf(() => engine.check(cyclic)).code, 'CLEANCLAIM_INVALID')
  assert.equal(codeOf(() => engine.checkMany('not an array')).code, 'CLEANCLAIM_INVALID')
  // Must not throw synchronously.
  const p = engine.checkAsync(undefined)
  await assert.rejects(p, { code: 'CLEANCLAIM_INVALID' })
  await assert.rejects(engine.checkManyAsync({}), { code: 'CLEANCLAIM_INVALID' })
  await assert.rejects(engine.checkManyAsync([CLEAN, 1n]), { code: 'CLEANCLAIM_INVALID', index: 1 })
})

test('bad engine options: CLEANCLAIM_CONFIG', () => {
  const cases = [
    { disable: ['no.such_rule'] },
    { enable: ['no.such_rule'] },
    { severity: { 'no.such_rule': 'error' } },
    { severity: { 'claim.total_mismatch': 'fatal' } },
    { asOf: '2026-02-30' },
    { asOf: 20261130 },
    { disable: 'claim.total_mismatch' },
  ]
  for (const o of cases) {
    const e = codeOf(() => new Engine(o))
    assert.equal(e.code, 'CLEANCLAIM_CONFIG', JSON.stringify(o))
  }
  // Absent options are the defaults.
  new Engine()
  new Engine(null)
  new Engine({})
})

test('profiles: built in by name, or a file; unreadable ones throw with a code', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cleanclaim-node-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  new Engine({ profile: 'medicare-professional' })
  const good = path.join(dir, 'good.toml')
  fs.writeFileSync(good, 'name = "mine"\n[rules]\ndisable = ["claim.total_mismatch"]\n')
  const defective = loadExamples().find((e) => e.file === 'defective-npi-and-total.json').text
  const rules = new Engine({ profile: good }).check(defective).findings.map((f) => f.rule)
  assert.ok(!rules.includes('claim.total_mismatch'), 'the profile file disabled the rule')
  const bad = path.join(dir, 'bad.toml')
  fs.writeFileSync(bad, 'name = "bad"\n[rules]\nenable = ["no.such_rule"]\n')
  assert.equal(codeOf(() => new Engine({ profile: bad })).code, 'CLEANCLAIM_CONFIG')
  // Not a built-in name, so the core reads it as a path.
  assert.equal(codeOf(() => new Engine({ profile: path.join(dir, 'missing.toml') })).code, 'CLEANCLAIM_IO')
})

test('a failed check is a report, never an error', async () => {
  const engine = new Engine({ asOf: '2026-11-30' })
  const defective = JSON.parse(loadExamples().find((e) => e.file.startsWith('defective')).text)
  const r = engine.check(defective)
  assert.equal(r.ok, false)
  assert.ok(r.findings.length > 0)
  assert.equal((await engine.checkAsync(defective)).ok, false)
})

test('a Rust panic becomes CLEANCLAIM_INTERNAL, sync and async, and Node keeps running', async () => {
  const addon = nativeAddon()
  for (let i = 0; i < 3; i++) {
    const e = codeOf(() => addon.__panicForTests())
    assert.equal(e.code, 'CLEANCLAIM_INTERNAL')
    assert.doesNotMatch(e.message, /deliberate/, 'the panic payload may quote input: not shown')
    await assert.rejects(addon.__panicForTestsAsync(), { code: 'CLEANCLAIM_INTERNAL' })
  }
  // Still fully working after the panics.
  assert.equal(new Engine().check(CLEAN).claim_id, CLEAN.id)
})
