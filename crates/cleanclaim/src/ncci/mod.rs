//! CMS National Correct Coding Initiative tables: procedure-to-procedure (PTP) edits,
//! medically unlikely edits (MUE) and add-on code (AOC) edits.
//!
//! No table ships with cleanclaim: CMS publishes them quarterly (January, April, July,
//! October) and they carry AMA CPT content. Download them from the CMS NCCI pages and point
//! [`Ncci::load_dir`] (or `cleanclaim check --ncci DIR`) at the folder you unzip them into:
//!
//! * **"Medicare NCCI Procedure to Procedure (PTP) Edits"** — "Practitioner PTP Edits"
//!   (`ccipra-vNNNrN-f1.txt` … `-f4.txt`) and "Hospital PTP Edits" (`ccioph-vNNNrN-f1.txt` …),
//!   tab-delimited TXT with header lines: `Column 1`, `Column 2`, `*=in existence prior to
//!   1996`, `Effective Date`, `Deletion Date` (`*` = none), `Modifier` (0 not allowed, 1
//!   allowed, 9 not applicable), `PTP Edit Rationale`.
//! * **"Medicare NCCI Medically Unlikely Edits (MUEs)"** — the Practitioner Services,
//!   Outpatient Hospital Services and DME Supplier Services tables: `HCPCS/CPT Code`,
//!   `Practitioner Services MUE Values` (or `Outpatient Hospital Services MUE Values`,
//!   `DME Supplier Services MUE Values`), `MUE Adjudication Indicator` (e.g. `2 Date of
//!   Service Edit: Policy`), `MUE Rationale`.
//! * **"Medicare NCCI Add-on Code Edits"** — `AOC_VyyyyQn-MCR`: add-on code, primary code
//!   (`CCCCC` = defined by the contractor), AOC edit type (1, 2, 3), primary code deletion
//!   date, add-on code deletion date, AOC edit effective and deletion dates, notes.
//!
//! Files published as XLSX are read once saved as CSV (comma separated, quoted cells and
//! header cells with line breaks are fine); TXT files are tab-delimited. Files are recognised
//! by their header row, and PTP files as practitioner or hospital by name (`ccipra` /
//! `ccioph`); use [`Ncci::load_ptp`] with a [`Setting`] for other names. A malformed or
//! truncated row is an [`Error::CodeSet`] naming the file and line.
//!
//! A deletion date is the first date of service an edit no longer applies to (CMS deletes an
//! edit retroactively by giving it equal effective and deletion dates). MUE files carry no
//! dates: a loaded MUE table applies to every date, so load the quarter you bill in.
//!
//! ```
//! use cleanclaim::Date;
//! use cleanclaim::ncci::{ModifierIndicator, Ncci, Setting};
//!
//! let ptp = "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\tModifier\tPTP Edit Rationale\n\
//!            20610\t76942\t\t20150101\t*\t0\tHCPCS/CPT procedure code definition\n";
//! let ncci = Ncci::builder().ptp(ptp.as_bytes(), "ccipra-v321r0-f1.txt", Setting::Practitioner)?.build();
//! let edit = ncci.ptp(Setting::Practitioner, "20610", "76942", Date::new(2026, 3, 2).unwrap()).unwrap();
//! assert_eq!(edit.modifier, ModifierIndicator::NotAllowed);
//! let engine = cleanclaim::Engine::builder().ncci(ncci).build()?;
//! # let _ = engine;
//! # Ok::<(), cleanclaim::Error>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::path::Path;

use crate::model::ClaimType;
use crate::{Date, Error};

mod aoc;
mod mue;
mod ptp;
mod read;

pub use aoc::{AddOn, AocType};
pub use mue::{Mai, Mue};
pub use ptp::{ModifierIndicator, PtpEdit};

/// The claim types NCCI edits apply to: professional and institutional outpatient claims.
pub(crate) const NCCI_CLAIM_TYPES: &[ClaimType] = &[ClaimType::Professional, ClaimType::Outpatient];

