#!/usr/bin/env bash
# Time `manage.py seed_demo --students 1000000` on PostgreSQL, in a scratch database that is
# created here and dropped afterwards (also on failure). Run from anywhere:
#   bench/seed_demo_1m.sh            # PGHOST/PGPORT/PGUSER default to 127.0.0.1:5432, postgres
#   STUDENTS=200000 bench/seed_demo_1m.sh
set -euo pipefail

cd "$(dirname "$0")/.."
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DB=${BENCH_DB:-xj_bench_seed}
STUDENTS=${STUDENTS:-1000000}
PY=.venv/bin/python
export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB}"

dropdb --if-exists -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB"
createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB"
trap 'dropdb --if-exists -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB"' EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GB," \
  "$(. /etc/os-release && echo "$PRETTY_NAME"), $(psql --version), $($PY --version)"
$PY manage.py migrate -v0
time $PY manage.py seed_demo --students "$STUDENTS"
psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$DB" -Atc \
  "select 'students: ' || count(*) from core_student"
