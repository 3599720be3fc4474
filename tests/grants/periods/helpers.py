"""Shorthands shared by the period tests: a quarter from its label, and the labels of quarters."""

from grants.periods import Quarter


def q(label: str) -> Quarter:
    return Quarter.from_label(label)


def labels(quarters) -> list[str]:
    return [quarter.label for quarter in quarters]
