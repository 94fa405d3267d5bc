#!/usr/bin/env bash
# Lighthouse (mobile) against a running painsite, with Debian's Chromium. Not part of CI.
#
#   make serve            # in another terminal: production settings, compressed static files
#   scripts/lighthouse.sh [URL]
#
# URL defaults to a procedure page. Needs Node 20+ (npx fetches lighthouse@12 from npm the
# first time). Reports go to artifacts/lighthouse/. Exits non-zero if a score is below the
# target: Accessibility, Best Practices and SEO 100, Performance 95.
set -euo pipefail
cd "$(dirname "$0")/.."

url="${1:-http://127.0.0.1:8000/procedures/medial-branch-block/}"
chrome="${CHROME_PATH:-/usr/bin/chromium}"
out="artifacts/lighthouse"

command -v npx >/dev/null 2>&1 || { echo "npx (Node 20+) is needed: apt-get install npm" >&2; exit 2; }
[ -x "$chrome" ] || { echo "$chrome not found: apt-get install chromium (or set CHROME_PATH)" >&2; exit 2; }
curl -fsS -o /dev/null "$url" || { echo "Nothing answers at $url: start the site with 'make serve'" >&2; exit 2; }

mkdir -p "$out"
CHROME_PATH="$chrome" npx --yes lighthouse@12 "$url" \
    --form-factor=mobile \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
    --output=json --output=html --output-path="$out/report" --quiet

python3 - "$out/report.report.json" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1]))
targets = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
failed = False
for key, target in targets.items():
    score = round((report["categories"][key]["score"] or 0) * 100)
    ok = score >= target
    failed |= not ok
    print(f"{report['categories'][key]['title']:<15} {score:>3}  (target {target}) {'ok' if ok else 'BELOW TARGET'}")
    if not ok:
        for ref in report["categories"][key]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                print(f"    - {audit['title']}")
print(f"Full report: {sys.argv[1].replace('.json', '.html')}")
sys.exit(1 if failed else 0)
PY
