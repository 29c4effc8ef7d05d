"""The zh_Hans catalogue is complete: every user-facing string of the code has a translation."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns(".git", ".venv", "var", "node_modules", "__pycache__", "*.mo")


def _entries(po_text: str):
    """(msgid, [msgstr...], fuzzy) for each entry of a .po file (enough of the format for this)."""
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        current, fields = None, {}
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            yield fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], fuzzy


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_catalogue_is_complete(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=IGNORE)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "--ignore",
            "static/vendor/*",
            "--ignore",
            "tests/*",
            "--ignore",
            "bench/*",
            "-v0",
        ],
        cwd=copy,
        check=True,
    )
    text = (copy / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    untranslated = [msgid for msgid, strs, fuzzy in _entries(text) if fuzzy or not all(strs)]
    assert not untranslated, f"untranslated or fuzzy strings (run make messages): {untranslated}"


HAN = r"[\u3400-\u9fff]"
# ASCII punctuation touching a Chinese character, or a space between two ("位.", "新增 资助").
# A file extension (".xlsx") and a placeholder ("%(name)s") are not punctuation.
ASCII_BESIDE_CHINESE = re.compile(
    rf"(?<={HAN})[,;:!?]|(?<={HAN})\.(?![A-Za-z])|[,;:!?](?={HAN})"
    rf"|(?<={HAN})\((?!\w+\)[sdr])|(?<={HAN})\)|(?<!%)\((?={HAN})|(?<={HAN}) (?={HAN})"
)


def _catalogue():
    return (ROOT / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")


def test_chinese_text_has_full_width_punctuation():
    offending = [
        (msgid, text)
        for msgid, strs, _fuzzy in _entries(_catalogue())
        for text in strs
        if ASCII_BESIDE_CHINESE.search(text)
    ]
    assert not offending, f"ASCII punctuation or a space inside Chinese text: {offending}"


def test_the_punctuation_check_can_fail():
    for bad in ("确认小数不超过 2 位.", "新增 资助发放记录", "请填写(必填)", "姓名:张三", "是,否"):
        assert ASCII_BESIDE_CHINESE.search(bad), bad
    for good in ("%(ledger)s导入模板.xlsx", "不能小于%(limit_value)s。", "共%(count)d条"):
        assert not ASCII_BESIDE_CHINESE.search(good), good


@pytest.mark.django_db
def test_django_and_drf_stock_messages_read_in_the_projects_chinese(county_user):
    """A too-small amount or too many decimals: our wording, not Django's "确保该值大于或等于…"."""
    from decimal import Decimal

    from django import forms
    from django.utils import translation
    from rest_framework import serializers

    class AmountForm(forms.Form):
        amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=8, decimal_places=2)
        name = forms.CharField()

    class AmountSerializer(serializers.Serializer):
        amount = serializers.DecimalField(min_value=Decimal("0.01"), max_digits=8, decimal_places=2)

    with translation.override("zh-hans"):
        form = AmountForm({"amount": "0"})
        assert form.errors == {"amount": ["不能小于0.01。"], "name": ["此项必填。"]}
        assert AmountForm({"amount": "1.234", "name": "x"}).errors == {
            "amount": ["小数不能超过2位。"]
        }
        serializer = AmountSerializer(data={"amount": "1.234"})
        assert not serializer.is_valid()
        assert serializer.errors == {"amount": ["小数不能超过2位。"]}
        assert str(serializers.CharField().error_messages["required"]) == "此项必填。"


def _unescaped(msgid: str) -> str:
    return msgid.replace('\\"', '"').replace("\\\\", "\\")


def _stock_msgids() -> list[str]:
    """The msgids core/messages.py lists (Django's and DRF's stock messages)."""
    import ast

    tree = ast.parse((ROOT / "core/messages.py").read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") in ("gettext_noop", "ngettext_lazy")
    ]


def test_every_stock_message_has_the_projects_words_in_both_languages():
    stock = _stock_msgids()
    assert len(stock) > 50
    for catalogue in ("zh_Hans", "en"):
        text = (ROOT / f"locale/{catalogue}/LC_MESSAGES/django.po").read_text(encoding="utf-8")
        translated = {
            _unescaped(msgid) for msgid, strs, fuzzy in _entries(text) if all(strs) and not fuzzy
        }
        missing = [msgid for msgid in stock if msgid not in translated]
        assert not missing, f"locale/{catalogue} lacks the project's words for {missing}"
    english = {
        _unescaped(msgid)
        for msgid, _s, _f in _entries(
            (ROOT / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")
        )
    }
    assert english == set(stock), "locale/en holds only core/messages.py's msgids"


@pytest.mark.django_db
def test_django_and_drf_stock_messages_read_in_the_projects_english(county_user):
    """The same form in English: the project's words, not Django's "Ensure this value is…"."""
    from decimal import Decimal

    from django import forms
    from django.utils import translation
    from rest_framework import serializers

    class AmountForm(forms.Form):
        amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=8, decimal_places=2)
        day = forms.DateField(required=False)

    class AmountSerializer(serializers.Serializer):
        amount = serializers.DecimalField(min_value=Decimal("0.01"), max_digits=8, decimal_places=2)

    with translation.override("en"):
        assert AmountForm({"amount": "0", "day": "2023-02-30"}).errors == {
            "amount": ["Must be at least 0.01."],
            "day": ["Enter a real date, for example 2024-09-01."],
        }
        assert AmountForm({"amount": "1.234"}).errors == {"amount": ["At most 2 decimal places."]}
        serializer = AmountSerializer(data={"amount": "1.234"})
        assert not serializer.is_valid()
        assert serializer.errors == {"amount": ["At most 2 decimal places."]}
        assert str(serializers.IntegerField().error_messages["invalid"]) == "Enter a whole number."
