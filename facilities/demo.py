"""The demo of school conditions, built on the demo city through the area's services.

* Coverage: the demo city gives every township one public central kindergarten (core.demo), so
  the dashboard counts **0 townships without one** (the bulletin's figure) from the school rows.
* Quotas: 650 yuan primary and 850 yuan junior middle per pupil per year, +200 yuan per boarder
  (the 2016 unified national benchmark), in force from 2016 — data a city admin can edit.
* The funding table of 2023–2024 is the real selector over the city's enrolments (rural schools
  under 100 funded as 100, boarding schools with boarders); the finance office's allocations
  equal the computed amounts except at two schools, which are allocated less (the under-funded
  check list shows them, one with its reason).
* A school year of improvement projects (dormitories and canteens at boarding schools first),
  through the write door (its rules: funds by source within the budget, dates, progress).
* The July 2023 look-back: county self-checks and city spot-checks; every finding opened its
  rectification, was rectified with an after photo, submitted by the county officer and verified
  by the county reviewer (a different person). The dates of submission and closing are set to the
  summer of 2023, when it happened (the services stamp today's date).
* A maintenance log: weekly inspections and monthly waste clearings of every public school,
  July–December 2023; one school in 40 stopped logging at the end of October.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import IO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image

from core import db
from core import services as door
from core.models import Region, RegionLevel, School, SchoolKind, User
from core.scoping import Role
from facilities import selectors, services
from facilities.models import (
    FundingAllocation,
    FundingNote,
    FundingRate,
    ImprovementProject,
    KindergartenExemption,
    MaintenanceEntry,
    MaintenanceKind,
    Rectification,
    ToiletFinding,
    ToiletInspection,
    fen,
)

SCHOOL_YEAR = 2023
UNDERFUNDED = (Decimal("0.92"), Decimal("0.85"))  # the two schools allocated less
PROBLEMS = ("damaged", "not_cleaned", "odour", "no_handwashing", "full", "unsafe")
TYPES = ("septic", "double_vault", "flush", "pit", "diverting")


def _say(stdout):
    return (
        (lambda message: stdout.write(message + "\n")) if stdout is not None else (lambda m: None)
    )


def wipe() -> None:
    """Delete every school-conditions row (before the demo city is wiped)."""
    for model in (
        Rectification,
        ToiletFinding,
        ToiletInspection,
        MaintenanceEntry,
        FundingNote,
        FundingAllocation,
        ImprovementProject,
        KindergartenExemption,
        FundingRate,
    ):
        # One collector per table: the rows' attachments (a generic relation) go with them, and
        # their files once the deletion commits (core.attachments' post_delete).
        model.objects.all().delete()


def _photo(name: str, colour: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _users(role, county_ids):
    return {
        user.scope_id: user
        for user in User.objects.filter(role=role, is_demo=True, scope_id__in=county_ids)
    }


def seed(*, rng: random.Random, stdout: IO[str] | None = None) -> dict:
    """Build the area's demo into a database holding the demo city (inside an atomic)."""
    say = _say(stdout)
    admin = User.objects.filter(role=Role.CITY_ADMIN, is_demo=True).first()
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))
    officers = _users(Role.COUNTY_OFFICER, [c.pk for c in counties])
    reviewers = _users(Role.COUNTY_REVIEWER, [c.pk for c in counties])
    if admin is None or not officers:
        return {}

    services.funding_rate_save(
        rate=FundingRate(
            effective_from=2016,
            primary=Decimal("650.00"),
            junior=Decimal("850.00"),
            boarder_supplement=Decimal("200.00"),
            note=_("The 2016 unified national benchmark"),
        ),
        actor=admin,
    )
    allocations, under = build_allocations(rng, admin)
    projects = build_projects(rng, officers)
    findings = build_lookback(rng, counties, officers, reviewers)
    entries = build_maintenance(rng, admin)

    figures = selectors.summary(admin, school_year=SCHOOL_YEAR)
    say(
        _(
            "School conditions: %(townships)s townships, %(missing)s without a public central "
            "kindergarten; %(projects)s projects; funding computed %(computed)s (10,000 yuan), "
            "%(under)s under-funded schools; %(findings)s look-back findings, %(closed)s "
            "verified and closed."
        )
        % {
            "townships": figures["townships"],
            "missing": figures["townships_without_central_kindergarten"],
            "projects": figures["projects"]["count"],
            "computed": figures["funding"]["computed_wan"],
            "under": figures["funding"]["underfunded_schools"],
            "findings": figures["rectifications"]["findings"],
            "closed": figures["rectifications"]["closed"],
        }
    )
    return {
        "allocations": allocations,
        "underfunded": under,
        "projects": projects,
        "findings": findings,
        "maintenance": entries,
    }


