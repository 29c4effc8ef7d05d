"""The demo city: 牡丹江市, its ten county-level divisions, townships, schools, registry, log-ins.

The geography and the schools are fixed: they are built from the tables below with a random stream
of their own, so every demo database has the same township and school codes (which is how the
seeder tells its own schools from real ones). The seed drives the rest: the student registry
(names, birth dates, ID numbers, schools, grades, statuses), enrolment figures and the names of the
demo users. Same seed and same number of students give identical data; nothing reads the clock
except the created/updated timestamps.

`manage.py seed_demo` is the command-line front of this module.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import functools
import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import IO

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Model, ProtectedError, Q, RestrictedError
from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar, db, idnumbers
from core.models import (
    AuditEvent,
    Gender,
    Locality,
    Ownership,
    Region,
    RegionLevel,
    School,
    SchoolAgeRule,
    SchoolEnrolment,
    SchoolKind,
    SchoolYearStart,
    Student,
    StudentStatus,
    User,
)
from core.scoping import Role

DEFAULT_STUDENTS = 20_000
DEFAULT_SEED = 2023
DEFAULT_PASSWORD = "mdj-demo-2023"  # noqa: S105 - the published demo password
CHUNK = 50_000  # students built in Python per round trip
BATCH = 5_000  # bulk_create batch size where COPY is not available

CITY_CODE = "231000"
CITY_NAME = "牡丹江市"
SCHOOL_YEAR = 2023
DEMO_START = dt.date(SCHOOL_YEAR, 9, 1)  # the day the demo's school year and its data begin


@contextlib.contextmanager
def data_time(day: dt.date, hour: int = 9, minute: int = 0) -> Iterator[None]:
    """Write the demo's rows as of the day their data is about, not the day it is seeded.

    The demo goes through the real services, which take the time of a write from the clock
    (`django.utils.timezone.now`: created and finished times, the audit trail, jobs, the start of
    the school year). Inside this block that clock reads `day` at `hour`:`minute` in China, moving
    on with the real time spent, so a 2023 round shows it was finished in 2023 and the 2023 school
    year started on 1 September 2023. Only seed_demo uses it: a real write has the real time.
    """
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())
    began, real_now = time.monotonic(), timezone.now

    def now() -> dt.datetime:
        return local.astimezone(dt.UTC) + dt.timedelta(seconds=time.monotonic() - began)

    timezone.now = now
    try:
        yield
    finally:
        timezone.now = real_now


# Ages are counted on the day before the school year starts: 6 on 31 August 2023 → grade 1.
AGE_DAY = calendar.reference_date(SCHOOL_YEAR)
LAYOUT_SEED = 231000  # the fixed stream the geography and schools are drawn from


# --- Static data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountySpec:
    code: str
    name: str
    slug: str  # pinyin, for user names
    district: bool  # an urban district of the city proper
    size: float  # relative number of pupils
    townships: tuple[str, ...]  # for a county, the first is the county seat


COUNTIES: tuple[CountySpec, ...] = (
    CountySpec("231002", "东安区", "dongan", True, 1.0, (
        "长安街道", "七星街道", "新安街道", "五星街道", "八达街道", "光华街道", "兴隆镇", "江南乡",
    )),
    CountySpec("231003", "阳明区", "yangming", True, 0.8, (
        "阳明街道", "前进街道", "新兴街道", "桥北街道", "华光街道", "铁岭镇", "磨刀石镇", "五林镇",
    )),
    CountySpec("231004", "爱民区", "aimin", True, 0.9, (
        "向阳街道", "黄花街道", "铁北街道", "新华街道", "大庆街道", "兴平街道", "北山街道",
        "三道关镇", "北安乡",
    )),
    CountySpec("231005", "西安区", "xian", True, 0.9, (
        "先锋街道", "火炬街道", "立新街道", "江滨街道", "牡丹街道", "沿江街道", "温春镇",
        "海南朝鲜族乡",
    )),
    CountySpec("231025", "林口县", "linkou", False, 1.0, (
        "林口镇", "古城镇", "刁翎镇", "龙爪镇", "莲花镇", "青山镇", "柳树镇", "朱家镇", "三道通镇",
        "奎山乡", "建堂乡",
    )),
    CountySpec("231081", "绥芬河市", "suifenhe", False, 0.6, (
        "绥芬河镇", "阜宁镇", "建兴乡", "红花岭乡", "天长山乡", "北寒乡", "宽沟乡", "东岗乡",
    )),
    CountySpec("231083", "海林市", "hailin", False, 1.2, (
        "海林镇", "长汀镇", "横道河子镇", "山市镇", "柴河镇", "二道河子镇", "新安朝鲜族镇",
        "三道河子镇", "旧街乡",
    )),
    CountySpec("231084", "宁安市", "ningan", False, 1.3, (
        "宁安镇", "东京城镇", "渤海镇", "石岩镇", "沙兰镇", "海浪镇", "兰岗镇", "镜泊镇",
        "江南朝鲜族满族乡", "卧龙朝鲜族乡", "马河乡", "三陵乡",
    )),
    CountySpec("231085", "穆棱市", "muling", False, 0.9, (
        "八面通镇", "穆棱镇", "下城子镇", "马桥河镇", "兴源镇", "河西镇", "福禄乡", "共和乡",
    )),
    CountySpec("231086", "东宁市", "dongning", False, 0.8, (
        "东宁镇", "绥阳镇", "三岔口镇", "大肚川镇", "老黑山镇", "道河镇", "暖泉乡", "细鳞河乡",
    )),
)  # fmt: skip

K = SchoolKind
PUB, PRIV = Ownership.PUBLIC, Ownership.PRIVATE

# (name or suffix, kind, ownership, boarding, size weight)
SchoolRow = tuple[str, str, str, bool, float]

# The schools of a county seat, named after the county: 海林市第一中学, 海林市职业教育中心...
COUNTY_SEAT_SCHOOLS: tuple[SchoolRow, ...] = (
    ("第一中学", K.SENIOR, PUB, True, 14),
    ("第二中学", K.COMPLETE_MIDDLE, PUB, True, 8),
    ("实验中学", K.JUNIOR, PUB, False, 10),
    ("实验小学", K.PRIMARY, PUB, False, 9),
    ("第一小学", K.PRIMARY, PUB, False, 8),
    ("第二小学", K.PRIMARY, PUB, False, 7),
    ("职业教育中心", K.VOCATIONAL, PUB, True, 6),
    ("第一幼儿园", K.KINDERGARTEN, PUB, False, 4),
)
COUNTY_EXTRA_SCHOOLS: dict[str, tuple[SchoolRow, ...]] = {
    "231025": (("第三中学", K.JUNIOR, PUB, False, 5),),
    "231083": (("朝鲜族学校", K.NINE_YEAR, PUB, True, 2),),
    "231084": (("朝鲜族中学", K.COMPLETE_MIDDLE, PUB, True, 3),),
    "231085": (("第三中学", K.JUNIOR, PUB, False, 5),),
    "231086": (("华夏高级中学", K.SENIOR, PRIV, True, 3),),
}
# The urban districts host the city's own schools (full names).
DISTRICT_SCHOOLS: dict[str, tuple[SchoolRow, ...]] = {
    "231002": (
        ("牡丹江市第一高级中学", K.SENIOR, PUB, True, 15),
        ("牡丹江市第三中学", K.JUNIOR, PUB, False, 10),
        ("牡丹江市东安区实验小学", K.PRIMARY, PUB, False, 9),
        ("牡丹江市职业教育中心", K.VOCATIONAL, PUB, True, 8),
    ),
    "231003": (
        ("牡丹江市第二高级中学", K.SENIOR, PUB, True, 12),
        ("牡丹江市第十一中学", K.JUNIOR, PUB, False, 8),
        ("牡丹江市阳明区实验小学", K.PRIMARY, PUB, False, 8),
        ("牡丹江市阳明区第一幼儿园", K.KINDERGARTEN, PUB, False, 4),
    ),
    "231004": (
        ("牡丹江市第三高级中学", K.SENIOR, PUB, True, 12),
        ("牡丹江市朝鲜族中学", K.COMPLETE_MIDDLE, PUB, True, 4),
        ("牡丹江市第一中学", K.JUNIOR, PUB, False, 10),
        ("牡丹江市爱民区实验小学", K.PRIMARY, PUB, False, 9),
        ("牡丹江市第一幼儿园", K.KINDERGARTEN, PUB, False, 5),
    ),
    "231005": (
        ("牡丹江市第二中学", K.COMPLETE_MIDDLE, PUB, False, 9),
        ("牡丹江市第十六中学", K.JUNIOR, PUB, False, 8),
        ("牡丹江市西安区实验小学", K.PRIMARY, PUB, False, 9),
        ("牡丹江市高级技工学校", K.VOCATIONAL, PUB, True, 5),
        ("牡丹江市育才学校", K.NINE_YEAR, PRIV, False, 3),
    ),
}
PRIVATE_KINDERGARTENS = (
    "小太阳", "金色童年", "阳光宝贝", "蓝天", "七色花", "童心", "启航", "快乐宝贝", "小天使",
    "育英",
)  # fmt: skip
VILLAGES = (
    "红旗", "新丰", "东兴", "太平", "永安", "前进", "胜利", "长胜", "团结", "和平", "北沟", "南岔",
    "河口", "双桥", "富民", "兴隆", "三合", "五道", "杨木", "榆树", "桦树", "松林", "靠山", "沿河",
    "东岗", "西岗", "青山", "石门", "柳河", "新立",
)  # fmt: skip

# Surnames with rough weights (the north-east: 王李张刘 first; 于孙赵 commoner than nationally).
SURNAMES: tuple[tuple[str, float], ...] = tuple(
    (name, float(weight))
    for name, weight in (
        ("王", 72), ("李", 70), ("张", 68), ("刘", 56), ("陈", 30), ("杨", 30), ("赵", 30),
        ("孙", 24), ("于", 20), ("周", 17), ("吴", 14), ("徐", 14), ("黄", 12), ("高", 14),
        ("马", 14), ("朱", 12), ("胡", 11), ("郭", 12), ("林", 9), ("何", 8), ("宋", 10),
        ("韩", 10), ("董", 9), ("冯", 8), ("曹", 7), ("姜", 9), ("田", 8), ("崔", 8), ("金", 8),
        ("梁", 6), ("郑", 7), ("谢", 5), ("唐", 5), ("程", 5), ("袁", 5), ("邓", 4), ("许", 6),
        ("沈", 4), ("吕", 6), ("苏", 5), ("蒋", 4), ("贾", 6), ("丁", 5), ("魏", 6), ("薛", 4),
        ("叶", 3), ("阎", 4), ("潘", 4), ("杜", 5), ("付", 5), ("任", 5), ("范", 5), ("方", 3),
        ("石", 5), ("姚", 4), ("谭", 3), ("邹", 3), ("陆", 3), ("郝", 5), ("孔", 3), ("白", 5),
        ("康", 4), ("秦", 4), ("史", 4), ("侯", 4), ("孟", 5), ("曲", 5), ("常", 4), ("朴", 3),
        ("乔", 3), ("武", 4), ("尹", 3), ("鲍", 2), ("隋", 2), ("宫", 2), ("关", 4), ("那", 2),
    )
)  # fmt: skip
GIVEN_MALE = (
    "浩宇轩然博文泽子睿涵一晨阳明俊杰鑫磊鹏昊天佳思嘉志强伟健凯旭辰航铭宸奕梓锦瑞诚恒峻毅哲"
    "晗琦霖硕帅超亮东海林松春国宏彬"
)
GIVEN_FEMALE = (
    "欣怡雨涵梓诗语佳思琪萱妍婷雪琳静悦馨彤瑶可心晴嘉一若梦雅紫芸璐露丹丽娜颖晓月桐冉蕾茜楠"
    "薇菲昕玥安宁曼"
)

# The grades each kind of school teaches (kindergarten classes are -3, -2, -1).
KIND_GRADES: dict[str, tuple[int, ...]] = {
    K.KINDERGARTEN: (-3, -2, -1),
    K.PRIMARY: (1, 2, 3, 4, 5, 6),
    K.JUNIOR: (7, 8, 9),
    K.NINE_YEAR: (1, 2, 3, 4, 5, 6, 7, 8, 9),
    K.COMPLETE_MIDDLE: (7, 8, 9, 10, 11, 12),
    K.SENIOR: (10, 11, 12),
    K.VOCATIONAL: (10, 11, 12),
    K.TEACHING_POINT: (1, 2, 3, 4),
}
# Relative cohort sizes: recent birth cohorts are smaller; not every child attends kindergarten
# or senior school.
GRADE_WEIGHTS: dict[int, float] = {
    -3: 0.70, -2: 0.75, -1: 0.80, 1: 0.85, 2: 0.88, 3: 0.92, 4: 0.96, 5: 1.0, 6: 1.0,
    7: 1.0, 8: 1.0, 9: 1.0, 10: 0.80, 11: 0.80, 12: 0.78,
}  # fmt: skip


# --- The layout: townships and schools (fixed) -----------------------------------------------


@dataclass(frozen=True)
class TownshipSpec:
    code: str
    name: str
    county_code: str
    urban: bool  # a 街道, or the county seat


@dataclass(frozen=True)
class SchoolSpec:
    code: str
    name: str
    county_code: str
    township_code: str
    kind: str
    ownership: str
    locality: str
    boarding: bool
    central_kindergarten: bool
    weight: float  # relative pupils per grade, among the schools teaching that grade
    boarder_share: float  # of the enrolment, for boarding schools


@dataclass(frozen=True)
class Layout:
    townships: tuple[TownshipSpec, ...]
    schools: tuple[SchoolSpec, ...]


def _township_codes(county: CountySpec) -> list[str]:
    """GB/T 2260 habit: 街道 are numbered from 001, 镇 from 100, 乡 from 200."""
    next_number = {"街道": 1, "镇": 100, "乡": 200}
    codes = []
    for name in county.townships:
        suffix = "街道" if name.endswith("街道") else name[-1]
        codes.append(f"{county.code}{next_number[suffix]:03d}")
        next_number[suffix] += 1
    return codes


class _CountySchools:
    """Collects one county's schools, numbering their codes in order."""

    def __init__(self, rng: random.Random, county: CountySpec, into: list[SchoolSpec]):
        self.rng, self.county, self.into = rng, county, into
        self.serial = itertools.count(1)

    def add(
        self,
        name: str,
        kind: str,
        township: TownshipSpec,
        *,
        weight: float,
        ownership: str = PUB,
        boarding: bool = False,
        central: bool = False,
    ) -> None:
        rng = self.rng
        share = rng.uniform(0.2, 0.4) if kind == K.PRIMARY else rng.uniform(0.4, 0.75)
        self.into.append(
            SchoolSpec(
                # 学校标识码: "21", the county code without the province (23), a 4-digit serial.
                code=f"21{self.county.code[2:]}{next(self.serial):04d}",
                name=name,
                county_code=self.county.code,
                township_code=township.code,
                kind=kind,
                ownership=ownership,
                locality=Locality.URBAN if township.urban else Locality.RURAL,
                boarding=boarding,
                central_kindergarten=central,
                weight=round(weight * self.county.size * rng.uniform(0.8, 1.2), 3),
                boarder_share=round(share, 2) if boarding else 0.0,
            )
        )


