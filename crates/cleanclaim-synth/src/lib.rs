//! Deterministic synthetic claims for benchmarks, load tests and side-by-side comparisons.
//!
//! Code mixes come from the embedded code sets on the service date, so every generated code is
//! real and valid unless a defect was injected on purpose. The same [`Config`] (seed included)
//! always yields the same claims, on any machine.
//!
//! ```
//! use cleanclaim_synth::{Config, Generator};
//!
//! let mut g = Generator::new(Config { defect_rate: 0.0, ..Config::default() });
//! let claims = g.claims(10);
//! let engine = cleanclaim::Engine::builder().as_of(cleanclaim_synth::AS_OF).build().unwrap();
//! assert!(claims.iter().all(|c| engine.check(c).ok));
//! ```

use std::io::Write;

use cleanclaim::codes::npi_check_digit;
use cleanclaim::codesets::{CodeSets, DxFlags, DxStatus, PcsFlags};
use cleanclaim::model::{Address, IcdProcedure, Payer, PersonName};
use cleanclaim::{Claim, ClaimKind, Date, Diagnosis, Money, Person, Provider, ServiceLine, Sex};
use cleanclaim_x12::{EnvelopeOptions, X12Error, write_837};

/// A fixed "today" after every generated service date, for reproducible engine runs.
pub const AS_OF: Date = match Date::new(2026, 11, 30) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seed of the generator; equal seeds give equal claims.
    pub seed: u64,
    /// Share of claims (0.0–1.0) that carry one injected defect.
    pub defect_rate: f64,
    /// Share of claims (0.0–1.0) that are institutional; the rest are professional.
    pub institutional_share: f64,
    /// Share of institutional claims (0.0–1.0) that are inpatient (type of bill 111).
    pub inpatient_share: f64,
    /// Diagnoses per claim (the principal included).
    pub diagnoses: usize,
    /// Service lines per claim.
    pub lines: usize,
    /// Draw diagnoses and procedures uniformly from every valid code, ignoring the patient's age
    /// and sex: a stress mix for edit agreement tests (many MCE edits fire), not a realistic one.
    pub uniform_codes: bool,
    /// First service date; claims spread over the following 180 days.
    pub start: Date,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            seed: 0x5EED_C1A1,
            defect_rate: 0.05,
            institutional_share: 0.0,
            inpatient_share: 0.5,
            diagnoses: 4,
            lines: 3,
            uniform_codes: false,
            start: Date::new(2026, 1, 5).expect("valid date"),
        }
    }
}

/// A defect injected on purpose, with the rule id that must report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// A diagnosis code that does not exist.
    InvalidDx,
    /// A header (category) code with billable codes under it.
    HeaderDx,
    /// A billing NPI with a wrong check digit.
    BadNpi,
    /// The total charge differs from the sum of the lines.
    TotalMismatch,
    /// A line points at a diagnosis the claim does not have (professional).
    PointerInvalid,
    /// A line with zero units.
    ZeroUnits,
    /// A newborn diagnosis on an adult.
    AgeConflict,
    /// A manifestation code listed first.
    ManifestationFirst,
}

impl Defect {
    const ALL: [Defect; 8] = [
        Defect::InvalidDx,
        Defect::HeaderDx,
        Defect::BadNpi,
        Defect::TotalMismatch,
        Defect::PointerInvalid,
        Defect::ZeroUnits,
        Defect::AgeConflict,
        Defect::ManifestationFirst,
    ];

    /// The rule id that reports this defect.
    pub fn rule(self) -> &'static str {
        match self {
            Defect::InvalidDx => "dx.invalid",
            Defect::HeaderDx => "dx.not_billable",
            Defect::BadNpi => "claim.npi_check_digit",
            Defect::TotalMismatch => "claim.total_mismatch",
            Defect::PointerInvalid => "line.pointer_invalid",
            Defect::ZeroUnits => "line.units_invalid",
            Defect::AgeConflict => "dx.age_conflict",
            Defect::ManifestationFirst => "dx.manifestation_first",
        }
    }
}

/// One generated claim and the defect injected into it, if any.
#[derive(Debug, Clone)]
pub struct Synth {
    /// The claim.
    pub claim: Claim,
    /// The injected defect.
    pub defect: Option<Defect>,
}