/// Which NCCI table: who bills the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setting {
    /// Physicians and other practitioners (professional claims).
    Practitioner,
    /// Hospital outpatient services (institutional outpatient claims).
    OutpatientHospital,
    /// DME suppliers (MUE only).
    Dme,
}

impl Setting {
    /// The table for a claim type: practitioner for professional claims, outpatient hospital
    /// for institutional outpatient claims, none for inpatient claims (NCCI does not apply).
    pub fn for_claim_type(t: ClaimType) -> Option<Setting> {
        match t {
            ClaimType::Professional => Some(Setting::Practitioner),
            ClaimType::Outpatient => Some(Setting::OutpatientHospital),
            ClaimType::Inpatient => None,
        }
    }

    /// Lower-case name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Practitioner => "practitioner",
            Setting::OutpatientHospital => "outpatient hospital",
            Setting::Dme => "DME supplier",
        }
    }

    fn index(self) -> usize {
        match self {
            Setting::Practitioner => 0,
            Setting::OutpatientHospital => 1,
            Setting::Dme => 2,
        }
    }
}

/// Which kind of NCCI table a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableKind {
    /// Procedure-to-procedure edits.
    Ptp,
    /// Medically unlikely edits.
    Mue,
    /// Add-on code edits.
    Aoc,
}

/// A file loaded into the tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file name as given.
    pub file: String,
    /// What it held.
    pub kind: TableKind,
    /// The setting (none for add-on code edits, which apply to every setting).
    pub setting: Option<Setting>,
    /// Edit rows read.
    pub rows: usize,
}

/// Loaded NCCI tables. Empty by default: the NCCI rules then find nothing.
#[derive(Clone, Default)]
pub struct Ncci {
    ptp: [ptp::PtpTable; 2],
    mue: [mue::MueTable; 3],
    aoc: aoc::AocTable,
    strings: Strings,
    sources: Vec<Source>,
}

impl fmt::Debug for Ncci {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ncci")
            .field("ptp_practitioner", &self.ptp[0].len())
            .field("ptp_outpatient_hospital", &self.ptp[1].len())
            .field("mue_practitioner", &self.mue[0].len())
            .field("mue_outpatient_hospital", &self.mue[1].len())
            .field("mue_dme", &self.mue[2].len())
            .field("aoc", &self.aoc.len())
            .finish()
    }
}

impl Ncci {
    /// No tables.
    pub fn empty() -> Ncci {
        Ncci::default()
    }

    /// Starts loading tables file by file.
    pub fn builder() -> NcciBuilder {
        NcciBuilder { ncci: Ncci::default() }
    }

