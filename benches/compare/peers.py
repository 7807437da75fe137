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


def mce_input(claim):
    """cleanclaim claim JSON -> msdrg MCE dict: same codes, dates, age and sex."""
    patient = claim.get("patient") or claim["subscriber"]
    start = claim.get("admission_date") or claim.get("statement_from")
    sex = {"M": 0, "F": 1}.get(patient.get("sex"), 2)
    dx = [{"code": d["code"], **({"poa": d["poa"]} if d.get("poa") else {})} for d in claim["diagnoses"]]
    return {
        "discharge_date": ymd(claim.get("discharge_date") or claim["statement_to"]),
        "age": age_on(patient["birth_date"], start),
        "sex": sex,
        "discharge_status": int(claim.get("discharge_status") or "1"),
        "pdx": dx[0],
        "sdx": dx[1:],
        "procedures": [{"code": p["code"]} for p in claim.get("procedures", [])],
    }


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


def cmd_cleanclaim_py(claims_path):
    import cleanclaim

    claims = read_claims(claims_path)
    text = "".join(json.dumps(c) + "\n" for c in claims)
    t = time.perf_counter()
    engine = cleanclaim.Engine(as_of="2026-11-30")
    new_ms = (time.perf_counter() - t) * 1e3
    out = {"claims": len(claims), "engine_new_ms": new_ms}
    # check_many and check_json spread over every core: wall time. The loop is one thread.
    wall = time.perf_counter
    out["check_many_dicts_per_sec"] = median_rate(len(claims), lambda: engine.check_many(claims), clock=wall)
    out["check_json_per_sec"] = median_rate(len(claims), lambda: engine.check_json(text), clock=wall)
    out["check_loop_per_sec"] = median_rate(len(claims), lambda: [engine.check(c) for c in claims])
    return out


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
        "baseline": cmd_python_baseline,
    }[cmd]
    print(json.dumps(fn(*args)))


if __name__ == "__main__":
    main()