/// xorshift64*: tiny, fast and good enough to pick codes; not for anything secret.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 of the seed so that 0 and small seeds still start well mixed.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn pick_str(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }
}

/// Diagnoses seen on most claims (hypertension, diabetes, lipids, back pain, screening...).
const COMMON_DX: &[&str] = &[
    "I10", "E119", "E785", "E1165", "Z794", "E6601", "M545", "J069", "K219", "F419", "F329", "E039", "N390", "R079",
    "R51", "J449", "I2510", "N183", "Z6841", "G4733", "M1990", "R42", "J45909", "Z0000", "Z23", "E559", "D649",
    "R5383", "I4891", "E782", "K5900", "M25561", "R0602", "L03115", "J189", "I509", "Z87891", "F17210", "E1122",
];
/// CPT codes by number only (never descriptions: AMA-licensed).
const PROF_CPT: &[&str] = &[
    "99213", "99214", "99203", "99204", "99212", "99215", "36415", "85025", "80053", "83036", "80061", "84443",
    "93000", "71046", "81001", "90471", "90686", "97110", "97140", "20610", "11721", "87880", "99395", "96372",
];
/// HCPCS Level II codes kept when the embedded release lists them as valid.
const PROF_HCPCS: &[&str] = &["G0439", "G0438", "J1885", "J3301", "J1100", "G0008", "Q0091", "A4253", "J0696"];
const MODIFIERS: &[&str] = &["25", "59", "LT", "RT", "76", "91"];
const REVENUE: &[(&str, Option<&str>)] = &[
    ("0120", None),
    ("0250", None),
    ("0300", Some("85025")),
    ("0301", Some("80053")),
    ("0320", Some("71046")),
    ("0450", Some("99284")),
    ("0636", Some("J1885")),
    ("0730", Some("93005")),
];
const LAST: &[&str] = &["Quill", "Marsh", "Okoro", "Lindqvist", "Tanaka", "Baptiste", "Novak", "Reyes", "Hale"];
const FIRST: &[&str] = &["Ada", "Ben", "Cleo", "Dev", "Ema", "Finn", "Gus", "Hana", "Ivo", "Jun"];
/// Shape-valid codes that are not in ICD-10-CM (checked when the pools are built).
const INVALID_DX: &[&str] = &["E11999", "I10X9", "Z0099", "A009Z", "J9999"];
const HEADER_DX: &[&str] = &["E11", "I50", "J44", "M54", "S52"];

/// Code pools drawn from the embedded code sets on one date.
#[derive(Debug)]
struct Pools {
    /// Valid codes with no age, sex, manifestation, principal or admission flags and outside
    /// V00-Y99 (draws also skip codes with code-first notes, and codes an Excludes1 note keeps
    /// from one already on the claim): safe anywhere.
    plain: Vec<&'static str>,
    /// Plain codes the embedded table lists as valid among [`COMMON_DX`].
    common: Vec<&'static str>,
    /// Every valid code (uniform mix).
    all: Vec<&'static str>,
    newborn: Vec<&'static str>,
    manifestation: Vec<&'static str>,
    /// PCS codes with no coverage, sex or length-of-stay flags.
    pcs_plain: Vec<String>,
    pcs_all: Vec<String>,
    hcpcs: Vec<&'static str>,
    invalid: Vec<&'static str>,
}

