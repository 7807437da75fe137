//! `claim.duplicate_line`: two service lines bill the same service twice — same procedure,
//! modifiers, revenue code, date of service and rendering provider.
//!
//! Example: two identical 36415 lines on 2026-03-02 are reported on the second. Repeat
//! services are billed with units, or with modifier 76/77/91, which makes the lines differ.

use super::{ALL_TYPES, Context, Rule, RuleMeta, Sink};
use crate::report::Severity;

/// See the module documentation.
#[derive(Debug)]
pub struct DuplicateLine;

static META: RuleMeta = RuleMeta {
    id: "claim.duplicate_line",
    severity: Severity::Warning,
    applies_to: ALL_TYPES,
    summary: "Two service lines bill the same code, modifiers, date and provider (payers deny the second as a duplicate, CARC 18)",
    source: "CARC 18 (exact duplicate claim/service); NCCI policy manual ch. I (repeat services use modifiers 76/77/91 or units)",
    default_enabled: true,
};

type Key<'a> = (Option<&'a str>, Option<&'a str>, &'a [String], Option<crate::Date>, Option<&'a str>);

/// What makes two lines the same service.
fn key<'a>(c: &'a crate::Claim, l: &'a crate::ServiceLine) -> Key<'a> {
    (
        l.procedure.as_deref(),
        l.revenue_code.as_deref(),
        &l.modifiers,
        c.line_date(l),
        c.line_rendering(l).and_then(|p| p.npi.as_deref()),
    )
}

impl Rule for DuplicateLine {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let c = cx.claim;
        let key = |l| key(c, l);
        // Claims have a handful of lines, where a scan beats hashing; sort when there are many
        // so a 10,000-line claim stays O(n log n).
        let dup_of: Vec<Option<usize>> = if c.lines.len() <= 64 {
            // Usually no line repeats: then nothing is allocated.
            let mut dup_of = Vec::new();
            for (i, l) in c.lines.iter().enumerate() {
                // Lines mostly differ in their procedure: compared first, it spares working out
                // both lines' whole keys.
                if let Some(j) = c.lines[..i].iter().position(|b| b.procedure == l.procedure && key(b) == key(l)) {
                    dup_of.resize(c.lines.len(), None);
                    dup_of[i] = Some(j);
                }
            }
            if dup_of.is_empty() {
                return;
            }
            dup_of
        } else {
            let mut order: Vec<usize> = (0..c.lines.len()).collect();
            order.sort_by(|&x, &y| key(&c.lines[x]).cmp(&key(&c.lines[y])).then(x.cmp(&y)));
            let mut dup_of = vec![None; c.lines.len()];
            for w in order.windows(2) {
                if key(&c.lines[w[0]]) == key(&c.lines[w[1]]) {
                    dup_of[w[1]] = Some(dup_of[w[0]].unwrap_or(w[0]));
                }
            }
            dup_of
        };
        for (i, a) in c.lines.iter().enumerate() {
            if let Some(j) = dup_of[i] {
                let code =
                    crate::codes::shown(a.procedure.as_deref().or(a.revenue_code.as_deref()).unwrap_or("(no code)"));
                out.line(i, "", format!("line {} repeats line {} ({code}, same modifiers, date and provider); bill units or use modifier 76/77/91", i + 1, j + 1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{base_claim, run};

    #[test]
    fn distinct_lines_pass() {
        assert!(run(&DuplicateLine, &base_claim()).is_empty());
    }

    #[test]
    fn an_identical_line_is_reported_and_a_modifier_91_repeat_is_not() {
        let mut c = base_claim();
        let dup = c.lines[2].clone();
        c.lines.push(dup.clone());
        let f = run(&DuplicateLine, &c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].line, Some(4));
        c.lines[3].modifiers = vec!["91".into()];
        assert!(run(&DuplicateLine, &c).is_empty());
    }

    #[test]
    fn many_lines_use_the_sorted_path_with_the_same_answer() {
        let mut c = base_claim();
        let lines = c.lines.clone();
        c.lines = (0..100).flat_map(|_| lines.clone()).collect();
        let f = run(&DuplicateLine, &c);
        assert_eq!(f.len(), 297);
        assert!(f[0].message.starts_with("line 4 repeats line 1"), "{}", f[0].message);
    }
}
