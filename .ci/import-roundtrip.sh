#!/usr/bin/env bash
# Import round trip: loads bundles made from the shipped fixtures into throwaway PostgreSQL 15,
# MariaDB and SQLite databases, each twice, and checks counts, selected values, documents,
# idempotence, updates from a newer bundle, a BSN/birth-date conflict and receiver-added rows.
# Needs root (PostgreSQL runs as the 'postgres' OS user), postgresql-15, mariadb-server, sqlite3,
# python3. No TCP: every server listens on a unix socket in a temporary folder.
# Usage: .ci/import-roundtrip.sh   (DOSSIERPORT=path/to/binary to skip the build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DP=${DOSSIERPORT:-}
if [ -z "$DP" ]; then
  (cd "$ROOT" && swift build --product dossierport >/dev/null)
  DP="$ROOT/.build/debug/dossierport"
fi
T=$(mktemp -d /tmp/dp-import-ci.XXXXXX)
chmod 755 "$T"
PGBIN=/usr/lib/postgresql/15/bin
cleanup() {
  [ -f "$T/pg/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg" -m immediate stop >/dev/null 2>&1 || true
  [ -f "$T/my.pid" ] && kill "$(cat "$T/my.pid")" 2>/dev/null && sleep 1 || true
  rm -rf "$T"
}
trap cleanup EXIT
t0=$(date +%s%N)
step() { local ms=$(( ($(date +%s%N) - t0) / 1000000 )); printf '[%4d.%01ds] %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*"; }

step "starting PostgreSQL 15"
mkdir "$T/pgsock" "$T/pg" && chown postgres "$T/pgsock" "$T/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$T/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$T/initdb.log"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg" -l "$T/pgsock/pg.log" -w \
  -o "-k $T/pgsock -c listen_addresses='' -c fsync=off" start >/dev/null
psql -h "$T/pgsock" -U postgres -q -c "CREATE DATABASE receiver"

step "starting MariaDB"
mariadb-install-db --no-defaults --datadir="$T/my" --auth-root-authentication-method=normal --user=root >"$T/my-install.log" 2>&1
mariadbd --no-defaults --datadir="$T/my" --socket="$T/my.sock" --pid-file="$T/my.pid" --skip-networking --user=root \
  --log-error="$T/my.err" --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 &
for _ in $(seq 100); do mariadb-admin --no-defaults --socket="$T/my.sock" -uroot ping >/dev/null 2>&1 && break; sleep 0.2; done
mariadb --no-defaults --socket="$T/my.sock" -uroot -e "CREATE DATABASE receiver"

step "building bundles from fixtures"
cp -r "$ROOT/fixtures/dossiers" "$T/src1"
python3 - "$T" <<'EOF'
import json, shutil, sys
T = sys.argv[1]
# Newer bundle: one report changed, one added (with quotes, a backslash, a newline and an emoji).
shutil.copytree(f"{T}/src1", f"{T}/src2")
p = f"{T}/src2/ZDL-000103.json"
d = json.load(open(p, encoding="utf-8"))
d["progressReports"][0]["text"] += " (aangevuld)"
new = json.loads(json.dumps(d["progressReports"][0]))
new["id"] = "rap-103-9999"
new["text"] = "Nieuw: 'O''Brien' zei \"ja\" \\ C:\\temp\r\nTweede regel 😀 café"
d["progressReports"].append(new)
json.dump(d, open(p, "w", encoding="utf-8"), ensure_ascii=False, indent=2)
# Conflicting bundle: a new dossier whose client has ZDL-000101's BSN but another birth date,
# beside an unchanged dossier that must still load.
import os
os.makedirs(f"{T}/src3/documents")
shutil.copy(f"{T}/src1/documents/doc-10101.pdf", f"{T}/src3/documents/")
shutil.copy(f"{T}/src1/ZDL-000107.json", f"{T}/src3/")
d = json.load(open(f"{T}/src1/ZDL-000101.json", encoding="utf-8"))
d["id"] = "ZDL-900101"
d["client"]["dateOfBirth"] = "2012-03-01"
json.dump(d, open(f"{T}/src3/ZDL-900101.json", "w", encoding="utf-8"), ensure_ascii=False, indent=2)
EOF
for n in 1 2 3; do
  "$DP" bundle --source "$T/src$n" --out "$T/b$n.zip" --created-at "2026-11-22T1$n:00:00Z" >/dev/null 2>&1
done

step "loading"
python3 - "$T" "$DP" "$ROOT" <<'EOF'
import hashlib, json, subprocess, sys, time, zipfile
T, DP, ROOT = sys.argv[1:4]
KVK = "74185296"
TABLES = {"client": "clients", "representatives": "representatives", "referrals": "referrals", "insurances": "insurances",
          "consents": "consents", "objections": "objections", "progressReports": "progress_reports", "carePlans": "care_plans",
          "diagnoses": "diagnoses", "medicationAdministrations": "medication_administrations", "incidents": "incidents",
          "restrictiveMeasures": "restrictive_measures", "domesticViolenceReports": "domestic_violence_reports",
          "workNotes": "work_notes", "financialRecords": "financial_records", "appointments": "appointments",
          "documents": "documents", "corrections": "corrections", "restrictions": "restrictions", "accessLog": "access_log"}
failures = []

def fail(msg):
    failures.append(msg)
    print("  MISMATCH: " + msg)

def export_json(bundle):
    z = zipfile.ZipFile(bundle)
    return json.loads(z.read(next(n for n in z.namelist() if n.endswith("/data/export.json"))))

class DB:
    def __init__(self, name, cmd, script_cmd, hexf, sha):
        self.name, self.cmd, self.script_cmd, self.hexf, self.sha = name, cmd, script_cmd, hexf, sha
    def q(self, sql):
        r = subprocess.run(self.cmd + [sql], capture_output=True, text=True)
        if r.returncode != 0: raise SystemExit(f"{self.name}: query failed: {sql}\n{r.stderr}")
        return [l.split("\t") for l in r.stdout.splitlines() if l]
    def one(self, sql):
        rows = self.q(sql)
        return rows[0][0] if rows else None
    def load(self, bundle):
        script = subprocess.run([DP, "import", bundle, "--target", self.dialect, "--out", "-"], capture_output=True)
        if script.returncode != 0: raise SystemExit(f"import {bundle} failed: {script.stderr.decode()}")
        r = subprocess.run(self.script_cmd, input=script.stdout, capture_output=True)
        if r.returncode != 0: raise SystemExit(f"{self.name}: loading {bundle} failed:\n{r.stderr.decode()[-3000:]}")
        out = {}
        for l in r.stdout.decode().splitlines():
            f = [x.strip() for x in (l.split("\t") if "\t" in l else l.split("|"))]
            if f[0] == "summary": out[f[1]] = tuple(int(x) for x in f[2:6])
            if f[0] == "conflict": out.setdefault("conflicts", []).append((f[1], f[2]))
        return out

sock = f"{T}/pgsock"
pg = DB("postgres", ["psql", "-h", sock, "-U", "postgres", "-d", "receiver", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c"],
        ["psql", "-h", sock, "-U", "postgres", "-d", "receiver", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1"],
        lambda c: f"encode(convert_to({c}, 'UTF8'), 'hex')", lambda c: f"encode({c}, 'hex')")
pg.dialect = "postgres"
my = DB("mariadb", ["mariadb", "--no-defaults", f"--socket={T}/my.sock", "-uroot", "--default-character-set=utf8mb4", "-N", "-B", "receiver", "-e"],
        ["mariadb", "--no-defaults", f"--socket={T}/my.sock", "-uroot", "--default-character-set=utf8mb4", "-N", "-B", "receiver"],
        lambda c: f"LOWER(HEX({c}))", lambda c: f"LOWER(HEX({c}))")
my.dialect = "mysql"
lite = DB("sqlite", ["sqlite3", "-bail", "-separator", "\t", f"{T}/receiver.db"], ["sqlite3", "-bail", "-separator", "\t", f"{T}/receiver.db"],
          lambda c: f"lower(hex({c}))", lambda c: f"lower(hex({c}))")
lite.dialect = "sqlite"

def fixture(dossier, src="src1"):
    return json.load(open(f"{T}/{src}/{dossier}.json", encoding="utf-8"))

def check_counts(db, bundle, label):
    counts = export_json(bundle)["counts"]
    for e, table in TABLES.items():
        n = int(db.one(f"SELECT COUNT(*) FROM {table} WHERE origin_kvk = '{KVK}'"))
        if n != counts.get(e, 0): fail(f"{db.name} {label}: {table} has {n} rows, export.json says {counts.get(e, 0)}")

def check_text(db, table, record, column, expected, label):
    got = db.one(f"SELECT {db.hexf(column)} FROM {table} WHERE origin_kvk = '{KVK}' AND record_id = '{record}'")
    want = expected.encode().hex() if expected is not None else None
    if got != want: fail(f"{db.name} {label}: {table}.{column} of {record} differs from the fixture")

def check_values(db, label, src="src1"):
    for dossier in ["ZDL-000101", "ZDL-000103", "ZDL-000105"]:
        d = fixture(dossier, src)
        c = d["client"]
        for col, val in [("family_name", c["name"]["familyName"]), ("given_names", c["name"].get("givenNames")),
                         ("bsn", c.get("bsn")), ("living_situation", c.get("livingSituation"))]:
            check_text(db, "clients", c["id"], col, val, label)
        dob = db.one(f"SELECT date_of_birth FROM clients WHERE origin_kvk = '{KVK}' AND record_id = '{c['id']}'")
        if dob != c.get("dateOfBirth"): fail(f"{db.name} {label}: date_of_birth of {c['id']}")
        for r in d["progressReports"]:
            check_text(db, "progress_reports", r["id"], "text", r["text"], label)
        for r in d["representatives"]:
            check_text(db, "representatives", r["id"], "family_name", r["name"]["familyName"], label)
        for doc in d["documents"]:
            row = db.q(f"SELECT sha256, size, {db.sha('content')} FROM documents WHERE origin_kvk = '{KVK}' AND record_id = '{doc['id']}'")
            data = open(f"{T}/{src}/{doc['path']}", "rb").read()
            if not row or row[0][0] != doc["sha256"] or int(row[0][1]) != len(data) or bytes.fromhex(row[0][2]) != data:
                fail(f"{db.name} {label}: document {doc['id']} bytes or digest differ")

total = {}
for db in [pg, my, lite]:
    t = time.time()
    print(f"{db.name}:")
    s1 = db.load(f"{T}/b1.zip")
    if any(v[1] or v[2] or v[3] for v in s1.values() if isinstance(v, tuple)): fail(f"{db.name}: first load reports non-additions {s1}")
    check_counts(db, f"{T}/b1.zip", "first load")
    s2 = db.load(f"{T}/b1.zip")
    if any(v[0] or v[1] or v[3] for v in s2.values() if isinstance(v, tuple)): fail(f"{db.name}: second load of the same bundle changed rows {s2}")
    check_counts(db, f"{T}/b1.zip", "second load")
    check_values(db, "after two loads")
    if db.one("SELECT COUNT(*) FROM imports") != "1": fail(f"{db.name}: imports row duplicated")
    # The receiver's own rows: its own dossier for the same client and a report under the same ids.
    db.q("INSERT INTO dossiers (origin_kvk, dossier_id, controller_name, row_digest) VALUES ('99999999', 'ZDL-000103', 'Ontvanger', 'x')")
    db.q("INSERT INTO progress_reports (origin_kvk, dossier_id, record_id, text, record_json, row_digest) "
         "VALUES ('99999999', 'ZDL-000103', 'rap-103-3001', 'eigen notitie ontvanger', '{}', 'x')")
    s3 = db.load(f"{T}/b2.zip")
    if s3.get("progress_reports", (0,))[:2] != (1, 1): fail(f"{db.name}: newer bundle should add 1 and update 1 report, got {s3.get('progress_reports')}")
    check_counts(db, f"{T}/b2.zip", "newer bundle")
    check_values(db, "newer bundle", "src2")
    if db.one("SELECT text FROM progress_reports WHERE origin_kvk = '99999999' AND record_id = 'rap-103-3001'") != "eigen notitie ontvanger":
        fail(f"{db.name}: the receiver's own row changed")
    s4 = db.load(f"{T}/b3.zip")
    if s4.get("conflicts") != [("ZDL-900101", "bsn-birth-date-mismatch")]: fail(f"{db.name}: conflict not reported: {s4.get('conflicts')}")
    if db.one("SELECT COUNT(*) FROM dossiers WHERE dossier_id = 'ZDL-900101'") != "0": fail(f"{db.name}: conflicting dossier was merged")
    if db.one("SELECT COUNT(*) FROM clients WHERE bsn = '656063622'") != "1": fail(f"{db.name}: conflicting client was merged")
    if db.one("SELECT COUNT(*) FROM import_conflicts") != "1": fail(f"{db.name}: import_conflicts")
    if s4.get("clients", (0, 0, 0, 0))[2:] != (1, 1): fail(f"{db.name}: conflict summary {s4.get('clients')}")
    check_counts(db, f"{T}/b2.zip", "after the conflicting bundle")
    if db.one("SELECT COUNT(*) FROM imports") != "3": fail(f"{db.name}: imports should hold 3 bundles")
    total[db.name] = time.time() - t
    print(f"  {time.time() - t:.1f}s; summaries: same bundle twice {sum(v[2] for v in s2.values() if isinstance(v, tuple))} unchanged rows")
if failures:
    print(f"FAILED: {len(failures)} mismatch(es)")
    sys.exit(1)
print("all checks passed: " + ", ".join(f"{k} {v:.1f}s" for k, v in total.items()))
EOF
step "done"