impl Pools {
    fn build(date: u32) -> Pools {
        let cs = CodeSets::embedded();
        let cm = cs.icd10cm();
        let all = cm.valid_codes_on(date);
        let bad = DxFlags(
            DxFlags::FEMALE.0
                | DxFlags::MALE.0
                | DxFlags::NEWBORN.0
                | DxFlags::PEDIATRIC.0
                | DxFlags::MATERNITY.0
                | DxFlags::ADULT.0
                | DxFlags::MANIFESTATION.0
                | DxFlags::ECODEPDX.0
                | DxFlags::UNACCEPTABLE.0
                | DxFlags::REQSDX.0
                | DxFlags::QADM.0
                | DxFlags::WRNGPROC.0,
        );
        let mut plain = Vec::new();
        let mut newborn = Vec::new();
        let mut manifestation = Vec::new();
        for &c in &all {
            let Some(f) = cm.flags(c, date) else { continue };
            if f.newborn() && !f.manifestation() {
                newborn.push(c);
            }
            if f.manifestation() {
                manifestation.push(c);
            }
            let external = matches!(c.as_bytes()[0], b'V' | b'W' | b'X' | b'Y');
            // Notes are checked per draw (see `dx_code`): decoding them for every code here
            // would make each generator cost seconds in a debug build.
            if f.0 & bad.0 == 0 && !external {
                plain.push(c);
            }
        }
        let common = COMMON_DX
            .iter()
            .filter_map(|c| plain.iter().find(|p| *p == c).copied())
            .filter(|c| !has_code_first(cm, c))
            .collect();
        let pcs = cs.icd10pcs();
        let pcs_all = pcs.valid_codes_on(date);
        let pcs_bad = PcsFlags::parse("female male noncovered lcov los").map_or(0, |f| f.0);
        let pcs_plain = pcs_all
            .iter()
            .filter(|c| pcs.flags(c, date).is_some_and(|f| f.0 & pcs_bad == 0 && !has_ncov(f)))
            .cloned()
            .collect();
        let hcpcs = PROF_HCPCS.iter().copied().filter(|c| cs.hcpcs().is_valid(c, date)).collect();
        let invalid = INVALID_DX.iter().copied().filter(|c| matches!(cm.status(c, date), DxStatus::Unknown)).collect();
        Pools { plain, common, all, newborn, manifestation, pcs_plain, pcs_all, hcpcs, invalid }
    }
}

/// Any non-coverage flag (`ncov*`, `kidneyxp`, `lcov_*`) makes a PCS code conditional.
fn has_ncov(f: PcsFlags) -> bool {
    f.names().iter().any(|n| n.starts_with("ncov") || n.starts_with("lcov") || n.ends_with("xp") || *n == "clintrial")
}

/// A code with a "code first" note needs the code it names listed before it, which a draw does
/// not arrange: clean claims leave such codes out.
fn has_code_first(cm: &cleanclaim::codesets::Icd10Cm, code: &str) -> bool {
    !cm.notes(code).code_first.is_empty()
}

/// Whether an Excludes1 note of either code names the other. Codes with Excludes1 notes are
/// drawn, as real claims carry them (most common codes, and 63% of the valid codes, have one at
/// some level), so that checks pay for scanning the notes; only such a pair is avoided.
fn excluded_together(cm: &cleanclaim::codesets::Icd10Cm, a: &str, b: &str) -> bool {
    cm.excludes1_conflict(a, b).is_some() || cm.excludes1_conflict(b, a).is_some()
}

/// A deterministic claim generator.
#[derive(Debug)]
pub struct Generator {
    cfg: Config,
    rng: Rng,
    pools: Pools,
    serial: u64,
    start_days: i64,
}

impl Generator {
    /// A generator; builds its code pools from the embedded code sets (a few milliseconds).
    pub fn new(cfg: Config) -> Generator {
        let pools = Pools::build(cfg.start.ymd());
        Generator { rng: Rng::new(cfg.seed), start_days: cfg.start.days_since_epoch(), cfg, pools, serial: 0 }
    }

    /// `n` claims.
    pub fn claims(&mut self, n: usize) -> Vec<Claim> {
        (0..n).map(|_| self.next_synth().claim).collect()
    }

    /// The next claim with its injected defect.
    pub fn next_synth(&mut self) -> Synth {
        self.serial += 1;
        let institutional = self.rng.chance(self.cfg.institutional_share);
        let mut claim = if institutional { self.institutional() } else { self.professional() };
        let defect = if self.rng.chance(self.cfg.defect_rate) {
            let d = *self.rng.pick(&Defect::ALL);
            let d = if d == Defect::PointerInvalid && institutional { Defect::TotalMismatch } else { d };
            self.inject(&mut claim, d);
            Some(d)
        } else {
            None
        };
        Synth { claim, defect }
    }

    fn npi(&mut self) -> String {
        let mut d = [0u8; 9];
        d[0] = if self.rng.chance(0.5) { b'1' } else { b'2' };
        for x in &mut d[1..] {
            *x = b'0' + self.rng.below(10) as u8;
        }
        let check = npi_check_digit(&d);
        let mut s = String::from_utf8(d.to_vec()).expect("ascii digits");
        s.push((b'0' + check) as char);
        s
    }

