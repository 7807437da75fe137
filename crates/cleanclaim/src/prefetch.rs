//! Prefetching a claim's own memory for [`Engine::check_many`](crate::Engine::check_many).
//!
//! A claim is ~50 separate heap blocks: its lists, and a string per field. Checking one that
//! is not in cache waits for them a chain at a time: the claim, then its list of diagnoses,
//! then each code's bytes, then the code's table slot. A single hint two claims ahead (the
//! table slots, [`Engine::prefetch`](crate::Engine::prefetch)) has to wait for the first links
//! of that chain itself: with 100,000 distinct claims (full catalogue, one thread) it spent
//! ~75 % of its samples on two loads, a diagnosis's code and that code's bytes. So the chain
//! is walked in stages, each a few claims ahead of the next, and each reading only what the
//! one before it loaded: the lists [`LISTS_AHEAD`] claims ahead, the blocks they and the claim
//! point to [`FIELDS_AHEAD`] ahead, the table slots
//! [`PREFETCH_AHEAD`](crate::engine::PREFETCH_AHEAD) ahead. The full catalogue on 100,000
//! distinct claims, one thread, ran ×1.32–1.36 (professional) and ×1.23 (inpatient) in
//! alternating runs, for ~390 more instructions a claim (`docs/performance.md`, fifteenth
//! session). Further hints (the claim itself, the Excludes1 ranges) did not pay: the waits
//! left already overlap.
//!
//! Only what the rule catalogue reads is fetched: codes, service lines, the providers' and
//! people's fields that `claim.required_field` tests, not every string a claim holds. An
//! engine of code rules alone (`dx.*`, `px.*`: the MCE edits) reads little beyond its codes,
//! so its two stages fetch only the lists of codes and the codes' bytes ([`code_lists`],
//! [`codes`]). With the full stages it ran ×0.90–0.97 on the AMD machine, with the codes'
//! stages ×0.99–1.00 (fifteenth session), so they were left out; on the Intel machine, where
//! the slots' hint then waited on each code's bytes, the codes' stages ran it ×1.08 (median of
//! 16 alternating pairs, 0.97–1.20; twenty-first session).

use crate::codesets::prefetch;
use crate::model::{Address, Claim, Person, Provider};

/// How many claims ahead of the one being checked its lists are fetched.
pub(crate) const LISTS_AHEAD: usize = 6;

/// How many claims ahead of the one being checked the blocks its lists and fields point to
/// are fetched.
pub(crate) const FIELDS_AHEAD: usize = 4;

/// Stage one: the claim's lists (diagnoses, procedures, every cache line of its service lines)
/// and its boxed people and providers, whose addresses the claim itself holds.
#[inline]
pub(crate) fn lists(c: &Claim) {
    code_lists(c);
    if let Some(p) = &c.patient {
        prefetch::<Person>(&**p);
    }
    let lines = c.lines.as_ptr().cast::<u8>();
    for at in (0..size_of_val(c.lines.as_slice())).step_by(64) {
        prefetch(lines.wrapping_add(at));
    }
    for p in optional_providers(c) {
        prefetch::<Provider>(p);
    }
}

/// Stage one for an engine that reads the codes alone: the lists of diagnoses and procedures,
/// and the claim's own cache lines that hold its id (which the report copies), type of bill and
/// subscriber (claim type and age, which every check works out).
#[inline]
pub(crate) fn code_lists(c: &Claim) {
    prefetch(c.diagnoses.as_ptr());
    prefetch(c.procedures.as_ptr());
    prefetch(&c.id);
    prefetch(&c.type_of_bill);
    prefetch(&c.subscriber);
}

/// Stage two for an engine that reads the codes alone: each code's bytes, and the id's and type
/// of bill's. Copying the id into the report waited on its bytes for 41 % of `check_on`'s
/// samples (perf, MCE rules); both stages' additions ran the MCE rules ×1.06 and ×1.18 in two
/// sets of six alternating pairs (0.99–1.14, 0.92–1.29; twenty-fourth session). Stage one reads these fields' addresses from the
/// claim; asking for the bytes at stage two alone, without the claim's lines, ran ×0.94.
#[inline]
pub(crate) fn codes(c: &Claim) {
    for d in &c.diagnoses {
        prefetch(d.code.as_ptr());
    }
    for p in &c.procedures {
        prefetch(p.code.as_ptr());
    }
    prefetch(c.id.as_ptr());
    text(&c.type_of_bill);
}

/// Stage two: what the lists of stage one and the claim's own fields point to: each code's
/// bytes, a line's modifiers and pointers, the providers' NPIs, the required fields' strings.
#[inline]
pub(crate) fn fields(c: &Claim) {
    codes(c);
    prefetch(c.frequency.as_ptr());
    for l in &c.lines {
        text(&l.procedure);
        prefetch(l.modifiers.as_ptr());
        prefetch(l.pointers.as_ptr());
    }
    provider(&c.billing_provider);
    for p in optional_providers(c) {
        text(&p.npi);
    }
    person(&c.subscriber);
    if let Some(p) = &c.patient {
        person(p);
    }
    text(&c.payer.id);
    text(&c.place_of_service);
}

/// The claim's boxed providers that are there: its own rendering, referring and attending.
#[inline]
fn optional_providers(c: &Claim) -> impl Iterator<Item = &Provider> {
    [&c.rendering_provider, &c.referring_provider, &c.attending_provider].into_iter().flatten().map(|b| &**b)
}

#[inline]
fn text(s: &Option<String>) {
    if let Some(s) = s {
        prefetch(s.as_ptr());
    }
}

#[inline]
fn address(a: &Option<Address>) {
    if let Some(a) = a {
        prefetch(a.lines.as_ptr());
        text(&a.city);
        text(&a.state);
        text(&a.postal_code);
    }
}

#[inline]
fn provider(p: &Provider) {
    text(&p.npi);
    text(&p.name);
    text(&p.tax_id);
    address(&p.address);
}

#[inline]
fn person(p: &Person) {
    if let Some(n) = &p.name {
        text(&n.last);
        text(&n.first);
    }
    text(&p.member_id);
    address(&p.address);
}
