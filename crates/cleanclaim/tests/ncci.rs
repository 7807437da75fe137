//! NCCI tables end to end: the loaders on files in the CMS layouts
//! (`tests/fixtures/ncci/tables`, illustrative values) and the NCCI rules through the engine.
//! A shared vector cannot carry tables, so these tests stand in for vectors of the `ncci.*` rules.

use std::path::{Path, PathBuf};

use cleanclaim::ncci::{Mai, ModifierIndicator, Ncci, Setting, TableKind};
use cleanclaim::{Claim, ClaimKind, Date, Engine, Error, Report, Severity};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ncci")
}

fn tables() -> Ncci {
    Ncci::load_dir(fixtures().join("tables")).expect("fixture tables load")
}

fn office_visit() -> Claim {
    cleanclaim::parse_claim(include_str!("../../../examples/claims/clean-office-visit.json")).unwrap()
}

fn engine(ncci: Ncci) -> Engine {
    Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).ncci(ncci).build().unwrap()
}

fn ncci_findings(r: &Report) -> Vec<(String, String)> {
    r.findings
        .iter()
        .filter(|f| f.rule.starts_with("ncci.") || f.rule.starts_with("modifier."))
        .map(|f| (f.rule.clone(), f.path.clone()))
        .collect()
}

fn set_line(c: &mut Claim, i: usize, code: &str, mods: &[&str], units: f64) {
    c.lines[i].procedure = Some(code.to_owned());
    c.lines[i].modifiers = mods.iter().map(|m| (*m).to_owned()).collect();
    c.lines[i].units = units;
}

