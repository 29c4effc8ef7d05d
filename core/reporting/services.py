"""The state machine of periodic reports 报送与审核, and deadline extensions.

    (not started) --prepare--> draft --submit (一审)--> submitted --approve (二审)--> approved
                                 ^                          |                           |
                                 |                        return (with a reason)    reopen (the
                  returned <-----+--------------------------+   live figures changed: a reason)
                     |  (corrected: save)                                               |
                     +---submit------------------------------------------------------ <-+

* County officers and reviewers prepare and correct their county's report (the written fields;
  the figures are computed); only the county's reviewer submits it, which freezes the figures
  as the snapshot; city staff approve it or return it with a reason — a general one and/or
  comments on single figures or sections; the city asks for resubmission of an approved report
  the same way. Nobody approves or returns their own county's report, nor one they submitted.
* Every transition is one transaction on the locked submission: the actor's role and scope,
  the state the report must be in, the version the user's page showed (a stale page is refused
  and nothing changes), the event kept with its comment, and the audit trail (core.audit).
* A submission after the due time is late, never refused (core.reporting.deadlines).
Refusals are ValidationError (what was sent), PermissionDenied (who), RowConflict (the report's
state) and VersionConflict (a stale page): core.errors shows them on a page and in the API.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.errors import RowConflict, VersionConflict
from core.models import AuditAction
from core.reporting import deadlines
from core.reporting.models import (
    Action,
    DeadlineExtension,
    State,
    Submission,
    SubmissionComment,
    SubmissionEvent,
)
from core.reporting.periods import Period
from core.reporting.registry import ReportType
from core.scoping import CITY_ROLES, Role, county_of, ensure_in_scope, is_city_admin

MAX_TEXT = 2000


# --- Who may do what (the pages and the API show a button only to whoever may press it) -----


def may_prepare(user, county_id) -> bool:
    """A county officer or reviewer of this county."""
    return bool(
        getattr(user, "role", None) in (Role.COUNTY_OFFICER, Role.COUNTY_REVIEWER)
        and county_of(user) == county_id
    )


def may_submit(user, county_id) -> bool:
    """The county's reviewer 审核员 (一审)."""
    return getattr(user, "role", None) == Role.COUNTY_REVIEWER and county_of(user) == county_id


