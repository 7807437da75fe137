//! Lookups, incomplete codes, notes, search, HCPCS, CPT on the embedded tables.
#![allow(clippy::inconsistent_digit_grouping)]
use cleanclaim_codesets::*;

fn cm() -> &'static Icd10Cm {
    CodeSets::embedded().icd10cm()
}

#[test]
fn status_and_flags() {
    let d = 2025_10_01;
    let DxStatus::Valid(f) = cm().status("O0000", d) else { panic!() };
    assert!(f.maternity());
    assert!(cm().flags("V0001XA", d).unwrap().ecodepdx());
    assert_eq!(cm().status("E11", d), DxStatus::Header { billable_children: cm().completions("E11", d).len() });
    // Deleted after FY2026 (D69.1 became D69.11/D69.19 on 2026-10-01).
    assert!(cm().is_valid("D691", 2026_09_30));
    assert!(matches!(cm().status("D691", 2026_10_01), DxStatus::Header { billable_children: 2 }));
    assert_eq!(
        cm().status("Z87890", 2026_10_01),
        DxStatus::Header { billable_children: cm().completions("Z87890", 2026_10_01).len() }
    );
    assert_eq!(cm().status("I420", 2027_01_01), DxStatus::Header { billable_children: 3 });
    // U07.1 starts 2020-04-01.
    assert_eq!(cm().status("U071", 2020_03_31), DxStatus::NotYetValid { from: 2020_04_01 });
    // FY2027 addition: valid, no description in the corpus.
    assert!(cm().is_valid("C7831", 2026_10_01));
    let info = cm().lookup("C7831", Some(2026_10_01)).unwrap();
    assert_eq!(info.description, None);
    assert_eq!(info.parent.as_deref(), Some("C783"));
    // A code deleted before FY2024.
    assert!(matches!(cm().status("XYZ", d), DxStatus::Unknown));
    assert_eq!(cm().age_range(AgeGroup::Maternity, 2019_09_30), Some((12, 55)));
    assert_eq!(cm().age_range(AgeGroup::Maternity, 2019_10_01), Some((9, 64)));
    assert_eq!(cm().age_range(AgeGroup::Adult, d), Some((15, 124)));
    assert!(cm().discharge_status_valid("01", d));
    assert_eq!(normalize(" e11.22 ").as_deref(), Some("E1122"));
}

#[test]
fn lookup_hierarchy() {
    let i = cm().lookup("E1122", Some(2025_10_01)).unwrap();
    assert_eq!(i.display, "E11.22");
    assert_eq!(i.description.as_deref(), Some("Type 2 diabetes mellitus with diabetic chronic kidney disease"));
    assert!(i.billable && !i.header);
    assert_eq!(i.chapter.as_ref().unwrap().number, 4);
    assert_eq!(i.section.as_ref().unwrap().id, "E08-E13");
    assert_eq!(i.parent.as_deref(), Some("E112"));
    assert_eq!(i.category, "E11");
    let e11 = cm().lookup("E11", None).unwrap();
    assert!(e11.header && !e11.billable);
    assert!(e11.children.contains(&"E112".to_string()));
    // 7th-character extension: composed title, parent in the tree.
    let s = cm().lookup("S52521A", Some(2025_10_01)).unwrap();
    assert_eq!(s.parent.as_deref(), Some("S52521"));
    assert_eq!(
        s.description.as_deref(),
        Some("Torus fracture of lower end of right radius, initial encounter for closed fracture")
    );
}

#[test]
fn incomplete_codes() {
    let d = 2025_10_01;
    assert_eq!(cm().status("S52521", d), DxStatus::Incomplete(IncompleteKind::NeedsSeventhCharacter));
    let x = cm().explain_incomplete("S52521", d).unwrap();
    let chars: String = x.seventh_characters.iter().map(|(c, _)| *c).collect();
    // S52.521 is a *torus* fracture: the XML gives S52.52 its own sevenChrDef (A D G K P S),
    // which overrides the S52 category's 16 characters. The MCE lists exactly those 6 codes.
    assert_eq!(chars, "ADGKPS");
    // S52.531 (Colles' fracture) inherits the category list A B C D E F G H J K M N P Q R S.
    let y = cm().explain_incomplete("S52531", d).unwrap();
    let chars: String = y.seventh_characters.iter().map(|(c, _)| *c).collect();
    assert_eq!(chars, "ABCDEFGHJKMNPQRS");
    assert_eq!(y.seventh_characters[0].1, "initial encounter for closed fracture");
    assert!(x.completions.contains(&"S52521A".to_string()));
    assert!(x.message.contains("7th character"), "{}", x.message);

    assert_eq!(cm().status("W2189A", d), DxStatus::Incomplete(IncompleteKind::NeedsPlaceholder));
    let x = cm().explain_incomplete("W2189A", d).unwrap();
    assert_eq!(x.suggestion.as_deref(), Some("W2189XA"));
    assert!(x.message.contains("W21.89XA"), "{}", x.message);

    // The placeholder typed but no 7th character: W21.89X.
    assert_eq!(cm().status("W2189X", d), DxStatus::Incomplete(IncompleteKind::NeedsSeventhCharacter));
    let x = cm().explain_incomplete("W2189X", d).unwrap();
    let chars: String = x.seventh_characters.iter().map(|(c, _)| *c).collect();
    assert_eq!(chars, "ADS");
    assert_eq!(cm().status("T360X1", d), DxStatus::Incomplete(IncompleteKind::NeedsSeventhCharacter));
    // W21.89 itself: 7th character after one placeholder.
    let x = cm().explain_incomplete("W2189", d).unwrap();
    assert_eq!(x.kind, IncompleteKind::NeedsSeventhCharacter);
    assert!(x.message.contains("placeholder X"), "{}", x.message);
    assert!(CodeSets::embedded().info().icd10cm_releases.len() >= 3);
    assert!(PROVENANCE.contains("sha256"));
    // A 6-character code that needs the placeholder before the 7th character: T36.0X1A.
    let x = cm().explain_incomplete("T360", d).unwrap();
    assert_eq!(x.kind, IncompleteKind::Header);

    let x = cm().explain_incomplete("E11", d).unwrap();
    assert_eq!(x.kind, IncompleteKind::Header);
    assert!(x.completions.contains(&"E1122".to_string()));
    assert!(cm().explain_incomplete("E1122", d).is_none());
}

