"""Money as the areas keep it: Decimal yuan with two decimals, never a float; dashboards show
万元. One definition for every area (aid's payments, facilities' funds)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
TEN_THOUSAND = Decimal(10000)


def fen(value) -> Decimal:
    """A money amount as Decimal yuan with two decimals (None and empty sums are 0.00)."""
    if value is None:
        return ZERO
    if isinstance(value, float):  # never on the money path: fail loudly instead of rounding
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def wan(value) -> Decimal:
    """Yuan as 万元 with two decimals, the way dashboards show money (1966300 → 196.63), rounded
    half up as accountants do (250 yuan → 0.03)."""
    return (fen(value) / TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP)