def build_allocations(rng: random.Random, admin) -> tuple[int, int]:
    """The finance office's sheet: the computed amount for every school but two, allocated less
    (in bulk, as an import of the sheet would write them)."""
    table = list(selectors.funding_table(admin, SCHOOL_YEAR))
    short = set(rng.sample([row.pk for row in table if row.computed > 0], len(UNDERFUNDED)))
    shares = iter(UNDERFUNDED)
    rows, notes = [], []
    for row in table:
        amount = fen(row.computed)
        if row.pk in short:
            amount = fen(amount * next(shares))
            if not notes:
                notes.append(
                    FundingNote(
                        school_id=row.school_id,
                        county_id=row.county_id,
                        school_year=SCHOOL_YEAR,
                        reason=_("The second instalment arrives in December."),
                    )
                )
        rows.append(
            FundingAllocation(
                school_id=row.school_id,
                county_id=row.county_id,
                school_year=SCHOOL_YEAR,
                amount=amount,
                allocated_on=dt.date(2023, 10, 20),
            )
        )
    FundingAllocation.objects.bulk_create(rows)
    FundingNote.objects.bulk_create(notes)
    return len(rows), len(short)


def build_projects(rng: random.Random, officers: dict) -> int:
    """Two to four projects per county in 2023–2024, boarding schools' dormitories and canteens
    first, through the write door (ImprovementProject.clean holds the rules)."""
    made = 0
    schools = list(
        School.objects.filter(
            kind__in=(SchoolKind.PRIMARY, SchoolKind.JUNIOR, SchoolKind.NINE_YEAR),
            locality="rural",
        ).order_by("-boarding", "code")
    )
    by_county: dict[int, list] = {}
    for school in schools:
        by_county.setdefault(school.county_id, []).append(school)
    plans = (
        ("dormitory", _("Dormitory renovation"), 40),
        ("canteen", _("Canteen upgrade"), 0),
        ("toilet", _("Sanitary toilet upgrade"), 0),
        ("heating", _("Heating renovation"), 0),
        ("water", _("Drinking water supply"), 0),
        ("playground", _("Playground"), 0),
    )
    statuses = ("accepted", "completed", "building", "planned")
    for county_id, officer in sorted(officers.items()):
        for index, school in enumerate(by_county.get(county_id, [])[: rng.randint(2, 4)]):
            kind, title, beds = plans[index % len(plans)] if school.boarding else plans[index + 2]
            status = statuses[rng.randrange(len(statuses))]
            budget = Decimal(rng.randrange(20, 120) * 10000)
            central = fen(budget * Decimal("0.5"))
            provincial = fen(budget * Decimal("0.3"))
            county_funds = budget - central - provincial
            done = status in ("accepted", "completed")
            started = status != "planned"
            beds_added = beds if kind == "dormitory" else 0
            door.row_create(
                actor=officer,
                row=ImprovementProject(
                    school=school,
                    name=f"{school.name}{title}",
                    kind=kind,
                    school_year=SCHOOL_YEAR,
                    remote=rng.random() < 0.3,
                    area_m2=Decimal(rng.randrange(120, 900)),
                    beds_added=beds_added,
                    beds_left_behind=beds_added // 3,
                    budget=budget,
                    fund_central=central,
                    fund_provincial=provincial,
                    fund_county=county_funds,
                    status=status,
                    planned_start=dt.date(2023, 5, 1),
                    planned_end=dt.date(2023, 8, 25),
                    actual_start=dt.date(2023, 5, 8) if started else None,
                    actual_end=dt.date(2023, 8, 20) if done else None,
                    progress=100 if done else (rng.randrange(20, 90) if started else 0),
                ),
            )
            made += 1
    return made


