//! No false positives at scale: every ICD-10-CM code valid on a date raises no code-set edit
//! on that date, and every ICD-10-PCS code valid on a discharge date raises no `px.invalid`.

use cleanclaim::codesets::CodeSets;
use cleanclaim::{Claim, Date, Diagnosis, Engine};

const CODE_SET_RULES: &[&str] = &["dx.invalid", "dx.not_billable", "dx.seventh_character", "icd.version_mismatch"];

fn engine() -> Engine {
    // Only the code-set edits: the rest (age, sex, sequencing) legitimately fire on some codes.
    let mut b = Engine::builder().as_of(Date::new(2026, 11, 30).unwrap());
    for r in cleanclaim::rules::catalogue() {
        let id = r.meta().id;
        if !CODE_SET_RULES.contains(&id) && id != "px.invalid" && r.meta().default_enabled {
            b = b.disable(id);
        }
    }
    b.build().unwrap()
}

fn on(claim: &mut Claim, date: Date) {
    claim.statement_from = Some(date);
    claim.statement_to = Some(date);
    claim.discharge_date = claim.discharge_date.map(|_| date);
    claim.admission_date = claim.admission_date.map(|_| date);
    for l in &mut claim.lines {
        l.date = Some(date);
        l.date_to = None;
    }
}

#[test]
fn every_valid_diagnosis_passes_the_code_set_edits_on_its_date() {
    let engine = engine();
    let cm = CodeSets::embedded().icd10cm();
    let mut base = cleanclaim::parse_claim(include_str!("../../../examples/claims/clean-office-visit.json")).unwrap();
    for (y, m, d) in [(2025, 10, 1), (2023, 10, 1), (2026, 10, 1)] {
        let date = Date::new(y, m, d).unwrap();
        on(&mut base, date);
        let codes = cm.valid_codes_on(date.ymd());
        assert!(codes.len() > 70_000, "{} codes on {date}", codes.len());
        // Twelve codes per claim keeps the claim count (and the run time) down.
        let claims: Vec<Claim> = codes
            .chunks(12)
            .map(|chunk| {
                let mut c = base.clone();
                c.diagnoses = chunk.iter().map(|code| Diagnosis::new(code)).collect();
                c
            })
            .collect();
        let mut bad = Vec::new();
        for r in engine.check_many(&claims) {
            bad.extend(r.findings.into_iter().filter(|f| CODE_SET_RULES.contains(&f.rule.as_str())).map(|f| f.message));
        }
        assert!(bad.is_empty(), "{} false positives on {date}, e.g. {:?}", bad.len(), &bad[..bad.len().min(5)]);
    }
}

#[test]
fn every_valid_pcs_code_passes_px_invalid() {
    let engine = engine();
    let pcs = CodeSets::embedded().icd10pcs();
    let mut base = cleanclaim::parse_claim(include_str!("../../../examples/claims/clean-inpatient.json")).unwrap();
    let date = Date::new(2025, 10, 1).unwrap();
    on(&mut base, date);
    let codes = pcs.valid_codes_on(date.ymd());
    assert!(codes.len() > 70_000);
    let claims: Vec<Claim> = codes
        .chunks(25)
        .map(|chunk| {
            let mut c = base.clone();
            c.procedures = chunk
                .iter()
                .map(|code| cleanclaim::model::IcdProcedure { code: code.clone(), date: None, qualifier: None })
                .collect();
            c
        })
        .collect();
    let bad: usize =
        engine.check_many(&claims).iter().map(|r| r.findings.iter().filter(|f| f.rule == "px.invalid").count()).sum();
    assert_eq!(bad, 0);
}
