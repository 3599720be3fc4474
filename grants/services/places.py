"""
Writing the figures of a place (grants.models.places): an indicator series, and a confirmed file of its
values.

- `indicator_save` adds or changes one series (its name, source, unit, definition and caveats);
- `indicator_values_import` writes one IndicatorImport and every value of a previewed file, in one
  transaction: the series it names are found (or created), each value is created or updated (never
  duplicated: one value per series, area, period and breakdown), and the queries are a fixed number plus
  one per batch of rows, however many rows the file has.

Who may: grants.permissions.can_manage_indicators (the funder's commissioner officers and administrators
for their own organisation's series, a partnership manager for its partnership's). An import run from the
command line has no actor: whoever can run the command is trusted with the database already.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from grants import permissions
from grants.figures.places import interval_holds
from grants.models import Indicator, IndicatorImport, IndicatorValue

from . import kept
from .base import Invalid, Stale, audited, errors_from, history_rows, require, unknown_fields, validated, write_history

INDICATOR_FIELDS = ("kind", "name", "theme", "category", "source", "unit", "definition", "caveats")
STALE_MESSAGE = "This series changed since you opened it. Look at it again and make your change once more."
# Rows written a statement: the database may hold fewer (SQLite takes 999 parameters a statement, so Django
# writes about 70 values a statement there).
BATCH = 2000
VALUE_FIELDS = ("value", "sample_size", "response_rate", "ci_low", "ci_high")
KEY_FIELDS = ("indicator", "area", "period_type", "period_start", "breakdown")


@dataclass(frozen=True)
class Series:
    """A series a file names: found by (kind, name, category) among the owner's, else created with the rest."""

    kind: str
    name: str
    category: str = ""
    theme: str = ""
    unit: str = ""
    source: str = ""
    definition: str = ""
    caveats: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.name, self.category)


@dataclass(frozen=True)
class ValueRow:
    """One value of a file, as its preview read it."""

    series: Series
    area_id: int
    period_type: str
    period_start: date
    value: Decimal
    breakdown: str = ""
    sample_size: int | None = None
    response_rate: Decimal | None = None
    ci_low: Decimal | None = None
    ci_high: Decimal | None = None

    @property
    def key(self) -> tuple:
        return (self.series.key, self.area_id, self.period_type, self.period_start, self.breakdown)


@dataclass(frozen=True)
class ImportResult:
    record: IndicatorImport
    created: int
    updated: int
    unchanged: int
    series_created: int


def indicator_save(*, actor, owner, values: dict, indicator: Indicator | None = None,
                   version: int | None = None) -> Indicator:
    """Add a series to `owner`'s (indicator None) or change one (at the `version` the form was opened at)."""
    unknown_fields(values, INDICATOR_FIELDS)
    require(permissions.can_manage_indicators(actor, owner))
    with transaction.atomic():
        if indicator is None:
            indicator = Indicator(owner=owner)
        else:
            if indicator.owner_id != owner.pk:
                raise Stale(STALE_MESSAGE)
            kept.figures_moved(row=indicator)  # the first lock of every change (grants.services.kept)
            if version is None or not Indicator.objects.filter(pk=indicator.pk, version=version).update(
                    version=F("version") + 1):
                raise Stale(STALE_MESSAGE)
            indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
        for name, value in values.items():
            setattr(indicator, name, value)
        validated(indicator, exclude=["owner"])
        if Indicator.objects.filter(owner=owner, kind=indicator.kind, name=indicator.name,
                                    category=indicator.category).exclude(pk=indicator.pk).exists():
            raise Invalid({"name": "This organisation already keeps a series of this kind with this name."})
        audited(indicator, actor)
        indicator.save()
    return indicator


def _check_row(row: ValueRow) -> str:
    """What is wrong with a row that a preview would have refused (a forged or stale payload), or ""."""
    if row.value is None or row.value < 0:
        return "A figure cannot be negative."
    if (row.ci_low is None) != (row.ci_high is None):
        return "A confidence interval needs both ends."
    if row.ci_low is not None and not interval_holds(row.value, row.ci_low, row.ci_high):
        return "A confidence interval must hold its percentage."
    return ""


