"""Template helpers of the aid pages."""

from django import template

from aid.models import ContactMethod

register = template.Library()


@register.simple_tag
def contact_methods():
    return ContactMethod.choices
