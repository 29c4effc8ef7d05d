"""What dropout control keeps of a school year when the city starts the next one (core.reference).

The rates are computed from the registry, which is a snapshot of today: once the year is over, its
figures are settled per county, urban/rural and stage (SettledRateFigures), and that year's rates
come from them from then on.
"""

from __future__ import annotations

from core.models import Locality, Student
from dropout.models import SettledRateFigures
from dropout.selectors import STAGES, registry_figures


def close_school_year(*, school_year: int, actor) -> int:
    """Settle the closing school year's rate figures for every county (the whole registry: this
    runs for the city, inside the start of the next year). Returns the rows written."""
    SettledRateFigures.objects.filter(school_year=school_year).delete()
    rows = []
    for locality in ("", Locality.RURAL, Locality.URBAN):
        for stage in STAGES:
            figures = registry_figures(Student.objects.all(), locality=locality, stage=stage)
            rows += [
                SettledRateFigures(
                    county_id=county_id,
                    school_year=school_year,
                    locality=locality,
                    stage=stage,
                    **values,
                )
                for county_id, values in figures.items()
            ]
    SettledRateFigures.objects.bulk_create(rows)
    return len(rows)
