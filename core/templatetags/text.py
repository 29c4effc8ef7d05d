"""`{% load text %}`: the shared wording of core.text in templates (`{{ names|listed }}`)."""

from django import template

from core import text

register = template.Library()


@register.filter
def listed(items):
    return text.listed(items)
