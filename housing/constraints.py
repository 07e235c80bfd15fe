"""PostgreSQL-only database guarantees for housing, applied by migration 0002.

Kept out of the model's Meta on purpose: SQLite cannot express an exclusion constraint, and
`django.contrib.postgres` need not be installed for SQLite deployments. On SQLite two triggers
of the same name refuse the same rows (migration 0003).
"""

from __future__ import annotations

from typing import Any

from django.db.migrations.operations.base import Operation
from django.db.models import F, Func, Q

NO_OVERLAP = "housing_booking_no_overlap"
ACTIVE_STATUSES = ("tentative", "confirmed")


class DateRange(Func):
    """``daterange(start, blocked_until, '[)')``: the days a booking keeps its unit."""

    function = "DATERANGE"

    def __init__(self, start: str, end: str) -> None:
        # django.contrib.postgres needs a PostgreSQL driver: loaded only where one is used.
        from django.contrib.postgres.fields import DateRangeField

        super().__init__(F(start), F(end), output_field=DateRangeField())


def no_overlap_constraint() -> Any:
    """Active bookings of one unit never share a day of [start, blocked_until)."""
    # django.contrib.postgres needs a PostgreSQL driver: loaded only where one is used.
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import RangeOperators

    return ExclusionConstraint(
        name=NO_OVERLAP,
        expressions=[(F("unit"), RangeOperators.EQUAL),
                     (DateRange("start", "blocked_until"), RangeOperators.OVERLAPS)],
        condition=Q(status__in=ACTIVE_STATUSES),
        violation_error_message="This unit is already booked for these dates.",
    )


class PostgresOnlyConstraint(Operation):
    """Add a constraint to the database on PostgreSQL only; the model state is left alone."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, factory: str) -> None:
        self.model_name, self.factory = model_name, factory

    def deconstruct(self) -> tuple[str, list, dict]:
        return self.__class__.__qualname__, [], {"model_name": self.model_name,
                                                  "factory": self.factory}

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _constraint(self) -> Any:
        return globals()[self.factory]()

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any,
                          to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            model = to_state.apps.get_model(app_label, self.model_name)
            schema_editor.add_constraint(model, self._constraint())

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any,
                           to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            model = from_state.apps.get_model(app_label, self.model_name)
            schema_editor.remove_constraint(model, self._constraint())

    def describe(self) -> str:
        return f"PostgreSQL only: add {self.factory}() to {self.model_name}"
