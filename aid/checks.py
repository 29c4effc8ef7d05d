"""The three checks of student aid as check lists (core.checklists): eligible but not aided,
below the standard, paid by two counties. Each is a selector's rows for a period, with the
officer's reason on every row (aid.models.CheckNote, saved by aid.views.CheckNoteView)."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from aid import selectors
from aid.filters import BelowStandardFilterSet, DuplicateFilterSet, GapFilterSet
from aid.forms import PeriodForm
from aid.models import CheckKind, CheckNote
from aid.tables import BelowStandardTable, DuplicateTable, GapTable
from core.checklists import CheckList, register


def period(*, term_required: bool):
    """The check's period from the query (default: the newest term with disbursements)."""

    def params(query, user):
        data = QueryDict(mutable=True)
        year, term = selectors.latest_period(user)
        data["school_year"] = query.get("school_year") or str(year)
        data["term"] = query.get("term", term if term_required else "")
        if term_required and not data["term"]:
            data["term"] = term
        form = PeriodForm(data, term_required=term_required, years=selectors.dashboard_years(user))
        if not form.is_valid():
            return form, None
        return form, {
            "school_year": form.cleaned_data["school_year"],
            "term": form.cleaned_data["term"] or None,
        }

    return params


def note_context(check: str):
    """What the reason form of each row needs: the check and the period (aid/_check_note_form)."""

    def table_kwargs(params):
        return {
            "check": check,
            "school_year": params.get("school_year"),
            "term": params.get("term"),
        }

    return table_kwargs


def _gap_table_kwargs(params):
    due = selectors.programmes_due(params["school_year"], params["term"]) if params else []
    return {**note_context(CheckKind.GAP)(params), "due": due}


def aid_check(*, name, selector, term_required=False, table_kwargs=None, **fields):
    """One of aid's check lists: the rows of an aid selector for the period, each row with its
    reason (aid.models.CheckNote, audited as such)."""
    return register(
        CheckList(
            app="aid",
            name=name,
            rows=lambda user, school_year, term: selector(
                user=user, school_year=school_year, term=term
            ),
            params=period(term_required=term_required),
            table_kwargs=table_kwargs or note_context(name),
            audit_model=CheckNote,
            note_model=CheckNote,
            **fields,
        )
    )


GAPS = aid_check(
    name=CheckKind.GAP,
    selector=selectors.gap_list,
    term_required=True,
    table_kwargs=_gap_table_kwargs,
    url_name="aid-gap-list",
    route="aid/checks/gaps/",
    title=_("Eligible but not aided"),
    description=_(
        "Enrolled students on the current roster (poverty-alleviated households, and "
        "monitored households whose risk is not eliminated) or aided last term in an aid "
        "category, in a stage with a programme for the term, with no aid paid for the term. "
        "Each is either paid or given a reason."
    ),
    filterset=GapFilterSet,
    table=GapTable,
)

BELOW_STANDARD = aid_check(
    name=CheckKind.BELOW_STANDARD,
    selector=selectors.below_standard,
    url_name="aid-below-standard",
    route="aid/checks/below-standard/",
    title=_("Below the standard"),
    description=_(
        "Disbursements whose amount is under the programme's standard for their school year "
        "and term."
    ),
    filterset=BelowStandardFilterSet,
    table=BelowStandardTable,
)

DUPLICATES = aid_check(
    name=CheckKind.DUPLICATE,
    selector=selectors.cross_county_duplicates,
    url_name="aid-duplicates",
    route="aid/checks/duplicates/",
    title=_("Paid by two counties"),
    description=_(
        "Students paid by more than one county in the same term. Only your county's rows "
        "are shown, with the name of the other county."
    ),
    filterset=DuplicateFilterSet,
    table=DuplicateTable,
)