@functools.cache
def demo_layout() -> Layout:
    """The city's townships and schools: the same for every seed."""
    rng = random.Random(LAYOUT_SEED)
    townships: list[TownshipSpec] = []
    schools: list[SchoolSpec] = []
    for county_index, county in enumerate(COUNTIES):
        add = _CountySchools(rng, county, schools).add
        prefix = f"{CITY_NAME}{county.name}" if county.district else county.name
        county_townships = [
            TownshipSpec(
                code=code,
                name=name,
                county_code=county.code,
                urban=name.endswith("街道") or (not county.district and index == 0),
            )
            for index, (code, name) in enumerate(
                zip(_township_codes(county), county.townships, strict=True)
            )
        ]
        townships.extend(county_townships)
        urban = [t for t in county_townships if t.urban]

        # The county's own schools: in the county seat, or spread over a district's streets.
        if county.district:
            rows = DISTRICT_SCHOOLS[county.code]
            for index, (name, kind, ownership, boarding, weight) in enumerate(rows):
                township = urban[index % len(urban)]
                add(name, kind, township, weight=weight, ownership=ownership, boarding=boarding)
        else:
            rows = COUNTY_SEAT_SCHOOLS + COUNTY_EXTRA_SCHOOLS.get(county.code, ())
            for suffix, kind, ownership, boarding, weight in rows:
                add(
                    prefix + suffix,
                    kind,
                    county_townships[0],
                    weight=weight,
                    ownership=ownership,
                    boarding=boarding,
                )
        brand = PRIVATE_KINDERGARTENS[county_index % len(PRIVATE_KINDERGARTENS)]
        add(f"{prefix}{brand}幼儿园", K.KINDERGARTEN, urban[-1], weight=2, ownership=PRIV)

        for township in county_townships:
            # Every township has exactly one public central kindergarten 公办中心园.
            add(
                f"{prefix}{township.name}中心幼儿园",
                K.KINDERGARTEN,
                township,
                weight=2.5 if township.urban else 1.0,
                central=True,
            )
            if township.name.endswith("街道"):
                short = township.name.removesuffix("街道")
                add(f"{prefix}{short}小学", K.PRIMARY, township, weight=6)
                continue
            if township.urban:  # the county seat: the county's schools above are there
                continue
            here = f"{prefix}{township.name}"
            if township.name.endswith("镇") and rng.random() < 0.7:
                add(f"{here}中心小学", K.PRIMARY, township, weight=3, boarding=rng.random() < 0.4)
                add(f"{here}中学", K.JUNIOR, township, weight=3, boarding=rng.random() < 0.75)
            elif rng.random() < 0.6:
                # 九年一贯制: one school for grades 1–9, nearly always boarding in the country.
                boarding = rng.random() < 0.85
                add(f"{here}中心学校", K.NINE_YEAR, township, weight=2.5, boarding=boarding)
            else:
                boarding = rng.random() < 0.3
                add(f"{here}中心小学", K.PRIMARY, township, weight=2.5, boarding=boarding)
            for village in rng.sample(VILLAGES, rng.choice((0, 0, 0, 0, 1, 1, 2))):
                add(f"{here}{village}村教学点", K.TEACHING_POINT, township, weight=0.25)
    return Layout(tuple(townships), tuple(schools))


