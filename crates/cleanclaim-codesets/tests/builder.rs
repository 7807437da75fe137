//! Loading newer releases through the builder (same parsers as the generator).
#![allow(clippy::inconsistent_digit_grouping)]
mod common;
use cleanclaim_codesets::{CodeSets, CodeSetsBuilder, DxStatus};

#[test]
fn mce_release_over_empty_and_over_embedded() {
    let Some(t43) = common::read("codesets/mce/icd10cm_dx_master.csv") else { return };
    let Some(t27) = common::read("codesets/mce-fy2027/icd10cm_dx_master.csv") else { return };
    // Empty + 43.1 knows nothing of FY2027 deletions: D69.1 stays open after 2026-09-30.
    let cs = CodeSetsBuilder::empty().icd10cm_mce_csv(&t43, "43.1", 2026_09_30).unwrap().build().unwrap();
    assert!(cs.icd10cm().is_valid("D691", 2026_10_01));
    assert_eq!(cs.icd10cm().valid_codes_on(2025_10_01).len(), 74_719);
    assert_eq!(cs.icd10cm().lookup("E1122", None).unwrap().description, None);
    // Loading the FY2027 release on top ends it on 2026-09-30 and adds the new codes.
    let cs = CodeSetsBuilder::empty()
        .icd10cm_mce_csv(&t43, "43.1", 2026_09_30)
        .unwrap()
        .icd10cm_mce_csv(&t27, "fy2027", 2027_03_31)
        .unwrap()
        .build()
        .unwrap();
    // D69.1 is now a header over D69.11/D69.19.
    assert_eq!(cs.icd10cm().status("D691", 2026_10_01), DxStatus::Header { billable_children: 2 });
    assert_eq!(cs.icd10cm().status("Z681", 2026_10_01), DxStatus::Header { billable_children: 2 });
    assert_eq!(cs.icd10cm().status("S23420A", 2026_10_01), DxStatus::Deleted { last_valid: 2026_09_30 });
    assert_eq!(cs.icd10cm().valid_codes_on(2026_10_01).len(), 74_879);
    assert_eq!(cs.info().icd10cm_covered.1, 2027_03_31);
    // Reloading the FY2027 release over the embedded tables changes no validity.
    let cs = CodeSets::builder().icd10cm_mce_csv(&t27, "fy2027", 2027_03_31).unwrap().build().unwrap();
    let e = CodeSets::embedded();
    for d in [2015_10_01, 2020_04_01, 2023_04_01, 2025_10_01, 2026_10_01] {
        assert_eq!(cs.icd10cm().valid_codes_on(d), e.icd10cm().valid_codes_on(d), "{d}");
    }
    assert_eq!(cs.icd10cm().lookup("E1122", None), e.icd10cm().lookup("E1122", None));
}

#[test]
fn pcs_release() {
    let Some(t27) = common::read("codesets/mce-fy2027/icd10pcs_sg_master.csv") else { return };
    let cs = CodeSets::builder().icd10pcs_mce_csv(&t27, "fy2027", 2027_03_31).unwrap().build().unwrap();
    let e = CodeSets::embedded();
    assert_eq!(cs.icd10pcs().valid_codes_on(2026_10_01), e.icd10pcs().valid_codes_on(2026_10_01));
    assert_eq!(cs.icd10pcs().description("0016070"), e.icd10pcs().description("0016070"));
}

#[test]
fn composed_seventh_character_titles_match_cdc() {
    // For 7th-character codes, titles are composed "<parent title>, <meaning>" from the FY2026
    // XML. Compare with the CDC FY2024 codes file where the code existed in both.
    let Some(t) = common::read("codesets/icd10cm/FY2024_icd10cm-codes-2024.txt") else { return };
    let cm = CodeSets::embedded().icd10cm();
    let (mut same, mut total) = (0, 0);
    let mut diffs = Vec::new();
    for l in t.lines() {
        let (code, desc) = l.split_once(' ').unwrap();
        if code.len() != 7 || !cm.is_valid(code, 2025_10_01) {
            continue;
        }
        let info = cm.lookup(code, None).unwrap();
        total += 1;
        if info.description.as_deref() == Some(desc.trim()) {
            same += 1;
        } else if diffs.len() < 5 {
            diffs.push((code.to_string(), desc.trim().to_string(), info.description));
        }
    }
    eprintln!("7-character titles equal to the CDC FY2024 file: {same} of {total}; e.g. {diffs:#?}");
    assert!(same as f64 / total as f64 > 0.998, "{same}/{total} {diffs:#?}");
}