#[test]
fn load_dir_finds_every_table_by_header_and_skips_other_files() {
    let n = tables();
    let mut got: Vec<(String, TableKind, Option<Setting>, usize)> = n
        .sources()
        .iter()
        .map(|s| {
            let name = Path::new(&s.file).file_name().unwrap().to_string_lossy().into_owned();
            (name, s.kind, s.setting, s.rows)
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let want = [
        ("AOC_V2026Q1-MCR.csv", TableKind::Aoc, None, 6),
        ("MCR_MUE_DMESupplierServices_Eff_01-01-2026.csv", TableKind::Mue, Some(Setting::Dme), 2),
        ("MCR_MUE_OutpatientHospitalServices_Eff_01-01-2026.txt", TableKind::Mue, Some(Setting::OutpatientHospital), 3),
        ("MCR_MUE_PractitionerServices_Eff_01-01-2026.csv", TableKind::Mue, Some(Setting::Practitioner), 5),
        ("ccioph-v321r0-f1.csv", TableKind::Ptp, Some(Setting::OutpatientHospital), 3),
        ("ccipra-v321r0-f1.txt", TableKind::Ptp, Some(Setting::Practitioner), 7),
    ];
    let want: Vec<_> = want.iter().map(|(f, k, s, r)| ((*f).to_owned(), *k, *s, *r)).collect();
    assert_eq!(got, want);

    let on = Date::new(2026, 3, 2).unwrap();
    let e = n.ptp(Setting::Practitioner, "43239", "43235", on).unwrap();
    assert_eq!((e.modifier, e.rationale), (ModifierIndicator::Allowed, "CPT \"Separate procedure\" definition"));
    assert_eq!(n.ptp(Setting::OutpatientHospital, "43239", "43235", on).unwrap().rationale, e.rationale);
    assert_eq!(n.mue(Setting::Practitioner, "J1030").unwrap().mai, Mai::Line);
    assert_eq!(n.mue(Setting::OutpatientHospital, "36415").unwrap().value, 1);
    assert!(n.addon("11045", on).unwrap().has_primary("11043"));
}

#[test]
fn the_clean_office_visit_stays_clean_with_tables() {
    // 99214-25 / 36415 is an indicator-1 edit; modifier 25 bypasses it.
    let r = engine(tables()).check(&office_visit());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn ptp_pairs_are_found_through_the_engine_and_modifiers_bypass_indicator_1() {
    let eng = engine(tables());
    let mut c = office_visit();
    set_line(&mut c, 0, "20610", &[], 1.0);
    set_line(&mut c, 1, "76942", &["59"], 1.0);
    set_line(&mut c, 2, "29877", &[], 1.0);
    let r = eng.check(&c);
    // Indicator 0: modifier 59 does not help.
    assert_eq!(ncci_findings(&r), [("ncci.ptp".to_owned(), "lines[1].procedure".to_owned())]);
    let f = &r.findings.iter().find(|f| f.rule == "ncci.ptp").unwrap();
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("20610/76942") && f.message.contains("HCPCS/CPT procedure code definition"));
    assert!(!r.ok);

    set_line(&mut c, 0, "29881", &[], 1.0);
    set_line(&mut c, 1, "99213", &[], 1.0);
    let r = eng.check(&c);
    assert_eq!(ncci_findings(&r), [("ncci.ptp".to_owned(), "lines[2].procedure".to_owned())]);
    c.lines[2].modifiers = vec!["XS".into()];
    assert!(ncci_findings(&eng.check(&c)).is_empty());

    // The edit deleted on 2020-01-01 was indicator 0; its successor is indicator 1.
    let mut c = office_visit();
    set_line(&mut c, 0, "93000", &[], 1.0);
    set_line(&mut c, 1, "93005", &["59"], 1.0);
    assert!(ncci_findings(&eng.check(&c)).is_empty());
    for l in &mut c.lines {
        l.date = Date::new(2019, 6, 3);
    }
    c.statement_from = Date::new(2019, 6, 3);
    c.statement_to = Date::new(2019, 6, 3);
    assert_eq!(ncci_findings(&eng.check(&c)).len(), 1);

    // Without tables the rule finds nothing.
    let r = engine(Ncci::empty()).check(&c);
    assert!(ncci_findings(&r).is_empty());
}

#[test]
fn outpatient_claims_use_the_hospital_tables() {
    let eng = engine(tables());
    let v: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/vectors/clean-outpatient.json")).unwrap();
    let mut c: Claim = serde_json::from_value(v["claim"].clone()).unwrap();
    assert_eq!(c.kind, ClaimKind::Institutional);
    assert!(eng.check(&c).findings.is_empty());
    set_line(&mut c, 1, "96374", &[], 1.0);
    set_line(&mut c, 2, "96375", &[], 7.0);
    let r = eng.check(&c);
    let mut got = ncci_findings(&r);
    got.sort();
    assert_eq!(
        got,
        [
            ("ncci.mue".to_owned(), "lines[2].units".to_owned()),
            ("ncci.ptp".to_owned(), "lines[2].procedure".to_owned())
        ]
    );
    assert!(r.findings.iter().any(|f| f.message.contains("outpatient hospital table")));
}

#[test]
fn mue_and_addon_edits_through_the_engine() {
    let eng = engine(tables());
    let mut c = office_visit();
    set_line(&mut c, 0, "11042", &[], 1.0);
    set_line(&mut c, 1, "11045", &[], 3.0);
    set_line(&mut c, 2, "J1030", &[], 9.0);
    let r = eng.check(&c);
    assert_eq!(ncci_findings(&r), [("ncci.mue".to_owned(), "lines[2].units".to_owned())]);

    set_line(&mut c, 0, "99213", &[], 1.0);
    set_line(&mut c, 2, "20985", &[], 1.0);
    let r = eng.check(&c);
    assert_eq!(
        ncci_findings(&r),
        [
            ("ncci.addon_without_primary".to_owned(), "lines[1].procedure".to_owned()),
            ("ncci.addon_payer_primary".to_owned(), "lines[2].procedure".to_owned()),
        ]
    );
    let warn = r.findings.iter().find(|f| f.rule == "ncci.addon_payer_primary").unwrap();
    assert_eq!(warn.severity, Severity::Warning);
}

#[test]
fn a_claim_with_10000_lines_and_tables_is_checked_in_bounded_time() {
    let mut c = office_visit();
    // Without 25 on 99214, the indicator-1 edit 99214/36415 applies to every 36415 line.
    c.lines[0].modifiers.clear();
    let lines = c.lines.clone();
    c.lines = (0..10_000).map(|i| lines[i % 3].clone()).collect();
    c.total_charge = c.lines.iter().map(|l| l.charge).sum();
    let eng = engine(tables());
    let t = std::time::Instant::now();
    let r = eng.check(&c);
    assert!(t.elapsed() < std::time::Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(r.findings.iter().filter(|f| f.rule == "ncci.ptp").count(), 3_333);
    // MAI 2 and 3 sum the date: one finding per code and date.
    assert_eq!(r.findings.iter().filter(|f| f.rule == "ncci.mue").count(), 2);
}

#[test]
fn malformed_files_are_codeset_errors_naming_file_and_line() {
    let dir = fixtures().join("malformed");
    let cases = [
        ("ccipra-truncated.txt", 3, "effective date `200201`"),
        ("MCR_MUE_bad_mai.csv", 3, "adjudication indicator"),
        ("AOC_bad_date.csv", 3, "AOC edit effective date `2011-13-01`"),
        ("ccioph-open-quote.csv", 2, "quoted cell"),
    ];
    for (file, line, needle) in cases {
        let path = dir.join(file);
        let e = Ncci::empty().load_file(&path).map(|_| ()).unwrap_err();
        match &e {
            Error::CodeSet { file: f, line: l, message } => {
                assert!(f.ends_with(file), "{f}");
                assert_eq!(*l, line, "{file}: {message}");
                assert!(message.contains(needle), "{file}: {message}");
            }
            other => panic!("{file}: {other:?}"),
        }
        assert!(e.to_string().starts_with(&path.display().to_string()), "{e}");
    }
    let e = Ncci::empty().load_file(dir.join("ptp-unnamed-setting.txt")).map(|_| ()).unwrap_err();
    assert_eq!(e.code(), "config");
    assert!(Ncci::load_dir(&dir).is_err());
    let e = Ncci::builder().file(fixtures().join("tables/README.txt")).unwrap_err();
    assert_eq!(e.code(), "config");
    let e = Ncci::load_dir(fixtures().join("no-such-dir")).unwrap_err();
    assert_eq!(e.code(), "io");
    let empty = cleanclaim_testkit::scratch_dir("cleanclaim-ncci", "empty");
    assert_eq!(Ncci::load_dir(&empty).unwrap_err().code(), "config");
    std::fs::remove_dir(&empty).ok();
}

#[test]
fn every_truncation_of_every_fixture_loads_or_errors_without_panicking() {
    let mut files: Vec<PathBuf> = ["tables", "malformed"]
        .iter()
        .flat_map(|d| std::fs::read_dir(fixtures().join(d)).unwrap().map(|e| e.unwrap().path()))
        .collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for cut in 0..=bytes.len() {
            let part = &bytes[..cut];
            let mut n = Ncci::empty();
            let _ = n.load_ptp(part, &name, Setting::Practitioner);
            let _ = n.load_mue(part, &name);
            let _ = n.load_aoc(part, &name);
            // Garbage in the middle of a row, too.
            let mut garbled = bytes.clone();
            if cut < garbled.len() {
                garbled[cut] = b'"';
            }
            let _ = n.load_ptp(&garbled[..], &name, Setting::OutpatientHospital);
            let _ = n.load_mue(&garbled[..], &name);
            let _ = n.load_aoc(&garbled[..], &name);
        }
    }
}

/// Measures checking speed with tables loaded (`cargo test --release -p cleanclaim --test ncci
/// -- --ignored --nocapture`).
#[test]
#[ignore = "timing; run by hand"]
fn throughput_with_large_tables() {
    use std::fmt::Write;
    let mut ptp = String::from("Column 1\tColumn 2\tx\tEffective Date\tDeletion Date\tModifier\tPTP Edit Rationale\n");
    for i in 0..300_000u32 {
        let _ = writeln!(
            ptp,
            "{:05}\t{:05}\t\t20100101\t*\t{}\tStandards of medical/surgical practice",
            10000 + i % 80000,
            10000 + (i * 7919) % 80000,
            i % 2
        );
    }
    let mut mue =
        String::from("HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n");
    for i in 0..15_000u32 {
        let _ = writeln!(mue, "{:05},{},{} x,CMS Policy", 10000 + i * 5, 1 + i % 4, 1 + i % 3);
    }
    let t = std::time::Instant::now();
    let mut n = tables();
    n.load_ptp(ptp.as_bytes(), "ccipra-big.txt", Setting::Practitioner).unwrap();
    n.load_mue(mue.as_bytes(), "mue-big.csv").unwrap();
    println!("loaded 300k PTP + 15k MUE rows in {:?}", t.elapsed());
    let claims: Vec<Claim> = (0..200_000).map(|_| office_visit()).collect();
    // Only the NCCI and modifier rules run, so the figures are their cost alone.
    let only_ncci = |ncci: Ncci| {
        let mut b = Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).ncci(ncci);
        for r in cleanclaim::rules::catalogue() {
            let id = r.meta().id;
            if !id.starts_with("ncci.") && !id.starts_with("modifier.") {
                b = b.disable(id);
            }
        }
        b.build().unwrap()
    };
    for (label, eng) in [
        ("all rules, without", engine(Ncci::empty())),
        ("all rules, with", engine(n.clone())),
        ("ncci+modifier rules only, without", only_ncci(Ncci::empty())),
        ("ncci+modifier rules only, with", only_ncci(n)),
    ] {
        // Best of 60 short single-threaded runs: robust to other processes on the machine.
        let one = &claims[0];
        let best = (0..60)
            .map(|_| {
                let t = std::time::Instant::now();
                for _ in 0..2_000 {
                    std::hint::black_box(eng.check(std::hint::black_box(one)));
                }
                t.elapsed().as_secs_f64() / 2_000.0
            })
            .fold(f64::INFINITY, f64::min);
        println!("{label} NCCI tables: {:.2} µs per claim on one thread (best of 60 runs)", best * 1e6);
        let t = std::time::Instant::now();
        let reports = eng.check_many(&claims);
        let secs = t.elapsed().as_secs_f64();
        assert!(reports.iter().all(|r| r.findings.is_empty()));
        println!(
            "{} claims in {secs:.3}s = {:.0} claims/s {label} NCCI tables",
            claims.len(),
            claims.len() as f64 / secs
        );
    }
}
