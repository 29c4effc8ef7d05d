# The two commands of the README: `make run` and `make test`. Everything else supports them.
# `make run PORT=8001` (and `HOST=0.0.0.0`) serves elsewhere; migrate runs the system checks,
# so the server skips them (their report is English only, like runserver's banner).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install messages compilemessages lint format check e2e clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) compilemessages

# The catalogues are compiled by the install, never committed as .mo files.
compilemessages: $(STAMP)
	@$(BIN)/python manage.py compilemessages --ignore '.venv' --ignore 'var' -v0

run: install
	@mkdir -p var/mail
	@$(BIN)/python manage.py migrate --no-input -v0
	@$(BIN)/python manage.py seed_demo --if-empty
	@$(BIN)/python manage.py collectstatic --no-input -v0
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "已设置 REDIS_URL：启动 Celery worker 和 beat（日志在 var/celery-*.log）"; \
	  $(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 --logfile=var/celery-worker.log --detach --pidfile=var/celery-worker.pid; \
	  $(BIN)/celery -A config beat --loglevel=INFO --logfile=var/celery-beat.log --detach --pidfile=var/celery-beat.pid; \
	  trap 'kill $$(cat var/celery-worker.pid var/celery-beat.pid 2>/dev/null) 2>/dev/null; rm -f var/celery-*.pid' EXIT INT TERM; \
	fi; \
	JOBS_IN_THREAD=1 $(BIN)/python manage.py serve $(HOST):$(PORT) --insecure --skip-checks

stop-workers:
	-@test -f var/celery-worker.pid && kill $$(cat var/celery-worker.pid) 2>/dev/null; rm -f var/celery-worker.pid
	-@test -f var/celery-beat.pid && kill $$(cat var/celery-beat.pid) 2>/dev/null; rm -f var/celery-beat.pid

# The suite runs in TEST_WORKERS processes (pytest-xdist; "auto": one per core, "0": none), a
# test file to a process (the files' module fixtures stay together). Three on two cores: much of
# the suite waits on a browser, a Celery worker or PostgreSQL (2 processes: 149 s, 3: 132 s,
# 4: 128 s on the CI machine, 2026-12-06). The test settings' WhiteNoise scans the static files
# once per process instead of once per test client (tests/static_files.py): on five request-heavy
# test files (313 tests, one process) 38.2 s of CPU became 25.1 s, 2026-12-06.
TEST_WORKERS ?= 3
test: install
	$(BIN)/python manage.py collectstatic --no-input -v0
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'static/vendor/*' --ignore 'tests/*' --ignore 'bench/*'

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/staticfiles
