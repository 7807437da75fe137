'use strict'
// Patient data never leaves through findings or errors: a unique string planted in every
// patient field must not appear in any report or error, whatever the entry point.
const test = require('node:test')
const assert = require('node:assert/strict')
const { binding, loadExamples } = require('./helpers')

const { Engine } = binding
const CANARY = 'Zq7Canary' + process.pid + 'X'
// A birth date after the service dates, so the rule that looks at it fires; it must not print it.
const BIRTH = '2026-03-17'
const BIRTH_FORMS = [BIRTH, '20260317', '03/17/2026']

function plantPerson(p, tag) {
  p.name = { last: `${CANARY}${tag}L`, first: `${CANARY}${tag}F`, middle: `${CANARY}${tag}M` }
  p.member_id = `${CANARY}${tag}ID`
  p.group_number = `${CANARY}${tag}G`
  p.birth_date = BIRTH
  p.address = {
    lines: [`${CANARY}${tag}A1`, `${CANARY}${tag}A2`],
    city: `${CANARY}${tag}C`,
    state: `${CANARY}${tag}S`,
    postal_code: `${CANARY}${tag}Z`,
  }
}

/** A claim with a canary in every patient field, and defects so that rules report findings. */
function plantedClaim() {
  const c = JSON.parse(loadExamples().find((e) => e.file === 'clean-office-visit.json').text)
  plantPerson(c.subscriber, 'sub')
  c.patient = structuredClone(c.subscriber)
  plantPerson(c.patient, 'pat')
  c.patient.relationship = '19'
  c.total_charge = 1 // total mismatch
  c.lines[0].pointers = [9] // dangling pointer
  c.lines[1].units = 0 // units invalid
  c.billing_provider.npi = '1234567890' // bad check digit
  return c
}

function assertClean(value, what) {
  const s = JSON.stringify(value) + (value instanceof Error ? ` ${value.message} ${value.stack}` : '')
  assert.ok(!s.includes(CANARY), `${what} leaks the canary: ${s}`)
  for (const b of BIRTH_FORMS) assert.ok(!s.includes(b), `${what} leaks the birth date: ${s}`)
}

test('findings never carry patient data', async () => {
  const engine = new Engine({ asOf: '2026-11-30' })
  const c = plantedClaim()
  const r = engine.check(c)
  assert.ok(r.findings.length >= 4, `expected findings, got ${JSON.stringify(r.findings.map((f) => f.rule))}`)
  assert.ok(r.findings.some((f) => f.path === 'patient.birth_date'), 'the birth-date rule fired')
  assertClean(r, 'check')
  assertClean(await engine.checkAsync(c), 'checkAsync')
  assertClean(engine.checkMany([c, JSON.stringify(c)]), 'checkMany')
  assertClean(await engine.checkManyAsync([c]), 'checkManyAsync')
  assertClean(engine.checkJson(JSON.stringify([c, c])), 'checkJson')
})

/** Ways to make a planted claim unreadable, each putting the canary in the offending value. */
function brokenClaims() {
  const out = []
  const mutate = (name, f) => {
    const c = plantedClaim()
    f(c)
    out.push([name, c])
  }
  mutate('birth date not a date', (c) => (c.patient.birth_date = CANARY))
  mutate('birth date in another form', (c) => (c.subscriber.birth_date = '03/17/2026'))
  mutate('birth date as a number', (c) => (c.patient.birth_date = 20260317))
  mutate('member id as a number', (c) => (c.subscriber.member_id = 20260317))
  mutate('name as a string', (c) => (c.patient.name = CANARY))
  mutate('sex not a code', (c) => (c.patient.sex = CANARY))
  mutate('address lines not a list', (c) => (c.subscriber.address.lines = CANARY))
  // Object keys are structure, not data: a misspelt key is named in the error on purpose, so
  // the canary goes into the value of an unknown key only.
  mutate('unknown field in the name', (c) => (c.patient.name.nick = CANARY))
  mutate('unknown field on the person', (c) => (c.subscriber.nickname = CANARY))
  return out
}

test('errors never carry patient data', async () => {
  const engine = new Engine({ asOf: '2026-11-30' })
  for (const [name, c] of brokenClaims()) {
    const text = JSON.stringify(c)
    const attempts = [
      () => engine.check(c),
      () => engine.check(text),
      () => engine.checkMany([c]),
      () => engine.checkJson(text),
      () => engine.checkJson(`${text}\n${text}`),
    ]
    for (const [i, f] of attempts.entries()) {
      let err
      try {
        f()
      } catch (e) {
        err = e
      }
      assert.ok(err, `${name}: attempt ${i} did not throw`)
      assert.match(err.code, /^CLEANCLAIM_/)
      assertClean(err, `${name} (attempt ${i})`)
    }
    // allSettled attaches every handler at once: awaiting the promises one by one would leave
    // a later one rejecting unhandled while an earlier one is awaited.
    const settled = await Promise.allSettled([
      engine.checkAsync(c),
      engine.checkManyAsync([text]),
      engine.checkJsonAsync(text),
    ])
    for (const s of settled) {
      assert.equal(s.status, 'rejected', `${name}: async did not reject`)
      assertClean(s.reason, `${name} (async)`)
    }
  }
})
