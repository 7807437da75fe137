//! Validity by date against the corpus lists.
#![allow(clippy::inconsistent_digit_grouping)] // dates are written YYYY_MM_DD
mod common;
use cleanclaim_codesets::CodeSets;
use std::collections::BTreeSet;

fn set_on(date: u32) -> BTreeSet<String> {
    CodeSets::embedded().icd10cm().valid_codes_on(date).into_iter().map(String::from).collect()
}

fn diff(a: &BTreeSet<String>, b: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    (a.difference(b).take(20).cloned().collect(), b.difference(a).take(20).cloned().collect())
}

#[test]
fn cm_2023_10_01_equals_fy2024_codes_file() {
    let Some(t) = common::read("codesets/icd10cm/FY2024_icd10cm-codes-2024.txt") else { return };
    let want: BTreeSet<String> = t.lines().filter_map(|l| l.split_whitespace().next()).map(String::from).collect();
    let got = set_on(2023_10_01);
    assert_eq!(want.len(), 74_044);
    assert_eq!(got, want, "diff {:?}", diff(&got, &want));
}

#[test]
fn cm_2024_10_01_equals_fy2025_list_leaves() {
    let Some(t) = common::read("codesets/icd10cm/FY2025-April_code-list-April-2025.txt") else { return };
    let want: BTreeSet<String> = common::code_list_leaves(&t).into_iter().collect();
    assert_eq!(want.len(), 74_260);
    let got = set_on(2024_10_01);
    assert_eq!(got, want, "diff {:?}", diff(&got, &want));
}

#[test]
fn cm_2025_10_01_equals_fy2026_list_leaves() {
    let Some(t) = common::read("codesets/icd10cm/FY2026-April_code-list-April-2026.txt") else { return };
    let want: BTreeSet<String> = common::code_list_leaves(&t).into_iter().collect();
    assert_eq!(want.len(), 74_719);
    let got = set_on(2025_10_01);
    assert_eq!(got, want, "diff {:?}", diff(&got, &want));
}

fn open_rows(text: &str) -> BTreeSet<String> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c.len() >= 3 && c[2].is_empty()).then(|| c[0].to_string())
        })
        .collect()
}

#[test]
fn fy2027_equals_open_mce_rows() {
    let Some(t) = common::read("codesets/mce-fy2027/icd10cm_dx_master.csv") else { return };
    let want = open_rows(&t);
    assert_eq!(want.len(), 74_879);
    let got = set_on(2026_10_01);
    assert_eq!(got, want, "diff {:?}", diff(&got, &want));
    // Last covered day, and the coverage end is reported.
    assert_eq!(set_on(2027_03_31).len(), 74_879);
    assert_eq!(CodeSets::embedded().info().icd10cm_covered.1, 2027_03_31);

    let Some(t) = common::read("codesets/mce-fy2027/icd10pcs_sg_master.csv") else { return };
    let want = open_rows(&t);
    assert_eq!(want.len(), 79_256);
    let got: BTreeSet<String> = CodeSets::embedded().icd10pcs().valid_codes_on(2026_10_01).into_iter().collect();
    assert_eq!(got, want, "diff {:?}", diff(&got, &want));
}

#[test]
fn pcs_2023_10_01_equals_fy2024_codes_file() {
    let Some(t) = common::read("codesets/icd10pcs/FY2024_icd10pcs-codes-2024.txt") else { return };
    let want: BTreeSet<String> = t.lines().filter_map(|l| l.split_whitespace().next()).map(String::from).collect();
    assert_eq!(want.len(), 78_603);
    let got: BTreeSet<String> = CodeSets::embedded().icd10pcs().valid_codes_on(2023_10_01).into_iter().collect();
    assert_eq!(got, want, "diff {:?}", diff(&got, &want));
}

/// Counts on every date of `validity_counts.csv` (FY2027 set).
#[test]
fn validity_counts_match_mce() {
    let Some(t) = common::read("codesets/mce-fy2027/validity_counts.csv") else { return };
    let mut lines = t.lines();
    let h: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (di, ci, pi) = (
        h.iter().position(|c| *c == "as_of_date").unwrap(),
        h.iter().position(|c| c.contains("cm") && c.contains("valid")).unwrap(),
        h.iter().position(|c| c.contains("pcs") && c.contains("valid")).unwrap(),
    );
    let cs = CodeSets::embedded();
    for l in lines {
        let c: Vec<&str> = l.split(',').collect();
        let d: u32 = c[di].replace('-', "").parse().unwrap();
        assert_eq!(cs.icd10cm().valid_codes_on(d).len(), c[ci].parse::<usize>().unwrap(), "CM on {d}");
        assert_eq!(cs.icd10pcs().valid_codes_on(d).len(), c[pi].parse::<usize>().unwrap(), "PCS on {d}");
    }
}

#[test]
fn jan_2021_order_file_through_builder() {
    let name = "codesets/icd10cm/FY2021-Jan_icd10cm-order-Jan-2021.txt";
    let Some(t) = common::read(name) else { return };
    let rows = cleanclaim_codesets::import::order::parse(&t, name).unwrap();
    let want: BTreeSet<String> = rows.iter().filter(|r| r.billable).map(|r| r.code.clone()).collect();
    assert_eq!(want.len(), 72_621);
    // The embedded MCE data agrees with the order file on 2021-01-01.
    assert_eq!(set_on(2021_01_01), want);
    // Loading it as a release effective 2021-01-01 keeps the set and the MCE flags.
    let cs = CodeSets::builder().icd10cm_order_file(&t, name, 2021_01_01).unwrap().build().unwrap();
    let got: BTreeSet<String> = cs.icd10cm().valid_codes_on(2021_01_01).into_iter().map(String::from).collect();
    assert_eq!(got, want);
    assert!(cs.icd10cm().flags("O0000", 2021_01_01).unwrap().maternity());
    assert!(cs.info().loaded.iter().any(|f| f.contains("order-Jan-2021")));
}
