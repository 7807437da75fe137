'use strict'
// Code look-up, search and batch validity answer as the core does, in the core's JSON shapes.
const test = require('node:test')
const assert = require('node:assert/strict')
const { binding } = require('./helpers')

const engine = new binding.Engine()

test('lookup: a billable ICD-10-CM code on a date', () => {
  const l = engine.lookup('e11.22', '2026-03-02')
  assert.equal(l.system, 'icd10cm')
  assert.equal(l.code, 'E1122')
  assert.equal(l.display, 'E11.22')
  assert.equal(l.valid, true)
  assert.equal(l.header, false)
  assert.equal(typeof l.description, 'string')
  assert.equal(l.parent, 'E112')
  assert.ok(Array.isArray(l.valid_periods) && l.valid_periods.length > 0)
  assert.ok(l.valid_periods.every((p) => /^\d{4}-\d{2}-\d{2}$/.test(p.from) && (p.to === null || typeof p.to === 'string')))
  assert.ok(Array.isArray(l.notes.excludes1))
  // Every field of the JSON answer is present (null, not missing, when empty).
  for (const k of ['description_note', 'chapter', 'section', 'incomplete', 'release']) assert.ok(k in l, k)
})

test('lookup: a header is not valid, and says why', () => {
  const l = engine.lookup('E11', '2026-03-02')
  assert.equal(l.header, true)
  assert.equal(l.valid, false)
  assert.ok(l.children.length > 0)
})

test('lookup: unknown codes are null; bad dates throw CLEANCLAIM_INVALID', () => {
  assert.equal(engine.lookup('ZZZ999'), null)
  assert.throws(() => engine.lookup('E11.22', '2026-02-30'), { code: 'CLEANCLAIM_INVALID' })
})

test('search: ranked hits, limit respected', () => {
  const hits = engine.search('type 2 diabetes kidney', 3)
  assert.equal(hits.length, 3)
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1].score >= hits[i].score)
  assert.ok(hits.some((h) => h.code === 'E1122'))
  assert.ok(engine.search('diabetes').length <= 10, 'default limit')
})

test('icd10cmValidity: one answer per code, in order', () => {
  assert.deepEqual(engine.icd10cmValidity(['E11.22', 'E11', 'I10', 'nonsense'], '2026-03-02'), [true, false, true, false])
  assert.throws(() => engine.icd10cmValidity(['I10'], 'yesterday'), { code: 'CLEANCLAIM_INVALID' })
})

test('icd10cmValidity: long arrays, long and non-ASCII strings answer as one code at a time', () => {
  const on = '2026-03-02'
  // Past one handle scope's 4096 elements; strings past the 64-byte stack buffer (trimmed to
  // a code, or not a code at all), non-ASCII text and lone surrogates.
  const odd = [' '.repeat(70) + 'E11.22', 'E11.22' + ' '.repeat(70), 'é'.repeat(40), 'E11.2\u00e9', '\ud800E11', '', 'x'.repeat(1000)]
  const codes = Array.from({ length: 10000 }, (_, i) => (i % 3 === 0 ? odd[i % odd.length] : ['E11.22', 'E11', 'i10'][i % 3]))
  const got = engine.icd10cmValidity(codes, on)
  assert.equal(got.length, codes.length)
  assert.deepEqual(got, codes.map((c) => engine.icd10cmValid(c, on)))
  assert.deepEqual(engine.icd10cmValidity(odd, on), [true, true, false, false, false, false, false])
  assert.deepEqual(engine.icd10cmValidity([], on), [])
})

test('icd10cmValidity: an element that is not a string is named by its index', () => {
  for (const bad of [['E11.22', 42], ['E11.22', null], ['E11.22', { code: 'E11.22' }], [, 'E11.22']]) {
    const i = bad.findIndex((c, j) => j in bad ? typeof c !== 'string' : true)
    assert.throws(() => engine.icd10cmValidity(bad, '2026-03-02'), (e) => {
      assert.equal(e.code, 'CLEANCLAIM_INVALID')
      assert.equal(e.index, i)
      assert.match(e.message, new RegExp(`codes\\[${i}\\]`))
      return true
    })
  }
  assert.throws(() => engine.icd10cmValidity('E11.22', '2026-03-02'), { code: 'CLEANCLAIM_INVALID' })
})

test('icd10cmValid: one code, and what is not a code or a date', () => {
  assert.equal(engine.icd10cmValid('E11.22', '2026-03-02'), true)
  assert.equal(engine.icd10cmValid('e1122', '2026-03-02'), true)
  assert.equal(engine.icd10cmValid('E11', '2026-03-02'), false)
  assert.equal(engine.icd10cmValid('nonsense', '2026-03-02'), false)
  assert.throws(() => engine.icd10cmValid('E11.22', 'yesterday'), { code: 'CLEANCLAIM_INVALID' })
  assert.throws(() => engine.icd10cmValid(42, '2026-03-02'), { code: 'CLEANCLAIM_INVALID' })
  assert.throws(() => engine.icd10cmValid('E11.22', 20260302), { code: 'CLEANCLAIM_INVALID' })
})
