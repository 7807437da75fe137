// The claim JSON model, hand-written to match crates/cleanclaim/src/model.rs (the source of
// truth) and docs/claim.schema.json; __test__/types.test.js checks the field names against the
// schema. Field names are the JSON names (snake_case): a claim object is passed to the engine
// exactly as JSON.stringify writes it.

/** `YYYY-MM-DD` (or the X12 form `YYYYMMDD`). */
export type DateString = string

/** An amount in dollars: a number (`125.5`) or a decimal string with at most two fraction digits (`"125.50"`). */
export type Amount = number | string

/** CMS-1500 / 837P or UB-04 / 837I. */
export type ClaimKind = 'professional' | 'institutional'

/** Patient sex as claims code it. */
export type Sex = 'M' | 'F' | 'U'

/** A person's name. Patient data. */
export interface PersonName {
  last?: string | null
  first?: string | null
  middle?: string | null
}

/** A postal address. */
export interface Address {
  /** Street lines. */
  lines?: string[]
  city?: string | null
  /** State or province code. */
  state?: string | null
  postal_code?: string | null
}

/** A subscriber or patient. Every field is patient data. */
export interface Person {
  name?: PersonName | null
  /** Member (subscriber) id at the payer. */
  member_id?: string | null
  /** Group or policy number. */
  group_number?: string | null
  birth_date?: DateString | null
  sex?: Sex | null
  address?: Address | null
  /** X12 individual relationship code to the subscriber (`18` self). */
  relationship?: string | null
}

/** A provider or organization (billing, rendering, referring, attending). */
export interface Provider {
  /** National Provider Identifier (10 digits, Luhn check digit). */
  npi?: string | null
  /** Organization name, or "Last, First" for a person. */
  name?: string | null
  /** EIN or SSN used as tax id (billing provider). */
  tax_id?: string | null
  /** Health-care provider taxonomy code. */
  taxonomy?: string | null
  /** Address (required for the billing provider). */
  address?: Address | null
}

/** The payer billed. */
export interface Payer {
  /** Payer id (X12 2010BB NM109). */
  id?: string | null
  name?: string | null
}

/** A diagnosis; the first listed is the principal / first-listed one. */
export interface Diagnosis {
  /** ICD-10-CM code, with or without the dot (ICD-9-CM when `qualifier` says so). */
  code: string
  /** X12 HI qualifier: `ABK`/`ABF`/`ABJ`/`APR`/`ABN` (ICD-10), `BK`/`BF`/... (ICD-9). Absent means ICD-10-CM. */
  qualifier?: string | null
  /** Present-on-admission indicator (inpatient): Y, N, U, W or 1. */
  poa?: string | null
}

/** An ICD-10-PCS procedure on an inpatient claim. */
export interface IcdProcedure {
  /** ICD-10-PCS code (7 characters). */
  code: string
  date?: DateString | null
  /** X12 qualifier (`BBR` principal, `BBQ` other; ICD-9: `BR`, `BQ`). */
  qualifier?: string | null
}

/** One service line (837P SV1 / 837I SV2). */
export interface ServiceLine {
  /** CPT or HCPCS code; may be absent on institutional lines with only a revenue code. */
  procedure?: string | null
  /** Up to four modifiers. */
  modifiers?: string[]
  /** Revenue code (institutional). */
  revenue_code?: string | null
  /** Units of service (minutes when `unit_basis` is `MJ`). */
  units: number
  /** `UN` units (default) or `MJ` minutes. */
  unit_basis?: string | null
  charge: Amount
  /** 1-based pointers into the claim's diagnoses (1-4 per professional line). */
  pointers?: number[]
  /** Date of service (from). */
  date?: DateString | null
  /** Last date of service when the line spans several days. */
  date_to?: DateString | null
  place_of_service?: string | null
  rendering_provider?: Provider | null
  /** Line item control number (REF*6R). */
  control_number?: string | null
}