    /// Loads every NCCI table in `dir` (not its subfolders): `.txt`, `.tsv` and `.csv` files
    /// whose header is a PTP, MUE or add-on code header. Other files (read-me files, PDFs,
    /// XLSX) are skipped; a directory without any table is a configuration error.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Ncci, Error> {
        let mut ncci = Ncci::default();
        ncci.add_dir(dir.as_ref())?;
        Ok(ncci)
    }

    fn add_dir(&mut self, dir: &Path) -> Result<(), Error> {
        let io = |e| Error::Io { path: dir.display().to_string(), source: e };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
            if path.is_file() && matches!(ext.as_deref(), Some("txt" | "tsv" | "csv")) {
                files.push(path);
            }
        }
        files.sort();
        let before = self.sources.len();
        for path in files {
            self.load_file(&path)?;
        }
        if self.sources.len() == before {
            return Err(Error::Config(format!(
                "{}: no NCCI PTP, MUE or add-on code table found (expects the CMS .txt files or .csv exports)",
                dir.display()
            )));
        }
        Ok(())
    }

    /// Loads one file, recognising the table by its header. Returns `None` (and loads
    /// nothing) when the file is not an NCCI table.
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<Option<&Source>, Error> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let open = || std::fs::File::open(path).map_err(|e| Error::Io { path: name.clone(), source: e });
        let kind = read::find_header(open()?, &name, |cells| {
            if ptp::is_header(cells) {
                Some((TableKind::Ptp, None))
            } else if let Some(setting) = mue::header_setting(cells) {
                Some((TableKind::Mue, setting))
            } else if aoc::is_header(cells) {
                Some((TableKind::Aoc, None))
            } else {
                None
            }
        })?;
        match kind {
            None => return Ok(None),
            Some((TableKind::Ptp, _)) => {
                let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                let setting = ptp_setting_from_name(file_name).ok_or_else(|| {
                    Error::Config(format!(
                        "{name}: cannot tell a practitioner PTP file from a hospital one; keep the CMS name \
                         (ccipra… or ccioph…) or load it with Ncci::load_ptp"
                    ))
                })?;
                self.load_ptp(open()?, &name, setting)?;
            }
            Some((TableKind::Mue, _)) => {
                self.load_mue(open()?, &name)?;
            }
            Some((TableKind::Aoc, _)) => {
                self.load_aoc(open()?, &name)?;
            }
        }
        Ok(self.sources.last())
    }

    /// Loads a PTP file (practitioner or outpatient hospital); returns the rows read.
    pub fn load_ptp(&mut self, reader: impl Read, name: &str, setting: Setting) -> Result<usize, Error> {
        let table = match setting {
            Setting::Practitioner => &mut self.ptp[0],
            Setting::OutpatientHospital => &mut self.ptp[1],
            Setting::Dme => return Err(Error::Config(format!("{name}: NCCI has no DME PTP table"))),
        };
        let rows = read::read(reader, name, &mut ptp::Loader { table, strings: &mut self.strings })?;
        self.sources.push(Source { file: name.to_owned(), kind: TableKind::Ptp, setting: Some(setting), rows });
        Ok(rows)
    }

    /// Loads an MUE file; the setting comes from its values column header
    /// (`Practitioner Services MUE Values`, ...). Returns the setting and the rows read.
    pub fn load_mue(&mut self, reader: impl Read, name: &str) -> Result<(Setting, usize), Error> {
        self.load_mue_as(reader, name, None)
    }

    /// Loads an MUE file into the given setting's table (for files without a header).
    pub fn load_mue_for(&mut self, reader: impl Read, name: &str, setting: Setting) -> Result<usize, Error> {
        self.load_mue_as(reader, name, Some(setting)).map(|(_, n)| n)
    }

    fn load_mue_as(
        &mut self,
        reader: impl Read,
        name: &str,
        setting: Option<Setting>,
    ) -> Result<(Setting, usize), Error> {
        let mut loader = mue::Loader { tables: &mut self.mue, strings: &mut self.strings, setting };
        let rows = read::read(reader, name, &mut loader)?;
        // A file that loaded rows had its setting fixed by the caller or its header.
        let setting = loader.setting.unwrap_or(Setting::Practitioner);
        self.sources.push(Source { file: name.to_owned(), kind: TableKind::Mue, setting: Some(setting), rows });
        Ok((setting, rows))
    }

    /// Loads an add-on code file; returns the rows read.
    pub fn load_aoc(&mut self, reader: impl Read, name: &str) -> Result<usize, Error> {
        let rows = read::read(reader, name, &mut aoc::Loader { table: &mut self.aoc })?;
        self.sources.push(Source { file: name.to_owned(), kind: TableKind::Aoc, setting: None, rows });
        Ok(rows)
    }

    /// True when no table is loaded.
    pub fn is_empty(&self) -> bool {
        self.ptp.iter().all(ptp::PtpTable::is_empty)
            && self.mue.iter().all(mue::MueTable::is_empty)
            && self.aoc.is_empty()
    }

    /// The files loaded, in load order.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// True when the setting has PTP edits loaded.
    pub fn has_ptp(&self, setting: Setting) -> bool {
        setting != Setting::Dme && !self.ptp[setting.index()].is_empty()
    }

    /// True when the setting has MUEs loaded.
    pub fn has_mue(&self, setting: Setting) -> bool {
        !self.mue[setting.index()].is_empty()
    }

    /// True when add-on code edits are loaded.
    pub fn has_aoc(&self) -> bool {
        !self.aoc.is_empty()
    }

    /// The PTP edit in force on `on` with `column1` as the column-1 code and `column2` as the
    /// column-2 code (codes normalized: upper case, no spaces). Allocation-free.
    pub fn ptp(&self, setting: Setting, column1: &str, column2: &str, on: Date) -> Option<PtpEdit<'_>> {
        if setting == Setting::Dme {
            return None;
        }
        self.ptp[setting.index()].find(column1, column2, on.ymd(), &self.strings)
    }

    /// The MUE of a code in a setting's table.
    pub fn mue(&self, setting: Setting, code: &str) -> Option<Mue<'_>> {
        self.mue[setting.index()].find(code, &self.strings)
    }

    /// The add-on code edits of `code` in force on `on`; `None` when it is not an add-on code.
    pub fn addon(&self, code: &str, on: Date) -> Option<AddOn<'_>> {
        self.aoc.find(code, on.ymd())
    }

    /// True when `code` is an add-on code on `on`.
    pub fn is_addon(&self, code: &str, on: Date) -> bool {
        self.aoc.is_addon(code, on.ymd())
    }
}

