"""Peers side by side: each subcommand times one peer (or the cleanclaim wheel) on an input
file made by `measure` and prints one JSON object. Medians over several runs.

Run by benches/compare/run.sh inside its scratch venv; not a test.
"""

import json
import os
import resource
import statistics
import sys
import time

if os.environ.get("COMPARE_NO_ORJSON"):
    # msdrg picks orjson at import when it can; this measures its stdlib-json path.
    sys.modules["orjson"] = None

RUNS = int(os.environ.get("COMPARE_RUNS", "5"))


def median_rate(items, fn, runs=RUNS, clock=time.thread_time):
    """Median rate after a warm-up. The default clock is this thread's CPU time, as for
    cleanclaim's per-core numbers, so a busy machine does not skew the comparison."""
    fn()  # warm-up
    rates = []
    for _ in range(runs):
        t = clock()
        fn()
        rates.append(items / (clock() - t))
    return statistics.median(rates)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def read_claims(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def ymd(date):
    return int(date.replace("-", ""))


def age_on(born, on):
    by, bm, bd = map(int, born.split("-"))
    oy, om, od = map(int, on.split("-"))
    age = oy - by - ((om, od) < (bm, bd))
    return max(age, 0)


def patient_of(claim):
    return claim.get("patient") or claim["subscriber"]


def diagnoses_of(claim):
    """Codes and POA, the diagnosis fields msdrg reads."""
    return [{"code": d["code"], **({"poa": d["poa"]} if d.get("poa") else {})} for d in claim["diagnoses"]]


def mce_input(claim):
    """cleanclaim claim JSON -> msdrg MCE dict: same codes, dates, age and sex."""
    patient = patient_of(claim)
    start = claim.get("admission_date") or claim.get("statement_from")
    sex = {"M": 0, "F": 1}.get(patient.get("sex"), 2)
    dx = diagnoses_of(claim)
    return {
        "discharge_date": ymd(claim.get("discharge_date") or claim["statement_to"]),
        "age": age_on(patient["birth_date"], start),
        "sex": sex,
        "discharge_status": int(claim.get("discharge_status") or "1"),
        "pdx": dx[0],
        "sdx": dx[1:],
        "procedures": [{"code": p["code"]} for p in claim.get("procedures", [])],
    }


def mce_claim(claim):
    """The claim cut down to what `mce_input` gives msdrg (codes, POA, dates, birth date, sex,
    discharge status) and what cleanclaim's MCE-equivalent rules also read (kind, type of bill,
    the stay's dates, procedure dates), with the model's required fields left empty."""
    patient = patient_of(claim)
    out = {k: claim[k] for k in ("id", "kind", "type_of_bill", "statement_from", "statement_to",
                                   "admission_date", "discharge_date", "discharge_status") if k in claim}
    out.update(
        billing_provider={}, payer={}, lines=[], total_charge=0,
        subscriber={"birth_date": patient.get("birth_date"), "sex": patient.get("sex")},
        diagnoses=diagnoses_of(claim),
        procedures=[{"code": p["code"], **({"date": p["date"]} if p.get("date") else {})}
                    for p in claim.get("procedures", [])],
    )
    return out


def cmd_mce_inputs(claims_path, out_path):
    """Writes the msdrg inputs (JSON lines, pre-encoded) for the native driver."""
    with open(out_path, "w") as f:
        for c in read_claims(claims_path):
            f.write(json.dumps(mce_input(c), separators=(",", ":")) + "\n")
    return {"written": out_path}


def cmd_msdrg(claims_path, results_path=None):
    import msdrg

    claims = read_claims(claims_path)
    inputs = [mce_input(c) for c in claims]
    # Rates settle well before 20k claims; a Python peer at ~10k/s would otherwise take minutes.
    timed = inputs[: int(os.environ.get("COMPARE_PEER_CLAIMS", "20000"))]
    with msdrg.MceEditor() as mce:
        rate = median_rate(len(timed), lambda: [mce.edit(i) for i in timed])
        if results_path:
            with open(results_path, "w") as f:
                for c, i in zip(claims, inputs):
                    f.write(json.dumps({"id": c["id"], "input": i, "result": mce.edit(i)}) + "\n")
    return {"claims": len(timed), "edit_per_sec": rate, "orjson": sys.modules.get("orjson") is not None}


def cmd_simple_icd(codes_path):
    t = time.perf_counter()
    import simple_icd_10_cm as cm

    import_secs = time.perf_counter() - t
    import_rss = peak_rss_mib()
    with open(codes_path) as f:
        codes = [l.strip() for l in f if l.strip()]
    valid = sum(1 for c in codes if cm.is_valid_item(c))
    desc_codes = [c for c in codes if cm.is_valid_item(c)]
    return {
        "import_secs": import_secs,
        "import_peak_rss_mib": import_rss,
        "codes": len(codes),
        "valid": valid,
        "is_valid_item_per_sec": median_rate(len(codes), lambda: [cm.is_valid_item(c) for c in codes]),
        "get_description_per_sec": median_rate(len(desc_codes), lambda: [cm.get_description(c) for c in desc_codes]),
    }


def cmd_pyx12(x12_path):
    import pyx12.params
    import pyx12.x12n_document

    size = os.path.getsize(x12_path)
    rates = []
    ok = None
    for _ in range(max(1, RUNS // 2)):
        param = pyx12.params.params()
        t = time.thread_time()
        with open(x12_path) as src, open(os.devnull, "w") as fd_999:
            ok = pyx12.x12n_document.x12n_document(param=param, src_file=src, fd_997=fd_999, fd_html=None)
        rates.append(size / (time.thread_time() - t))
    return {"bytes": size, "valid": bool(ok), "bytes_per_sec": statistics.median(rates), "peak_rss_mib": peak_rss_mib()}


def claim_columns(claims):
    """Claims as `check_frame` tables (dict of lists): the analyst's columnar form."""
    cols = {k: [] for k in ("claim_id", "kind", "frequency", "billing_npi", "payer_id", "member_id", "birth_date",
                            "sex", "type_of_bill", "statement_from", "statement_to", "admission_date",
                            "discharge_date", "discharge_status", "total_charge")}
    for n in range(1, 13):
        cols[f"dx{n}"] = []
    lines = {k: [] for k in ("claim_id", "line", "procedure", "revenue_code", "units", "charge", "date", "date_to")}
    for c in claims:
        sub = c.get("subscriber") or {}
        row = {"claim_id": c["id"], "kind": c["kind"], "frequency": c.get("frequency"),
               "billing_npi": (c.get("billing_provider") or {}).get("npi"), "payer_id": (c.get("payer") or {}).get("id"),
               "member_id": sub.get("member_id"), "birth_date": sub.get("birth_date"), "sex": sub.get("sex")}
        for k in ("type_of_bill", "statement_from", "statement_to", "admission_date", "discharge_date",
                  "discharge_status", "total_charge"):
            row[k] = c.get(k)
        dx = [d["code"] for d in c.get("diagnoses", [])]
        for n in range(1, 13):
            row[f"dx{n}"] = dx[n - 1] if n <= len(dx) else None
        for k in cols:
            cols[k].append(row[k])
        for i, l in enumerate(c.get("lines", [])):
            for k in lines:
                lines[k].append(c["id"] if k == "claim_id" else i + 1 if k == "line" else l.get(k))
    return cols, lines


def cmd_cleanclaim_py(claims_path, codes_path, mce_rate_path):
    """cleanclaim's Python API on the claims msdrg gets (the same first COMPARE_PEER_CLAIMS),
    full catalogue and MCE-equivalent rules, every input form. `*_cpu` rates are claims per
    CPU-second of the whole process (all threads: the per-core number to hold against msdrg's
    one-thread rate); `*_wall` use both cores; `*_gil` is CPU time of the calling thread
    alone, the part that holds the GIL (dict conversion) and bounds any number of cores."""
    import cleanclaim

    claims = read_claims(claims_path)[: int(os.environ.get("COMPARE_PEER_CLAIMS", "20000"))]
    texts = [json.dumps(c) for c in claims]
    text = "".join(t + "\n" for t in texts)
    t = time.perf_counter()
    full = cleanclaim.Engine(as_of="2026-11-30")
    new_ms = (time.perf_counter() - t) * 1e3
    # The MCE rule list as `measure mce-rate` ran it, so the Rust and Python rows agree.
    with open(mce_rate_path) as f:
        mce_ids = set(json.load(f)["rules"])
    mce = cleanclaim.Engine(as_of="2026-11-30", disable=[r["id"] for r in cleanclaim.rules() if r["id"] not in mce_ids])
    out = {"claims": len(claims), "engine_new_ms": new_ms, "mce_rules": sorted(mce_ids)}
    cpu, wall, gil = time.process_time, time.perf_counter, time.thread_time
    n = len(claims)
    cols, lines = claim_columns(claims)
    for name, engine in (("full", full), ("mce", mce)):
        many = lambda: engine.check_many(claims)
        out[f"{name}_check_many_dicts_cpu"] = median_rate(n, many, clock=cpu)
        out[f"{name}_check_many_dicts_wall"] = median_rate(n, many, clock=wall)
        out[f"{name}_check_many_dicts_gil"] = median_rate(n, many, clock=gil)
        out[f"{name}_check_many_str_cpu"] = median_rate(n, lambda: engine.check_many(texts), clock=cpu)
        out[f"{name}_check_json_cpu"] = median_rate(n, lambda: engine.check_json(text), clock=cpu)
        out[f"{name}_check_json_wall"] = median_rate(n, lambda: engine.check_json(text), clock=wall)
        out[f"{name}_check_frame_dicts_cpu"] = median_rate(n, lambda: engine.check_frame(cols, lines), clock=cpu)
        try:
            import pyarrow as pa

            ct, lt = pa.table(cols), pa.table(lines)
            out[f"{name}_check_frame_arrow_cpu"] = median_rate(n, lambda: engine.check_frame(ct, lt), clock=cpu)
            out[f"{name}_check_frame_arrow_wall"] = median_rate(n, lambda: engine.check_frame(ct, lt), clock=wall)
            out[f"{name}_check_frame_arrow_gil"] = median_rate(n, lambda: engine.check_frame(ct, lt), clock=gil)
        except ImportError:
            pass
        out[f"{name}_check_loop_cpu"] = median_rate(n, lambda: [engine.check(c) for c in claims], clock=cpu)
    # The same claims cut to msdrg's fields: the MCE rules must find on them what they find on
    # the full dicts (the count tells that there was something to find).
    small = [mce_claim(c) for c in claims]
    found = lambda reports: [sorted((f.rule, f.path or "") for f in r.findings) for r in reports]
    on_full = found(mce.check_many(claims))
    out["mce_small_dicts_same_findings"] = found(mce.check_many(small)) == on_full
    out["mce_findings"] = sum(len(f) for f in on_full)
    out["mce_check_many_small_dicts_cpu"] = median_rate(n, lambda: mce.check_many(small), clock=cpu)
    out["mce_check_many_small_dicts_gil"] = median_rate(n, lambda: mce.check_many(small), clock=gil)
    # Kept for the existing table: the full catalogue from dicts (wall) and check_json (wall).
    out["check_many_dicts_per_sec"] = out["full_check_many_dicts_wall"]
    out["check_json_per_sec"] = out["full_check_json_wall"]
    out["check_loop_per_sec"] = out["full_check_loop_cpu"]
    if codes_path:
        with open(codes_path) as f:
            codes = [l.strip() for l in f if l.strip()]
        on = "2026-04-01"
        out["codes"] = len(codes)
        out["validity_list_cpu"] = median_rate(len(codes), lambda: full.icd10cm_validity(codes, on), clock=cpu)
        # One code per call, as `is_valid_item` is called.
        if hasattr(full, "icd10cm_valid"):
            out["validity_per_call_cpu"] = median_rate(
                len(codes), lambda: [full.icd10cm_valid(c, on) for c in codes], clock=cpu)
        for name, make in (("numpy", lambda: __import__("numpy").array(codes)),
                           ("arrow", lambda: __import__("pyarrow").array(codes))):
            try:
                arr = make()
                out[f"validity_{name}_cpu"] = median_rate(len(codes), lambda: full.icd10cm_validity(arr, on),
                                                          clock=cpu)
            except (ImportError, TypeError):
                pass  # not installed, or a binding that reads only lists
    return out


def cmd_validity_pairs(codes_path):
    """`is_valid_item` and cleanclaim's `icd10cm_valid`, one code per call, and its batch
    `icd10cm_validity` from a list and from a pyarrow array, alternating in one process, as
    the MCE row alternates processes: a call of either is mostly a wait on memory, which this
    machine's neighbours stretch from one minute to the next (docs/performance.md, tenth
    session), and the batch rows' separate medians moved with the peer's stretch as much as
    with ours. Each pair is one loop of theirs and one turn of each of ours, seconds apart, on
    one thread (a batch turn is three calls: one call over a million codes is ~20 ms); every
    other pair runs ours first, so that neither side always follows the other's loop through
    a million codes, which may push its tables out of cache."""
    import cleanclaim
    import simple_icd_10_cm as cm

    with open(codes_path) as f:
        codes = [l.strip() for l in f if l.strip()]
    full = cleanclaim.Engine(as_of="2026-11-30")
    on = "2026-04-01"
    turns = {
        "theirs": (1, lambda: [cm.is_valid_item(c) for c in codes]),
        "per_call": (1, lambda: [full.icd10cm_valid(c, on) for c in codes]),
        "list": (3, lambda: full.icd10cm_validity(codes, on)),
    }
    try:
        import pyarrow as pa

        arr = pa.array(codes)
        turns["arrow"] = (3, lambda: full.icd10cm_validity(arr, on))
    except ImportError:
        pass
    for _, fn in turns.values():
        fn()  # warm-up
    rows = []
    for i in range(RUNS):
        rate = {}
        for name, (calls, fn) in list(turns.items())[:: 1 if i % 2 == 0 else -1]:
            t = time.thread_time()
            for _ in range(calls):
                fn()
            rate[name] = calls * len(codes) / (time.thread_time() - t)
        rows.append(rate)
    pairs = lambda ours: [[r["theirs"], r[ours]] for r in rows]
    out = {"codes": len(codes), "pairs": pairs("per_call"), "list_pairs": pairs("list")}
    if "arrow" in turns:
        out["arrow_pairs"] = pairs("arrow")
    return out


def cmd_cli(binary, path, claims):
    """The main job end to end: `cleanclaim check` of one large file, from disk to JSON-lines
    reports (thrown away), in a process of its own. Wall time (the check uses every core) and
    the peak RSS of the process; 3 runs, the median time and the largest peak."""
    import subprocess

    walls, peaks = [], []
    for _ in range(3):
        t = time.perf_counter()
        done = subprocess.run([binary, "check", "--as-of=2026-11-30", "--format=jsonl", path],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        walls.append(time.perf_counter() - t)
        if done.returncode not in (0, 1):
            return {"error": done.stderr.decode(errors="replace")[:500]}
        # The largest RSS of any child waited for so far: each run's process is the same size.
        peaks.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    wall, size = statistics.median(walls), os.path.getsize(path)
    return {"bytes": size, "claims": int(claims), "secs": wall, "bytes_per_sec": size / wall,
            "claims_per_sec": int(claims) / wall, "peak_rss_mib": max(peaks)}


def cmd_python_baseline():
    """Interpreter start-up memory, to read the peers' import numbers against."""
    return {"peak_rss_mib": peak_rss_mib()}


def main():
    cmd, *args = sys.argv[1:]
    fn = {
        "mce-inputs": cmd_mce_inputs,
        "msdrg": cmd_msdrg,
        "simple-icd": cmd_simple_icd,
        "pyx12": cmd_pyx12,
        "cleanclaim-py": cmd_cleanclaim_py,
        "validity-pairs": cmd_validity_pairs,
        "baseline": cmd_python_baseline,
        "cli": cmd_cli,
    }[cmd]
    print(json.dumps(fn(*args)))


if __name__ == "__main__":
    main()