/** A claim: professional (837P / CMS-1500) or institutional (837I / UB-04). */
export interface Claim {
  /** Patient control number (CLM01), echoed by the payer. */
  id: string
  kind: ClaimKind
  /** Claim frequency code (CLM05-3): 1 original (default), 7 replacement, 8 void. */
  frequency?: string
  /** Payer claim control number of the claim replaced or voided (REF*F8). */
  payer_claim_control_number?: string | null
  billing_provider: Provider
  rendering_provider?: Provider | null
  referring_provider?: Provider | null
  attending_provider?: Provider | null
  subscriber: Person
  /** The patient when not the subscriber. */
  patient?: Person | null
  payer: Payer
  /** Place of service (professional CLM05-1). */
  place_of_service?: string | null
  /** Type of bill (institutional), e.g. `111` inpatient, `131` outpatient. */
  type_of_bill?: string | null
  statement_from?: DateString | null
  statement_to?: DateString | null
  admission_date?: DateString | null
  discharge_date?: DateString | null
  /** Patient discharge status (NUBC, 2 digits). */
  discharge_status?: string | null
  /** In order; the first is principal / first-listed. */
  diagnoses?: Diagnosis[]
  admitting_diagnosis?: Diagnosis | null
  /** ICD-10-PCS procedures (inpatient). */
  procedures?: IcdProcedure[]
  lines: ServiceLine[]
  /** Total charge (CLM02). */
  total_charge: Amount
  /** Paid by prior payers (2320 AMT*D), for secondary claims. */
  prior_payer_paid?: Amount | null
}

/** The code system a look-up answered from. */
export type CodeSystem = 'icd10cm' | 'icd10pcs' | 'hcpcs' | 'modifier' | 'cpt'

/** A period during which a code is valid, with the MCE flags in force. */
export interface ValidPeriod {
  from: DateString
  /** Last valid day; null while open-ended. */
  to: DateString | null
  flags: string[]
}

/** A chapter or section of the ICD-10-CM tabular list. */
export interface Heading {
  /** Chapter number or section id (`E08-E13`). */
  id: string
  title: string
}

/** Instructional notes that apply to a code (its own and inherited). */
export interface NotesText {
  inclusion_terms: string[]
  excludes1: string[]
  excludes2: string[]
  code_first: string[]
  use_additional: string[]
  code_also: string[]
}

/** Everything cleanclaim knows about a code: `engine.lookup(code, date?)`. */
export interface CodeLookup {
  system: CodeSystem
  /** Normalized code (no dot). */
  code: string
  /** Display form (`E11.22`). */
  display: string
  description: string | null
  /** Why there is no description, when there is none. */
  description_note: string | null
  /** Valid (billable) on the date asked, or on any date when none was asked. */
  valid: boolean
  /** A header with more specific codes under it (ICD-10-CM). */
  header: boolean
  chapter: Heading | null
  section: Heading | null
  parent: string | null
  children: string[]
  /** MCE flags in force on the date (or latest). */
  flags: string[]
  valid_periods: ValidPeriod[]
  /** Allowed 7th characters as [character, meaning]. */
  seventh_characters: Array<[string, string]>
  notes: NotesText
  /** Why the code is not billable as written, with the fix. */
  incomplete: string | null
  /** Release the answer comes from, when it matters (HCPCS: `2020 (stale)`). */
  release: string | null
}

/** One `engine.search(words, limit?)` hit. */
export interface SearchResult {
  /** Normalized code. */
  code: string
  /** Display form. */
  display: string
  description: string
  billable: boolean
  /** Relevance (higher is better). */
  score: number
}

/**
 * Thrown by the constructor and the sync methods, and the rejection of the async ones, when
 * input or options are unusable. A claim that fails checks is a `Report`, never an error.
 */
export interface CleanclaimError extends Error {
  /** Stable code: `CLEANCLAIM_` + the core's `Error::code()` in upper case. */
  code:
    | 'CLEANCLAIM_JSON'
    | 'CLEANCLAIM_INVALID'
    | 'CLEANCLAIM_IO'
    | 'CLEANCLAIM_CODESET'
    | 'CLEANCLAIM_CONFIG'
    | 'CLEANCLAIM_LIMIT'
    | 'CLEANCLAIM_X12'
    | 'CLEANCLAIM_INTERNAL'
    | (string & {})
  /** 1-based line of a JSON problem. */
  line?: number
  /** 1-based column of a JSON problem. */
  column?: number
  /** Field path of the problem, e.g. `lines[1].units`, when known. */
  path?: string
  /** Position in the array given to `checkMany`/`checkManyAsync`. */
  index?: number
}