/// Loads NCCI tables; see [`Ncci`].
#[derive(Debug, Default)]
pub struct NcciBuilder {
    ncci: Ncci,
}

impl NcciBuilder {
    /// Every table in a directory ([`Ncci::load_dir`]).
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Result<Self, Error> {
        self.ncci.add_dir(dir.as_ref())?;
        Ok(self)
    }

    /// One file, recognised by its header ([`Ncci::load_file`]).
    pub fn file(mut self, path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        if self.ncci.load_file(path)?.is_none() {
            return Err(Error::Config(format!("{}: not an NCCI PTP, MUE or add-on code table", path.display())));
        }
        Ok(self)
    }

    /// A PTP file ([`Ncci::load_ptp`]).
    pub fn ptp(mut self, reader: impl Read, name: &str, setting: Setting) -> Result<Self, Error> {
        self.ncci.load_ptp(reader, name, setting)?;
        Ok(self)
    }

    /// An MUE file ([`Ncci::load_mue`]).
    pub fn mue(mut self, reader: impl Read, name: &str) -> Result<Self, Error> {
        self.ncci.load_mue(reader, name)?;
        Ok(self)
    }

    /// An add-on code file ([`Ncci::load_aoc`]).
    pub fn aoc(mut self, reader: impl Read, name: &str) -> Result<Self, Error> {
        self.ncci.load_aoc(reader, name)?;
        Ok(self)
    }

    /// The tables.
    pub fn build(self) -> Ncci {
        self.ncci
    }
}

fn ptp_setting_from_name(name: &str) -> Option<Setting> {
    let n = name.to_ascii_lowercase();
    if n.contains("ccioph") || n.contains("hosp") || n.contains("oph") {
        Some(Setting::OutpatientHospital)
    } else if n.contains("ccipra") || n.contains("practitioner") || n.contains("pra") {
        Some(Setting::Practitioner)
    } else {
        None
    }
}

/// The modifiers NCCI associates with PTP edits: with modifier indicator 1, one of these on
/// either line of the pair bypasses the edit (NCCI Policy Manual, ch. I, section E).
pub const PTP_MODIFIERS: &[&str] = &[
    "24", "25", "27", "57", "58", "59", "78", "79", "91", "XE", "XP", "XS", "XU", "E1", "E2", "E3", "E4", "FA", "F1",
    "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "LT",
    "RT", "LC", "LD", "LM", "RC", "RI",
];

/// True when `m` is an NCCI PTP-associated modifier.
pub fn is_ptp_modifier(m: &str) -> bool {
    PTP_MODIFIERS.contains(&m)
}

/// True when `m` is an anatomic modifier (eyelids, fingers, toes, sides, coronary arteries).
pub fn is_anatomic_modifier(m: &str) -> bool {
    let b = m.as_bytes();
    matches!(b, [b'E', b'1'..=b'4'] | [b'F' | b'T', b'A' | b'1'..=b'9'] | [b'L' | b'R', b'T'])
        || matches!(m, "LC" | "LD" | "LM" | "RC" | "RI")
}

