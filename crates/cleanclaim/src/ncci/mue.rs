//! Medically unlikely edits: the most units of a code per line or per date of service.

use super::read::{cell, clip, code, norm};
use super::{FastMap, Setting, Strings, key};

/// How an MUE is adjudicated (the `MUE Adjudication Indicator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mai {
    /// `1 Line Edit`: units on one claim line.
    Line,
    /// `2 Date of Service Edit: Policy`: units on a date of service, an absolute limit.
    DatePolicy,
    /// `3 Date of Service Edit: Clinical`: units on a date of service; may be appealed.
    DateClinical,
}

impl Mai {
    /// The indicator as CMS words it.
    pub fn describe(self) -> &'static str {
        match self {
            Mai::Line => "MAI 1 Line Edit",
            Mai::DatePolicy => "MAI 2 Date of Service Edit: Policy",
            Mai::DateClinical => "MAI 3 Date of Service Edit: Clinical",
        }
    }
}

/// The MUE of one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mue<'a> {
    /// Most units allowed.
    pub value: u32,
    /// Per line or per date of service.
    pub mai: Mai,
    /// The file's `MUE Rationale`, e.g. `Anatomic Consideration`.
    pub rationale: &'a str,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Row {
    value: u32,
    mai: u8,
    rationale: u32,
}

/// One MUE table: code key → row. A later file replaces an earlier one's rows.
#[derive(Debug, Clone, Default)]
pub(super) struct MueTable {
    rows: FastMap<u32, Row>,
}

impl MueTable {
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub(super) fn find<'s>(&self, code: &str, strings: &'s Strings) -> Option<Mue<'s>> {
        let r = self.rows.get(&key(code)?)?;
        let mai = match r.mai {
            1 => Mai::Line,
            2 => Mai::DatePolicy,
            _ => Mai::DateClinical,
        };
        Some(Mue { value: r.value, mai, rationale: strings.get(r.rationale) })
    }
}

pub(super) struct Cols {
    code: usize,
    value: usize,
    mai: usize,
    rationale: Option<usize>,
}

/// The setting an MUE header names in its values column, if it is an MUE header.
pub(super) fn header_setting(cells: &[String]) -> Option<Option<Setting>> {
    let n: Vec<String> = cells.iter().map(|c| norm(c)).collect();
    if !n.iter().any(|c| c.contains("hcpcs") || c.contains("cptcode")) {
        return None;
    }
    let value = n.iter().find(|c| c.contains("muevalue"))?;
    Some(if value.contains("practitioner") {
        Some(Setting::Practitioner)
    } else if value.contains("dme") || value.contains("supplier") {
        Some(Setting::Dme)
    } else if value.contains("outpatient") || value.contains("hospital") || value.contains("facility") {
        Some(Setting::OutpatientHospital)
    } else {
        None
    })
}

/// Reads an MUE file; the setting comes from the header unless the caller fixed it.
pub(super) struct Loader<'a> {
    pub(super) tables: &'a mut [MueTable; 3],
    pub(super) strings: &'a mut Strings,
    /// Fixed by the caller, or found in the header.
    pub(super) setting: Option<Setting>,
}

impl super::read::Layout for Loader<'_> {
    type Cols = Cols;

    fn header(&mut self, cells: &[String]) -> Option<Result<Cols, String>> {
        let named = header_setting(cells)?;
        if self.setting.is_none() {
            self.setting = named;
        }
        let find = |f: &dyn Fn(&str) -> bool| cells.iter().position(|c| f(&norm(c)));
        let setting = self.setting;
        Some((|| {
            if setting.is_none() {
                return Err("the MUE values column names no setting (practitioner, outpatient hospital or DME)".into());
            }
            Ok(Cols {
                code: find(&|c| c.contains("hcpcs") || c.contains("cptcode")).ok_or("no code column")?,
                value: find(&|c| c.contains("muevalue")).ok_or("no MUE values column")?,
                mai: find(&|c| c.contains("adjudication") || c == "mai")
                    .ok_or("MUE header has no `MUE Adjudication Indicator` column")?,
                rationale: find(&|c| c.contains("rationale")),
            })
        })())
    }

    fn positional(&self) -> Cols {
        Cols { code: 0, value: 1, mai: 2, rationale: Some(3) }
    }

    fn row(&mut self, cols: &Cols, cells: &[String]) -> Result<(), String> {
        let Some(setting) = self.setting else {
            return Err("cannot tell which MUE table this is: the file has no header naming the setting".into());
        };
        let c = code(cell(cells, cols.code, "HCPCS/CPT Code")?, "HCPCS/CPT code")?;
        let raw = cell(cells, cols.value, "MUE Values")?;
        let value: u32 = raw.trim().parse().map_err(|_| format!("MUE value `{}` is not a whole number", clip(raw)))?;
        let raw = cell(cells, cols.mai, "MUE Adjudication Indicator")?;
        let mai = match raw.trim().as_bytes().first() {
            Some(b @ b'1'..=b'3') => b - b'0',
            _ => return Err(format!("MUE adjudication indicator `{}` does not start with 1, 2 or 3", clip(raw))),
        };
        let rationale = self.strings.intern(cols.rationale.and_then(|i| cells.get(i)).map_or("", String::as_str));
        let k = key(&c).ok_or("code is not a 5-character HCPCS/CPT code")?;
        self.tables[setting.index()].rows.insert(k, Row { value, mai, rationale });
        Ok(())
    }
}
