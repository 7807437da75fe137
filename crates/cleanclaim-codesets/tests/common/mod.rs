#![allow(dead_code)]
use std::path::PathBuf;

/// The corpus with its code sets (see [`cleanclaim_testkit::corpus_dir`]).
pub fn corpus() -> Option<PathBuf> {
    cleanclaim_testkit::corpus_dir("codesets")
}

pub fn read(rel: &str) -> Option<String> {
    let p = corpus()?.join(rel);
    Some(String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).into_owned())
}

/// Leaf (billable) codes of a simple-icd-10-cm code list: code lines not followed by a child.
pub fn code_list_leaves(text: &str) -> Vec<String> {
    let mut lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    // A block holding one category (e.g. `C7A`) is listed as block and category: same line twice.
    lines.dedup();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let is_code = l.len() >= 3 && !l.contains('-') && l.as_bytes()[0].is_ascii_alphabetic();
        if !is_code {
            continue;
        }
        let code = l.replace('.', "");
        let next = lines.get(i + 1).map(|n| n.replace('.', "")).unwrap_or_default();
        if !(next.len() > code.len() && next.starts_with(&code)) {
            out.push(code);
        }
    }
    out.sort();
    out.dedup();
    out
}
