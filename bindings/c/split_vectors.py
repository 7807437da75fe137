"""Splits each shared vector (tests/vectors/*.json) into plain files the C test reads, so the
C test needs no JSON parser: NAME.claim.json, NAME.as_of, NAME.expect (one rule id a line)
and NAME.profile when the vector has one.

usage: python3 split_vectors.py VECTORS_DIR OUT_DIR
"""

import json
import pathlib
import sys


def main() -> int:
    src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    count = 0
    for path in sorted(src.glob("*.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        name = path.stem
        (out / f"{name}.claim.json").write_text(
            json.dumps(vector["claim"], indent=2, ensure_ascii=False), encoding="utf-8"
        )
        (out / f"{name}.as_of").write_text(vector["as_of"] + "\n", encoding="utf-8")
        (out / f"{name}.expect").write_text(
            "".join(f"{rule}\n" for rule in vector["expect"]), encoding="utf-8"
        )
        if vector.get("profile") is not None:
            (out / f"{name}.profile").write_text(vector["profile"] + "\n", encoding="utf-8")
        count += 1
    print(f"split {count} vectors from {src} into {out}")
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main())
