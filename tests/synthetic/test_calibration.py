"""Calibration of the SYNTHETIC population against Viasna's published figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from analysis.synthetic.calibration import (CALIBRATION_SCHEMA, RAMP_START_VALUE, TOLERANCE, calibration_table,
                                  dated_by_release_records, implied_active, month_ends, persons_from_population,
                                  target_value, viasna_anchors)
from analysis.ingest.figures import read_ledger
from analysis.ingest.releases import read_release_events, read_release_records
from analysis.synthetic import DEFAULT_SEED, build_population
from analysis.synthetic import config as C

REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "data" / "raw"


@pytest.fixture(scope="module")
def ledger() -> pl.DataFrame:
    return read_ledger(RAW)


@pytest.fixture(scope="module")
def population(ledger):
    return build_population(ledger, read_release_events(RAW), DEFAULT_SEED)


@pytest.fixture(scope="module")
def persons(population) -> pl.DataFrame:
    return persons_from_population(population)


@pytest.fixture(scope="module")
def table(persons, ledger) -> pl.DataFrame:
    return calibration_table(persons, ledger)


def test_anchors(ledger):
    anchors = {a.date: a for a in viasna_anchors(ledger)}
    assert anchors[dt.date(2020, 10, 31)].value == 101
    assert anchors[dt.date(2020, 12, 31)].value == 169  # "2020-12" -> month end
    assert anchors[dt.date(2023, 12, 31)].value == (1452 + 1477) / 2
    assert anchors[dt.date(2023, 12, 31)].values == (1452, 1477)
    assert dt.date(2025, 1, 18) not in anchors  # 1,244 is not attributed to Viasna
    assert dt.date(2021, 2, 15) not in anchors  # joint statement, not Viasna
    assert max(anchors) == dt.date(2025, 12, 23)
    assert len(anchors) == 23


def test_target_interpolation(ledger):
    anchors = viasna_anchors(ledger)
    assert target_value(anchors, dt.date(2020, 5, 31)) == RAMP_START_VALUE
    assert target_value(anchors, dt.date(2020, 10, 31)) == 101
    # 2024-11 (1,287 at 11-30) to 2024-12-31 (1,265): halfway-ish in between
    mid = target_value(anchors, dt.date(2024, 12, 15))
    assert 1265 < mid < 1287
    assert target_value(anchors, dt.date(2026, 2, 28)) == 1135  # flat after the last figure


def test_table_shape_and_coverage(table):
    assert table.schema == pl.Schema(CALIBRATION_SCHEMA)
    current = table.filter(pl.col("metric") == "current_political_prisoners")
    assert set(current["month"]) == {d.strftime("%Y-%m") for d in month_ends()}
    assert len(month_ends()) == 70
    month_end_rows = current.filter(pl.col("as_of").is_in(month_ends()))
    assert month_end_rows["as_of"].n_unique() == 70  # each month-end: interpolated, or its published figure(s)
    assert set(table["kind"]) == {"published", "interpolated"}
    assert table.filter(pl.col("kind") == "interpolated")["published"].null_count() == table.filter(
        pl.col("kind") == "interpolated").height


def test_every_month_and_every_figure_within_tolerance(table):
    current = table.filter(pl.col("metric") == "current_political_prisoners")
    assert current["within_tolerance"].all()
    assert current["deviation"].abs().max() <= TOLERANCE
    published = current.filter(pl.col("kind") == "published")
    assert published.height == 24  # 23 dates, two figures on 2023-12-31
    assert (published["source_org"].str.to_lowercase().str.contains("viasna")).all()


def test_month_end_counts_follow_target(population, persons, ledger):
    anchors = viasna_anchors(ledger)
    months = month_ends()
    counts = implied_active(persons, months)
    for day, active in zip(counts["as_of"], counts["active"]):
        target = target_value(anchors, day)
        assert abs(active - target) / target <= TOLERANCE, day


def test_deaths_match_viasna(table, persons):
    deaths = table.filter(pl.col("metric").str.starts_with("deaths_in_custody"))
    assert deaths.height == 5 and deaths["within_tolerance"].all()
    died = persons["died_from"].drop_nulls().sort().to_list()
    assert len(died) == 9
    assert sum(d <= dt.date(2024, 7, 3) for d in died) >= 6
    assert sum(d <= dt.date(2025, 5, 22) for d in died) == 8
    assert sum(d <= dt.date(2025, 9, 19) for d in died) == 9
    assert sum(d.year == 2024 for d in died) == 4 and sum(d.year == 2025 for d in died) == 2


def test_waves_happen_on_their_dates(population):
    by_event: dict[str, list] = {}
    for p in population.persons:
        if p.event_id:
            by_event.setdefault(p.event_id, []).append(p)
    sizes = {e: len(ps) for e, ps in by_event.items()}
    assert sizes["2025-12-13-pardon"] == 123 and sizes["2025-09-11-pardon"] == 52 and sizes["2025-06-21-pardon"] == 14
    dec = by_event["2025-12-13-pardon"]
    assert sum(p.destination == "ukraine" for p in dec) == 114 and sum(p.destination == "lithuania" for p in dec) == 9
    assert all(p.release == dt.date(2025, 12, 13) for p in dec)
    assert sum(p.category == "np" for p in by_event["2025-09-11-pardon"]) == 12  # 40 political prisoners of 52
    assert all(p.category == "np" for p in by_event["2025-11-22-pardon"])
    women = sum(p.gender == "female" for p in by_event["2025-12-30-pardon"])
    assert women == C.WAVE_GENDER["2025-12-30-pardon"][0]


def test_totals_in_published_range(population):
    listed = [p for p in population.persons if p.category == "pp"]
    by_2024 = sum(p.arrested <= dt.date(2024, 12, 31) for p in listed)
    assert abs(by_2024 - 3697) / 3697 < 0.05
    assert 4206 <= len(listed) <= 4499 + 100
    in_2022 = sum(p.arrested.year == 2022 for p in listed)
    assert abs(in_2022 - 889) / 889 < 0.10
    in_2025 = sum(p.arrested.year == 2025 for p in listed)
    assert abs(in_2025 - 509) / 509 < 0.15


def test_implied_active_rules():
    d = dt.date
    persons = pl.DataFrame({
        "status": ["active", "former", "former", "np", "former", "active"],
        "arrested_from": [d(2021, 1, 1), d(2021, 1, 1), d(2021, 1, 1), d(2021, 1, 1), d(2021, 1, 1), d(2022, 6, 1)],
        "release_date_from": [None, d(2022, 1, 1), None, None, None, None],
        "died_from": [None, None, d(2021, 6, 1), None, None, None],
    }, schema={"status": pl.String, "arrested_from": pl.Date, "release_date_from": pl.Date, "died_from": pl.Date})
    out = implied_active(persons, [d(2020, 12, 31), d(2021, 5, 31), d(2021, 6, 1), d(2022, 1, 1), d(2022, 6, 1)])
    assert out["active"].to_list() == [0, 3, 2, 1, 2]  # np never; released/dead on the day no longer held
    assert out["undetermined"].to_list() == [0, 1, 1, 1, 1]  # former without any date


def test_persons_contract(persons, population):
    assert persons.schema == pl.Schema({"status": pl.String, "arrested_from": pl.Date,
                                        "release_date_from": pl.Date, "died_from": pl.Date})
    assert persons.height == len(population.persons)
    assert set(persons["status"]) == {"active", "former", "np"}


def test_calibration_of_the_committed_snapshot_through_the_canonical_reader(ledger):
    registry = pytest.importorskip("analysis.ingest.registry")
    path = RAW / "registry" / "2026-02-28" / "SYNTHETIC_registry_2026-02-28.csv"
    canonical = registry.read_registry(path)
    # About half of the `former` records give no release date, as in real copies: the person-level release
    # records date them (as the report does); without them those people could not be placed in time.
    undated = canonical.filter((pl.col("status") == "former") & pl.col("release_date_from").is_null()
                               & pl.col("died_from").is_null())
    assert 0.45 <= undated.height / canonical.filter(pl.col("status") == "former").height <= 0.60
    dated = dated_by_release_records(canonical, read_release_records(RAW))
    table = calibration_table(dated, ledger)
    assert table["within_tolerance"].all()
    assert not calibration_table(canonical, ledger)["within_tolerance"].all()
