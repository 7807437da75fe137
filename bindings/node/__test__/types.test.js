'use strict'
// The hand-written claim types (types.d.ts) name the same fields, required the same way, as
// docs/claim.schema.json, which the core's tests hold to model.rs. The engine and report
// interfaces are generated from the Rust code, so they cannot drift.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { ROOT } = require('./helpers')

const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'claim.schema.json'), 'utf8'))
const TYPES = fs.readFileSync(path.join(__dirname, '..', 'types.d.ts'), 'utf8')

const INTERFACE_FOR_DEF = {
  name: 'PersonName',
  address: 'Address',
  person: 'Person',
  provider: 'Provider',
  payer: 'Payer',
  diagnosis: 'Diagnosis',
  icd_procedure: 'IcdProcedure',
  line: 'ServiceLine',
}

/** {field: required} of one `export interface` in types.d.ts. */
function interfaceFields(name) {
  const m = TYPES.match(new RegExp(`export interface ${name} \\{\\n([\\s\\S]*?)\\n\\}`))
  assert.ok(m, `interface ${name} in types.d.ts`)
  const fields = {}
  for (const line of m[1].split('\n')) {
    const f = line.match(/^ {2}(\w+)(\?)?:/)
    if (f) fields[f[1]] = !f[2]
  }
  return fields
}

function schemaFields(def) {
  const required = new Set(def.required || [])
  return Object.fromEntries(Object.keys(def.properties).map((k) => [k, required.has(k)]))
}

test('Claim matches the schema root', () => {
  assert.deepEqual(sortKeys(interfaceFields('Claim')), sortKeys(schemaFields(SCHEMA)))
})

for (const [def, iface] of Object.entries(INTERFACE_FOR_DEF)) {
  test(`${iface} matches $defs.${def}`, () => {
    assert.deepEqual(sortKeys(interfaceFields(iface)), sortKeys(schemaFields(SCHEMA.$defs[def])))
  })
}

test('every object in the schema has a TypeScript interface', () => {
  const objects = Object.entries(SCHEMA.$defs)
    .filter(([, d]) => d.type === 'object')
    .map(([k]) => k)
  assert.deepEqual(objects.sort(), Object.keys(INTERFACE_FOR_DEF).sort())
})

test('Sex lists the schema enum', () => {
  const m = TYPES.match(/export type Sex = (.*)/)
  assert.deepEqual(m[1].match(/'(\w)'/g).map((s) => s.slice(1, -1)), SCHEMA.$defs.sex.enum)
})

function sortKeys(o) {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)))
}