def demo_school_codes() -> frozenset[str]:
    return frozenset(school.code for school in demo_layout().schools)


def demo_region_codes() -> frozenset[str]:
    return frozenset(
        [CITY_CODE]
        + [county.code for county in COUNTIES]
        + [township.code for township in demo_layout().townships]
    )


# --- The state of the database ---------------------------------------------------------------


class DatabaseState(StrEnum):
    EMPTY = "empty"  # nothing but (perhaps) superusers
    DEMO = "demo"  # the demo, and nothing the demo would not have built
    FOREIGN = "foreign"  # real data, or data of unknown origin


def database_state() -> DatabaseState:
    demo_users = User.objects.filter(is_demo=True).exists()
    regions = Region.objects.exists()
    if (
        (regions and not demo_users)
        or User.objects.filter(is_demo=False, is_superuser=False).exists()
        or Region.objects.exclude(code__in=demo_region_codes()).exists()
        or School.objects.exclude(code__in=demo_school_codes()).exists()
    ):
        return DatabaseState.FOREIGN
    if demo_users or regions:
        return DatabaseState.DEMO
    return DatabaseState.EMPTY


class DemoWipeBlocked(Exception):
    """Rows outside the demo tables still refer to the demo: it cannot be wiped."""

    def __init__(self, labels: list[str]):
        self.labels = labels
        super().__init__(", ".join(labels))


