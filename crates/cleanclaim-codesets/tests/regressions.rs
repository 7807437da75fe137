//! Inputs that once crashed a code-set look-up (found by `crates/cleanclaim/tests/reliability.rs`,
//! see docs/reliability.md). Each must give an answer, never a panic.

use cleanclaim_codesets::{CodeSets, DxStatus};

#[test]
fn non_ascii_diagnosis_codes_are_unknown_not_a_panic() {
    // `status_slow` sliced the code at byte offsets (placeholder fix, nearest prefix) and
    // panicked inside a multi-byte character such as U+1E066.
    let cm = CodeSets::embedded().icd10cm();
    for code in ["\u{1e066}", "^\u{1e066}", "!^\u{1e066}", "E11\u{e9}", "S52\u{e9}A", "\u{e9}\u{e9}\u{e9}\u{e9}"] {
        assert_eq!(cm.status(code, 2026_01_01), DxStatus::Unknown, "{code:?}");
        assert!(!cm.is_valid(code, 2026_01_01));
        assert!(cm.explain_incomplete(code, 2026_01_01).is_none());
    }
}
