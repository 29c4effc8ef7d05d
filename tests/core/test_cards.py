"""The dashboard cards ({% figure %}, {% card %}, core/_chart_card.html) written once in core."""

import pytest
from django.template import TemplateSyntaxError, engines


def render(source, **context):
    return engines["django"].from_string("{% load cards i18n %}" + source).render(context)


def test_a_figure_links_to_its_rows_and_takes_the_colour_of_its_value():
    html = render(
        '{% figure label="Open cases" value=n url=url id="figure-open" '
        'tone=n|yesno:"danger,success" %}<b>more</b>{% endfigure %}',
        n=3,
        url="/cases/?open=1&county=2",
    )
    assert '<a class="fs-3 fw-semibold text-decoration-none text-danger"' in html
    assert 'href="/cases/?open=1&amp;county=2" id="figure-open">3</a>' in html
    assert "Open cases" in html and "<b>more</b>" in html
    assert "text-success" in render(
        '{% figure label="x" value=n url="/" id="f" tone=n|yesno:"danger,success" %}'
        "{% endfigure %}",
        n=0,
    )


def test_a_figure_without_rows_behind_it_is_plain_text_and_reads_nothing_of_the_page():
    html = render(
        '{% figure label="Gaps" value=n id="figure-gaps" %}{% endfigure %}',
        n=7,
        url="/from-the-page/",
        tone="danger",
        col="col-12",
    )
    assert '<span class="fs-3 fw-semibold" id="figure-gaps">7</span>' in html
    assert "/from-the-page/" not in html and "text-danger" not in html
    assert 'class="col-md-4 col-xl-2"' in html


def test_a_card_is_a_titled_box_or_a_column_of_a_row_and_escapes_its_title():
    html = render(
        '{% card title=title responsive=True id="by-county" %}<table></table>{% endcard %}',
        title="<b>By county</b>",
    )
    assert '<div class="card card-body mb-3" id="by-county">' in html
    assert "&lt;b&gt;By county&lt;/b&gt;" in html
    assert '<div class="table-responsive"><table></table></div>' in html
    column = render('{% card col="col-lg-6" title="t" %}x{% endcard %}')
    assert column.strip().startswith('<div class="col-lg-6"><div class="card card-body h-100">')


def test_a_card_refuses_an_option_it_does_not_know():
    with pytest.raises(TemplateSyntaxError):
        render('{% card heading="t" %}x{% endcard %}')


def test_a_chart_card_names_its_heading_after_its_chart():
    html = render(
        '{% include "core/_chart_card.html" with title="Rounds" chart=chart id="chart-rounds" %}',
        chart={"empty": True},
    )
    assert '<h2 class="h6" id="chart-rounds-title">Rounds</h2>' in html
    assert 'id="chart-rounds" data-chart-empty' in html