/// Interned strings (rationales repeat across a million rows).
#[derive(Debug, Clone, Default)]
struct Strings {
    all: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32>,
}

impl Strings {
    fn intern(&mut self, s: &str) -> u32 {
        let s = s.trim();
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.all.len() as u32;
        self.all.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    fn get(&self, id: u32) -> &str {
        self.all.get(id as usize).map_or("", |s| s)
    }
}

/// A hasher for integer keys: one folded multiply per key. Table keys come from CMS files, so
/// collision attacks are not a concern, and SipHash would dominate the rules' cost.
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

const MUL: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        let m = u128::from(self.0 ^ n) * u128::from(MUL);
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// A 5-character code packed base 36 (`36^5 < 2^27`); `None` for any other shape.
fn key(code: &str) -> Option<u32> {
    let b = code.as_bytes();
    if b.len() != 5 {
        return None;
    }
    b.iter().try_fold(0u32, |k, &c| {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'Z' => c - b'A' + 10,
            b'a'..=b'z' => c - b'a' + 10,
            _ => return None,
        };
        Some(k * 36 + u32::from(d))
    })
}

fn decode(mut k: u32) -> String {
    let mut out = [b'0'; 5];
    for slot in out.iter_mut().rev() {
        let d = (k % 36) as u8;
        *slot = if d < 10 { b'0' + d } else { b'A' + d - 10 };
        k /= 36;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pair(c1: u32, c2: u32) -> u64 {
    (u64::from(c1) << 32) | u64::from(c2)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PTP: &str = "CPT only copyright 2025 American Medical Association. All rights reserved.\n\
        Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\tModifier\tPTP Edit Rationale\n\
        \t\t\t\t*=no data\t0=not allowed\t\n\
        \t\t\t\t\t1=allowed\t\n\
        \t\t\t\t\t9=not applicable\t\n\
        29881\t29877\t\t20020101\t*\t1\tMisuse of column two code with column one code\n\
        20610\t76942\t\t20150101\t*\t0\tHCPCS/CPT procedure code definition\n\
        93000\t93005\t*\t19960101\t20200101\t0\tCPT \"Separate procedure\" definition\n\
        93000\t93005\t\t20210101\t*\t1\tStandards of medical/surgical practice\n\
        11042\t97597\t\t20120101\t20120101\t9\tMutually exclusive procedures\n";

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn codes_pack_and_unpack() {
        for c in ["00100", "ZZZZZ", "G0008", "0591T", "99214"] {
            assert_eq!(decode(key(c).unwrap()), c);
        }
        assert_eq!(key("9921"), None);
        assert_eq!(key("99.14"), None);
        assert_eq!(key("g0008"), key("G0008"));
    }

    #[test]
    fn ptp_txt_with_header_lines_loads_and_honours_dates() {
        let mut n = Ncci::empty();
        assert_eq!(n.load_ptp(PTP.as_bytes(), "ccipra.txt", Setting::Practitioner).unwrap(), 5);
        let e = n.ptp(Setting::Practitioner, "29881", "29877", d("2026-03-02")).unwrap();
        assert_eq!(e.modifier, ModifierIndicator::Allowed);
        assert_eq!(e.rationale, "Misuse of column two code with column one code");
        assert!(n.ptp(Setting::Practitioner, "29877", "29881", d("2026-03-02")).is_none());
        assert!(n.ptp(Setting::OutpatientHospital, "29881", "29877", d("2026-03-02")).is_none());
        // Deleted on 2020-01-01 and re-added on 2021-01-01 with another indicator.
        let old = n.ptp(Setting::Practitioner, "93000", "93005", d("2019-12-31")).unwrap();
        assert_eq!(old.modifier, ModifierIndicator::NotAllowed);
        assert_eq!(old.rationale, "CPT \"Separate procedure\" definition");
        assert!(n.ptp(Setting::Practitioner, "93000", "93005", d("2020-01-01")).is_none());
        let new = n.ptp(Setting::Practitioner, "93000", "93005", d("2021-01-01")).unwrap();
        assert_eq!(new.modifier, ModifierIndicator::Allowed);
        // Retroactively deleted: never in force.
        assert!(n.ptp(Setting::Practitioner, "11042", "97597", d("2012-01-01")).is_none());
        assert!(n.ptp(Setting::Practitioner, "29881", "29877", d("2001-12-31")).is_none());
    }

    #[test]
    fn ptp_csv_export_with_quotes_and_multiline_header_loads() {
        let csv = "\"CPT only copyright 2025 American Medical Association, all rights reserved.\"\r\n\
            \"Column 1\",\"Column 2\",\"*=in existence prior to 1996\",\"Effective Date\",\"Deletion Date\r\n*=no data\",\"Modifier\r\n0=not allowed\r\n1=allowed\r\n9=not applicable\",\"PTP Edit Rationale\"\r\n\
            \"29881\",\"29877\",\"\",\"20020101\",\"*\",\"1\",\"Misuse of column two code with column one code\"\r\n\
            20610,76942,,2015-01-01,*,0,\"HCPCS/CPT procedure code definition, see manual\"\r\n";
        let n = Ncci::builder().ptp(csv.as_bytes(), "ccioph.csv", Setting::OutpatientHospital).unwrap().build();
        let e = n.ptp(Setting::OutpatientHospital, "20610", "76942", d("2026-01-01")).unwrap();
        assert_eq!(e.rationale, "HCPCS/CPT procedure code definition, see manual");
        assert!(n.has_ptp(Setting::OutpatientHospital) && !n.has_ptp(Setting::Practitioner));
    }

    #[test]
    fn malformed_and_truncated_ptp_rows_name_file_and_line() {
        let cases = [
            (format!("{PTP}29881\t2987\t\t20020101\t*\t1\tx\n"), 11, "column 2 code"),
            (format!("{PTP}29881\t29870\t\t2002\t*\t1\tx\n"), 11, "effective date"),
            (format!("{PTP}29881\t29870\t\t20020101\t*\t5\tx\n"), 11, "modifier indicator"),
            (format!("{PTP}29881\t29870\t\t20020101\t*"), 11, "truncated"),
            ("Column 1\tColumn 2\tEffective Date\tDeletion Date\tModifier\n".to_owned(), 1, "no edits"),
            (String::new(), 1, "empty"),
            ("hello world\nbye now\n".to_owned(), 2, "empty or not this table"),
            ("Column 1\tColumn 2\tDeletion Date\tModifier\n".to_owned(), 1, "Effective Date"),
        ];
        for (text, line, needle) in cases {
            let e = Ncci::empty().load_ptp(text.as_bytes(), "ccipra-f1.txt", Setting::Practitioner).unwrap_err();
            let Error::CodeSet { file, line: at, message } = &e else { panic!("{e:?}") };
            assert_eq!(file, "ccipra-f1.txt");
            assert_eq!(*at, line, "{message}");
            assert!(message.contains(needle), "{message}");
            assert_eq!(e.code(), "codeset");
        }
        let e = Ncci::empty().load_ptp(PTP.as_bytes(), "x", Setting::Dme).unwrap_err();
        assert_eq!(e.code(), "config");
    }

    #[test]
    fn mue_tables_are_told_apart_by_header() {
        let pra = "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n\
            20610,2,2 Date of Service Edit: Policy,Anatomic Consideration\n\
            36415,2,3 Date of Service Edit: Clinical,CMS Policy\n\
            J1030,8,1 Line Edit,Clinical: Data\n";
        let oph = "\"HCPCS/CPT Code\"\t\"Outpatient Hospital Services MUE Values\"\t\"MUE Adjudication Indicator\"\t\"MUE Rationale\"\n\
            36415\t3\t3 Date of Service Edit: Clinical\tCMS Policy\n";
        let mut n = Ncci::empty();
        assert_eq!(n.load_mue(pra.as_bytes(), "pra.csv").unwrap(), (Setting::Practitioner, 3));
        assert_eq!(n.load_mue(oph.as_bytes(), "oph.txt").unwrap(), (Setting::OutpatientHospital, 1));
        let m = n.mue(Setting::Practitioner, "20610").unwrap();
        assert_eq!((m.value, m.mai, m.rationale), (2, Mai::DatePolicy, "Anatomic Consideration"));
        assert_eq!(n.mue(Setting::OutpatientHospital, "36415").unwrap().value, 3);
        assert_eq!(n.mue(Setting::Practitioner, "J1030").unwrap().mai, Mai::Line);
        assert!(n.mue(Setting::Dme, "J1030").is_none());
        let bad = format!("{pra}20611,two,2 Date of Service Edit: Policy,x\n");
        let e = Ncci::empty().load_mue(bad.as_bytes(), "pra.csv").unwrap_err();
        assert_eq!(e.to_string(), "pra.csv:5: MUE value `two` is not a whole number");
        let bad = format!("{pra}20611,2,Date of Service,x\n");
        assert!(Ncci::empty().load_mue(bad.as_bytes(), "pra.csv").unwrap_err().to_string().contains("indicator"));
        let headerless = "20610,2,2 Date of Service Edit: Policy,Anatomic Consideration\n";
        assert!(Ncci::empty().load_mue(headerless.as_bytes(), "x.csv").is_err());
        assert_eq!(Ncci::empty().load_mue_for(headerless.as_bytes(), "x.csv", Setting::Dme).unwrap(), 1);
    }

    #[test]
    fn aoc_types_primaries_and_dates() {
        let aoc = "Add-on Code,Primary Code,AOC Edit Type,Primary Code Deletion Date,AOC Deletion Date,AOC Edit Effective Date,AOC Edit Deletion Date,Special Instruction Notes\n\
            11045,11042,1,*,*,20110101,*,\n\
            11045,11043,1,20200101,*,20110101,*,\n\
            99292,CCCCC,2,*,*,20100101,*,\"Contractor defined, see notes\"\n\
            64480,64479,3,*,*,20110101,*,\n\
            64480,CCCCC,3,*,*,20110101,*,\n";
        let n = Ncci::builder().aoc(aoc.as_bytes(), "AOC_V2026Q1-MCR.csv").unwrap().build();
        let on = d("2026-03-02");
        let a = n.addon("11045", on).unwrap();
        assert_eq!(a.edit_type(), AocType::Listed);
        assert!(a.has_primary("11042"));
        assert!(!a.has_primary("11043"), "primary deleted in 2020");
        assert!(n.addon("11045", d("2019-01-01")).unwrap().has_primary("11043"));
        assert_eq!(a.primaries().collect::<Vec<_>>(), ["11042"]);
        assert_eq!(n.addon("99292", on).unwrap().edit_type(), AocType::PayerDefined);
        assert_eq!(n.addon("99292", on).unwrap().primary_count(), 0);
        assert_eq!(n.addon("64480", on).unwrap().edit_type(), AocType::ListedAndPayer);
        assert!(n.addon("11042", on).is_none());
        assert!(n.addon("11045", d("2010-12-31")).is_none());
        let bad = format!("{aoc}64480,64479,4,*,*,20110101,*,\n");
        let e = Ncci::empty().load_aoc(bad.as_bytes(), "aoc.csv").unwrap_err();
        assert_eq!(e.to_string(), "aoc.csv:7: AOC edit type `4` is not 1, 2 or 3");
    }

    #[test]
    fn anatomic_and_ptp_modifiers() {
        for m in ["LT", "RT", "E1", "E4", "FA", "F9", "TA", "T5", "LC", "RI"] {
            assert!(is_anatomic_modifier(m) && is_ptp_modifier(m), "{m}");
        }
        for m in ["59", "XU", "25"] {
            assert!(!is_anatomic_modifier(m) && is_ptp_modifier(m), "{m}");
        }
        assert!(!is_anatomic_modifier("E5") && !is_ptp_modifier("26"));
    }

    #[test]
    fn debug_shows_counts_only() {
        let n = Ncci::builder().ptp(PTP.as_bytes(), "p", Setting::Practitioner).unwrap().build();
        assert!(format!("{n:?}").contains("ptp_practitioner: 5"));
        assert!(!n.is_empty() && Ncci::empty().is_empty());
    }
}
