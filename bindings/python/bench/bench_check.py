"""Binding overhead and batch throughput against the Rust core, on this machine.

    python bindings/python/bench/bench_check.py [--claims N]

Measures, on the example claims and shared vectors (repeated to N claims):

* ``Engine()`` construction time;
* per-call ``check`` time for a ``Claim``, a dict and a JSON string, next to the core's own
  ``Engine::check`` on the same converted claim (timed inside Rust, no Python in the loop);
* ``check_many`` claims/s for lists of ``Claim`` objects, dicts and JSON strings, and
  ``check_json`` on the JSON-lines document, next to the core's ``check_many`` on a
  ``Vec<Claim>`` (again timed inside Rust).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cleanclaim
from cleanclaim import _native

ROOT = Path(__file__).resolve().parents[3]


def load():
    out = [json.loads(p.read_text()) for p in sorted((ROOT / "examples" / "claims").glob("*.json"))]
    for p in sorted((ROOT / "tests" / "vectors").glob("*.json")):
        v = json.loads(p.read_text())
        if "profile" not in v:
            out.append(v["claim"])
    return out


def best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=20000)
    args = ap.parse_args()
    base = load()
    claims = (base * (args.claims // len(base) + 1))[: args.claims]
    texts = [json.dumps(c) for c in claims]
    objs = [cleanclaim.Claim(c) for c in claims]
    jsonl = "\n".join(texts)
    engine = cleanclaim.Engine(as_of="2026-11-30")

    n = 2000
    t_new = best(lambda: [cleanclaim.Engine(as_of="2026-11-30") for _ in range(n)]) / n
    print(f"Engine()                       {t_new * 1e6:8.2f} µs")

    one = base[0]
    one_obj, one_text = cleanclaim.Claim(one), json.dumps(one)
    n = 20000
    core = min(_native._bench_core_check(engine, one_obj, n) for _ in range(5))
    rows = [
        ("check(Claim)", lambda: [engine.check(one_obj) for _ in range(n)]),
        ("check(dict)", lambda: [engine.check(one) for _ in range(n)]),
        ("check(str)", lambda: [engine.check(one_text) for _ in range(n)]),
        ("Claim(dict)  (conversion only)", lambda: [cleanclaim.Claim(one) for _ in range(n)]),
        ("json.dumps(dict) (for scale)", lambda: [json.dumps(one) for _ in range(n)]),
    ]
    print(f"core Engine::check (Rust loop) {core * 1e6:8.2f} µs/claim")
    for name, fn in rows:
        t = best(fn) / n
        print(f"{name:30} {t * 1e6:8.2f} µs/call  (+{(t - core) * 1e6:.2f} µs over core)")

    core_many = min(_native._bench_core_check_many(engine, objs, 3) for _ in range(3))
    core_rate = len(claims) / core_many
    print(f"\ncheck_many over {len(claims)} claims")
    print(f"core check_many(&[Claim]) (Rust) {core_rate:12,.0f} claims/s")
    for name, fn in [
        ("check_many([Claim])", lambda: engine.check_many(objs)),
        ("check_many([str])", lambda: engine.check_many(texts)),
        ("check_json(JSON lines)", lambda: engine.check_json(jsonl)),
        ("check_many([dict])", lambda: engine.check_many(claims)),
    ]:
        rate = len(claims) / best(fn, 3)
        print(f"{name:32} {rate:12,.0f} claims/s  ({rate / core_rate:6.1%} of core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
