#!/bin/sh
# Every finding code in the table is documented once in docs/findings.md, under a
# "### CODE (severity)" heading whose severity matches the table, and the catalogue
# documents no code the table lacks.
cd "$(dirname "$0")/../.." || exit 2
python3 - <<'PY'
import re, sys
table = {}
for line in open("common/include/mxguard/finding_codes.def"):
    m = re.match(r'\s*MXG_FINDING\((\w+),\s*(\w+),', line)
    if m:
        table[m.group(1)] = m.group(2).lower()
doc = {}
dupes = []
for line in open("docs/findings.md"):
    m = re.match(r'###\s+(\w+)\s+\((\w+)\)', line)
    if m:
        if m.group(1) in doc:
            dupes.append(m.group(1))
        doc[m.group(1)] = m.group(2).lower()
passed = failed = 0
def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("not ok - " + what)
for code, sev in sorted(table.items()):
    check(code in doc, f"{code} is documented in docs/findings.md")
    if code in doc:
        check(doc[code] == sev, f"{code}: documented severity {doc[code]} matches table {sev}")
for code in sorted(doc):
    check(code in table, f"documented code {code} exists in the table")
check(not dupes, f"no code documented twice ({', '.join(dupes)})")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
