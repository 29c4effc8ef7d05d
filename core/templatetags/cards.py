"""`{% load cards %}`: the cards the dashboards and summary pages are built of, written once.

    {% figure label=_("Open cases") value=data.cases_open url=data.cases_open_url
        id="figure-cases-open" tone=data.cases_open|yesno:"danger,success" %}
      <span class="small">… what else the card says …</span>
    {% endfigure %}

    {% card title=_("By county") responsive=True id="county-figures-card" %}
      <table>…</table>
    {% endcard %}

    {% include "core/_chart_card.html" with title=… chart=… id="…" %}

(A tag is written on one line in a template: the example breaks it only to fit here.) A figure
card shows its label, its value (a number grouped by thousands in both languages, 20,005; a
link to the rows behind it when it has a url, with `tone` a Bootstrap colour: danger, warning,
success) and what stands between the tags; `col` is
its column classes (a third of the row, a sixth on wide screens, unless given) and `border` a
colour for its frame. A card has a heading (`title`) over what stands between the tags; with
`responsive` it scrolls sideways when its table is wide; with `col` it is a column of a row (as
tall as the row) rather than a card of its own.
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.base import token_kwargs

register = template.Library()


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


class _CardNode(template.Node):
    def __init__(self, template_name: str, names, options, nodelist):
        self.template_name = template_name
        self.names = names
        self.options = options
        self.nodelist = nodelist

    def render(self, context):
        # Every option the card reads is set (None when not given): none comes from the page.
        values = dict.fromkeys(self.names)
        values.update((name, value.resolve(context)) for name, value in self.options.items())
        if _is_number(values.get("value")):  # a count reads 20,005, never 20005
            values["value"] = intcomma(values["value"])
        values["body"] = self.nodelist.render(context)
        card = context.template.engine.get_template(self.template_name)
        with context.push(**values):
            return card.render(context)


def _card_tag(name: str, template_name: str, names: tuple[str, ...]):
    def tag(parser, token):
        bits = token.split_contents()[1:]
        options = token_kwargs(bits, parser)
        if bits or not set(options) <= set(names):
            raise template.TemplateSyntaxError(
                f"{{% {name} %}} takes name=value options of {', '.join(names)} only"
            )
        nodelist = parser.parse((f"end{name}",))
        parser.delete_first_token()
        return _CardNode(template_name, names, options, nodelist)

    register.tag(name, tag)


_card_tag(
    "figure", "core/_figure_card.html", ("label", "value", "url", "id", "tone", "col", "border")
)
_card_tag("card", "core/_card.html", ("title", "id", "class", "responsive", "col"))
