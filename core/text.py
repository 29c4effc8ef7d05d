"""Short pieces of wording that many models and pages share, in the language of the page."""

from __future__ import annotations

from django.utils.translation import gettext, pgettext


def bracketed(main, note) -> str:
    """A name with a note after it: 刘昊（已销号） in Chinese, 刘昊 (Closed) in English (a
    row's title and its entry in choice lists and the audit trail)."""
    return gettext("%(main)s (%(note)s)") % {"main": main, "note": note}


def listed(items) -> str:
    """Names in a row: 东安区、阳明区 in Chinese, 东安区, 阳明区 in English."""
    return pgettext("list separator", ", ").join(str(item) for item in items)