def build_lookback(rng, counties, officers, reviewers) -> int:
    """July 2023: a self-check at two schools per county (one finding each), a city spot-check
    at one school; every finding rectified, submitted and verified by someone else."""
    findings = 0
    for county in counties:
        officer, reviewer = officers.get(county.pk), reviewers.get(county.pk)
        if officer is None or reviewer is None:
            continue
        schools = list(
            School.objects.filter(county=county, ownership="public")
            .exclude(kind__in=(SchoolKind.SENIOR, SchoolKind.VOCATIONAL))
            .order_by("code")[:2]
        )
        for number, school in enumerate(schools):
            inspected = dt.date(2023, 7, 5 + number * 3 + rng.randrange(3))
            inspection = door.row_create(
                actor=officer,
                row=ToiletInspection(
                    school=school,
                    kind="spot_check" if number == 0 and county == counties[0] else "self_check",
                    inspected_on=inspected,
                    inspector=_("County education bureau, logistics section"),
                    blocks_checked=2,
                    blocks_ok=1,
                ),
            )
            rectification = services.finding_record(
                inspection=inspection,
                finding=ToiletFinding(
                    block=_("Toilet block east of the teaching building"),
                    toilet_type=rng.choice(TYPES),
                    problem=rng.choice(PROBLEMS),
                ),
                responsible_unit=school.name,
                deadline=inspected + dt.timedelta(days=30),
                photos=[_photo("before.jpg", "saddlebrown")],
                actor=officer,
            )
            services.rectification_start(
                rectification=rectification,
                measures=_("Repaired, cleaned and disinfected; the pit emptied."),
                actor=officer,
            )
            from core.attachments.services import attachments_add

            attachments_add(
                row=rectification, uploads=[_photo("after.jpg", "seagreen")], actor=officer
            )
            services.rectification_submit(rectification=rectification, actor=officer)
            services.rectification_verify(rectification=rectification, actor=reviewer)
            Rectification.objects.filter(pk=rectification.pk).update(
                submitted_on=inspected + dt.timedelta(days=18),
                closed_on=inspected + dt.timedelta(days=21),
            )
            findings += 1
    return findings


STOPPED_LOGGING_EVERY = 40  # one public school in 40 stopped logging in October 2023


def build_maintenance(rng: random.Random, admin) -> int:
    """Weekly inspections and a waste clearing a month at every public school, July–December
    2023 (in bulk: the schools' log sheets), except one in 40 (by code), whose log stops at the
    end of October: the maintenance check, counting back from the log's newest day, lists those."""

    schools = (
        School.objects.filter(ownership="public").order_by("code").values_list("pk", "county_id")
    )
    rows = []
    for number, (school_id, county_id) in enumerate(schools):
        last = (
            dt.date(2023, 10, 31) if number % STOPPED_LOGGING_EVERY == 7 else dt.date(2023, 12, 29)
        )
        day = dt.date(2023, 7, 3)
        while day <= last:
            rows.append(
                MaintenanceEntry(
                    school_id=school_id,
                    county_id=county_id,
                    done_on=day,
                    kind=MaintenanceKind.INSPECTION,
                    done_by=_("Caretaker"),
                )
            )
            if day.day <= 7:
                rows.append(
                    MaintenanceEntry(
                        school_id=school_id,
                        county_id=county_id,
                        done_on=day + dt.timedelta(days=rng.randrange(3)),
                        kind=MaintenanceKind.WASTE,
                        done_by=_("Township sanitation team"),
                    )
                )
            day += dt.timedelta(days=7)
    MaintenanceEntry.objects.bulk_create(rows, batch_size=5000)
    db.analyze(MaintenanceEntry, force=True)  # autovacuum is off: the check is planned on these
    return len(rows)