def may_review(user, submission=None) -> bool:
    """City staff and administrators (二审), never for a report they submitted themselves."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if not (user.is_superuser or getattr(user, "role", None) in CITY_ROLES):
        return False
    return submission is None or submission.submitted_by_id != user.pk


def may_extend(user) -> bool:
    return is_city_admin(user)


# --- Helpers ------------------------------------------------------------------------------------


def _now(at):
    return at or timezone.now()


def _locked(submission: Submission) -> Submission:
    current = Submission.objects.select_for_update().filter(pk=submission.pk).first()
    if current is None:
        raise RowConflict(_("This report no longer exists."))
    return current


def _check_version(current: Submission, version) -> None:
    if version in (None, ""):
        raise ValidationError(
            {"version": [_("Send the version of the report you read (the field version).")]}
        )
    if str(current.version) != str(version):
        last = current.events.select_related("actor").first()
        raise VersionConflict(
            _(
                "This report was changed by %(user)s at %(time)s while you were looking at it "
                "(it is now %(state)s, version %(version)s). Reload the page and check."
            )
            % {
                "user": getattr(last, "actor", None) or _("another user"),
                "time": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M") if last else "",
                "state": current.get_state_display(),
                "version": current.version,
            },
            current=current,
        )


def _event(submission, *, action, before, actor, at, comment="") -> SubmissionEvent:
    event = SubmissionEvent.objects.create(
        submission=submission,
        action=action,
        from_state=before,
        to_state=submission.state,
        actor=actor,
        at=at,
        comment=comment,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=submission,
        changes={"state": [before or None, submission.state]},
        note=f"{event.get_action_display()}：{comment}" if comment else str(event),
    )
    return event


def _clean_notes(report_type: ReportType, notes: dict | None) -> dict:
    notes = notes or {}
    cleaned, errors = {}, {}
    for field in report_type.fields:
        value = str(notes.get(field.key) or "").strip()
        if len(value) > MAX_TEXT:
            errors[field.key] = [
                _("At most %(n)d characters (this has %(len)d).")
                % {"n": MAX_TEXT, "len": len(value)}
            ]
        cleaned[field.key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _state_refusal(submission: Submission, doing: str) -> RowConflict:
    """Why a report in its state cannot take this step (the same words on a page and in the
    API)."""
    state = submission.state
    if state == State.APPROVED:
        message = _("The report of %(period)s is already approved: it cannot be %(doing)s.")
    elif state == State.SUBMITTED:
        message = _(
            "The report of %(period)s is submitted and waiting for the city: it cannot be "
            "%(doing)s."
        )
    elif state == State.RETURNED:
        message = _(
            "The report of %(period)s was returned to the county for correction: it cannot be "
            "%(doing)s until it is submitted again."
        )
    else:
        message = _(
            "The report of %(period)s is still a draft, not submitted: it cannot be %(doing)s."
        )
    return RowConflict(message % {"period": submission.period_key, "doing": doing})


# --- The transitions ----------------------------------------------------------------------------


@transaction.atomic
def submission_prepare(
    *,
    actor,
    report_type: ReportType,
    county,
    period: Period,
    notes: dict | None = None,
    version=None,
    at: dt.datetime | None = None,
) -> Submission:
    """Start (or correct) the county's report of the period: the officer's written fields.

    Refused for a period that has not begun, a county that does not owe the report, and a
    report already submitted or approved; a report someone started meanwhile is a stale page.
    """
    # A period begins on the reports' calendar: the data's once the clock has left its year.
    begun = timezone.localdate(at) if at is not None else deadlines.today()
    at = _now(at)
    county_id = getattr(county, "pk", county)
    if not may_prepare(actor, county_id):
        if county_of(actor) not in (None, county_id):
            raise PermissionDenied(_("This report belongs to a county outside your scope."))
        raise PermissionDenied(_("Only the county's officers and reviewers prepare its report."))
    if not report_type.counties().filter(pk=county_id).exists():
        raise ValidationError(
            _("This county does not owe the %(report)s.") % {"report": report_type.title}
        )
    if period.start > begun:
        raise ValidationError(
            _("The period %(period)s has not begun yet: its report cannot be prepared.")
            % {"period": period.label}
        )
    cleaned = _clean_notes(report_type, notes)
    existing = (
        Submission.objects.select_for_update()
        .filter(report_type=report_type.key, county_id=county_id, period_start=period.start)
        .first()
    )
    if existing is None:
        if version not in (None, ""):
            raise RowConflict(_("This report no longer exists."))
        submission = Submission(
            report_type=report_type.key,
            county_id=county_id,
            period_start=period.start,
            period_end=period.end,
            period_key=period.key,
            notes=cleaned,
            prepared_by=actor,
        )
        ensure_in_scope(actor, submission)
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:
            raise RowConflict(
                _("Someone started this report a moment ago. Reload the page and check.")
            ) from None
        _event(submission, action=Action.PREPARED, before="", actor=actor, at=at)
        return submission
    ensure_in_scope(actor, existing)
    if version in (None, ""):
        raise VersionConflict(
            _("Someone started this report while you were writing it. Reload the page and check."),
            current=existing,
        )
    _check_version(existing, version)
    if existing.state not in (State.DRAFT, State.RETURNED):
        raise _state_refusal(existing, _("changed"))
    existing.notes = cleaned
    existing.prepared_by = actor
    existing.save()
    _event(existing, action=Action.SAVED, before=existing.state, actor=actor, at=at)
    return existing


def _freeze(report_type: ReportType, submission: Submission, actor) -> dict:
    from core.reporting.selectors import live_figures

    sections = live_figures(
        report_type, user=actor, county=submission.county, period=_period_of(submission)
    )
    return {
        "sections": {s["key"]: {f.key: f.value for f in s["figures"]} for s in sections},
        "labels": {s["key"]: {f.key: str(f.label) for f in s["figures"]} for s in sections},
        "titles": {s["key"]: str(s["title"]) for s in sections},
    }


def _period_of(submission: Submission) -> Period:
    return Period(submission.period_start, submission.period_end, _type(submission).cadence)


def _type(submission: Submission) -> ReportType:
    from core.reporting.registry import get_type

    found = get_type(submission.report_type)
    if found is None:
        raise ValidationError(_("This kind of report is no longer declared."))
    return found


@transaction.atomic
def submission_submit(
    *, actor, submission: Submission, version, at: dt.datetime | None = None
) -> Submission:
    """The county reviewer submits the report (一审): its figures are computed now and frozen."""
    at = _now(at)
    current = _step(
        actor, submission, version, (State.DRAFT, State.RETURNED), _("submitted"), _check_submitter
    )
    report_type = _type(current)
    for field in report_type.fields:
        if field.required and not current.notes.get(field.key):
            raise ValidationError(
                {field.key: [_("Fill in %(field)s before submitting.") % {"field": field.label}]}
            )
    before = current.state
    current.snapshot = _freeze(report_type, current, actor)
    current.state = State.SUBMITTED
    current.submitted_at = at
    current.first_submitted_at = current.first_submitted_at or at
    current.submitted_by = actor
    current.save()
    _event(current, action=Action.SUBMITTED, before=before, actor=actor, at=at)
    return current


def _step(actor, submission, version, states, doing: str, check) -> Submission:
    """The submission locked for a step of its review, once `check(actor, it)` lets the actor
    take the step, it is as the actor read it (version) and in one of the states it is taken
    from; the refusals say why not."""
    current = _locked(submission)
    check(actor, current)
    _check_version(current, version)
    if current.state not in states:
        raise _state_refusal(current, doing)
    return current


def _check_submitter(actor, current: Submission) -> None:
    ensure_in_scope(actor, current)
    if not may_submit(actor, current.county_id):
        raise PermissionDenied(_("Only the county's reviewer submits its report."))


def _check_reviewer(actor, current: Submission) -> None:
    if not may_review(actor):
        raise PermissionDenied(_("Only city staff approve or return a county's report."))
    if county_of(actor) == current.county_id or current.submitted_by_id == actor.pk:
        raise PermissionDenied(_("Nobody approves or returns a report of their own county."))


@transaction.atomic
def submission_approve(
    *, actor, submission: Submission, version, comment: str = "", at: dt.datetime | None = None
) -> Submission:
    """City staff approve a submitted report (二审)."""
    at = _now(at)
    current = _step(actor, submission, version, (State.SUBMITTED,), _("approved"), _check_reviewer)
    before = current.state
    current.state = State.APPROVED
    current.approved_at = at
    current.approved_by = actor
    current.save()
    _event(
        current, action=Action.APPROVED, before=before, actor=actor, at=at, comment=comment.strip()
    )
    return current


def _clean_comments(report_type, current, comments) -> list[tuple[str, str, str]]:
    """[(section, figure, text)] of the comments on figures or sections that say something."""
    known = {}
    for section, figures in (current.snapshot or {}).get("sections", {}).items():
        known[(section, "")] = True
        for figure in figures:
            known[(section, figure)] = True
    cleaned = []
    for (section, figure), text in (comments or {}).items():
        text = str(text or "").strip()
        if not text:
            continue
        if (section, figure or "") not in known:
            raise ValidationError(
                _("There is no figure %(figure)s in this report.")
                % {"figure": f"{section}.{figure}"}
            )
        if len(text) > MAX_TEXT:
            raise ValidationError(_("A comment has at most %(n)d characters.") % {"n": MAX_TEXT})
        cleaned.append((section, figure or "", text))
    return cleaned


def _send_back(
    *,
    actor,
    submission: Submission,
    version,
    from_state,
    action,
    doing: str,
    reason: str = "",
    comments: dict | None = None,
    at: dt.datetime | None = None,
) -> Submission:
    """Return (or reopen) a report in `from_state`: the reason and the comments on figures
    ({(section, figure or ""): text}) go with it; one of them is required."""
    at = _now(at)
    current = _step(actor, submission, version, (from_state,), doing, _check_reviewer)
    reason = (reason or "").strip()
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": [_("At most %(n)d characters.") % {"n": MAX_TEXT}]})
    cleaned = _clean_comments(_type(current), current, comments)
    if not reason and not cleaned:
        raise ValidationError(
            {
                "reason": [
                    _(
                        "Say why the report goes back to the county: a general reason, or a "
                        "comment on a figure."
                    )
                ]
            }
        )
    current.state = State.RETURNED
    current.save()
    event = _event(current, action=action, before=from_state, actor=actor, at=at, comment=reason)
    SubmissionComment.objects.bulk_create(
        SubmissionComment(event=event, section=s, figure=f, text=t) for s, f, t in cleaned
    )
    return current


def _sending_back(name: str, from_state, action, doing, doc: str):
    """A service that sends a report in `from_state` back to its county (_send_back)."""

    @transaction.atomic
    def service(*, actor, submission: Submission, version, **details) -> Submission:
        return _send_back(
            actor=actor,
            submission=submission,
            version=version,
            from_state=from_state,
            action=action,
            doing=str(doing),
            **details,
        )

    service.__name__ = service.__qualname__ = name
    service.__doc__ = doc
    return service


# Each takes actor, submission, version and _send_back's reason, comments and at (keywords).
submission_return = _sending_back(
    "submission_return",
    State.SUBMITTED,
    Action.RETURNED,
    gettext_lazy("returned"),
    """City staff return a submitted report to the county with a reason: a general one and/or
    comments on figures ({(section, figure or ""): text}).""",
)
submission_reopen = _sending_back(
    "submission_reopen",
    State.APPROVED,
    Action.REOPENED,
    gettext_lazy("sent back for resubmission"),
    """The city asks the county to resubmit an approved report (its figures changed since), with
    a reason and/or comments on figures as submission_return.""",
)


@transaction.atomic
def deadline_extend(
    *, actor, report_type: ReportType, county, period: Period, due_at: dt.datetime, reason: str
) -> DeadlineExtension:
    """A city administrator moves the due time of one county's report of one period (a reason
    is required; audited)."""
    if not may_extend(actor):
        raise PermissionDenied(_("Only a city administrator extends a deadline."))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [_("Say why the deadline is extended.")]
    elif len(reason) > 300:
        errors["reason"] = [_("At most %(n)d characters.") % {"n": 300}]
    if due_at is None:
        errors["due_at"] = [_("Give the new due time.")]
    elif due_at <= report_type.due_at(period):
        errors["due_at"] = [
            _("The new due time must be later than the report's own (%(due)s).")
            % {"due": timezone.localtime(report_type.due_at(period)).strftime("%Y-%m-%d %H:%M")}
        ]
    county_id = getattr(county, "pk", county)
    if not report_type.counties().filter(pk=county_id).exists():
        errors["county"] = [
            _("This county does not owe the %(report)s.") % {"report": report_type.title}
        ]
    if errors:
        raise ValidationError(errors)
    existing = (
        DeadlineExtension.objects.select_for_update()
        .filter(report_type=report_type.key, county_id=county_id, period_start=period.start)
        .first()
    )
    if existing is None:
        extension = DeadlineExtension(
            report_type=report_type.key,
            county_id=county_id,
            period_start=period.start,
            due_at=due_at,
            reason=reason,
            extended_by=actor,
        )
        extension.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=extension,
            changes=audit.diff({}, audit.snapshot(extension)),
            note=reason,
        )
        return extension
    before = audit.snapshot(existing)
    existing.due_at, existing.reason, existing.extended_by = due_at, reason, actor
    existing.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=existing,
        changes=audit.diff(before, audit.snapshot(existing)),
        note=reason,
    )
    return existing
