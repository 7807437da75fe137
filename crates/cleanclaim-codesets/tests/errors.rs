//! Malformed and truncated release files give `CodeSetError { file, line, .. }`, never a panic.
#![allow(clippy::inconsistent_digit_grouping)]
mod common;
use cleanclaim_codesets::{CodeSetError, CodeSets, import};

fn first_lines(t: &str, n: usize) -> String {
    t.lines().take(n).map(|l| format!("{l}\n")).collect()
}

#[test]
fn mce_csv_truncated_and_malformed() {
    let Some(t) = common::read("codesets/mce/icd10cm_dx_master.csv") else { return };
    let mut cut = first_lines(&t, 100);
    cut.push_str("A0101,2015-1");
    let e = CodeSets::builder().icd10cm_mce_csv(&cut, "icd10cm_dx_master.csv", 2026_09_30).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("icd10cm_dx_master.csv", 101), "{e}");
    assert!(e.to_string().starts_with("icd10cm_dx_master.csv:101:"), "{e}");
    // A complete-looking last line without its newline is a truncation too.
    let cut = first_lines(&t, 50);
    let e = import::mce::parse_master(cut.trim_end(), "m.csv", cleanclaim_codesets::DxFlags::parse).unwrap_err();
    assert_eq!(e.line, 50);
    let bad = "code,effective_date,termination_date,flags\nA000,2015-10-01,,bogusflag\n";
    let e = import::mce::parse_master(bad, "m.csv", cleanclaim_codesets::DxFlags::parse).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("bogusflag"));
    let e = import::mce::parse_master("nope\n", "m.csv", cleanclaim_codesets::DxFlags::parse).unwrap_err();
    assert_eq!(e.line, 1);
    let e = import::mce::parse_master("", "m.csv", cleanclaim_codesets::DxFlags::parse).unwrap_err();
    assert_eq!(e, CodeSetError::new("m.csv", 0, "empty file"));
}

#[test]
fn order_file_truncated() {
    let name = "codesets/icd10cm/FY2021-Jan_icd10cm-order-Jan-2021.txt";
    let Some(t) = common::read(name) else { return };
    let mut cut = first_lines(&t, 200);
    let l201 = t.lines().nth(200).unwrap();
    cut.push_str(&l201[..40]);
    let e = CodeSets::builder().icd10cm_order_file(&cut, "order.txt", 2021_01_01).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("order.txt", 201), "{e}");
    let mut bad = first_lines(&t, 10);
    bad.push_str(&t.lines().nth(10).unwrap().replacen(" 1 ", " 7 ", 1));
    bad.push('\n');
    let e = import::order::parse(&bad, "order.txt").unwrap_err();
    assert_eq!(e.line, 11, "{e}");
    // Never panics at any cut point.
    for n in (0..20_000).step_by(37) {
        let _ = import::order::parse(&t[..n.min(t.len())], "order.txt");
    }
}

#[test]
fn tabular_xml_truncated() {
    let name = "codesets/icd10cm/FY2026-April_icd10cm-tabular-April-1-2026.xml";
    let Some(t) = common::read(name) else { return };
    let cut = &t[..300_000];
    let e = CodeSets::builder().icd10cm_tabular_xml(cut, "tab.xml", 2026_04_01).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("tab.xml", cut.lines().count()), "{e}");
    let e = import::tabular::parse("<ICD10CM.tabular><chapter><name>x</name></chapter></ICD10CM.tabular>", "t.xml")
        .unwrap_err();
    assert_eq!(e.line, 1);
    let e = import::tabular::parse("<a>\n<b>\n</a>", "t.xml").unwrap_err();
    assert_eq!(e.line, 3, "{e}");
}

#[test]
fn hcpcs_truncated() {
    let name = "codesets/hcpcs/HCPC2020_ANWEB_w_disclaimer.txt";
    let Some(c) = common::corpus() else { return };
    let b = std::fs::read(c.join(name)).unwrap();
    let rows = import::hcpcs::parse(&b, name).unwrap();
    let codes = rows.iter().filter(|r| r.kind == import::hcpcs::HcpcsKind::Procedure).count();
    let mods = rows.len() - codes;
    assert_eq!((codes, mods), (6710, 369));
    // Cut inside the 600th line.
    let mut pos = 0;
    for _ in 0..599 {
        pos += b[pos..].iter().position(|x| *x == b'\n').unwrap() + 1;
    }
    let cut = &b[..pos + 150];
    let e = CodeSets::builder().hcpcs_file(cut, "hcpcs.txt", 2020).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("hcpcs.txt", 600), "{e}");
    assert!(e.message.contains("truncated"), "{e}");
    for n in (0..60_000).step_by(293) {
        let _ = import::hcpcs::parse(&b[..n.min(b.len())], "h");
    }
    // A loaded release carries its year.
    let cs = CodeSets::builder().hcpcs_file(&b, "HCPC2020", 2020).unwrap().build().unwrap();
    assert_eq!(cs.hcpcs().release_year(), 2020);
}

#[test]
fn cpt_csv_errors() {
    let e =
        import::cpt::parse("code,effective_date,termination_date\n99213,2020-01-01,\n9921,2020-01-01,\n", "cpt.csv")
            .unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("cpt.csv", 3));
    let e = import::cpt::parse("cpt,from,to\n", "cpt.csv").unwrap_err();
    assert_eq!(e.line, 1);
    let e = import::cpt::parse("code,effective_date,termination_date\n99213,2020-13-01,\n", "cpt.csv").unwrap_err();
    assert_eq!(e.line, 2);
}
