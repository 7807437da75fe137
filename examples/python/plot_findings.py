"""Plot findings on the example claims by rule and by rendering provider.

    python examples/python/plot_findings.py [out.png] [--claims 'examples/claims/*.json']

Writes a PNG (default ``findings.png``) with two bar charts. Uses matplotlib's Agg backend,
so it runs headless.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
from collections import Counter

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import cleanclaim  # noqa: E402


def rendering_npi(claim: dict, line: "int | None") -> str:
    """The rendering provider's NPI for a finding: the line's own, else the claim's."""
    if line is not None and 0 < line <= len(claim.get("lines", [])):
        own = (claim["lines"][line - 1].get("rendering_provider") or {}).get("npi")
        if own:
            return own
    return (claim.get("rendering_provider") or {}).get("npi") or "(none)"


def count(paths, engine: cleanclaim.Engine):
    """Findings per rule id and per rendering NPI over every claim in `paths`."""
    by_rule: Counter = Counter()
    by_provider: Counter = Counter()
    for path in paths:
        text = open(path, encoding="utf-8").read()
        doc = json.loads(text)
        claims = doc if isinstance(doc, list) else [doc]
        for claim, report in zip(claims, engine.check_json(text)):
            for f in report.findings:
                by_rule[f.rule] += 1
                by_provider[rendering_npi(claim, f.line)] += 1
    return by_rule, by_provider


def main(argv=None) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="findings.png", help="PNG to write")
    ap.add_argument("--claims", default=os.path.join(here, "..", "claims", "*.json"))
    ap.add_argument("--as-of", default=None, help="'today' for date checks (YYYY-MM-DD)")
    args = ap.parse_args(argv)

    paths = sorted(glob.glob(args.claims))
    if not paths:
        ap.error(f"no files match {args.claims}")
    by_rule, by_provider = count(paths, cleanclaim.Engine(as_of=args.as_of))

    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
    for ax, counts, title in ((a, by_rule, "Findings by rule"),
                              (b, by_provider, "Findings by rendering provider (NPI)")):
        items = counts.most_common()
        ax.barh([k for k, _ in items][::-1], [v for _, v in items][::-1], color="#4c72b0")
        ax.set_title(title)
        ax.set_xlabel("findings")
    fig.suptitle(f"cleanclaim {cleanclaim.__version__}: {len(paths)} files, "
                 f"{sum(by_rule.values())} findings")
    fig.savefig(args.out, dpi=100)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
