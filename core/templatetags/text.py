"""`{% load text %}`: the shared wording of core.text in templates (`{{ names|listed }}`,
`{{ year|school_year }}`, `{{ cell|hidden_cell }}`)."""

from django import template

from core import calendar, text

register = template.Library()


@register.filter
def listed(items):
    return text.listed(items)


@register.filter
def school_year(year):
    """2023 → 2023–2024: a school year as every page shows it (core.calendar)."""
    return calendar.school_year_label(int(year)) if year not in (None, "") else ""


@register.filter
def hidden_cell(value) -> bool:
    """Is an import preview's cell one it does not show (a birth date: beside the masked ID number
    it would rebuild part of it)? The page reads 已隐藏 there."""
    from core.importing.preview import HIDDEN_DATE

    return value == HIDDEN_DATE
