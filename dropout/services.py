"""Operations of dropout control: screening rounds and the life of a suspected-dropout case.

Every function here is keyword-only, takes the acting user, runs in one transaction and returns
what it made. Views, the API, Celery tasks, the demo and the benchmark all call these; none of
them re-implements a rule.

A round is set-based: one INSERT … SELECT classifies every school-age child of the round's roster
versions against the registry, one INSERT … SELECT opens the cases and two UPDATEs confirm or
refute resolved cases. The SQL is plain enough (LEFT JOIN, CASE, EXISTS, IN, ROW_NUMBER, ON
CONFLICT DO NOTHING) to run on PostgreSQL and SQLite alike, and no statement is issued per child.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, calendar, db
from core.jobs import JobFailed, recovers, runner, start_job
from core.models import (
    AuditAction,
    HouseholdCategory,
    Region,
    RegionLevel,
    RosterChild,
    RosterVersion,
    School,
    Student,
    StudentStatus,
)
from core.scoping import Role, ensure_in_scope, require_city_admin
from dropout.models import (
    CASE_CLASSES,
    CaseAction,
    CaseOutcome,
    CaseStatus,
    Classification,
    DropoutCase,
    Exemption,
    MatchMethod,
    OutOfCityEnrolment,
    Responsibility,
    ResponsibilityLine,
    RoundStatus,
    ScreeningResult,
    ScreeningRound,
    case_due_days,
    round_work_mem,
)

JOB_KIND = "screening_round"
ROUND_REFUSED = gettext_lazy("Only city administrators may start a screening round.")
Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, message: str = "") -> None:
    return None


def is_county_reviewer_for(user, county_id: int) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return getattr(user, "role", None) == Role.COUNTY_REVIEWER and user.scope_id == county_id


# --- Starting a round --------------------------------------------------------------------------


def latest_roster_versions(counties: Iterable[Region]) -> list[RosterVersion]:
    """The newest roster version of each county (a county without one contributes nobody)."""
    versions = []
    for county in counties:
        version = RosterVersion.objects.filter(county=county).order_by("-created_at", "-id").first()
        if version is not None:
            versions.append(version)
    return versions


def round_start(
    *,
    name: str,
    school_year: int,
    counties: Iterable[Region] | None,
    actor,
    screening_date: dt.date | None = None,
) -> ScreeningRound:
    """Start a screening round (city administrators only) and queue it as a job.

    `counties` None or empty means every county of the city. Each county's newest roster version
    is used; the round's page names them.
    """
    require_city_admin(actor, ROUND_REFUSED)
    return _round_create(
        name=name,
        school_year=school_year,
        counties=counties,
        actor=actor,
        screening_date=screening_date,
        scheduled=False,
    )


def round_start_scheduled(*, school_year: int | None = None, today: dt.date | None = None):
    """The schedule's round (e.g. at the start of each term): the whole city, no actor.

    Runs once per date: a second call for the same date (a retried task, a message delivered
    twice, a second beat) returns the round the first one started. The database refuses a second
    scheduled round for a date (`one_scheduled_round_per_date`), so two calls that race past the
    look-up still end with one round: the loser's insert fails and it returns the winner's.
    """
    today = today or timezone.localdate()
    existing = scheduled_round_on(today)
    if existing is not None:
        return existing
    year = school_year or calendar.school_year_of(today)  # the term the schedule is for
    autumn = calendar.term_of(today)[1] == calendar.Term.AUTUMN
    term = _("autumn term") if autumn else _("spring term")
    try:
        return _round_create(
            name=_("Scheduled screening, %(year)s–%(next)s %(term)s")
            % {"year": year, "next": year + 1, "term": term},
            school_year=year,
            counties=None,
            actor=None,
            screening_date=today,
            scheduled=True,
        )
    except IntegrityError:
        # Another run inserted this date's round after our look-up; its transaction committed
        # before our insert was refused, so the round is there to find. Our own transaction
        # (round, job, audit) was rolled back whole: no job was queued.
        existing = scheduled_round_on(today)
        if existing is None:
            raise
        return existing


def scheduled_round_on(day: dt.date) -> ScreeningRound | None:
    """The round the schedule started for this screening date, if any."""
    return ScreeningRound.objects.filter(scheduled=True, screening_date=day).first()


def _round_create(*, name, school_year, counties, actor, screening_date, scheduled):
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the round a name.")})
    if not (2000 <= int(school_year) <= 2100):
        raise ValidationError({"school_year": _("Enter a school year such as 2023.")})
    all_counties = Region.objects.filter(level=RegionLevel.COUNTY)
    chosen = list(counties) if counties else list(all_counties.order_by("code"))
    if any(c.level != RegionLevel.COUNTY for c in chosen):
        raise ValidationError({"counties": _("A round covers counties.")})
    if not chosen:
        raise ValidationError({"counties": _("There is no county to screen.")})
    age_min, age_max = calendar.school_age_range(int(school_year))
    with transaction.atomic():
        versions = latest_roster_versions(chosen)
        if not versions:
            raise ValidationError(
                {"counties": _("None of these counties has a roster yet: import one first.")}
            )
        screening_round = ScreeningRound.objects.create(
            name=name[:100],
            school_year=school_year,
            reference_date=calendar.reference_date(school_year),
            screening_date=screening_date or timezone.localdate(),
            age_min=age_min,
            age_max=age_max,
            started_by=actor,
            scheduled=scheduled,
        )
        screening_round.counties.set(chosen)
        screening_round.roster_versions.set(versions)
        job = start_job(
            kind=JOB_KIND,
            title=_("Screening round: %(name)s") % {"name": screening_round.name},
            actor=actor,
            params={"round": screening_round.pk},
        )
        screening_round.job = job
        screening_round.save(update_fields=["job"])
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=screening_round,
            changes={
                "counties": [None, [c.code for c in chosen]],
                "roster_versions": [None, [v.pk for v in versions]],
            },
        )
    return screening_round


# --- Running a round ---------------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _no_flatten() -> str:
    """Keep PostgreSQL from inlining a derived table whose column is used several times (it would
    evaluate the column's subquery once per use)."""
    return "OFFSET 0" if connection.vendor == "postgresql" else ""


def _bytewise(expression: str) -> str:
    """The expression compared byte by byte (PostgreSQL's "C" collation) where sorting speed counts.

    ID numbers are digits and X, which every locale orders as their bytes do, so a bytewise sort
    gives the order of the locale's indexes — with memcmp and abbreviated keys instead of strcoll
    (a third less time to sort a city's roster).
    """
    return f'{expression} COLLATE "C"' if connection.vendor == "postgresql" else expression


def _date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def _now():
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _insert_results(screening_round: ScreeningRound, version_ids: list[int], now) -> int:
    """Classify every school-age child of the versions in one INSERT … SELECT; return the count.

    Matching: by ID number; failing that, by name + birth date (one candidate: classified from
    that student and flagged for confirmation; several: ambiguous). Order of the classes:
    registry facts that settle the matter (enrolled, suspended, home-delivered, deceased,
    graduated from grade 9 or above) → evidence of schooling elsewhere → an exemption valid on
    the screening date → several candidates → a recorded dropout → otherwise suspected (not in
    the registry, transferred out without evidence, graduated from primary only).
    Only children of poverty-alleviated households, or of monitored households whose risk is not
    eliminated, count. A child on two counties' rosters is screened once (the first row).

    How the statement is built, inside out (every step set-based, nothing per child):

    1. `m`: the children joined to the registry by ID number (one hash join). A child the ID
       misses probes the `(name, birth_date)` index once: the probe's single value is the
       candidate's ID when there is exactly one candidate, else minus the number of them (0 or
       less: none, or several). ROW_NUMBER over the ID number keeps a child on several rosters
       once (the first row); the sort it needs also hands the rows over in ID-number order.
    2. `k`: the student the child is classified from — by ID number, or the single name + birth
       candidate, whose columns are read by primary key for those few children only. Doing this
       here rather than in a second UPDATE writes each result row once.
    3. The classification. Evidence of schooling elsewhere and exemptions are EXISTS probes of
       their ID-number indexes inside the CASE, made only for the children the registry facts
       have not settled (a tenth of them), instead of joining every child to those tables.

    Rows are inserted in ID-number order, the order of the unique (round, id_number) index, so
    each index entry is appended at its right edge instead of landing on a random leaf page.
    """
    after, until = screening_round.birth_window()
    after, until = _date(after), _date(until)
    versions = _placeholders(version_ids)
    child_filter = (
        f"c.roster_version_id IN ({versions}) AND c.birth_date > %s AND c.birth_date <= %s "
        "AND (c.household_category = %s OR c.risk_eliminated = %s)"
    )
    child_params = [*version_ids, after, until, HouseholdCategory.POVERTY_ALLEVIATED, False]

    c = Classification
    status = StudentStatus
    students = _table(Student)

    def candidate(column: str) -> str:
        """A column of the student classified from: matched by ID, else the single candidate."""
        by_key = f"SELECT t.{column} FROM {students} t WHERE t.id = m.probe"  # noqa: S608
        return f"CASE WHEN m.sid IS NOT NULL THEN m.{column} WHEN m.probe > 0 THEN ({by_key}) END"

    screening_date = _date(screening_round.screening_date)
    insert = f"""
        INSERT INTO {_table(ScreeningResult)} (
            round_id, county_id, roster_child_id, id_number, name, birth_date, township_id,
            household_category, classification, match_method, student_id, school_id, grade,
            registry_status, candidates, needs_confirmation, created_at, updated_at, version
        )
        SELECT
            %s, k.county_id, k.id, k.id_number, k.name, k.birth_date, k.township_id,
            k.household_category,
            CASE
                WHEN k.status = %s THEN %s
                WHEN k.status = %s THEN %s
                WHEN k.status = %s THEN %s
                WHEN k.status = %s THEN %s
                WHEN k.status = %s AND k.grade >= 9 THEN %s
                WHEN EXISTS (
                    SELECT 1 FROM {_table(OutOfCityEnrolment)} e
                    WHERE e.id_number = k.id_number AND e.school_year = %s
                ) THEN %s
                WHEN EXISTS (
                    SELECT 1 FROM {_table(Exemption)} x
                    WHERE x.id_number = k.id_number AND x.valid_from <= %s
                      AND (x.valid_until IS NULL OR x.valid_until >= %s)
                ) THEN %s
                WHEN k.candidates > 1 THEN %s
                WHEN k.status = %s THEN %s
                ELSE %s
            END,
            CASE WHEN k.by_id THEN %s WHEN k.candidates > 0 THEN %s ELSE %s END,
            k.student_id, k.school_id, k.grade, COALESCE(k.status, ''), k.candidates,
            CASE WHEN k.by_id THEN %s WHEN k.candidates > 0 THEN %s ELSE %s END,
            %s, %s, 1
        FROM (
            SELECT m.sort_key, m.id, m.county_id, m.id_number, m.name, m.birth_date,
                m.township_id, m.household_category, m.sid IS NOT NULL AS by_id,
                CASE WHEN m.sid IS NOT NULL THEN 1 WHEN m.probe > 0 THEN 1 ELSE -m.probe END
                    AS candidates,
                CASE WHEN m.sid IS NOT NULL THEN m.sid WHEN m.probe > 0 THEN m.probe END
                    AS student_id,
                {candidate("status")} AS status,
                {candidate("school_id")} AS school_id,
                {candidate("grade")} AS grade
            FROM (
                SELECT c.id, c.county_id, c.id_number, c.name, c.birth_date, c.township_id,
                    c.household_category, s.id AS sid, s.status, s.school_id, s.grade,
                    CASE WHEN s.id IS NULL THEN (
                        SELECT CASE WHEN COUNT(*) = 1 THEN MIN(t.id) ELSE -COUNT(*) END
                        FROM {students} t
                        WHERE t.name = c.name AND t.birth_date = c.birth_date
                    ) END AS probe,
                    {_bytewise("c.id_number")} AS sort_key,
                    ROW_NUMBER() OVER (PARTITION BY {_bytewise("c.id_number")} ORDER BY c.id)
                        AS nth
                FROM {_table(RosterChild)} c
                LEFT JOIN {students} s ON s.id_number = c.id_number
                WHERE {child_filter}
            ) m
            WHERE m.nth = 1
            ORDER BY m.sort_key
            {_no_flatten()}
        ) k
        ORDER BY k.sort_key
    """  # noqa: S608 - table names come from the models; every value is a parameter
    params = [
        screening_round.pk,
        status.ENROLLED, c.ENROLLED_LOCAL,
        status.SUSPENDED, c.SUSPENDED,
        status.HOME_DELIVERED, c.HOME_DELIVERED,
        status.DECEASED, c.DECEASED,
        status.GRADUATED, c.COMPLETED,
        screening_round.school_year, c.ENROLLED_ELSEWHERE,
        screening_date, screening_date, c.EXEMPT,
        c.AMBIGUOUS,
        status.DROPPED_OUT, c.DROPPED_OUT,
        c.SUSPECTED,
        MatchMethod.ID, MatchMethod.NAME_BIRTH, MatchMethod.NONE,
        False, True, False,
        now, now,
        *child_params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(insert, params)
        return max(cursor.rowcount, 0)


def _responsible(line: str) -> str:
    """The responsible person of a line for a result row `r`: its school's, else its township's."""
    table = _table(Responsibility)
    return f"""COALESCE(
        (SELECT MIN(g.id) FROM {table} g WHERE g.school_id = r.school_id AND g.line = '{line}'),
        (SELECT MIN(g.id) FROM {table} g
         WHERE g.township_id = r.township_id AND g.school_id IS NULL AND g.line = '{line}')
    )"""  # noqa: S608 - line is one of ResponsibilityLine's values


def _open_cases(screening_round: ScreeningRound, now) -> int:
    """Open a case for every suspected or recorded dropout who has no case open yet.

    The partial unique index one_open_case_per_child makes this safe against a concurrent round:
    the second insert of the same child waits for the first and then does nothing.
    """
    opened_on = screening_round.screening_date
    due_on = opened_on + dt.timedelta(days=case_due_days())
    cases = _table(DropoutCase)
    # "Already open" and "has a closed case" are IN lists over the case table, hashed: read
    # once, one lookup per child, whatever the plan. The latest closed case is then looked up
    # by the ID-number index, for the children that have one only (a correlated subquery for
    # every child could scan the heap this very statement makes grow). Left joins to derived
    # tables were planned from the round's estimated rows: 1, once the table's statistics list
    # the earlier rounds as its common values and the new round is not among them. As nested
    # loops, they rescanned the derived tables for every child — 3.9 s with 8,060 cases already
    # open, 45 s with 8,060 earlier closed cases, against 0.03 s and 0.7 s now.
    sql = f"""
        INSERT INTO {cases} (
            county_id, created_at, updated_at, version, id_number, name, roster_child_id,
            township_id, reason, opened_in_round_id, previous_case_id, opened_on, due_on, status,
            gov_responsible_id, edu_responsible_id, outcome, outcome_note, close_note
        )
        SELECT
            r.county_id, %s, %s, 1, r.id_number, r.name, r.roster_child_id, r.township_id,
            r.classification, r.round_id,
            CASE WHEN r.id_number IN (SELECT q.id_number FROM {cases} q WHERE q.status = %s)
                THEN (
                    SELECT MAX(p.id) FROM {cases} p
                    WHERE p.id_number = r.id_number AND p.status = %s
                )
            END,
            %s, %s, %s,
            {_responsible(ResponsibilityLine.GOVERNMENT)},
            {_responsible(ResponsibilityLine.EDUCATION)},
            '', '', ''
        FROM {_table(ScreeningResult)} r
        WHERE r.round_id = %s AND r.classification IN (%s, %s)
          AND r.id_number NOT IN (SELECT o.id_number FROM {cases} o WHERE o.status <> %s)
        ON CONFLICT DO NOTHING
    """  # noqa: S608 - table names come from the models; every value is a parameter
    params = [
        now, now,
        CaseStatus.CLOSED, CaseStatus.CLOSED,
        _date(opened_on), _date(due_on), CaseStatus.OPEN,
        screening_round.pk, *CASE_CLASSES,
        CaseStatus.CLOSED,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _check_resolved_cases(screening_round: ScreeningRound, county_ids: list[int], now):
    """Confirm or refute the resolved cases of the round's counties; return (confirmed, refuted).

    Confirmed when the round finds what the resolution says: a returned child enrolled locally;
    enrolled elsewhere with evidence; exempt with a valid approval; moved away, deceased or
    other when the child is not found out of school (suspected, recorded dropout, ambiguous).
    Refuted — the case goes back to open — when the round still finds the child suspected or a
    recorded dropout.
    """
    cases = _table(DropoutCase)
    results = _table(ScreeningResult)
    counties = _placeholders(county_ids)

    def found(classes) -> str:
        # Names from the models; every value is bound.
        sql = "EXISTS (SELECT 1 FROM {} r WHERE r.round_id = %s AND r.id_number = {}.id_number "
        sql += "AND r.classification IN ({}))"
        return sql.format(results, cases, _placeholders(classes))

    out_of_school = [Classification.SUSPECTED, Classification.DROPPED_OUT]
    unsettled = [*out_of_school, Classification.AMBIGUOUS]
    pending = f"status = %s AND confirmed_in_round_id IS NULL AND county_id IN ({counties})"  # noqa: S608
    round_id = screening_round.pk
    confirm = f"""
        UPDATE {cases} SET confirmed_in_round_id = %s, refuted_in_round_id = NULL,
            updated_at = %s, version = version + 1
        WHERE {pending} AND (
            (outcome = %s AND {found([Classification.ENROLLED_LOCAL])})
            OR (outcome = %s AND {found([Classification.ENROLLED_ELSEWHERE])})
            OR (outcome = %s AND {found([Classification.EXEMPT])})
            OR (outcome IN (%s, %s, %s) AND NOT {found(unsettled)})
        )
    """  # noqa: S608 - table names come from the models; every value is a parameter
    confirm_params = [
        round_id, now,
        CaseStatus.RESOLVED, *county_ids,
        CaseOutcome.RETURNED, round_id, Classification.ENROLLED_LOCAL,
        CaseOutcome.ENROLLED_ELSEWHERE, round_id, Classification.ENROLLED_ELSEWHERE,
        CaseOutcome.EXEMPT, round_id, Classification.EXEMPT,
        CaseOutcome.MOVED_AWAY, CaseOutcome.DECEASED, CaseOutcome.OTHER, round_id, *unsettled,
    ]  # fmt: skip
    refute = f"""
        UPDATE {cases} SET status = %s, refuted_in_round_id = %s, updated_at = %s,
            version = version + 1
        WHERE {pending} AND {found(out_of_school)}
    """  # noqa: S608 - table names come from the models; every value is a parameter
    refute_params = [
        CaseStatus.OPEN, round_id, now,
        CaseStatus.RESOLVED, *county_ids,
        round_id, *out_of_school,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(confirm, confirm_params)
        confirmed = max(cursor.rowcount, 0)
        cursor.execute(refute, refute_params)
        refuted = max(cursor.rowcount, 0)
    return confirmed, refuted


def _tune_for_bulk_work() -> None:
    """Settings for the round's transaction only (PostgreSQL; SET LOCAL, the server's stay).

    - `work_mem`: the sort/hash memory a city's join needs, so that it does not spill to disk.
    - `jit` off: the classification's estimated cost (its per-child subqueries are costed as if
      every child ran them) passes the thresholds for JIT compilation with full optimisation,
      and compiling the plan's expressions took ≈0.45 s — a third of the whole round — to speed
      up a statement that runs once over 100,000 rows. Plain interpretation is faster here.
    """
    if connection.vendor != "postgresql":
        return
    local = {"jit": "off"}
    memory = round_work_mem()
    if memory:
        local["work_mem"] = str(memory)
    with connection.cursor() as cursor:  # one round trip; set_config(…, true) is SET LOCAL
        cursor.execute(
            "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(local)),
            [value for pair in local.items() for value in pair],
        )


def round_run(*, round_id: int, progress: Progress | None = None) -> ScreeningRound:
    """Run a queued round to its end: all of its writes in one transaction, or none.

    Safe to call twice: a finished round is returned as it is, and a failed attempt left nothing
    behind to trip over (its transaction rolled back; the unique (round, ID number) index would
    refuse a second result for a child in any case).
    """
    progress = progress or _no_progress
    screening_round = ScreeningRound.objects.filter(pk=round_id).first()
    if screening_round is None:
        raise JobFailed(_("The screening round no longer exists."))
    if screening_round.status == RoundStatus.FINISHED:
        return screening_round
    started = timezone.now()
    ScreeningRound.objects.filter(pk=round_id).update(
        status=RoundStatus.RUNNING, started_at=started, error=""
    )
    steps = 4
    try:
        with transaction.atomic():
            screening_round = ScreeningRound.objects.select_for_update().get(pk=round_id)
            if screening_round.status == RoundStatus.FINISHED:  # another worker finished it
                return screening_round
            _tune_for_bulk_work()
            version_ids = list(screening_round.roster_versions.values_list("pk", flat=True))
            county_ids = list(screening_round.counties.values_list("pk", flat=True))
            now = _now()
            progress(0, steps, _("Matching the roster against the registry…"))
            screened = _insert_results(screening_round, version_ids, now) if version_ids else 0
            progress(
                1,
                steps,
                _("%(count)s children screened; opening cases…") % {"count": f"{screened:,}"},
            )
            opened = _open_cases(screening_round, now)
            progress(2, steps, _("Checking resolved cases…"))
            confirmed, refuted = (
                _check_resolved_cases(screening_round, county_ids, now) if county_ids else (0, 0)
            )
            progress(3, steps, _("Finishing…"))
            screening_round.status = RoundStatus.FINISHED
            screening_round.started_at = started
            screening_round.finished_at = timezone.now()
            screening_round.save(update_fields=["status", "started_at", "finished_at"])
            audit.record(
                actor=screening_round.started_by,
                action=AuditAction.UPDATE,
                obj=screening_round,
                changes={
                    "status": [RoundStatus.RUNNING, RoundStatus.FINISHED],
                    "screened": screened,
                    "opened": opened,
                    "confirmed": confirmed,
                    "refuted": refuted,
                },
            )
    except Exception as error:
        ScreeningRound.objects.filter(pk=round_id).update(
            status=RoundStatus.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        raise
    # Committed: fresh planner statistics for the results and cases it wrote (core/db.py).
    db.analyze(ScreeningResult, rows=screened)
    if opened or confirmed or refuted:
        db.analyze(DropoutCase, rows=opened + confirmed + refuted)
    screening_round.stats = {
        "screened": screened,
        "opened": opened,
        "confirmed": confirmed,
        "refuted": refuted,
    }
    return screening_round


@runner(JOB_KIND)
def run_screening_round(job, progress) -> dict:
    """The job of a round: run it, then point the job page at the round's page."""
    screening_round = round_run(round_id=job.params["round"], progress=progress)
    stats = getattr(screening_round, "stats", {})
    return {
        "message": _(
            "%(screened)s children screened; %(opened)s cases opened; %(confirmed)s resolved "
            "cases confirmed."
        )
        % {
            "screened": f"{stats.get('screened', 0):,}",
            "opened": stats.get("opened", 0),
            "confirmed": stats.get("confirmed", 0),
        },
        "result_url": screening_round.get_absolute_url(),
        **stats,
    }


@recovers(JOB_KIND)
def recover_screening_round(job, message: str) -> dict | None:
    """A round's job ended by a fault: a finished round is the work done; one queued or running
    (its one transaction rolled back with the worker's session) is failed and changed nothing —
    its page says so, and a new round can be started."""
    screening_round = (
        ScreeningRound.objects.select_for_update().filter(pk=job.params.get("round")).first()
    )
    if screening_round is None:
        return None
    if screening_round.status == RoundStatus.FINISHED:
        return {"result_url": screening_round.get_absolute_url()}
    if screening_round.status in (RoundStatus.QUEUED, RoundStatus.RUNNING):
        ScreeningRound.objects.filter(pk=screening_round.pk).update(
            status=RoundStatus.FAILED, finished_at=timezone.now(), error=str(message)[:2000]
        )
    return None


# --- Cases -------------------------------------------------------------------------------------


def _case_for_update(case: DropoutCase, actor) -> DropoutCase:
    """The case, locked, if the actor may see it (404-equivalent otherwise)."""
    locked = DropoutCase.objects.visible_to(actor).select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise PermissionDenied(_("This row belongs to a county outside your scope."))
    return locked


def case_open(
    *,
    id_number: str,
    name: str,
    township: Region,
    actor,
    note: str = "",
    roster_child: RosterChild | None = None,
    opened_on: dt.date | None = None,
) -> DropoutCase:
    """Open a case by hand (a report from a village, a school): refused if one is open."""
    from core.scoping import can_edit

    if not can_edit(actor, DropoutCase):
        raise PermissionDenied(_("Your role may not change ledger rows."))
    opened_on = opened_on or timezone.localdate()
    case = DropoutCase(
        id_number=id_number,
        name=name,
        township=township,
        roster_child=roster_child,
        reason=Classification.SUSPECTED,
        opened_on=opened_on,
        due_on=opened_on + dt.timedelta(days=case_due_days()),
        outcome_note="",
    )
    case.derive_county()
    case.gov_responsible = _township_responsible(township, ResponsibilityLine.GOVERNMENT)
    case.edu_responsible = _township_responsible(township, ResponsibilityLine.EDUCATION)
    try:
        with transaction.atomic():
            ensure_in_scope(actor, case)
            case.save()
            if note:
                CaseAction.objects.create(
                    case=case,
                    date=opened_on,
                    kind="other",
                    note=note,
                    actor=actor,
                    county_id=case.county_id,
                )
            audit.record_create(actor, case)
    except IntegrityError as error:
        raise ValidationError(
            _("This child already has an open case."), code="case_already_open"
        ) from error
    return case


def _township_responsible(township, line) -> Responsibility | None:
    return (
        Responsibility.objects.filter(township=township, school__isnull=True, line=line)
        .order_by("pk")
        .first()
    )


def case_action_add(
    *,
    case: DropoutCase,
    date: dt.date,
    kind: str,
    note: str,
    actor,
    uploads: Iterable = (),
) -> CaseAction:
    """Log a follow-up action (with its photos and documents: all saved, or nothing)."""
    from core.attachments.services import attachments_add
    from core.scoping import can_edit

    if not can_edit(actor, CaseAction):
        raise PermissionDenied(_("Your role may not change ledger rows."))
    uploads = [upload for upload in uploads if upload]
    with transaction.atomic():
        case = _case_for_update(case, actor)
        if case.status == CaseStatus.CLOSED:
            raise ValidationError(_("The case is closed."), code="closed")
        if date > timezone.localdate():
            raise ValidationError({"date": _("The date is in the future.")})
        action = CaseAction(case=case, date=date, kind=kind, note=note.strip(), actor=actor)
        action.full_clean(exclude=["county"])
        action.save()
        ensure_in_scope(actor, action)
        audit.record_create(actor, action)
        if uploads:
            attachments_add(row=action, uploads=uploads, actor=actor)
    return action


def case_resolve(
    *,
    case: DropoutCase,
    outcome: str,
    actor,
    return_school: School | None = None,
    return_date: dt.date | None = None,
    note: str = "",
    resolved_on: dt.date | None = None,
) -> DropoutCase:
    """Resolve an open case with its outcome; it is closed only after a round confirms it.

    Returned to school needs the school and the date; enrolled elsewhere needs the evidence row
    (an out-of-city enrolment); exempt needs an approval that is still valid.
    """
    from core.scoping import can_edit

    if not can_edit(actor, DropoutCase):
        raise PermissionDenied(_("Your role may not change ledger rows."))
    resolved_on = resolved_on or timezone.localdate()
    errors: dict[str, str] = {}
    if outcome not in CaseOutcome.values:
        errors["outcome"] = _("Choose an outcome.")
    if outcome == CaseOutcome.RETURNED:
        if return_school is None:
            errors["return_school"] = _("Name the school the child returned to.")
        if return_date is None:
            errors["return_date"] = _("Give the date the child is back at school.")
    if outcome != CaseOutcome.RETURNED:
        return_school, return_date = None, None
    if outcome == CaseOutcome.OTHER and not note.strip():
        errors["outcome_note"] = _("Explain the outcome.")
    if (
        outcome == CaseOutcome.ENROLLED_ELSEWHERE
        and not OutOfCityEnrolment.objects.filter(id_number=case.id_number).exists()
    ):
        errors["outcome"] = _(
            "Record the evidence of schooling elsewhere first (out-of-city enrolments)."
        )
    if outcome == CaseOutcome.EXEMPT:
        valid = Exemption.objects.filter(id_number=case.id_number, valid_from__lte=resolved_on)
        valid = valid.exclude(valid_until__lt=resolved_on)
        if not valid.exists():
            errors["outcome"] = _("Record the approved deferral or exemption first.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _case_for_update(case, actor)
        if case.status != CaseStatus.OPEN:
            raise ValidationError(_("Only an open case can be resolved."), code="not_open")
        before = audit.snapshot(case)
        case.status = CaseStatus.RESOLVED
        case.outcome = outcome
        case.return_school = return_school
        case.return_date = return_date
        case.outcome_note = note.strip()
        case.resolved_by = actor
        case.resolved_on = resolved_on
        case.confirmed_in_round = None
        case.save()
        ensure_in_scope(actor, case)
        audit.record_update(actor, case, before)
    return case


def case_close(
    *, case: DropoutCase, actor, note: str = "", closed_on: dt.date | None = None
) -> DropoutCase:
    """Close 销号 a resolved case: the county reviewer, once the outcome is confirmed.

    A case a round opened is confirmed by a later round (the registry check). A case opened by
    hand may concern a child no round screens (not on the roster, not of school age): unless a
    round confirmed it, the reviewer verifies the outcome and says what was checked (`note`,
    required then, kept on the case and in its history).
    """
    note = (note or "").strip()
    with transaction.atomic():
        case = _case_for_update(case, actor)
        if not is_county_reviewer_for(actor, case.county_id):
            raise PermissionDenied(_("Only the county's reviewer may close a case."))
        if case.status != CaseStatus.RESOLVED:
            raise ValidationError(_("Only a resolved case can be closed."), code="not_resolved")
        if case.closes_on_verification and not note:
            raise ValidationError(
                {
                    "close_note": ValidationError(
                        _(
                            "No screening round confirms a case opened by hand: write what you "
                            "checked (the registry, the school, the family) before closing it."
                        ),
                        code="verification_needed",
                    )
                }
            )
        if not case.can_be_closed:
            raise ValidationError(
                _(
                    "A later screening round has not confirmed the outcome yet: the case can be "
                    "closed once the registry check agrees."
                ),
                code="not_confirmed",
            )
        before = audit.snapshot(case)
        case.status = CaseStatus.CLOSED
        case.closed_by = actor
        case.closed_on = closed_on or timezone.localdate()
        case.close_note = note
        case.save()
        audit.record_update(actor, case, before)
    return case


# --- Roster versions ---------------------------------------------------------------------------


def roster_version_create(
    *, county: Region, label: str, actor, note: str = "", source_name: str = "", import_run=None
) -> RosterVersion:
    """A new, empty roster version of a county (an import fills it)."""
    version = RosterVersion(
        county=county,
        label=label[:100],
        note=note[:300],
        source_name=source_name[:200],
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        import_run=import_run,
    )
    with transaction.atomic():
        ensure_in_scope(actor, version)
        version.save()
        audit.record_create(actor, version)
    return version
