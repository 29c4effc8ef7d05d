"""manage.py seed_demo: the demo city is complete, valid, reproducible; real data is never lost."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from core import idnumbers
from core.models import (
    Region,
    RegionLevel,
    School,
    SchoolEnrolment,
    SchoolKind,
    Student,
    StudentStatus,
    User,
)
from core.scoping import Role

pytestmark = [pytest.mark.long, pytest.mark.django_db]

PASSWORD = "seed-test-pass-7"
COUNTIES = {
    "231002": ("东安区", "dongan"),
    "231003": ("阳明区", "yangming"),
    "231004": ("爱民区", "aimin"),
    "231005": ("西安区", "xian"),
    "231025": ("林口县", "linkou"),
    "231081": ("绥芬河市", "suifenhe"),
    "231083": ("海林市", "hailin"),
    "231084": ("宁安市", "ningan"),
    "231085": ("穆棱市", "muling"),
    "231086": ("东宁市", "dongning"),
}
URBAN_DISTRICTS = {"231002", "231003", "231004", "231005"}
# The grades each kind of school teaches, written out independently of core/demo.py.
TEACHES = {
    SchoolKind.KINDERGARTEN: range(-3, 0),
    SchoolKind.PRIMARY: range(1, 7),
    SchoolKind.JUNIOR: range(7, 10),
    SchoolKind.NINE_YEAR: range(1, 10),
    SchoolKind.COMPLETE_MIDDLE: range(7, 13),
    SchoolKind.SENIOR: range(10, 13),
    SchoolKind.VOCATIONAL: range(10, 13),
    SchoolKind.TEACHING_POINT: range(1, 5),
}


@pytest.fixture(autouse=True)
def city_only(request, monkeypatch):
    """These tests check the demo city itself; the areas' demos (which enrol a few returning
    children, for instance) and the weekly reports over them (most of a seed's time) have their
    own tests, and `test_areas_*` below runs them all."""
    if "with_areas" not in request.keywords:
        monkeypatch.setattr("core.demo.area_demos", lambda: [])
        monkeypatch.setattr("core.demo.seed_reports", lambda **options: {})


def seed(**options) -> str:
    out = io.StringIO()
    options = {"students": 2000, "seed": 7, "password": PASSWORD, **options}
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def fingerprint() -> str:
    """A hash of everything the seeder writes, by natural keys (not primary keys)."""
    parts = [
        sorted(Region.objects.values_list("code", "name", "level", "parent__code", "county__code")),
        sorted(
            School.objects.values_list(
                "code", "name", "kind", "ownership", "locality", "boarding",
                "is_central_kindergarten", "township__code", "county__code",
            )
        ),
        sorted(
            SchoolEnrolment.objects.values_list(
                "school__code", "school_year", "enrolment", "boarders"
            )
        ),
        sorted(
            Student.objects.values_list(
                "id_number", "name", "gender", "birth_date", "school__code", "grade", "status",
                "household_region__code", "county__code",
            )
        ),
        sorted(User.objects.values_list("username", "full_name", "role", "scope__code", "phone")),
    ]  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def age_on_31_august_2023(born: dt.date) -> int:
    return 2023 - born.year - ((born.month, born.day) > (8, 31))


def test_city_and_counties_with_their_real_codes():
    seed()
    top = Region.objects.filter(level__in=[RegionLevel.CITY, RegionLevel.COUNTY])
    assert sorted(top.values_list("code", "name")) == [("231000", "牡丹江市")] + sorted(
        (code, name) for code, (name, _slug) in COUNTIES.items()
    )
    city = Region.objects.get(code="231000", level=RegionLevel.CITY)
    assert city.county_id is None
    for county in Region.objects.filter(level=RegionLevel.COUNTY):
        assert county.parent == city and county.county_id == county.pk


def test_every_county_has_8_to_15_townships_with_real_looking_names():
    seed()
    for county in Region.objects.filter(level=RegionLevel.COUNTY):
        townships = list(Region.objects.filter(level=RegionLevel.TOWNSHIP, parent=county))
        assert 8 <= len(townships) <= 15, county.name
        names = [t.name for t in townships]
        assert len(set(names)) == len(names)
        for township in townships:
            assert township.county_id == county.pk
            assert len(township.code) == 9 and township.code.startswith(county.code)
            assert township.name.endswith(("镇", "乡", "街道")), township.name
        rural = [n for n in names if n.endswith(("镇", "乡"))]
        assert rural, f"{county.name} has no 镇 or 乡"
    assert Region.objects.get(code="231083101").name == "长汀镇"


def test_schools():
    seed()
    schools = School.objects.select_related("township", "county")
    assert 250 <= schools.count() <= 350
    # Every kind but special-education schools: the demo city's quotas set no special-education
    # quota, so it has none (tests/facilities/test_funding.py holds one to the quota).
    assert {s.kind for s in schools} == set(SchoolKind.values) - {SchoolKind.SPECIAL}
    for school in schools:
        assert len(school.code) == 10 and school.code.isdigit()
        assert school.township.level == RegionLevel.TOWNSHIP
        assert school.county_id == school.township.county_id
        if school.kind == SchoolKind.TEACHING_POINT:
            assert school.locality == "rural" and school.name.endswith("教学点")
    assert schools.filter(boarding=True).exists()
    assert schools.filter(ownership="private").exists()
    # Every township: exactly one public central kindergarten (the bulletin's figure is 0 without).
    for township in Region.objects.filter(level=RegionLevel.TOWNSHIP):
        central = School.objects.filter(township=township, is_central_kindergarten=True)
        assert central.count() == 1, township.name
        kindergarten = central.get()
        assert kindergarten.kind == SchoolKind.KINDERGARTEN and kindergarten.ownership == "public"
        assert kindergarten.name.endswith(f"{township.name}中心幼儿园")
    urban = Counter(
        s.locality for s in schools if s.county.code in URBAN_DISTRICTS
    )  # the city proper is mostly urban, the counties mostly rural
    assert urban["urban"] > urban["rural"]
    county = Counter(s.locality for s in schools if s.county.code not in URBAN_DISTRICTS)
    assert county["rural"] > county["urban"]
    assert School.objects.filter(
        name="海林市长汀镇中心幼儿园", is_central_kindergarten=True
    ).exists()
    assert School.objects.filter(name="海林市第一中学", kind=SchoolKind.SENIOR).exists()


def test_enrolments_agree_with_the_registry():
    seed()
    per_school = Counter(Student.objects.values_list("school_id", flat=True))
    for school in School.objects.all():
        rows = {e.school_year: e for e in school.enrolments.all()}
        assert set(rows) == {2022, 2023}
        assert rows[2023].enrolment == per_school[school.pk]
        assert abs(rows[2022].enrolment - rows[2023].enrolment) <= max(
            3, rows[2023].enrolment * 0.1
        )
        for row in rows.values():
            assert row.county_id == school.county_id
            assert row.boarders <= row.enrolment
            if not school.boarding:
                assert row.boarders == 0
    assert SchoolEnrolment.objects.filter(boarders__gt=0).exists()


def test_registry_students_are_valid_and_plausible():
    seed()
    students = Student.objects.select_related("school", "county", "household_region__county")
    assert students.count() == 2000
    statuses = Counter()
    for student in students:
        number = student.id_number
        assert idnumbers.validate(number) == number
        assert idnumbers.birth_date(number) == student.birth_date
        assert idnumbers.gender(number) == student.gender
        assert student.county_id == student.school.county_id
        household = student.household_region
        assert household.level == RegionLevel.TOWNSHIP
        assert number[:6] == household.county.code
        assert number[:6] in (student.county.code, household.county.code)
        assert student.grade in TEACHES[student.school.kind], (student.grade, student.school.kind)
        age = age_on_31_august_2023(student.birth_date)
        if student.grade > 0:  # 6 on 31 August 2023 → grade 1; a year late now and then
            assert age - student.grade in (5, 6), (age, student.grade)
        else:  # kindergarten: 3, 4, 5 → classes -3, -2, -1
            assert age == student.grade + 6
        assert 2 <= len(student.name) <= 3
        assert all("\u4e00" <= char <= "\u9fff" for char in student.name), student.name
        statuses[student.status] += 1
    assert statuses[StudentStatus.ENROLLED] >= 1900
    assert StudentStatus.DROPPED_OUT not in statuses
    # Most children are registered in their school's county.
    local = sum(s.id_number[:6] == s.county.code for s in students)
    assert local >= 1800
    # A sample rule in full: grade-1 pupils were born from 1 September 2016 to 31 August 2017,
    # a few a year earlier (late starters).
    grade_1 = [s.birth_date for s in students if s.grade == 1]
    on_time = [b for b in grade_1 if dt.date(2016, 9, 1) <= b <= dt.date(2017, 8, 31)]
    assert grade_1 and len(on_time) >= 0.9 * len(grade_1)
    assert all(dt.date(2015, 9, 1) <= b for b in grade_1)


def test_demo_users_for_the_city_and_every_county():
    output = seed()
    users = {u.username: u for u in User.objects.select_related("scope", "school")}
    expected = {"city-admin": Role.CITY_ADMIN, "city-staff": Role.CITY_STAFF}
    for code, (_name, slug) in COUNTIES.items():
        expected[f"{slug}-officer"] = Role.COUNTY_OFFICER
        expected[f"{slug}-reviewer"] = Role.COUNTY_REVIEWER
        # A school officer for the county's first school: <county>-<school code>-school.
        first = School.objects.filter(county__code=code).order_by("code").first()
        expected[f"{slug}-{first.code}-school"] = Role.SCHOOL_OFFICER
    assert set(users) == set(expected)
    for username, role in expected.items():
        user = users[username]
        assert user.is_demo and user.is_active and user.role == role and user.full_name
        assert user.is_staff == (role == Role.CITY_ADMIN)  # the city admin opens /admin/
        if role in (Role.CITY_ADMIN, Role.CITY_STAFF):
            assert user.scope.code == "231000" and user.school is None
        else:
            assert user.scope.level == RegionLevel.COUNTY
            assert COUNTIES[user.scope.code][1] == username.split("-")[0]
        if role == Role.SCHOOL_OFFICER:
            assert user.school.code == username.split("-")[1]
            assert user.school.county_id == user.scope_id
        else:
            assert user.school is None
    hailin_school = next(name for name in users if name.startswith("hailin-2"))
    assert School.objects.visible_to(users[hailin_school]).count() == 1
    assert hailin_school in output
    for username in ("city-admin", "hailin-officer", "dongan-officer", "hailin-reviewer"):
        assert users[username].check_password(PASSWORD)
        assert not users[username].check_password("mdj-demo-2023")
    # One hash for everybody, so every user has the password.
    assert len({u.password for u in users.values()}) == 1
    assert "hailin-officer" in output and PASSWORD in output


def test_same_seed_same_data_and_another_seed_other_data():
    seed()
    first = fingerprint()
    seed(force=True)
    assert fingerprint() == first
    seed(force=True, seed=8)
    assert fingerprint() != first


def test_second_run_without_force_changes_nothing():
    seed()
    before = fingerprint(), list(Student.objects.order_by("pk").values_list("pk", flat=True)[:5])
    output = seed(students=10, seed=99)
    assert "already" in output.lower() or "已" in output
    after = fingerprint(), list(Student.objects.order_by("pk").values_list("pk", flat=True)[:5])
    assert after == before


def test_refuses_a_database_with_a_real_school(school):
    with pytest.raises(CommandError):
        seed()
    assert list(School.objects.values_list("code", flat=True)) == [school.code]
    assert not Student.objects.exists()
    assert not User.objects.filter(is_demo=True).exists()
    assert Region.objects.count() == 3  # the fixture's city, county and township, no more


def test_refuses_a_database_with_a_real_user():
    User.objects.create_user("zhangsan", password="a-long-fine-pass-77")
    with pytest.raises(CommandError):
        seed()
    assert not Region.objects.exists() and User.objects.count() == 1


def test_a_superuser_alone_does_not_block():
    User.objects.create_superuser("admin", password="a-long-fine-pass-77")
    seed()
    assert Student.objects.count() == 2000
    assert User.objects.get(username="admin").is_superuser


def test_force_replaces_real_data_and_keeps_real_users_in_their_county(county_user, school):
    seed(force=True)
    assert not School.objects.filter(name="长汀镇中心小学").exists()
    assert Student.objects.count() == 2000
    county_user.refresh_from_db()
    assert county_user.scope.code == "231083" and county_user.scope.name == "海林市"
    assert not county_user.is_demo


def test_if_empty_seeds_only_an_empty_database(school):
    output = seed(if_empty=True)
    assert School.objects.count() == 1 and not Student.objects.exists()
    assert output
    School.objects.all().delete()
    Region.objects.filter(level=RegionLevel.TOWNSHIP).delete()
    Region.objects.filter(level=RegionLevel.COUNTY).update(county=None)
    Region.objects.filter(level=RegionLevel.COUNTY).delete()
    Region.objects.all().delete()
    seed(if_empty=True)
    assert Student.objects.count() == 2000


@pytest.mark.with_areas
def test_areas_seed_over_the_city_and_rebuild_with_force():
    from dropout.models import ScreeningRound

    seed(students=600)
    assert ScreeningRound.objects.count() == 3
    seed(students=600, force=True)  # the areas' rows are wiped first, then everything rebuilt
    assert ScreeningRound.objects.count() == 3
    assert User.objects.filter(username="hailin-officer").count() == 1
