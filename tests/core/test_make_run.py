"""`make run` on a bare machine: a fresh SQLite database migrates, the server listens on the
port asked for, and what the command prints (the demo's summary, the log-ins, the server's
banner) is in one language and states the README's figures."""

from __future__ import annotations

import io
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from core import demo
from core.management.commands.serve import Command as ServeCommand

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text(encoding="utf-8")
CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.long


def _bare_env(tmp_path: Path) -> dict:
    """The environment of `make run` on a bare machine: no database, no Redis, var/ elsewhere."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    return env


def test_a_fresh_sqlite_database_migrates(tmp_path):
    """The embedded default: every migration applies on SQLite, including the roster's move to
    core (written for PostgreSQL's sequences and DO blocks), and its indexes carry their new
    names."""
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=_bare_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        indexes = {
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type='index'")
            if row[0]
        }
    assert {"core_rosterversion", "core_rosterchild"} <= tables
    assert not {"dropout_rosterversion", "dropout_rosterchild"} & tables
    assert {"core_roster_county__c3bdf2_idx", "core_roster_roster__975318_idx"} <= indexes


def test_make_run_serves_on_the_port_asked(tmp_path):
    stamp = tmp_path / "installed"  # newer than pyproject.toml: make installs nothing
    stamp.touch()
    # -n prints the recipe; a recipe line that names $(MAKE) would run even so (GNU make).
    assert "$(MAKE)" not in (ROOT / "Makefile").read_text().split("\nrun:")[1].split("\n\n")[0]
    done = subprocess.run(
        ["make", "-n", "run", "PORT=8123", "HOST=0.0.0.0", f"STAMP={stamp}"],
        cwd=ROOT,
        env=_bare_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "manage.py serve 0.0.0.0:8123" in done.stdout
    assert "make run PORT=" in README  # and the README says so


def test_the_server_says_where_it_listens_in_chinese():
    command = ServeCommand(stdout=io.StringIO(), no_color=True)
    command.addr, command.protocol, command._raw_ipv6 = "127.0.0.1", "http", False
    with translation.override("zh-hans"):
        command.on_bind(8123)
    lines = command.stdout._out.getvalue().splitlines()
    assert lines[0].startswith("服务已启动：http://127.0.0.1:8123/")
    assert lines and all(CJK.search(line) for line in lines), lines


@pytest.mark.django_db
def test_the_demo_prints_in_one_language_and_the_readmes_figures():
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("seed_demo", students=2000, seed=7, password="demo-pass-77", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    english = [line for line in lines if not CJK.search(line)]
    assert not english, english
    text = "\n".join(lines)
    # Each figure the README states, beside the line the demo prints for it (from the rows).
    figures = {
        "3 rounds, 1,671 person-times, no suspected dropout left open": (
            "控辍保学：排查 3 轮，共 1,671 人次，未销号的疑似辍学 0 人。"
        ),
        "196.63万元 to 2,618 person-times": "资助原建档立卡学生 2,618 人次，共 196.63万元。",
        "89 townships, 313 schools": "（其中乡镇 89 个）、313 所学校",
        "0 townships without a public central kindergarten": "无公办中心园0个",
        "68 special-post teachers planned across seven counties, 63 hired, 61 on duty": (
            "2023年特岗教师计划 68 人，已招聘 63 人，已到岗 61 人"
        ),
        "(coverage 100.0%)": "乡村教师继续教育覆盖率 100.0%",
        "3 city-level and 14 county-level alliances with 93 member schools": (
            "市级联盟 3 个、县域联盟 14 个，成员校 93 所"
        ),
    }
    readme = " ".join(README.split())  # as it reads, across line breaks
    for in_readme, printed in figures.items():
        assert in_readme in readme, in_readme
        assert printed in text, printed
    # The registry's count is the rows' (the generated students and those the areas' demos
    # enrolled), and the README says what the 5 of the default demo's 20,005 are.
    from core.models import Student

    registry = Student.objects.count()
    assert (
        f"学籍学生 {registry:,} 名（生成 2,000 名，另 {registry - 2000:,} 名由各业务演示录入"
        in text
    )
    assert "20,005 students**: the 20,000 generated and 5 that dropout control's demo" in readme
    assert "学籍学生 20,005 名（生成 20,000 名，另 5 名由各业务演示录入" in readme
    assert f"password `{demo.DEFAULT_PASSWORD}`" in README  # the README gives make run's default
