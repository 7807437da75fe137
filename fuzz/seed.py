#!/usr/bin/env python3
"""Builds fuzz/corpus/<target>/ from the repository's examples and vectors and from ../shared/corpus.

Seeds are made at run time and never committed. Big CMS files are cut to their first rows (and
the tabular XML to its first few categories, re-closed) so libFuzzer mutates small inputs.
"""
import glob, hashlib, json, os, re, sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
SHARED = os.environ.get("CLEANCLAIM_SHARED", os.path.join(os.path.dirname(ROOT), "shared", "corpus"))
OUT = os.path.join(FUZZ, "corpus")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def head_lines(path, n):
    out = []
    with open(path, "rb") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            out.append(line)
    return b"".join(out)


def shared(pattern):
    return sorted(glob.glob(os.path.join(SHARED, pattern), recursive=True))


# JSON claims: examples, the claim of every vector, and an array of them.
claims = [read(p) for p in sorted(glob.glob(os.path.join(ROOT, "examples/claims/*.json")))]
for p in sorted(glob.glob(os.path.join(ROOT, "tests/vectors/*.json"))):
    v = json.loads(read(p))
    if "claim" in v:
        claims.append(json.dumps(v["claim"]).encode())
for c in claims:
    put("json_claims", c)
put("json_claims", b"[" + b",".join(claims[:3]) + b"]")
put("json_claims", b"\n".join(json.dumps(json.loads(c)).encode() for c in claims[:3]))

# X12: every shared file by what it holds, plus the x12 crate's own inline samples are covered
# by its tests.
for p in shared("x12/**/*"):
    if not os.path.isfile(p):
        continue
    b = read(p)
    if len(b) > 64 * 1024:
        continue
    if b"ST*835" in b or b"ST|835" in b or re.search(rb"ST.835", b):
        put("x12_835", b)
    elif re.search(rb"ST.(999|277)", b):
        put("x12_acks", b)
    else:
        put("x12_837", b)
# Hand-made 999 and 277CA seeds (the shared corpus has none).
ISA = b"ISA*00*          *00*          *ZZ*R              *ZZ*S              *260101*1200*^*00501*000000009*0*P*:~"
put("x12_acks", ISA + b"GS*FA*R*S*20260101*1200*9*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~"
    b"AK2*837*0001*005010X222A1~IK3*CLM*22**8~CTX*CLM01:C1~IK4*2*782*1~IK5*R*5~AK9*R*1*1*0~SE*9*0001~GE*1*9~IEA*1*000000009~")
put("x12_acks", ISA + b"GS*HN*R*S*20260101*1200*9*X*005010X214~ST*277*0001*005010X214~BHT*0085*08*1*20260101*1200*TH~"
    b"HL*1**20*1~NM1*PR*2*PAYER*****PI*P1~TRN*1*1~DTP*050*D8*20260101~DTP*009*D8*20260101~HL*2*1*21*1~"
    b"NM1*41*2*SUB*****46*S~TRN*2*1~STC*A1:20*20260101*WQ*100~HL*3*2*19*1~NM1*85*2*CLINIC*****XX*1234567893~"
    b"HL*4*3*PT~NM1*QC*1*X*Y****MI*M1~TRN*2*C1~STC*A3:21*20260101*U*100~REF*1K*PAYER1~DTP*472*D8*20260105~"
    b"SE*21*0001~GE*1*9~IEA*1*000000009~")

# FHIR: a claim made by hand (the x12 crate's tests build theirs inline).
put("fhir", json.dumps({
    "resourceType": "Claim", "id": "F1", "status": "active",
    "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "professional"}]},
    "use": "claim", "patient": {"reference": "#pat"}, "created": "2026-01-05",
    "provider": {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}},
    "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "X"}}],
    "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {"coding": [
        {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]}}],
    "item": [{"sequence": 1, "diagnosisSequence": [1],
              "productOrService": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "99213"}]},
              "servicedDate": "2026-01-05", "quantity": {"value": 1}, "net": {"value": 100, "currency": "USD"}}],
    "total": {"value": 100, "currency": "USD"},
}))
for p in glob.glob(os.path.join(ROOT, "crates/cleanclaim-x12/tests/**/*.json"), recursive=True):
    put("fhir", read(p))

# CMS files: the first rows of each.
for p in shared("codesets/mce*/*.csv"):
    put("cms_mce", head_lines(p, 40))
for p in shared("codesets/icd10cm/*order*.txt") + shared("codesets/icd10pcs/*.txt") + shared("codesets/icd10cm/*codes*.txt"):
    put("cms_order", head_lines(p, 40))
for p in shared("codesets/hcpcs/HCPC*ANWEB*.txt"):
    put("cms_hcpcs", head_lines(p, 60))
put("cms_cpt", b"code,effective_date,termination_date,description\n99213,2020-01-01,,Office visit\n"
    b"0001U,20200101,20251231,\"Red cell, \"\"antigen\"\"\"\n1234F,2021-01-01,2021-12-31,x\n")
for p in shared("codesets/icd10cm/*tabular*.xml"):
    text = read(p).decode("utf-8", "replace")
    # Keep the head up to the third closed <section>, then close chapter and root.
    ends = [m.end() for m in re.finditer(r"</section>", text)][:3]
    if ends:
        put("cms_tabular", text[: ends[-1]] + "\n</chapter>\n</ICD10CM.tabular>\n")
put("cms_tabular", "<ICD10CM.tabular><version>2026</version><chapter><name>1</name><desc>x</desc>"
    "<section id=\"A00-A09\"><desc>y</desc><diag><name>A00</name><desc>Cholera</desc>"
    "<diag><name>A00.0</name><desc>z</desc></diag></diag></section></chapter></ICD10CM.tabular>\n")

# NCCI: the core's fixtures (real layouts, few rows).
for p in glob.glob(os.path.join(ROOT, "crates/cleanclaim/tests/fixtures/ncci/*/*")):
    if not p.endswith("README.txt"):
        put("ncci", head_lines(p, 60))

# Profiles: the built-ins as TOML and a JSON rendering of one.
for p in glob.glob(os.path.join(ROOT, "crates/cleanclaim/profiles/*.toml")):
    put("profile", read(p))
    try:
        import tomllib

        put("profile", json.dumps(tomllib.loads(read(p).decode())))
    except Exception:  # Python < 3.11: the TOML seeds suffice
        pass

for t in sorted(os.listdir(OUT)):
    print(f"{t}: {len(os.listdir(os.path.join(OUT, t)))} seeds", file=sys.stderr)