#[test]
fn notes_and_excludes1() {
    // E08 excludes1 "type 2 diabetes mellitus (E11.-)", inherited by E08.22.
    let n = cm().notes("E0822");
    assert!(n.excludes1.iter().any(|x| x.source == "E08" && x.text.contains("type 2 diabetes")));
    let t = cm().excludes1_conflict("E0822", "E1122").unwrap();
    assert_eq!(t, "type 2 diabetes mellitus (E11.-)");
    assert_eq!(cm().excludes1_conflict("E1122", "I10"), None);
    // E11.22 use additional code N18.1-N18.6.
    let n = cm().notes("E1122");
    let ua = n.use_additional.iter().find(|x| x.source == "E1122").unwrap();
    assert!(ua.covers("N183") && ua.covers("N186") && !ua.covers("N189"));
    // Section-level and chapter-level notes are inherited.
    let n = cm().notes("E0800");
    assert!(n.code_first.iter().any(|x| x.text.contains("malignant neoplasm (C00-C96)") && x.covers("C50911")));
    assert!(!cm().notes("A000").excludes2.is_empty() || !cm().notes("A000").excludes1.is_empty());
    let ch1 = cm().notes("A000");
    assert!(ch1.excludes1.iter().chain(&ch1.excludes2).any(|x| x.source == "chapter 1"));
    // Each note names where it comes from: the code, an ancestor, the section, the chapter.
    let n = cm().notes("S52521A");
    let sources: Vec<&str> =
        n.excludes1.iter().chain(&n.excludes2).chain(&n.other).map(|x| x.source.as_str()).collect();
    for s in ["S52", "S50-S59", "chapter 19"] {
        assert!(sources.contains(&s), "{s} in {sources:?}");
    }
    // Inclusion terms are the code's own.
    let i = cm().lookup("E1129", None).unwrap();
    assert_eq!(i.inclusion_terms, vec!["Type 2 diabetes mellitus with renal tubular degeneration"]);
}

#[test]
fn search_ranks_e1122() {
    let hits = cm().search("type 2 diabetes with chronic kidney disease", 5);
    assert!(hits.iter().take(3).any(|h| h.code == "E1122"), "{hits:#?}");
    // Inclusion terms are searched too.
    let hits = cm().search("renal tubular degeneration type 2 diabetes", 3);
    assert_eq!(hits[0].code, "E1129", "{hits:#?}");
}

#[test]
fn pcs() {
    let p = CodeSets::embedded().icd10pcs();
    assert!(p.is_valid("0016070", 2025_10_01));
    assert!(p.lookup("0016070", None).unwrap().description.unwrap().starts_with("Bypass Cerebral Ventricle"));
    assert!(p.flags("5A1955Z", 2025_10_01).unwrap().los());
    assert!(matches!(p.status("X2KB317", 2026_10_01), PcsStatus::Deleted { last_valid: 2026_09_30 }));
    assert!(p.is_valid("028F3Z0", 2026_10_01));
    assert_eq!(p.status("ABC", 2025_10_01), PcsStatus::Unknown);
}

