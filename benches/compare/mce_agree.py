"""Per-edit agreement between msdrg's MCE and cleanclaim's MCE-equivalent rules on the same
claims. Reads `peers.py msdrg ... RESULTS` output and `measure mce` output; prints a JSON
summary and writes every disagreement (with the codes involved) to DISAGREEMENTS.

usage: mce_agree.py MSDRG_RESULTS.jsonl CLEANCLAIM.jsonl DISAGREEMENTS.jsonl
"""

import collections
import json
import sys

# cleanclaim rule -> the MCE edit that covers the same condition.
RULE_TO_EDIT = {
    "dx.invalid": "INVALID_CODE",
    "dx.not_billable": "INVALID_CODE",
    "dx.seventh_character": "INVALID_CODE",
    "px.invalid": "INVALID_CODE",
    "dx.duplicate": "DUPLICATE_OF_PDX",
    "dx.age_conflict": "AGE_CONFLICT",
    "dx.sex_conflict": "SEX_CONFLICT",
    "px.sex_conflict": "SEX_CONFLICT",
    "dx.manifestation_first": "MANIFESTATION_AS_PDX",
    "dx.external_cause_first": "E_CODE_AS_PDX",
    "dx.unacceptable_principal": "UNACCEPTABLE_PDX",
    "dx.requires_secondary": "REQUIRES_SDX",
    "dx.questionable_admission": "QUESTIONABLE_ADMISSION",
    "dx.unspecified": "UNSPECIFIED",
    "px.noncovered": "NON_COVERED",
    "px.limited_coverage": "LIMITED_COVERAGE",
    "px.los_inconsistent": "INCONSISTENT_WITH_LENGTH_OF_STAY",
    "dx.wrong_procedure": "WRONG_PROCEDURE_PERFORMED",
    "px.questionable_obstetric_admission": "QUESTIONABLE_OBSTETRIC_ADMISSION",
}


def mce_name(name):
    return "LIMITED_COVERAGE" if name.startswith("LIMITED_COVERAGE") else name


def main(msdrg_path, cc_path, out_path):
    ours = {}
    with open(cc_path) as f:
        for line in f:
            r = json.loads(line)
            if "id" in r:
                ours[r["id"]] = r["findings"]
    stats = collections.defaultdict(lambda: collections.Counter())
    disagreements = []
    claims = 0
    with open(msdrg_path) as f:
        for line in f:
            r = json.loads(line)
            claims += 1
            theirs = collections.Counter()
            for e in r["result"]["edits"]:
                theirs[mce_name(e["name"])] += e["count"]
            mine = collections.Counter()
            for fnd in ours[r["id"]]:
                if fnd["rule"] == "dx.duplicate" and not fnd["path"].startswith("diagnoses["):
                    continue
                edit = RULE_TO_EDIT.get(fnd["rule"])
                if edit:
                    mine[edit] += 1
            for edit in set(theirs) | set(mine):
                both = edit in theirs and edit in mine
                stats[edit]["both" if both else ("msdrg_only" if edit in theirs else "cleanclaim_only")] += 1
                if both and theirs[edit] != mine[edit]:
                    stats[edit]["count_differs"] += 1
                if not both or theirs[edit] != mine[edit]:
                    disagreements.append(
                        {
                            "id": r["id"],
                            "edit": edit,
                            "msdrg": theirs.get(edit, 0),
                            "cleanclaim": mine.get(edit, 0),
                            "cleanclaim_findings": [x for x in ours[r["id"]] if RULE_TO_EDIT.get(x["rule"]) == edit],
                            "input": r["input"],
                        }
                    )
    with open(out_path, "w") as f:
        for d in disagreements:
            f.write(json.dumps(d) + "\n")
    summary = {
        "claims": claims,
        "per_edit": {k: dict(v) for k, v in sorted(stats.items())},
        "disagreements": len(disagreements),
        "disagreements_file": out_path,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main(*sys.argv[1:])