def area_demos() -> list:
    """The programme areas' demo modules (`<app>/demo.py` with `seed` and `wipe`, registered in
    core.areas), in area order: an area may build on the ones before it (aid uses the roster)."""
    from core.areas import demo_modules

    return demo_modules()


def seed_areas(*, seed: int, stdout: IO[str] | None = None) -> dict[str, dict]:
    """Run every area's demo over the demo city, each with its own random stream."""
    return {
        module.__name__: module.seed(rng=random.Random(seed + 10 + index), stdout=stdout)
        for index, module in enumerate(area_demos())
    }


def seed_reports(*, seed: int, stdout: IO[str] | None = None) -> dict:
    """The periodic reports of the demo's counties, over the areas' data (after seed_areas)."""
    from core.reporting import demo as reports_demo

    return reports_demo.seed(rng=random.Random(seed + 100), stdout=stdout)


def wipe_demo() -> dict[int, str]:
    """Delete the registry, enrolments, schools, regions and demo users (call inside an atomic).

    The audit trail of the demo (events in a demo county or by a demo user) goes with it.
    Non-demo users are kept; their scope is detached and returned as {user id: region code} so
    `reattach_scopes` can point them at the rebuilt region with the same code.
    """
    from core.reporting import demo as reports_demo

    reports_demo.wipe()  # the reports refer to the counties and the users
    for module in reversed(area_demos()):  # the areas' rows refer to the city's: first
        module.wipe()
    scoped = dict(
        User.objects.filter(is_demo=False, scope__isnull=False).values_list("pk", "scope__code")
    )
    User.objects.filter(pk__in=scoped).update(scope=None)
    try:
        AuditEvent.objects.filter(Q(county__isnull=False) | Q(actor__is_demo=True)).delete()
        # The school calendar the demo set (or its users changed) goes with it.
        SchoolYearStart.objects.filter(
            Q(started_by__isnull=True) | Q(started_by__is_demo=True)
        ).delete()
        SchoolAgeRule.objects.filter(set_by__is_demo=True).delete()
        User.objects.filter(is_demo=True).delete()
        _delete_all(Student)
        _delete_all(SchoolEnrolment)
        School.objects.all().delete()
        # Regions point at their parent and at their county (a county at itself), both PROTECT:
        # delete from the bottom up, after cutting the counties' self-reference.
        for level in (RegionLevel.VILLAGE, RegionLevel.TOWNSHIP):
            Region.objects.filter(level=level).delete()
        Region.objects.filter(level=RegionLevel.COUNTY).update(county=None)
        Region.objects.filter(level=RegionLevel.COUNTY).delete()
        Region.objects.all().delete()
    except (ProtectedError, RestrictedError) as error:
        objects = getattr(error, "protected_objects", None) or error.restricted_objects
        labels = sorted({str(obj._meta.verbose_name_plural) for obj in objects})
        raise DemoWipeBlocked(labels) from error
    return scoped