#[test]
fn hcpcs_2020_is_marked_stale() {
    let cs = CodeSets::embedded();
    let h = cs.hcpcs();
    assert_eq!(h.release_year(), 2020);
    let a = h.lookup("A0021").unwrap();
    assert_eq!(a.release_year, 2020);
    assert_eq!(a.stale, h.stale());
    assert!(a.long_description.starts_with("Ambulance service, outside state per mile"));
    assert_eq!(a.added, Some(1985_01_01));
    let t = h.lookup("A4466").unwrap();
    assert_eq!(t.terminated, Some(2016_12_31));
    assert!(!h.is_valid("A4466", 2020_01_01));
    assert!(h.is_valid("A0021", 2020_01_01));
    let m = h.lookup_modifier("A1").unwrap();
    assert_eq!(m.long_description, "Dressing for one wound");
    assert!(h.is_valid_modifier("A1", 2020_06_01));
    let info = cs.info();
    assert_eq!(info.hcpcs_release_year, 2020);
    assert!(info.hcpcs_stale, "the 2020 file is stale in {}", 2026);
    assert!(!info.cpt_loaded);
}

#[test]
fn cpt_shape_and_licensed_file() {
    assert!(cpt_shape_ok("99213") && cpt_shape_ok("0001U") && cpt_shape_ok("1234F") && cpt_shape_ok("0042T"));
    assert!(!cpt_shape_ok("9921") && !cpt_shape_ok("A0021") && !cpt_shape_ok("1234X"));
    let cs = CodeSets::embedded();
    assert!(cs.cpt().is_valid("99213", 2025_01_01));
    let csv = "code,effective_date,termination_date\n99213,1992-01-01,\n99201,1992-01-01,2020-12-31\n";
    let cs = CodeSets::builder().cpt_csv(csv, "cpt.csv").unwrap().build().unwrap();
    assert!(cs.cpt().is_loaded());
    assert!(cs.cpt().is_valid("99213", 2025_01_01));
    assert!(!cs.cpt().is_valid("99201", 2021_01_01));
    assert!(cs.cpt().is_valid("99201", 2020_01_01));
    assert!(!cs.cpt().is_valid("99999", 2020_01_01));
    assert!(cs.info().cpt_loaded);
}

#[test]
fn send_sync() {
    fn ok<T: Send + Sync>() {}
    ok::<CodeSets>();
}

/// Real references from the FY2026 tabular XML.
#[test]
fn resolved_references_from_the_xml() {
    // I82.40 Excludes1 "... distal ... (I82.4Z-)" and "... proximal ... (I82.4Y-)", inherited by I82.409.
    let t = cm().excludes1_conflict("I82409", "I824Z1").unwrap();
    assert!(t.ends_with("(I82.4Z-)"), "{t}");
    let t = cm().excludes1_conflict("I82409", "I824Y1").unwrap();
    assert!(t.ends_with("(I82.4Y-)"), "{t}");
    assert!(cm().excludes1_conflict("I82409", "I82411").is_none());
    // J34.81 Excludes2 "gastrointestinal mucositis (ulcerative) (K92.81)": exactly K92.81.
    let n = cm().notes("J3481");
    let gi = n.excludes2.iter().find(|x| x.text.contains("(K92.81)")).unwrap();
    assert!(gi.covers("K9281") && !gi.covers("K928") && !gi.covers("K9289"));
    let oral = n.excludes2.iter().find(|x| x.text.contains("(K12.3-)")).unwrap();
    assert!(oral.covers("K1231") && oral.covers("K1239") && !oral.covers("K124"));
    assert_eq!(oral.refs.len(), 1);
    assert_eq!((oral.refs[0].first(), oral.refs[0].last_prefix()), ("K123".to_string(), "K123".to_string()));
    // A31 Excludes2 "tuberculosis (A15-A19)": a range of categories.
    let tb = cm().notes("A310").excludes2.into_iter().find(|x| x.text == "tuberculosis (A15-A19)").unwrap();
    assert_eq!(tb.source, "A31");
    assert!(tb.covers("A150") && tb.covers("A1989") && !tb.covers("A20") && !tb.covers("A14"));
    // E08 Code first "pancreatitis and other diseases of the pancreas (K85-K86.-)".
    let cf = cm().notes("E0821").code_first.into_iter().find(|x| x.text.contains("K85-K86")).unwrap();
    assert!(cf.covers("K8590") && cf.covers("K861") && !cf.covers("K87"));
}

#[test]
fn search_examples() {
    for (q, want) in [
        ("type 2 diabetes with chronic kidney disease", "E1122"),
        ("essential hypertension", "I10"),
        ("displaced fracture of shaft of right radius initial closed", "S52321A"),
    ] {
        let hits = cm().search(q, 10);
        let pos = hits.iter().position(|h| h.code == want);
        eprintln!("{q:?}: {want} at {pos:?}; top {:?}", hits.iter().take(3).map(|h| &h.code).collect::<Vec<_>>());
        assert!(pos.is_some_and(|p| p < 5), "{q}: {hits:#?}");
    }
}

#[test]
fn lookup_carries_effective_notes() {
    let i = cm().lookup("E0822", None).unwrap();
    assert!(i.notes.iter().any(|(k, src, t)| *k == NoteKind::Excludes1 && src == "E08" && t.contains("(E11.-)")));
    assert!(i.notes.iter().any(|(k, src, _)| *k == NoteKind::UseAdditionalCode && src == "E0822"));
}
