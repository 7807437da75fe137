//! `line.pointer_invalid`: each professional service line points at 1–4 diagnoses that exist.
//!
//! Example: a line with pointers `[1, 5]` on a claim with three diagnoses is reported at
//! `lines[0].pointers[1]`.

use super::{Context, PROFESSIONAL, Rule, RuleMeta, Sink};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct PointerInvalid;

static META: RuleMeta = RuleMeta {
    id: "line.pointer_invalid",
    severity: Severity::Error,
    applies_to: PROFESSIONAL,
    summary: "A service line has no diagnosis pointer, more than 4, a repeated one, or one that points at no diagnosis",
    source: "X12 005010X222A1 2400 SV107 (1-4 pointers, each 1-12 to an HI entry); CMS-1500 item 24E",
    default_enabled: true,
};

impl Rule for PointerInvalid {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let n_dx = cx.claim.diagnoses.len();
        for (i, l) in cx.claim.lines.iter().enumerate() {
            if l.pointers.is_empty() {
                out.line(i, ".pointers", "service line has no diagnosis pointer (1 to 4 are required)");
                continue;
            }
            if l.pointers.len() > 4 {
                out.line(
                    i,
                    ".pointers",
                    format!("service line has {} diagnosis pointers; at most 4 are allowed", l.pointers.len()),
                );
            }
            // Bit `p` is set once pointer `p` has passed: an earlier copy of a pointer in 1-12 that
            // points at a diagnosis passed too, so the bits answer "repeated" as a scan would.
            let mut passed = 0u16;
            for (j, &p) in l.pointers.iter().enumerate() {
                // The path is built only for a finding: this loop runs on every pointer.
                let why = if !(1..=12).contains(&p) {
                    format!("diagnosis pointer {p} is outside 1-12")
                } else if p as usize > n_dx {
                    format!("diagnosis pointer {p} points at no diagnosis (the claim has {n_dx})")
                } else if passed & 1 << p != 0 {
                    format!("diagnosis pointer {p} is repeated on this line")
                } else {
                    passed |= 1 << p;
                    continue;
                };
                out.line(i, &format!(".pointers[{j}]"), why);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn pointers_to_existing_diagnoses_pass() {
        assert!(run(&PointerInvalid, &base_claim()).is_empty());
    }

    #[test]
    fn dangling_missing_repeated_and_out_of_range_pointers_are_reported() {
        let mut c = base_claim();
        let n = c.diagnoses.len() as i32;
        c.lines[0].pointers = vec![1, n + 1];
        c.lines[1].pointers = vec![];
        let mut third = c.lines[1].clone();
        third.pointers = vec![1, 1, 13];
        c.lines.push(third);
        let f = run(&PointerInvalid, &c);
        let paths: Vec<_> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            ["lines[0].pointers[1]", "lines[1].pointers", "lines[3].pointers[1]", "lines[3].pointers[2]"]
        );
    }

    #[test]
    fn repeats_are_the_ones_a_scan_of_the_earlier_pointers_finds() {
        // Every list of four pointers over values below, in and above the range and the claim's
        // diagnoses, against the scan the bit set stands for.
        let values = [-1, 0, 1, 2, 4, 5, 12, 13];
        let mut c = base_claim();
        c.lines.truncate(1);
        let n_dx = c.diagnoses.len();
        assert!(n_dx < 5, "5 and 12 must point past the diagnoses");
        for n in 0..values.len().pow(4) {
            let ptrs: Vec<i32> = (0..4).map(|k| values[n / values.len().pow(k) % values.len()]).collect();
            c.lines[0].pointers = ptrs.clone();
            let got: Vec<String> = run(&PointerInvalid, &c).into_iter().map(|f| f.message).collect();
            let want: Vec<String> = (0..ptrs.len())
                .filter_map(|j| {
                    let p = ptrs[j];
                    if !(1..=12).contains(&p) {
                        Some(format!("diagnosis pointer {p} is outside 1-12"))
                    } else if p as usize > n_dx {
                        Some(format!("diagnosis pointer {p} points at no diagnosis (the claim has {n_dx})"))
                    } else {
                        ptrs[..j].contains(&p).then(|| format!("diagnosis pointer {p} is repeated on this line"))
                    }
                })
                .collect();
            assert_eq!(got, want, "{ptrs:?}");
        }
    }

    #[test]
    fn institutional_claims_are_not_checked() {
        let mut c = base_claim();
        c.kind = crate::model::ClaimKind::Institutional;
        c.lines[0].pointers.clear();
        assert!(run(&PointerInvalid, &c).is_empty());
    }
}