def _delete_all(model: type[Model]) -> None:
    """Delete every row of a table.

    One plain DELETE when no row elsewhere refers to it and nobody listens for deletions;
    otherwise Django's collector, which loads every row to find its dependents (minutes for a
    million students) and raises ProtectedError for protected ones.
    """
    referenced = any(
        rel.related_model._base_manager.filter(**{f"{rel.field.name}__isnull": False}).exists()
        for rel in model._meta.related_objects
    )
    listened = pre_delete.has_listeners(model) or post_delete.has_listeners(model)
    if referenced or listened:
        model.objects.all().delete()
    else:
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a table name, no input


def reattach_scopes(scopes: dict[int, str]) -> None:
    by_code = dict(Region.objects.filter(code__in=set(scopes.values())).values_list("code", "pk"))
    for user_id, code in scopes.items():
        if code in by_code:
            User.objects.filter(pk=user_id).update(scope_id=by_code[code])


# --- Building ---------------------------------------------------------------------------------

Say = Callable[[str], None]


def _sayer(stdout: IO[str] | None) -> Say:
    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    return say


class _Picker:
    """Weighted choice by bisection over cumulative weights (fast enough for millions)."""

    def __init__(self, items: list, weights: list[float]):
        self.items = items
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


def person_name(rng: random.Random, surnames: _Picker, male: bool) -> str:
    chars = GIVEN_MALE if male else GIVEN_FEMALE
    given = rng.choice(chars) if rng.random() < 0.25 else rng.choice(chars) + rng.choice(chars)
    return surnames(rng) + given