def _series(owner, rows: list[ValueRow], actor, now) -> tuple[dict, int]:
    """The owner's series each key names, creating those it does not keep yet (one insert, one history insert)."""
    wanted = {row.series.key: row.series for row in rows}
    kinds = {kind for kind, _, _ in wanted}
    names = {name for _, name, _ in wanted}
    found = {(i.kind, i.name, i.category): i
             for i in Indicator.objects.filter(owner=owner, kind__in=kinds, name__in=names)}
    new = []
    for key, series in wanted.items():
        if key in found:
            if series.kind == Indicator.Kind.OTHER and series.unit and found[key].unit != series.unit:
                raise Invalid({"unit": f"“{series.name}” is counted in {found[key].unit}, not {series.unit}."})
            continue
        indicator = Indicator(owner=owner, kind=series.kind, name=series.name, category=series.category,
                              theme=series.theme, unit=series.unit, source=series.source,
                              definition=series.definition, caveats=series.caveats)
        try:
            # Known to be new: no unique check (a query a series) is needed.
            indicator.full_clean(exclude=["owner"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise Invalid({f"{series.name}: {key}": message for key, message in errors_from(error).items()})
        new.append(indicator)
    if new:
        records = history_rows(new, "+", actor, now)
        Indicator.objects.bulk_create(new, batch_size=BATCH)
        write_history(records)
        found.update({(i.kind, i.name, i.category): i for i in new})
    return found, len(new)


def indicator_values_import(*, actor, owner, rows: list[ValueRow], layout: str, file_name: str,
                            sha256: str) -> ImportResult:
    """Write one confirmed file: an IndicatorImport and every value, created or updated, in one transaction.

    Queries: a fixed few (the series, the existing values, the import record) plus one statement per batch
    of values created or changed; a row whose figures are already held is left as it is."""
    if actor is not None:
        require(permissions.can_manage_indicators(actor, owner))
    if not rows:
        raise Invalid({"rows": "The file holds no figures."})
    problems = {}
    seen = set()
    for number, row in enumerate(rows, start=1):
        problem = _check_row(row) or ("This figure is in the file twice." if row.key in seen else "")
        seen.add(row.key)
        if problem:
            problems[f"row {number}"] = problem
    if problems:
        raise Invalid(problems)
    now = timezone.now()
    with transaction.atomic():
        kept.figures_moved()  # what the import record's save would move, first (grants.services.kept)
        series, series_created = _series(owner, rows, actor, now)
        record = IndicatorImport.objects.create(owner=owner, imported_by=actor, layout=layout,
                                                file_name=file_name[:255], sha256=sha256, rows=len(rows))
        ids = {key: indicator.pk for key, indicator in series.items()}
        dates = [row.period_start for row in rows]
        existing = {
            (v.indicator_id, v.area_id, v.period_type, v.period_start, v.breakdown): v
            for v in IndicatorValue.objects.filter(
                indicator_id__in=set(ids.values()), area_id__in={row.area_id for row in rows},
                period_start__gte=min(dates), period_start__lte=max(dates))
        }
        new, changed = [], []
        for row in rows:
            key = (ids[row.series.key], row.area_id, row.period_type, row.period_start, row.breakdown)
            figures = {name: getattr(row, name) for name in VALUE_FIELDS}
            value = existing.get(key)
            if value is None or any(_differs(getattr(value, name), figure) for name, figure in figures.items()):
                # A changed value too is written as a new row without an id: the insert meets the one held.
                (new if value is None else changed).append(IndicatorValue(
                    indicator_id=key[0], area_id=row.area_id, period_type=row.period_type,
                    period_start=row.period_start, breakdown=row.breakdown, imported_in=record, **figures))
        IndicatorValue.objects.bulk_create(new, batch_size=BATCH)
        # Changed values are written as an insert that updates the row it meets (ON CONFLICT DO UPDATE, on
        # SQLite and PostgreSQL alike): as fast as inserting, where an UPDATE ... CASE per row is not.
        IndicatorValue.objects.bulk_create(
            changed, batch_size=BATCH, update_conflicts=True, unique_fields=KEY_FIELDS,
            update_fields=[*VALUE_FIELDS, "imported_in"])
        record.created, record.updated = len(new), len(changed)
        record.save(update_fields=["created", "updated"])
    return ImportResult(record=record, created=len(new), updated=len(changed),
                        unchanged=len(rows) - len(new) - len(changed), series_created=series_created)


def _differs(held, figure) -> bool:
    if held is None or figure is None:
        return held is not figure
    return Decimal(held) != Decimal(figure)


__all__ = ["INDICATOR_FIELDS", "ImportResult", "Series", "ValueRow", "indicator_save", "indicator_values_import"]