    fn address(&mut self) -> Address {
        Address {
            lines: vec![format!("{} Elm Street", 1 + self.rng.below(900))],
            city: Some("Springfield".into()),
            state: Some("IL".into()),
            postal_code: Some(format!("627{:02}", self.rng.below(100))),
        }
    }

    fn person(&mut self, age: u32, sex: Sex, on: Date) -> Person {
        let born =
            Date::from_days_since_epoch(on.days_since_epoch() - i64::from(age) * 366 - self.rng.below(300) as i64)
                .expect("date in range");
        Person {
            name: Some(PersonName {
                last: Some(self.rng.pick(LAST).to_string()),
                first: Some(self.rng.pick(FIRST).to_string()),
                middle: None,
            }),
            member_id: Some(format!("SYN{:010}", self.rng.next() % 10_000_000_000)),
            group_number: None,
            birth_date: Some(born),
            sex: Some(sex),
            address: Some(self.address()),
            relationship: Some("18".into()),
        }
    }

    fn date(&mut self) -> Date {
        Date::from_days_since_epoch(self.start_days + self.rng.below(180) as i64).expect("date in range")
    }

    fn dx_code(&mut self, first: bool) -> &'static str {
        if self.cfg.uniform_codes {
            return self.rng.pick_str(&self.pools.all);
        }
        if !self.pools.common.is_empty() && (self.rng.chance(0.6) || first && self.rng.chance(0.5)) {
            return self.rng.pick_str(&self.pools.common);
        }
        let cm = CodeSets::embedded().icd10cm();
        for _ in 0..16 {
            let c = self.rng.pick_str(&self.pools.plain);
            if !has_code_first(cm, c) {
                return c;
            }
        }
        let fallback = if self.pools.common.is_empty() { &self.pools.plain } else { &self.pools.common };
        self.rng.pick_str(fallback)
    }

    fn diagnoses(&mut self, poa: bool) -> Vec<Diagnosis> {
        let mut out: Vec<Diagnosis> = Vec::with_capacity(self.cfg.diagnoses);
        // The stress mix varies the count too, so that edits about a lone principal fire.
        let want =
            if self.cfg.uniform_codes { 1 + self.rng.below(self.cfg.diagnoses.max(1)) } else { self.cfg.diagnoses };
        let cm = CodeSets::embedded().icd10cm();
        let mut tries = 0;
        while out.len() < want.max(1) && tries < 64 {
            tries += 1;
            let code = self.dx_code(out.is_empty());
            // The stress mix keeps its draws: it promises no clean claims.
            if out.iter().any(|d| d.code == code || !self.cfg.uniform_codes && excluded_together(cm, &d.code, code)) {
                continue;
            }
            out.push(Diagnosis { code: code.to_owned(), qualifier: None, poa: poa.then(|| "Y".to_owned()) });
        }
        if self.cfg.uniform_codes && out.len() > 1 && self.rng.chance(0.03) {
            let last = out.len() - 1;
            out[last].code = out[0].code.clone();
        }
        out
    }

    fn patient(&mut self) -> (u32, Sex) {
        // Ages 18-90 keep adult-only codes legal; the plain pool has none anyway.
        (18 + self.rng.below(73) as u32, if self.rng.chance(0.5) { Sex::Female } else { Sex::Male })
    }

    fn professional(&mut self) -> Claim {
        let dos = self.date();
        let (age, sex) = self.patient();
        let subscriber = self.person(age, sex, dos);
        let diagnoses = self.diagnoses(false);
        let n_dx = diagnoses.len();
        let mut lines = Vec::with_capacity(self.cfg.lines);
        for i in 0..self.cfg.lines {
            let code = if !self.pools.hcpcs.is_empty() && self.rng.chance(0.1) {
                *self.rng.pick(&self.pools.hcpcs)
            } else {
                // Each line its own code so that no two lines are duplicates.
                PROF_CPT[(self.serial as usize * 7 + i * 5) % PROF_CPT.len()]
            };
            // 25 (separate E/M service) belongs on an E/M code only.
            let modifiers = if code.starts_with("992") && self.rng.chance(0.3) {
                vec!["25".to_owned()]
            } else if self.rng.chance(0.05) {
                vec![self.rng.pick(MODIFIERS).to_string()]
            } else {
                Vec::new()
            };
            let n_ptr = 1 + self.rng.below(n_dx.min(4));
            lines.push(ServiceLine {
                procedure: Some(code.to_owned()),
                modifiers,
                revenue_code: None,
                units: 1.0 + self.rng.below(2) as f64,
                unit_basis: None,
                charge: Money::from_cents(1_000 + self.rng.below(40_000) as i64),
                pointers: (1..=n_ptr as i32).collect(),
                date: Some(dos),
                date_to: None,
                place_of_service: None,
                rendering_provider: None,
                control_number: Some(format!("L{}-{}", self.serial, i + 1)),
            });
        }
        let total_charge = lines.iter().map(|l| l.charge).sum();
        Claim {
            id: format!("SYN-P-{:09}", self.serial),
            kind: ClaimKind::Professional,
            frequency: "1".into(),
            payer_claim_control_number: None,
            billing_provider: self.organization("Synthetic Family Medicine"),
            rendering_provider: Some(Box::new(Provider {
                npi: Some(self.npi()),
                name: Some("Rivera, Ana".into()),
                ..Provider::default()
            })),
            referring_provider: None,
            attending_provider: None,
            subscriber,
            patient: None,
            payer: Payer { id: Some("00431".into()), name: Some("Prairie Health Plan".into()) },
            place_of_service: Some("11".into()),
            type_of_bill: None,
            statement_from: Some(dos),
            statement_to: Some(dos),
            admission_date: None,
            discharge_date: None,
            discharge_status: None,
            diagnoses,
            admitting_diagnosis: None,
            procedures: Vec::new(),
            lines,
            total_charge,
            prior_payer_paid: None,
        }
    }

    fn organization(&mut self, name: &str) -> Provider {
        Provider {
            npi: Some(self.npi()),
            name: Some(name.into()),
            tax_id: Some(format!("37{:07}", self.rng.below(10_000_000))),
            taxonomy: None,
            address: Some(self.address()),
        }
    }

    fn institutional(&mut self) -> Claim {
        let inpatient = self.rng.chance(self.cfg.inpatient_share);
        let from = self.date();
        let stay = if inpatient { 1 + self.rng.below(8) as i64 } else { 0 };
        let to = Date::from_days_since_epoch(from.days_since_epoch() + stay).expect("date in range");
        let (age, sex) = self.patient();
        let subscriber = self.person(age, sex, from);
        let diagnoses = self.diagnoses(inpatient);
        let mut lines = Vec::with_capacity(self.cfg.lines);
        for i in 0..self.cfg.lines {
            let (rev, proc_code) = if inpatient && i == 0 { REVENUE[0] } else { *self.rng.pick(&REVENUE[1..]) };
            let proc_code = proc_code.filter(|p| !p.starts_with('J') || self.pools.hcpcs.contains(p));
            lines.push(ServiceLine {
                procedure: proc_code.map(str::to_owned),
                modifiers: Vec::new(),
                revenue_code: Some(rev.to_owned()),
                units: if rev == "0120" { stay.max(1) as f64 } else { 1.0 + self.rng.below(3) as f64 },
                unit_basis: None,
                charge: Money::from_cents(5_000 + self.rng.below(500_000) as i64),
                pointers: Vec::new(),
                date: Some(from),
                date_to: (stay > 0).then_some(to),
                place_of_service: None,
                rendering_provider: None,
                control_number: None,
            });
        }
        let total_charge = lines.iter().map(|l| l.charge).sum();
        let procedures = if inpatient && self.rng.chance(0.6) {
            let n = 1 + self.rng.below(2);
            let pool = if self.cfg.uniform_codes { &self.pools.pcs_all } else { &self.pools.pcs_plain };
            (0..n)
                .map(|_| IcdProcedure { code: self.rng.pick(pool).clone(), date: Some(from), qualifier: None })
                .collect()
        } else {
            Vec::new()
        };
        Claim {
            id: format!("SYN-I-{:09}", self.serial),
            kind: ClaimKind::Institutional,
            frequency: "1".into(),
            payer_claim_control_number: None,
            billing_provider: self.organization("Synthetic Community Hospital"),
            rendering_provider: None,
            referring_provider: None,
            attending_provider: Some(Box::new(Provider {
                npi: Some(self.npi()),
                name: Some("Okafor, Chidi".into()),
                ..Provider::default()
            })),
            subscriber,
            patient: None,
            payer: Payer { id: Some("06001".into()), name: Some("Medicare Part A".into()) },
            place_of_service: None,
            type_of_bill: Some(if inpatient { "111" } else { "131" }.into()),
            statement_from: Some(from),
            statement_to: Some(to),
            admission_date: inpatient.then_some(from),
            discharge_date: inpatient.then_some(to),
            discharge_status: Some("01".into()),
            diagnoses,
            admitting_diagnosis: None,
            procedures,
            lines,
            total_charge,
            prior_payer_paid: None,
        }
    }

    fn inject(&mut self, c: &mut Claim, d: Defect) {
        let last = c.diagnoses.len().saturating_sub(1);
        match d {
            Defect::InvalidDx => c.diagnoses[last].code = self.rng.pick(&self.pools.invalid).to_string(),
            Defect::HeaderDx => c.diagnoses[last].code = self.rng.pick(HEADER_DX).to_string(),
            Defect::BadNpi => {
                if let Some(npi) = c.billing_provider.npi.as_mut() {
                    let last = npi.pop().expect("10 digits");
                    npi.push(if last == '9' { '0' } else { (last as u8 + 1) as char });
                }
            }
            Defect::TotalMismatch => c.total_charge = Money::from_cents(c.total_charge.cents() + 100),
            Defect::PointerInvalid => c.lines[0].pointers = vec![9],
            Defect::ZeroUnits => c.lines[0].units = 0.0,
            Defect::AgeConflict => {
                if !self.pools.newborn.is_empty() {
                    c.diagnoses[last].code = self.rng.pick(&self.pools.newborn).to_string();
                }
            }
            Defect::ManifestationFirst => {
                if !self.pools.manifestation.is_empty() {
                    c.diagnoses[0].code = self.rng.pick(&self.pools.manifestation).to_string();
                }
            }
        }
    }
}

