// Type-checked use of the `cleanclaim` package (`tsc --noEmit -p bindings/node/tsconfig.json`).
// It is compiled, not run: it proves the committed index.d.ts and types.d.ts describe the API.
import { Engine, version } from '../../bindings/node'
import type {
  Claim,
  CleanclaimError,
  CodeLookup,
  CodeSystem,
  EngineOptions,
  Finding,
  Report,
  SearchResult,
  Severity,
} from '../../bindings/node'

const options: EngineOptions = {
  asOf: '2026-11-30',
  disable: ['claim.total_mismatch'],
  severity: { 'line.units_invalid': 'warning' },
}

const claim: Claim = {
  id: 'PCN-2026-0001',
  kind: 'professional',
  billing_provider: { npi: '1284567892', name: 'Springfield Family Medicine', tax_id: '371234567' },
  subscriber: { member_id: 'XJH123456789', birth_date: '1961-04-12', sex: 'F', relationship: '18' },
  payer: { id: '00431', name: 'Prairie Health Plan' },
  place_of_service: '11',
  diagnoses: [{ code: 'E11.65' }, { code: 'I10' }],
  lines: [
    { procedure: '99214', modifiers: ['25'], units: 1, charge: 185.0, pointers: [1, 2], date: '2026-03-02' },
    { procedure: '83036', units: 1, charge: '45.00', pointers: [1], date: '2026-03-02' },
  ],
  total_charge: 230.0,
}

function errors(report: Report): Finding[] {
  const worst: Severity = 'error'
  return report.findings.filter((f) => f.severity === worst)
}

function describe(f: Finding): string {
  const where: string = f.line === null ? f.path : `line ${f.line}: ${f.path}`
  return `${f.rule} ${where}: ${f.message}`
}

async function main(): Promise<void> {
  const engine = new Engine(options)
  const report: Report = engine.check(claim)
  const id: string | null = report.claim_id
  const ok: boolean = report.ok
  errors(report).map(describe)

  const fromText: Report = engine.check(JSON.stringify(claim))
  const many: Report[] = engine.checkMany([claim, JSON.stringify(claim)])
  const lines: Report[] = engine.checkJson(`${JSON.stringify(claim)}\n${JSON.stringify(claim)}`)
  const one: Report = await engine.checkAsync(claim)
  const batch: Report[] = await engine.checkManyAsync([claim])
  const json: Report[] = await engine.checkJsonAsync(JSON.stringify([claim]))

  try {
    engine.check('{')
  } catch (e) {
    const err = e as CleanclaimError
    if (err.code === 'CLEANCLAIM_JSON') {
      const where: string = `${err.line ?? '?'}:${err.column ?? '?'} ${err.path ?? ''}`
      void where
    }
  }
  void [id, ok, fromText, many, lines, one, batch, json, version()]
}

void main

// Wrong shapes must not compile.
// @ts-expect-error a claim needs its lines
const noLines: Claim = { id: 'x', kind: 'professional', billing_provider: {}, subscriber: {}, payer: {}, total_charge: 0 }
// @ts-expect-error kind is a closed set
const badKind: Claim = { ...claim, kind: 'dental' }
// @ts-expect-error severities are error, warning or info
const badSeverity: EngineOptions = { severity: { 'claim.total_mismatch': 'fatal' } }
void [noLines, badKind, badSeverity]

// Code look-up and search.
function codes(engine: Engine): void {
  const l: CodeLookup | null = engine.lookup('E11.22', '2026-03-02')
  if (l !== null) {
    const s: CodeSystem = l.system
    const excludes: string[] = l.notes.excludes1
    const seventh: Array<[string, string]> = l.seventh_characters
    void [s, excludes, seventh, l.valid_periods[0]?.to]
  }
  const hits: SearchResult[] = engine.search('type 2 diabetes', 5)
  const valid: boolean[] = engine.icd10cmValidity(['E11.22', 'I10'], '2026-03-02')
  void [hits, valid]
}
void codes
