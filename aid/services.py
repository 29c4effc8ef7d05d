"""Operations of student aid that write: notes on check rows, seeding the out-of-area list from
the dropout evidence ledger, programme and standard edits, registry links. Each row is written
through the write door (core.services: validated, scope-checked, audited)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _lazy

from aid.models import (
    AidProgramme,
    AidStandard,
    CheckKind,
    CheckNote,
    Disbursement,
    OutOfAreaSource,
    OutOfAreaStudent,
    Stage,
)
from aid.selectors import current_roster_ids
from core import calendar, idnumbers, services
from core.models import Student
from core.scoping import require_city_admin

# aid's one dependency on dropout, in the open: dropout's out-of-city enrolment evidence seeds the
# out-of-area list. What else they share (the roster) comes from core.
from dropout.models import OutOfCityEnrolment


def registry_students(user, id_numbers: Iterable[str]) -> dict[str, Student]:
    """The registry students visible to `user` with these ID numbers (one query)."""
    wanted = {number for number in id_numbers if number}
    if not wanted:
        return {}
    rows = Student.objects.visible_to(user).filter(id_number__in=wanted).select_related("school")
    return {student.id_number: student for student in rows}


# Programmes and standards are the city's: only city administrators change them.
PROGRAMMES_REFUSED = _lazy("Only city administrators may change aid programmes.")


def programme_save(*, programme: AidProgramme, actor) -> AidProgramme:
    """Create or change a programme (the write door audits it: the trail keeps its history)."""
    require_city_admin(actor, PROGRAMMES_REFUSED)
    return _row_save(actor, programme)


def standard_save(*, standard: AidStandard, actor) -> AidStandard:
    """Create or change a standard (amount per student per term); audited."""
    require_city_admin(actor, PROGRAMMES_REFUSED)
    return _row_save(actor, standard)


def standard_delete(*, standard: AidStandard, actor) -> None:
    require_city_admin(actor, PROGRAMMES_REFUSED)
    services.row_delete(actor=actor, row=standard)


def _row_save(actor, row):
    if row.pk is None:
        return services.row_create(actor=actor, row=row)
    return services.row_update(actor=actor, row=row)


# --- Notes on check rows -----------------------------------------------------------------------


@transaction.atomic
def check_note_record(
    *,
    actor,
    check: str,
    row: Student | Disbursement,
    school_year: int,
    term: str,
    reason: str,
) -> CheckNote | None:
    """Record (or change) the officer's reason on one row of a check; an empty reason removes it.

    A gap row is a registry student (its school's county owns the note); a below-standard or
    duplicate row is a disbursement (its paying school's county). The caller looks the row up
    through visible_to(actor); the note's county is re-checked here.
    """
    reason = (reason or "").strip()
    programme = row.programme if check == CheckKind.BELOW_STANDARD else None
    key = {
        "county_id": row.county_id,
        "check_kind": check,
        "id_number": row.id_number,
        "school_year": school_year,
        "term": term,
        "programme": programme,
    }
    note = CheckNote.objects.select_for_update().filter(**key).first()
    if not reason:
        if note is not None:
            services.row_delete(actor=actor, row=note)
        return None
    if note is None:
        note = CheckNote(**key, name=row.name, school=row.school, reason=reason, recorded_by=actor)
        return services.row_create(actor=actor, row=note)
    note.reason, note.recorded_by, note.name = reason, actor, row.name
    # The last reason wins: the note is locked above, so its stored version is the one changed.
    return services.row_update(actor=actor, row=note, version=note.version)


# --- Out-of-area students from the dropout evidence ledger -------------------------------------

_PLACE = re.compile(r"^(.+?(?:省|自治区|特别行政区|市))(.*)$")


def split_place(place: str) -> tuple[str, str]:
    """吉林省长春市 → (吉林省, 长春市); 北京市海淀区 → (北京市, 海淀区); else (place, "")."""
    place = (place or "").strip()
    match = _PLACE.match(place)
    if not match:
        return place, ""
    return match.group(1), match.group(2).strip()


def stage_for(grade: int | None, born: dt.date | None, school_year: int) -> str:
    """The stage of a child studying elsewhere: from the grade if known, else from the age on the
    school year's reference day, 31 August (3–5 preschool, 6–11 primary, 12–14 junior, 15+
    senior)."""
    if grade is not None:
        if grade < 1:
            return Stage.PRESCHOOL
        if grade <= 6:
            return Stage.PRIMARY
        return Stage.JUNIOR if grade <= 9 else Stage.SENIOR
    if born is None:
        return Stage.OTHER
    age = calendar.age_in_school_year(born, school_year)
    if age < 6:
        return Stage.PRESCHOOL
    if age < 12:
        return Stage.PRIMARY
    return Stage.JUNIOR if age < 15 else Stage.SENIOR


@transaction.atomic
def out_of_area_seed_from_dropout(*, actor, county_id: int | None = None) -> dict[str, int]:
    """Add every child of the out-of-city enrolment evidence (dropout ledger) the actor sees to
    the out-of-area list of their household county — the newest school year's evidence per
    child. Children on the current roster (poverty-alleviated or monitored households) are
    marked as coming from the roster. Rows already on the list are left as they are: safe to run
    again. Returns {"created": n, "existing": m}."""
    evidence = OutOfCityEnrolment.objects.visible_to(actor)
    if county_id is not None:
        evidence = evidence.filter(county_id=county_id)
    newest: dict[tuple[int, str], OutOfCityEnrolment] = {}
    for row in evidence.order_by("school_year", "pk"):
        newest[(row.county_id, row.id_number)] = row
    existing = set(
        OutOfAreaStudent.objects.filter(
            id_number__in={number for _county, number in newest}
        ).values_list("county_id", "id_number")
    )
    on_roster = set(
        current_roster_ids()
        .filter(id_number__in={number for _county, number in newest})
        .values_list("id_number", flat=True)
    )
    created = []
    for (county, number), row in sorted(newest.items(), key=lambda item: item[1].pk):
        if (county, number) in existing:
            continue
        province, city = split_place(row.place)
        created.append(
            OutOfAreaStudent(
                county_id=county,
                id_number=number,
                name=row.name,
                household_region_id=row.township_id,
                province=province[:30],
                city=city[:30],
                school_name=row.school_name[:100],
                stage=stage_for(row.grade, idnumbers.birth_date(number), row.school_year),
                source=OutOfAreaSource.ROSTER if number in on_roster else OutOfAreaSource.EVIDENCE,
            )
        )
    for student in created:
        services.row_create(actor=actor, row=student)
    return {"created": len(created), "existing": len(newest) - len(created)}