/// JSON lines: one compact claim object per line.
pub fn to_jsonl(claims: &[Claim]) -> String {
    let mut out = String::with_capacity(claims.len() * 1200);
    for c in claims {
        out.push_str(&serde_json::to_string(c).expect("claims serialize"));
        out.push('\n');
    }
    out
}

/// Writes an 837 byte stream of at least `min_bytes` (and at least one claim) of claims of
/// `kind`, as consecutive interchanges of `batch` claims each, so memory stays flat whatever
/// the size. Returns the number of claims and bytes written.
pub fn write_x12_stream<W: Write>(
    cfg: &Config,
    kind: ClaimKind,
    min_bytes: u64,
    batch: usize,
    out: &mut W,
) -> Result<(u64, u64), X12Error> {
    let institutional_share = if kind == ClaimKind::Institutional { 1.0 } else { 0.0 };
    let mut g = Generator::new(Config { institutional_share, ..cfg.clone() });
    let mut opts = EnvelopeOptions::default();
    let (mut claims, mut bytes) = (0u64, 0u64);
    let mut buf = Vec::new();
    let mut n = 0u32;
    while bytes < min_bytes || claims == 0 {
        n += 1;
        opts.interchange_control = n;
        opts.group_control = n;
        opts.transaction_control = n;
        let batch_claims = g.claims(batch.max(1));
        buf.clear();
        write_837(&batch_claims, kind, &mut buf, &opts)?;
        out.write_all(&buf).map_err(|e| X12Error::new(cleanclaim_x12::ErrorKind::Io, None, e.to_string()))?;
        claims += batch_claims.len() as u64;
        bytes += buf.len() as u64;
    }
    Ok((claims, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic_and_spread() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let mut hist = [0usize; 10];
        for _ in 0..10_000 {
            let x = a.below(10);
            assert_eq!(x, b.below(10));
            hist[x] += 1;
        }
        assert!(hist.iter().all(|&h| (800..1200).contains(&h)), "{hist:?}");
    }

    #[test]
    fn npis_pass_the_check_digit() {
        let mut g = Generator::new(Config::default());
        for _ in 0..100 {
            let n = g.npi();
            assert!(cleanclaim::codes::Npi::parse(&n).is_ok(), "{n}");
        }
    }
}