def surname_picker() -> _Picker:
    """Draws a surname by its weight in SURNAMES: `surname_picker()(rng)`."""
    return _Picker([s for s, _w in SURNAMES], [w for _s, w in SURNAMES])


_surname_picker = surname_picker  # the name dropout/demo.py and aid/demo.py import


def build_regions() -> dict[str, Region]:
    """The city, its counties (Region.save makes each its own county) and the townships."""
    city = Region.objects.create(code=CITY_CODE, name=CITY_NAME, level=RegionLevel.CITY)
    regions = {CITY_CODE: city}
    for county in COUNTIES:
        regions[county.code] = Region.objects.create(
            code=county.code, name=county.name, level=RegionLevel.COUNTY, parent=city
        )
    for township in demo_layout().townships:
        regions[township.code] = Region.objects.create(
            code=township.code,
            name=township.name,
            level=RegionLevel.TOWNSHIP,
            parent=regions[township.county_code],
        )
    return regions


def build_schools(regions: dict[str, Region]) -> dict[str, School]:
    School.objects.bulk_create(
        School(
            code=spec.code,
            name=spec.name,
            county=regions[spec.county_code],
            township=regions[spec.township_code],
            kind=spec.kind,
            ownership=spec.ownership,
            locality=spec.locality,
            boarding=spec.boarding,
            is_central_kindergarten=spec.central_kindergarten,
        )
        for spec in demo_layout().schools
    )
    return {school.code: school for school in School.objects.all()}


# One student as inserted: county, id number, name, gender, birth date, school, grade, status,
# household region (ids are primary keys).
StudentRow = tuple[int, str, str, str, dt.date, int, int, str, int]


def generate_students(
    rng: random.Random, count: int, regions: dict[str, Region], schools: dict[str, School]
) -> Iterator[StudentRow]:
    """Yield `count` registry students, deterministic for a given random stream."""
    layout = demo_layout()
    specs = layout.schools
    grades = list(GRADE_WEIGHTS)
    pick_grade = _Picker(grades, [GRADE_WEIGHTS[g] for g in grades])
    pick_school = {
        grade: _Picker(
            [s for s in specs if grade in KIND_GRADES[s.kind]],
            [s.weight for s in specs if grade in KIND_GRADES[s.kind]],
        )
        for grade in grades
    }
    surnames = surname_picker()
    county_codes = [c.code for c in COUNTIES]
    # Where a county's children are registered: the town proper (streets, seat) weighs more.
    township_pickers = {
        code: _Picker(
            [regions[t.code].pk for t in layout.townships if t.county_code == code],
            [3.0 if t.urban else 1.0 for t in layout.townships if t.county_code == code],
        )
        for code in county_codes
    }
    # Birth windows: (first day, number of days) of the children aged `age` on AGE_DAY.
    windows: dict[int, tuple[int, int]] = {}
    for age in range(3, 20):
        after, until = calendar.birth_window(AGE_DAY, age, age)
        windows[age] = (after.toordinal() + 1, (until - after).days)
    used: dict[tuple[str, int, bool], int] = {}  # (region code, birth day, male) → numbers given
    school_ids = {code: school.pk for code, school in schools.items()}
    county_ids = {code: regions[code].pk for code in county_codes}
    township_ids = {t.code: regions[t.code].pk for t in layout.townships}

    for _n in range(count):
        grade = pick_grade(rng)
        spec: SchoolSpec = pick_school[grade](rng)
        age = grade + 5 if grade > 0 else grade + 6
        if grade > 0 and rng.random() < 0.04:  # started school a year late, or repeated one
            age += 1
        male = rng.random() < 0.52
        if rng.random() < 0.03:  # born and registered in another county of the city
            id_county = rng.choice([c for c in county_codes if c != spec.county_code])
            household = township_pickers[id_county](rng)
        else:
            id_county = spec.county_code
            if not layout_township_urban(spec.township_code) and rng.random() < 0.85:
                household = township_ids[spec.township_code]
            else:
                household = township_pickers[id_county](rng)
        first, days = windows[age]
        day = first + rng.randrange(days)
        # The sequence (3 digits, odd for boys) is unique per region code, birth day and sex;
        # a day whose numbers are used up moves the child to the next day of the same window.
        while True:
            key = (id_county, day, male)
            given = used.get(key, 0)
            if given < 499:
                break
            day = first + (day - first + 1) % days
        used[key] = given + 1
        offset = (day * 37 + int(id_county) * 11) % 499
        sequence = 2 * ((offset + given) % 499) + (1 if male else 2)
        born = dt.date.fromordinal(day)
        r = rng.random()
        if grade < 1 or r >= 0.012:
            status = StudentStatus.ENROLLED
        elif r < 0.005:
            status = StudentStatus.SUSPENDED
        elif r < 0.007 and grade <= 9:
            status = StudentStatus.HOME_DELIVERED  # 送教上门: compulsory-age children only
        else:
            status = StudentStatus.TRANSFERRED_OUT
        yield (
            county_ids[spec.county_code],
            idnumbers.make(id_county, born, sequence),
            person_name(rng, surnames, male),
            Gender.MALE if male else Gender.FEMALE,
            born,
            school_ids[spec.code],
            grade,
            status,
            household,
        )


