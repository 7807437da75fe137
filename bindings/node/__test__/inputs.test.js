'use strict'
// The core's other inputs: X12 837 files, NCCI tables from a folder, code-set release files.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { ROOT, binding, ruleIds } = require('./helpers')

const { Engine } = binding
const AS_OF = '2026-11-30'
const X12_FIXTURE = path.join(ROOT, 'tests', 'x12', 'defective-pointer-and-units.837')
const NCCI_TABLES = path.join(ROOT, 'crates', 'cleanclaim', 'tests', 'fixtures', 'ncci', 'tables')
const EXAMPLES = path.join(ROOT, 'examples', 'claims')
const CORPUS = process.env.CLEANCLAIM_CORPUS || path.join(ROOT, '..', 'shared', 'corpus')

function example(name) {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES, name), 'utf8'))
}

test('checkX12 gives the JSON claim’s rule ids (Buffer, Uint8Array, async)', async () => {
  const engine = new Engine({ asOf: AS_OF })
  const expected = ruleIds(engine.check(example('defective-pointer-and-units.json')))
  assert.deepEqual(expected, ['line.pointer_invalid', 'line.units_invalid'])
  const buf = fs.readFileSync(X12_FIXTURE)
  const u8 = new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length))
  for (const reports of [engine.checkX12(buf), engine.checkX12(u8), await engine.checkX12Async(buf)]) {
    assert.deepEqual(
      reports.map((r) => r.claim_id),
      ['PCN-2026-0003'],
    )
    assert.deepEqual(ruleIds(reports[0]), expected)
    assert.equal(reports[0].ok, false)
    // Engine findings point back into the file.
    assert.ok(reports[0].findings.every((f) => f.message.includes('[X12 ')))
  }
})

test('checkX12: a 4010 file is CLEANCLAIM_X12 naming the version', async () => {
  const engine = new Engine({ asOf: AS_OF })
  const data = Buffer.from(fs.readFileSync(X12_FIXTURE, 'latin1').replaceAll('005010X222A1', '004010X098A1'), 'latin1')
  assert.throws(() => engine.checkX12(data), (e) => e.code === 'CLEANCLAIM_X12' && e.message.includes('004010X098A1'))
  await assert.rejects(engine.checkX12Async(data), (e) => e.code === 'CLEANCLAIM_X12' && e.message.includes('004010X098A1'))
})

test('checkX12: garbage is CLEANCLAIM_X12 or CLEANCLAIM_LIMIT; a non-buffer is CLEANCLAIM_INVALID', async () => {
  const engine = new Engine({ asOf: AS_OF })
  const garbage = Buffer.from('\u0000\u00ff this is not an interchange \u0001'.repeat(10), 'latin1')
  const isInputError = (e) => e.code === 'CLEANCLAIM_X12' || e.code === 'CLEANCLAIM_LIMIT'
  assert.throws(() => engine.checkX12(garbage), isInputError)
  await assert.rejects(engine.checkX12Async(garbage), isInputError)
  assert.throws(() => engine.checkX12('ISA*00*'), { code: 'CLEANCLAIM_INVALID' })
  await assert.rejects(engine.checkX12Async(42), { code: 'CLEANCLAIM_INVALID' })
})

test('checkFile tells a file’s format by content and reads it as it checks', async () => {
  const engine = new Engine({ asOf: AS_OF })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cleanclaim-file-'))
  try {
    const expected = ruleIds(engine.check(example('defective-pointer-and-units.json')))
    // An 837 named .txt and claim JSON named .837: the content decides.
    const x12 = path.join(dir, 'a.txt')
    fs.copyFileSync(X12_FIXTURE, x12)
    const json = path.join(dir, 'b.837')
    fs.copyFileSync(path.join(EXAMPLES, 'defective-pointer-and-units.json'), json)
    for (const file of [x12, json]) {
      assert.deepEqual((await engine.checkFile(file)).map(ruleIds), [expected])
    }
    const lines = path.join(dir, 'day')
    const claims = ['clean-office-visit.json', 'defective-dates.json'].map((n) => JSON.stringify(example(n)))
    fs.writeFileSync(lines, claims.join('\n'))
    assert.deepEqual((await engine.checkFile(lines)).map((r) => r.ok), [true, false])
    const remit = path.join(dir, 'day.835')
    fs.writeFileSync(
      remit,
      'ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~' +
        'GS*HP*S*R*20260101*1200*1*X*005010X221A1~ST*835*0001~',
    )
    await assert.rejects(engine.checkFile(remit), (e) => e.code === 'CLEANCLAIM_X12' && e.message.includes('an 835 remittance'))
    await assert.rejects(engine.checkFile(path.join(dir, 'nope')), { code: 'CLEANCLAIM_IO' })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

function ptpClaim() {
  const claim = example('clean-office-visit.json')
  // Arthrocentesis (20610) with ultrasound guidance (76942) on one date: a PTP pair.
  claim.lines[1].procedure = '20610'
  claim.lines[2].procedure = '76942'
  return claim
}

test('ncciDir: tables from a folder give ncci.ptp', () => {
  assert.ok(!ruleIds(new Engine({ asOf: AS_OF }).check(ptpClaim())).includes('ncci.ptp'))
  const report = new Engine({ asOf: AS_OF, ncciDir: NCCI_TABLES }).check(ptpClaim())
  const ptp = report.findings.filter((f) => f.rule === 'ncci.ptp')
  assert.deepEqual(
    ptp.map((f) => f.path),
    ['lines[2].procedure'],
  )
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cleanclaim-ncci-'))
  try {
    assert.throws(() => new Engine({ ncciDir: empty }), { code: 'CLEANCLAIM_CONFIG' })
  } finally {
    fs.rmSync(empty, { recursive: true, force: true })
  }
})

test('releases: a code-set release file loads', (t) => {
  const order = path.join(CORPUS, 'codesets', 'icd10cm', 'FY2021-Jan_icd10cm-order-Jan-2021.txt')
  if (!fs.existsSync(order)) {
    if (process.env.CI) assert.fail(`corpus missing at ${order}`)
    t.skip(`no corpus at ${order}`)
    return
  }
  const engine = new Engine({ asOf: AS_OF, releases: [`icd10cm-order:${order}@2021-01-01`] })
  const found = engine.lookup('A00.0', '2021-01-15')
  assert.ok(found && found.valid)
})

test('releases: bad specs are CLEANCLAIM_CONFIG, a missing file CLEANCLAIM_IO', () => {
  assert.throws(() => new Engine({ releases: ['icd10cm-nope:/x.txt@2021-01-01'] }), { code: 'CLEANCLAIM_CONFIG' })
  assert.throws(() => new Engine({ releases: ['icd10cm-order:/x.txt'] }), { code: 'CLEANCLAIM_CONFIG' })
  assert.throws(() => new Engine({ releases: ['icd10cm-order:/definitely/not/here.txt@2021-01-01'] }), {
    code: 'CLEANCLAIM_IO',
  })
})
