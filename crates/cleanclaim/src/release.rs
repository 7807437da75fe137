//! Loading newer CMS/CDC code-set releases on top of the embedded tables, without a new
//! version of the library: the ICD-10-CM order file and tabular XML, the ICD-10-PCS order
//! file, MCE-style validity CSVs, the HCPCS alpha-numeric file and a licensed CPT CSV.
//!
//! A release is named `KIND:PATH[@DATE]`, e.g. `icd10cm-order:icd10cm_order_2027.txt@2026-10-01`:
//!
//! | kind | file | date means |
//! |---|---|---|
//! | `icd10cm-order` | CDC/CMS ICD-10-CM order file (fixed width) | in force from (required) |
//! | `icd10cm-tabular` | CDC ICD-10-CM tabular XML | in force from (required) |
//! | `icd10cm-mce` | MCE-style master CSV `code,effective_date,termination_date,flags` | last day covered (required) |
//! | `icd10pcs-order` | CMS ICD-10-PCS order file | in force from (required) |
//! | `icd10pcs-mce` | MCE-style PCS master CSV | last day covered (required) |
//! | `hcpcs` | CMS HCPCS Level II alpha-numeric file (320 columns) | any day of the release year (required) |
//! | `cpt` | licensed CPT CSV `code,effective_date,termination_date[,description]` | — |
//!
//! Order files and MCE CSVs are complete releases, as CMS and CDC publish them: a code the
//! file does not list stops being valid the day before the file's first date. Load them in
//! date order.

use std::path::PathBuf;

use crate::codesets::{CodeSets, CodeSetsBuilder};
use crate::{Date, Error};

/// Which kind of release file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReleaseKind {
    /// ICD-10-CM order file.
    Icd10cmOrder,
    /// ICD-10-CM tabular XML.
    Icd10cmTabular,
    /// MCE-style ICD-10-CM master CSV.
    Icd10cmMce,
    /// ICD-10-PCS order file.
    Icd10pcsOrder,
    /// MCE-style ICD-10-PCS master CSV.
    Icd10pcsMce,
    /// HCPCS Level II alpha-numeric file.
    Hcpcs,
    /// Licensed CPT CSV.
    Cpt,
}

const KINDS: &[(&str, ReleaseKind)] = &[
    ("icd10cm-order", ReleaseKind::Icd10cmOrder),
    ("icd10cm-tabular", ReleaseKind::Icd10cmTabular),
    ("icd10cm-mce", ReleaseKind::Icd10cmMce),
    ("icd10pcs-order", ReleaseKind::Icd10pcsOrder),
    ("icd10pcs-mce", ReleaseKind::Icd10pcsMce),
    ("hcpcs", ReleaseKind::Hcpcs),
    ("cpt", ReleaseKind::Cpt),
];

/// One release file to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseFile {
    /// What the file is.
    pub kind: ReleaseKind,
    /// Where it is.
    pub path: PathBuf,
    /// Effective date, last day covered, or a day of the release year (see the module docs).
    pub date: Option<Date>,
}

impl ReleaseFile {
    /// Parses `KIND:PATH[@YYYY-MM-DD]`.
    pub fn parse(spec: &str) -> Result<ReleaseFile, Error> {
        let bad = |why: &str| Error::Config(format!("release `{spec}`: {why} (expected KIND:PATH[@YYYY-MM-DD])"));
        let (kind, rest) = spec.split_once(':').ok_or_else(|| bad("no kind"))?;
        let kind = KINDS.iter().find(|(n, _)| *n == kind).map(|(_, k)| *k).ok_or_else(|| {
            let names: Vec<_> = KINDS.iter().map(|(n, _)| *n).collect();
            bad(&format!("unknown kind; one of {}", names.join(", ")))
        })?;
        let (path, date) = match rest.rsplit_once('@') {
            Some((p, d)) => (p, Some(Date::parse(d).map_err(|_| bad("bad date"))?)),
            None => (rest, None),
        };
        if path.is_empty() {
            return Err(bad("no path"));
        }
        let f = ReleaseFile { kind, path: PathBuf::from(path), date };
        if f.date.is_none() && kind != ReleaseKind::Cpt {
            return Err(bad("this kind needs @DATE"));
        }
        Ok(f)
    }

    fn apply(&self, b: CodeSetsBuilder) -> Result<CodeSetsBuilder, Error> {
        let name = self.path.display().to_string();
        let io = |source| Error::Io { path: name.clone(), source };
        let ymd = self.date.map(Date::ymd).unwrap_or_default();
        let text = || std::fs::read(&self.path).map(|b| String::from_utf8_lossy(&b).into_owned()).map_err(io);
        let r = match self.kind {
            ReleaseKind::Icd10cmOrder => b.icd10cm_order_file(&text()?, &name, ymd),
            ReleaseKind::Icd10cmTabular => b.icd10cm_tabular_xml(&text()?, &name, ymd),
            ReleaseKind::Icd10cmMce => b.icd10cm_mce_csv(&text()?, &name, ymd),
            ReleaseKind::Icd10pcsOrder => b.icd10pcs_order_file(&text()?, &name, ymd),
            ReleaseKind::Icd10pcsMce => b.icd10pcs_mce_csv(&text()?, &name, ymd),
            ReleaseKind::Hcpcs => {
                let bytes = std::fs::read(&self.path).map_err(io)?;
                b.hcpcs_file(&bytes, &name, self.date.map_or(0, Date::year))
            }
            ReleaseKind::Cpt => b.cpt_csv(&text()?, &name),
        };
        r.map_err(codeset_error)
    }
}

fn codeset_error(e: crate::codesets::CodeSetError) -> Error {
    Error::CodeSet { file: e.file.clone(), line: e.line, message: e.message.clone() }
}

/// The embedded code sets with `files` loaded on top, in order.
pub fn load(files: &[ReleaseFile]) -> Result<CodeSets, Error> {
    let mut b = CodeSets::builder();
    for f in files {
        b = f.apply(b)?;
    }
    b.build().map_err(codeset_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_errors_say_why() {
        let f = ReleaseFile::parse("icd10cm-order:/x/order.txt@2026-10-01").unwrap();
        assert_eq!((f.kind, f.date), (ReleaseKind::Icd10cmOrder, Date::new(2026, 10, 1)));
        assert!(ReleaseFile::parse("cpt:/x/cpt.csv").is_ok());
        for bad in ["nope:/x", "icd10cm-order:/x", "icd10cm-order:/x@2026-13-01", "hcpcs"] {
            assert_eq!(ReleaseFile::parse(bad).unwrap_err().code(), "config", "{bad}");
        }
    }

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let e = load(&[ReleaseFile::parse("icd10cm-order:/no/such/file.txt@2026-10-01").unwrap()]).unwrap_err();
        assert_eq!(e.code(), "io");
        assert!(e.to_string().contains("/no/such/file.txt"));
    }

    #[test]
    fn a_malformed_file_names_file_and_line() {
        let dir = cleanclaim_testkit::scratch_dir("cleanclaim-release", "bad");
        let p = dir.join("bad.csv");
        std::fs::write(&p, "code,effective_date,termination_date,flags\nE119,2026-10-01\n").unwrap();
        let e = load(&[ReleaseFile::parse(&format!("icd10cm-mce:{}@2027-09-30", p.display())).unwrap()]).unwrap_err();
        assert_eq!(e.code(), "codeset");
        assert!(e.to_string().contains("bad.csv:2"), "{e}");
    }
}