@functools.cache
def _urban_townships() -> frozenset[str]:
    return frozenset(t.code for t in demo_layout().townships if t.urban)


def layout_township_urban(code: str) -> bool:
    return code in _urban_townships()


STUDENT_COLUMNS = (
    "county",
    "id_number",
    "name",
    "gender",
    "birth_date",
    "school",
    "grade",
    "status",
    "household_region",
)


def _other_columns(now: dt.datetime) -> list[tuple[str, object]]:
    """Every other column of the student table, with the value a save() gives a new row."""
    template = Student()  # field defaults (version, ...)
    columns = []
    for field in Student._meta.concrete_fields:
        if field.primary_key or field.name in STUDENT_COLUMNS:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = getattr(template, field.attname)
        columns.append((field.column, field.get_db_prep_save(value, connection)))
    return columns


def _copy_students(rows: list[StudentRow], now: dt.datetime) -> None:
    """Insert with PostgreSQL COPY (psycopg 3): several times faster than INSERT."""
    meta = Student._meta
    others = _other_columns(now)
    columns = [meta.get_field(name).column for name in STUDENT_COLUMNS]
    columns += [column for column, _value in others]
    constants = tuple(value for _column, value in others)
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(  # noqa: S608 - names from the model, no input
        quote(meta.db_table), ", ".join(quote(c) for c in columns)
    )
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row + constants)


def _insert_students(rows: list[StudentRow]) -> None:
    """Insert with bulk_create (no COPY): the same columns, from the same STUDENT_COLUMNS."""
    names = [Student._meta.get_field(name).attname for name in STUDENT_COLUMNS]
    Student.objects.bulk_create(
        (Student(**dict(zip(names, row, strict=True))) for row in rows), batch_size=BATCH
    )


def _can_copy() -> bool:
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def build_students(
    rng: random.Random,
    count: int,
    regions: dict[str, Region],
    schools: dict[str, School],
    say: Say,
) -> dict[int, int]:
    """Insert the registry in chunks; return the number of students per school id."""
    use_copy = _can_copy()
    now = timezone.now()
    per_school: dict[int, int] = dict.fromkeys((s.pk for s in schools.values()), 0)
    rows_iter = generate_students(rng, count, regions, schools)
    started = time.monotonic()
    done = 0
    while chunk := list(itertools.islice(rows_iter, CHUNK)):
        for row in chunk:
            per_school[row[5]] += 1
        if use_copy:
            _copy_students(chunk, now)
        else:
            _insert_students(chunk)
        done += len(chunk)
        say(
            _("Students: %(done)s / %(count)s (%(seconds).1f s)")
            % {"done": f"{done:,}", "count": f"{count:,}", "seconds": time.monotonic() - started}
        )
    return per_school


def build_enrolments(
    rng: random.Random, schools: dict[str, School], per_school: dict[int, int]
) -> int:
    """2023 enrolment = the registry; 2022 a little higher (cohorts are shrinking)."""
    specs = {spec.code: spec for spec in demo_layout().schools}
    rows = []
    for code in sorted(schools):
        school, spec = schools[code], specs[code]
        enrolled_2023 = per_school[school.pk]
        enrolled_2022 = round(enrolled_2023 * rng.uniform(0.98, 1.08))
        for year, enrolment in ((2022, enrolled_2022), (SCHOOL_YEAR, enrolled_2023)):
            boarders = min(enrolment, round(enrolment * spec.boarder_share)) if spec.boarding else 0
            rows.append(
                SchoolEnrolment(
                    school=school,
                    county_id=school.county_id,
                    school_year=year,
                    enrolment=enrolment,
                    boarders=boarders,
                )
            )
    SchoolEnrolment.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def demo_user_specs() -> list[tuple[str, str, str, str]]:
    """(username, role, region code, school code) of every demo log-in.

    Each county has an officer and a reviewer, and its first school (by school code) a school
    officer named `<county>-<school code>-school`, e.g. hailin-2110830001-school.
    """
    specs = [
        ("city-admin", Role.CITY_ADMIN, CITY_CODE, ""),
        ("city-staff", Role.CITY_STAFF, CITY_CODE, ""),
    ]
    schools = demo_layout().schools
    for county in COUNTIES:
        specs.append((f"{county.slug}-officer", Role.COUNTY_OFFICER, county.code, ""))
        specs.append((f"{county.slug}-reviewer", Role.COUNTY_REVIEWER, county.code, ""))
    for county in COUNTIES:
        first = min(s.code for s in schools if s.county_code == county.code)
        specs.append((f"{county.slug}-{first}-school", Role.SCHOOL_OFFICER, county.code, first))
    return specs


def build_users(
    rng: random.Random,
    regions: dict[str, Region],
    password: str,
    say: Say,
    schools: dict[str, School] | None = None,
) -> int:
    # One hash for everybody: argon2 is slow on purpose, and the demo users share a password.
    hashed = make_password(password)
    surnames = surname_picker()
    taken = set(User.objects.values_list("username", flat=True))
    schools = schools if schools is not None else {s.code: s for s in School.objects.all()}
    users = []
    for username, role, code, school_code in demo_user_specs():
        full_name = person_name(rng, surnames, male=rng.random() < 0.5)
        phone = f"0453-{rng.randrange(6000000, 7000000)}"  # 0453: 牡丹江's area code
        if username in taken:  # a real account of that name (after --force) is left alone
            say(
                _("User %(username)s exists and is not a demo user: skipped.")
                % {"username": username}
            )
            continue
        users.append(
            User(
                username=username,
                password=hashed,
                full_name=full_name,
                role=role,
                scope=regions[code],  # a school officer's: its school's county
                school=schools[school_code] if school_code else None,
                phone=phone,
                is_demo=True,
            )
        )
    for user in users:  # bulk_create calls no save(): what it would derive
        user.derive_staff()
    User.objects.bulk_create(users)
    return len(users)


def build_demo_city(
    *,
    students: int = DEFAULT_STUDENTS,
    seed: int = DEFAULT_SEED,
    password: str = DEFAULT_PASSWORD,
    stdout: IO[str] | None = None,
) -> dict[str, int]:
    """Build the demo into an empty database (call inside an atomic); return the counts."""
    say = _sayer(stdout)
    regions = build_regions()
    say(_("Regions: %(count)d") % {"count": len(regions)})
    schools = build_schools(regions)
    say(_("Schools: %(count)d") % {"count": len(schools)})
    # Separate streams, so the number of students does not change the users' names.
    per_school = build_students(random.Random(seed), students, regions, schools, say)
    enrolments = build_enrolments(random.Random(seed + 1), schools, per_school)
    users = build_users(random.Random(seed + 2), regions, password, say, schools)
    # The demo's data is of 2023–2024: that is the city's current school year, whatever the
    # clock says, until a city administrator starts the next one.
    SchoolYearStart.objects.get_or_create(school_year=SCHOOL_YEAR)
    # Statistics for the rows just written, so that the areas' demos that query them next are
    # planned on them (inside the seeding transaction: ANALYZE sees its rows; core/db.py).
    db.analyze(Region, School, Student, SchoolEnrolment, User, force=True)
    return {
        "regions": len(regions),
        "townships": len(demo_layout().townships),
        "schools": len(schools),
        "enrolments": enrolments,
        "students": students,
        "users": users,
    }


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, scope) of the demo users in the database, for the console."""
    return [
        (
            user.username,
            str(user.get_role_display()),
            " · ".join(str(place) for place in (user.scope, user.school) if place),
        )
        for user in User.objects.filter(is_demo=True)
        .select_related("scope", "school")
        .order_by("pk")
    ]
