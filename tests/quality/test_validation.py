"""The quality gate: suites load as declared, good tables pass, each kind of violation fails with the
right table, column, rule and severity, examples never leak personal data, the page is escaped."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from analysis.core import schema
from analysis.core.errors import InputError, ValidationFailed
from analysis.ingest.parsing import FACILITY_TYPES, GENDERS, PENALTY_REGIMES, SENTENCE_KINDS, STATUSES
from analysis.ingest.releases import DESTINATIONS, MECHANISMS
from analysis.quality import (SUITES_DIR, ValidationContext, load_suites, raise_if_critical, render_validation_page,
                              validate_period)

REPO = Path(__file__).resolve().parents[2]
D = dt.date
SNAPSHOT = D(2026, 2, 28)
PERIOD = "2026-02"
SOURCE = "data/raw/registry/2026-02-28/SYNTHETIC_registry_2026-02-28.csv"
PREVIOUS_SOURCE = "data/raw/registry/2026-01-31/SYNTHETIC_registry_2026-01-31.csv"
# Made-up people (SYNTHETIC test records). Their names must never appear in a report or message.
NAMES = ["Maryia Testava", "Siarhei Prykladau", "Ivan Uzorau", "Hanna Uzorava", "Pavel Zrazkou",
         "Volha Testavaja"]


# ------------------------------------------------------------------------------ fixtures


def _person(row: int, record_id: int | None, name: str, status: str, gender: str, birth: D, arrested: D,
            verdict: D | None = None, release: D | None = None, sentence_months: float | None = 36.0,
            regime: str | None = "colony", snapshot: D = SNAPSHOT, source: str = SOURCE) -> dict:
    person = {name: None for name in schema.PERSONS}
    key = f"id:{record_id}" if record_id is not None else f"name:{name.lower()}|{birth.isoformat()}"
    person |= {"snapshot_date": snapshot, "synthetic": True, "source_file": source, "source_shape": "machine_csv",
               "source_row": row, "record_id": record_id, "person_key": key, "url_locale": "en",
               "url_slug": name.lower().replace(" ", "-"), "name_raw": name, "name_latin": name,
               "name_key": name.lower(), "status": status, "gender": gender, "died_in_custody": False,
               "charges_raw": "Art. 342 of the Criminal Code", "charge_count": 1,
               "sentence_raw": "3 years" if sentence_months else None,
               "sentence_kind": "term" if sentence_months else None, "sentence_months": sentence_months,
               "penalty_regime": regime, "colony_security": "general" if regime == "colony" else None,
               "facility_type": "penal_colony", "description": "SYNTHETIC record <b>free text</b>"}
    for field, value in (("birth_date", birth), ("arrested", arrested), ("verdict_date", verdict),
                         ("release_date", release)):
        if value is not None:
            person |= {f"{field}_from": value, f"{field}_to": value, f"{field}_precision": "day"}
    return person


def persons_frame(snapshot: D = SNAPSHOT, source: str = SOURCE, active_total: int = 1018, **changes) -> pl.DataFrame:
    """Six named people, padded with anonymous active prisoners so that the registry's active count
    equals the fixture's end stock (a rule checks it when the period ends on the snapshot date)."""
    people = [
        _person(1, 101, NAMES[0], "active", "female", D(1980, 3, 4), D(2021, 5, 6), D(2021, 11, 2),
                snapshot=snapshot, source=source),
        _person(2, 205, NAMES[1], "former", "male", D(1961, 1, 1), D(2020, 9, 1), D(2021, 1, 15), D(2023, 3, 1),
                snapshot=snapshot, source=source),
        _person(3, 317, NAMES[2], "np", "male", D(1999, 12, 31), D(2024, 2, 10), None, None, None, None,
                snapshot=snapshot, source=source),
        _person(4, 420, NAMES[3], "active", "female", D(1975, 6, 7), D(2025, 12, 3), D(2026, 2, 1),
                snapshot=snapshot, source=source),
        _person(5, 512, NAMES[4], "active", "male", D(1970, 8, 9), D(2021, 2, 3), D(2021, 9, 9), None, None,
                snapshot=snapshot, source=source) | {"sentence_kind": "life", "sentence_raw": "life imprisonment"},
        # released from pre-trial detention, then a suspended sentence: release before the verdict is normal
        _person(6, 640, NAMES[5], "former", "female", D(1990, 10, 11), D(2022, 1, 2), D(2022, 6, 8), D(2022, 1, 5),
                24.0, "suspended", snapshot=snapshot, source=source),
    ]
    people += [_person(7 + i, 10_000 + i, f"Filler Person {i}", "active", "male", D(1980, 1, 1), D(2024, 1, 1),
                       D(2024, 6, 1), snapshot=snapshot, source=source) for i in range(active_total - 3)]
    for row, fields in changes.items():  # e.g. p2={"status": "active"}
        people[int(row[1:]) - 1] |= fields
    return pl.DataFrame(people, schema=schema.PERSONS)


def _table(rows: list[dict], declared: dict) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=declared)


def _stock(period: str, start: tuple, end: tuple) -> pl.DataFrame:
    def row(position, as_of, held, women, men, unknown, aged):
        return {"period": period, "position": position, "as_of": as_of, "held": held, "held_lower": held - 5,
                "held_upper": held + 40, "listed_without_detention_date": 0, "women": women, "men": men,
                "gender_unknown": unknown, "aged_60_plus": aged, "synthetic": True}
    return _table([row("start", *start), row("end", *end)], schema.STOCK)


def _month(month, end, start, entries, eot, pardon, pwe, death, other, in_period) -> dict:
    exits = eot + pardon + pwe + death + other
    return {"month": month, "month_end": end, "held_start": start, "entries": entries, "exits": exits,
            "exits_end_of_term": eot, "exits_pardon": pardon, "exits_pardon_with_expulsion": pwe,
            "exits_death_in_custody": death, "exits_other": other, "exits_dated_by_rule": other,
            "listed_without_detention_date": 0, "held_end": start + entries - exits,
            "held_end_lower": start + entries - exits - 5, "held_end_upper": start + entries - exits + 40,
            "net_change": entries - exits, "exit_entry_ratio": exits / entries if entries else None,
            "in_period": in_period, "synthetic": True}


def good_tables(period: str = PERIOD) -> dict[str, pl.DataFrame]:
    flows = [("entry", "newly_detained", 30), ("exit", "end_of_term", 8), ("exit", "pardon", 2),
             ("exit", "pardon_with_expulsion", 0), ("exit", "death_in_custody", 1), ("exit", "other", 1)]
    return {
        "stock": _stock(period, (D(2026, 1, 31), 1000, 120, 870, 10, 50), (D(2026, 2, 28), 1018, 125, 883, 10, 52)),
        "flows": _table([{"period": period, "direction": d, "mechanism": m, "persons": n, "dated_by_rule": 0,
                          "synthetic": True}
                         for d, m, n in flows], schema.FLOWS),
        "releases": _table([{"period": period, "event_id": "2026-02-11-pardon", "date": D(2026, 2, 11),
                             "date_precision": "day", "released": 14, "political_prisoners_released": 12,
                             "mechanism": "pardon", "destination": "belarus", "expelled_to_lithuania": 0,
                             "expelled_to_ukraine": 0, "without_documents": None, "without_documents_qualifier": None,
                             "foreign_nationals": 0, "mediator": None,
                             "source_figure_ids": "fig-0123456789;fig-abcdef0123",
                             "our_released": 2, "our_to_lithuania": 0, "our_to_ukraine": 0, "our_documents_withheld": 0,
                             "synthetic": True}], schema.RELEASES),
        "monthly": _table([_month("2025-12", D(2025, 12, 31), 1000, 20, 6, 4, 0, 0, 0, False),
                           _month("2026-01", D(2026, 1, 31), 1010, 15, 10, 5, 10, 0, 0, False),
                           _month("2026-02", D(2026, 2, 28), 1000, 30, 8, 2, 0, 1, 1, True)], schema.MONTHLY),
        "composition": _table([{"period": period, "as_of": D(2026, 2, 28), "dimension": d, "category": k,
                                "persons": n, "share": n / 1018, "suppressed": False, "synthetic": True}
                               for d, k, n in (("gender", "male", 883), ("gender", "female", 125),
                                               ("gender", "unknown", 10), ("penalty_regime", "colony", 900),
                                               ("penalty_regime", "unknown", 118),
                                               ("facility_type", "penal_colony", 1018),
                                               ("age_band", "60+", 52))], schema.COMPOSITION),
        "time_served": _table([{"period": period, "scope": "to_date", "mechanism": "pardon", "persons": 300,
                                "median_months": 20.0, "p25_months": 12.0, "p75_months": 30.0, "mean_months": 22.5,
                                "suppressed": False, "synthetic": True}], schema.TIME_SERVED),
        "deaths": _table([{"period": period, "date": day, "cumulative": n, "in_period": n == 2, "synthetic": True}
                          for n, day in ((1, D(2023, 5, 7)), (2, D(2026, 2, 20)))], schema.DEATHS),
        "reconciliation": _table([_figure(period, "fig-0123456789", "within_bounds", "Viasna"),
                                  _figure(period, "fig-abcdef0123", "not_comparable", "Viasna", our_count=None)],
                                 schema.RECONCILIATION),
        "coverage": _table([{"period": period, "snapshot_date": SNAPSHOT, "item": item, "records": n,
                             "synthetic": True} for item, n in (("records", 1021), ("active", 1018))],
                           schema.COVERAGE),
    }


def _figure(period: str, figure_id: str, status: str, source: str, our_count: int | None = 1018) -> dict:
    return {"period": period, "figure_id": figure_id, "as_of_from": D(2026, 2, 27), "as_of_to": D(2026, 2, 27),
            "metric": "current_political_prisoners", "value": 1020, "qualifier": "about", "lower": 969, "upper": 1071,
            "source_org": source, "source_title": "Press release", "url": "", "our_measure": "held at the end",
            "our_as_of": D(2026, 2, 28), "our_count": our_count, "our_lower": our_count, "our_upper": our_count,
            "status": status, "difference": 0,
            "relative_difference": 0.0, "tolerance": 0.03, "synthetic": True}


def previous_tables() -> dict[str, pl.DataFrame]:
    return {"stock": _stock("2026-01", (D(2025, 12, 31), 1010, 121, 879, 10, 49),
                            (D(2026, 1, 31), 1000, 120, 870, 10, 50))}


def context(previous=True, previous_persons=None, tolerance=0.03) -> ValidationContext:
    if previous_persons is None and previous:
        previous_persons = persons_frame(D(2026, 1, 31), PREVIOUS_SOURCE)
    return ValidationContext(PERIOD, SNAPSHOT, previous_tables() if previous else None, previous_persons, tolerance)


def failing(report, table: str | None = None):
    return [c for c in report.checks if not c.success and (table is None or c.table == table)]


def only_failure(report, table: str, severity: str = "critical"):
    failures = failing(report)
    assert [(c.table, c.severity) for c in failures] == [(table, severity)], [c.describe() for c in failures]
    return failures[0]


@pytest.fixture(scope="module")
def good_report():
    return validate_period(good_tables(), persons_frame(), context())


# ------------------------------------------------------------------------------ suites


def test_every_suite_loads_its_declared_count():
    suites = load_suites()
    assert set(suites) == {"persons", *schema.PERIOD_TABLES, "stock_flow", "cross_cycle"}
    for name, suite in suites.items():
        doc = json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))
        assert suite.declared == doc["declared_expectations"] == len(suite.expectations) == len(doc["expectations"])
        assert all(e.severity in ("critical", "warning") and e.rule for e in suite.expectations)


def test_suite_vocabularies_agree_with_the_code():
    def value_set(suite, column):
        return {v for e in load_suites()[suite].expectations if e.kwargs.get("column") == column
                and "row_condition" not in e.kwargs for v in e.kwargs.get("value_set", [])}
    assert value_set("persons", "status") == set(STATUSES)
    assert value_set("persons", "gender") == set(GENDERS)
    assert value_set("persons", "sentence_kind") == set(SENTENCE_KINDS)
    assert value_set("persons", "penalty_regime") == set(PENALTY_REGIMES)
    assert value_set("persons", "facility_type") == set(FACILITY_TYPES)
    assert value_set("releases", "mechanism") == set(MECHANISMS)
    assert value_set("releases", "destination") == set(DESTINATIONS)


def _broken_copy(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "expectations"
    shutil.copytree(SUITES_DIR, folder)
    doc = json.loads((folder / "stock.json").read_text(encoding="utf-8"))
    edit(doc)
    (folder / "stock.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


def test_unknown_expectation_type_raises(tmp_path):
    def edit(doc):
        doc["expectations"][0]["type"] = "expect_column_values_to_be_plausible"
    with pytest.raises(InputError, match="stock.json.*unknown expectation type 'expect_column_values_to_be_plausible'"):
        load_suites(_broken_copy(tmp_path, edit))


def test_declared_count_mismatch_raises(tmp_path):
    def edit(doc):
        doc["expectations"].pop()
    with pytest.raises(InputError, match="declares 24 expectations but lists 23"):
        load_suites(_broken_copy(tmp_path, edit))


def test_a_rule_gx_would_drop_stops_the_run(tmp_path):
    def edit(doc):  # a duplicate collapses into one expectation inside GX: fewer loaded than declared
        doc["expectations"].append(doc["expectations"][-1])
        doc["declared_expectations"] += 1
    with pytest.raises(InputError, match="stock.json.*loaded 24 expectations, declared 25"):
        validate_period(good_tables(), persons_frame(), context(), suites_dir=_broken_copy(tmp_path, edit))


def test_missing_severity_raises(tmp_path):
    def edit(doc):
        del doc["expectations"][2]["meta"]["severity"]
    with pytest.raises(InputError, match="expectation 3: meta.severity"):
        load_suites(_broken_copy(tmp_path, edit))


# ------------------------------------------------------------------------------ good data


def test_good_fixture_passes(good_report):
    assert good_report.passed, [c.describe() for c in failing(good_report)]
    assert good_report.counts() == (len(good_report.checks), 0, 0)
    assert good_report.synthetic is True
    assert {c.table for c in good_report.checks} == {"persons", *schema.PERIOD_TABLES, "stock_flow", "cross_cycle"}
    raise_if_critical(good_report)  # does not raise


def test_rerun_is_identical_and_leaves_the_suite_files_untouched(good_report, tmp_path):
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in SUITES_DIR.glob("*.json")}
    again = validate_period(good_tables(), persons_frame(), context())
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in SUITES_DIR.glob("*.json")} == before
    assert again.to_dict() == good_report.to_dict()
    text = good_report.write_json(tmp_path / "validation.json").read_text(encoding="utf-8")
    assert str(REPO) not in text and str(tmp_path) not in text and "T00:00" not in text
    assert json.loads(text)["counts"] == {"passed": len(good_report.checks), "warned": 0, "failed": 0}


def test_first_period_rules_are_not_applied():
    report = validate_period(good_tables(), persons_frame(), context(previous=False))
    assert report.passed
    cross = [c for c in report.checks if c.table == "cross_cycle"]
    assert len(cross) == 6 and all(c.note == "not applicable: no rows to check" for c in cross)


# ------------------------------------------------------------------------------ violations
# One run with many independent violations (a validation run costs ~2 s of Great Expectations).

ATTACK = "<img src=x onerror=alert(1)>"


def _bad_inputs():
    tables = good_tables()
    tables["stock"] = tables["stock"].with_columns(pl.col("held").cast(pl.String))  # wrong dtype
    tables["composition"] = tables["composition"].with_columns(  # a negative count; two people shown
        persons=pl.when(pl.col("dimension") == "age_band").then(-1)
        .when(pl.col("category") == "unknown").then(2).otherwise(pl.col("persons")))
    tables["flows"] = tables["flows"].with_columns(mechanism=pl.col("mechanism").replace("other", "escape"))
    tables["monthly"] = tables["monthly"].with_columns(  # 2025-12 ends one too high
        held_end=pl.when(pl.col("month") == "2025-12").then(1011).otherwise(pl.col("held_end")),
        net_change=pl.when(pl.col("month") == "2025-12").then(11).otherwise(pl.col("net_change")))
    tables["reconciliation"] = pl.concat([tables["reconciliation"], _table(
        [_figure(PERIOD, "fig-9999999999", "outside_tolerance", ATTACK, our_count=900)], schema.RECONCILIATION)])
    persons = persons_frame(
        p1={"sentence_months": 360.0},
        p2={"birth_date_from": D(2022, 1, 1), "birth_date_to": D(2022, 1, 1)},
        p4={"penalty_regime": "exile", "colony_security": None},
        p6={"status": "active", "release_date_from": None, "release_date_to": None, "release_date_precision": None},
    ).filter(pl.col("record_id") != 317)  # person 3 vanishes
    previous = {"stock": previous_tables()["stock"].with_columns(held=pl.col("held") + 50, men=pl.col("men") + 50)}
    ctx = ValidationContext(PERIOD, SNAPSHOT, previous, persons_frame(D(2026, 1, 31), PREVIOUS_SOURCE))
    return tables, persons, ctx


@pytest.fixture(scope="module")
def bad_report():
    return validate_period(*_bad_inputs())


def check(report, table: str, rule_start: str):
    found = [c for c in report.checks if c.table == table and c.rule.startswith(rule_start)]
    assert len(found) == 1, (table, rule_start, [c.rule for c in report.checks if c.table == table])
    return found[0]


def test_every_planted_violation_and_nothing_else_fails(bad_report):
    planted = {
        ("persons", "critical", "A person is born before their detention"),
        ("persons", "critical", "Penalty regime is in the vocabulary"),
        ("persons", "critical", "A term sentence lasts from 1 month to 25 years"),
        ("cross_cycle", "critical", "A person in the previous registry copy is still listed"),
        ("cross_cycle", "critical", "A former political prisoner returns to active only"),
        ("cross_cycle", "warning", "This period's start stock equals the previous"),
        ("cross_cycle", "critical", "A revision of the start stock"),
        ("stock", "critical", "Column names, order and types equal the declared schema"),
        ("composition", "critical", "persons is a count: never negative"),
        ("composition", "critical", "No shown cell counts fewer people than the small-count threshold"),
        ("flows", "critical", "An exit's mechanism is an exit mechanism"),
        ("stock_flow", "critical", "The period's entries and exits by mechanism"),
        ("stock_flow", "critical", "held_end = held_start + entries - exits"),
        ("stock_flow", "critical", "held_start of a month = held_end of the month before"),
        ("stock_flow", "critical", "When the period ends on the snapshot date, the end stock equals"),  # person 6
        ("reconciliation", "warning", "Our count agrees with the published figure"),
    }
    found = {next((t, s, r) for t, s, r in planted if c.table == t and c.severity == s and c.rule.startswith(r))
             if any(c.table == t and c.rule.startswith(r) for t, _, r in planted) else (c.table, c.severity, c.rule)
             for c in failing(bad_report)}
    assert found == planted and len(failing(bad_report)) == len(planted)
    assert not bad_report.passed and len(bad_report.warnings) == 2


def test_impossible_date_order_names_columns_and_source_row_only(bad_report):
    found = check(bad_report, "persons", "A person is born before their detention")
    assert (found.severity, found.unexpected_count) == ("critical", 1)
    assert found.columns == ("birth_date_from", "arrested_to")
    assert found.examples == ({"source_file": SOURCE, "source_row": 2},)


def test_vanished_person_is_reported_by_previous_source_row(bad_report):
    found = check(bad_report, "cross_cycle", "A person in the previous registry copy is still listed")
    assert found.severity == "critical" and "record_id" in found.columns
    assert found.examples == ({"row_kind": "person", "source_file": PREVIOUS_SOURCE, "source_row": 3},)


def test_former_back_to_active_without_new_detention(bad_report):
    found = check(bad_report, "cross_cycle", "A former political prisoner returns to active only with a new")
    assert found.severity == "critical" and found.columns == ("status", "arrested_from")
    assert found.examples == ({"row_kind": "person", "source_file": PREVIOUS_SOURCE, "source_row": 6,
                               "next_source_file": SOURCE, "next_source_row": 6},)


def test_broken_monthly_identity_and_chain(bad_report):
    identity = check(bad_report, "stock_flow", "held_end = held_start + entries - exits + listed_without_detention_date in every month")
    assert identity.severity == "critical" and identity.examples == (
        {"check_row": "2025-12", "held_start": 1000, "entries": 20, "exits": 10, "held_end": 1011},)
    chain = check(bad_report, "stock_flow", "held_start of a month = held_end of the month before")
    assert chain.examples == ({"check_row": "2026-01", "held_start": 1010, "previous_held_end": 1011},)


def test_start_must_equal_previous_published_end(bad_report):
    found = check(bad_report, "cross_cycle", "This period's start stock equals the previous period's")
    assert found.severity == "warning"  # a revision of the list is shown...
    assert found.examples == ({"row_kind": "period", "previous_end_held": 1050, "start_held": 1000},)
    blocking = check(bad_report, "cross_cycle", "A revision of the start stock")
    assert blocking.severity == "critical"  # ...and blocks when larger than 2% of the previous end
    assert blocking.examples == ({"row_kind": "period", "previous_end_held": 1050, "start_held": 1000,
                                  "revision": -50},)


def test_negative_count(bad_report):
    found = check(bad_report, "composition", "persons is a count")
    assert (found.columns, found.severity) == (("persons",), "critical")
    assert found.rule == "persons is a count: never negative"
    assert found.examples == ({"dimension": "age_band", "category": "60+", "persons": -1},)


def test_a_shown_small_count_blocks_publication(bad_report):
    found = check(bad_report, "composition", "No shown cell counts fewer people")
    assert found.severity == "critical" and found.columns == ("persons", "suppressed")
    assert {e["category"] for e in found.examples} == {"unknown", "60+"}


def test_unknown_vocabulary_values(bad_report):
    regime = check(bad_report, "persons", "Penalty regime is in the vocabulary")
    assert regime.columns == ("penalty_regime",) and regime.examples == ({"source_file": SOURCE, "source_row": 4},)
    mechanism = check(bad_report, "flows", "An exit's mechanism is an exit mechanism")
    assert mechanism.columns == ("mechanism", "direction")
    assert mechanism.examples == ({"period": PERIOD, "direction": "exit", "mechanism": "escape"},)


def test_wrong_dtype_is_caught_in_polars(bad_report):
    found = next(c for c in failing(bad_report, "stock"))
    assert found.expectation == "schema (Polars)" and found.columns == ("held",) and found.severity == "critical"
    assert found.examples == ({"column": "held", "declared": "Int64", "found": "String"},)
    assert check(bad_report, "stock", "held is a count: never negative").success  # values still checked


def test_sentence_beyond_the_law(bad_report):
    found = check(bad_report, "persons", "A term sentence lasts from 1 month to 25 years")
    assert found.columns == ("sentence_months",) and found.examples == ({"source_file": SOURCE, "source_row": 1},)
    assert check(bad_report, "persons", "A term sentence has a length; every other kind").success


@pytest.mark.parametrize(("kind", "months", "failed"), [
    ("fine", None, set()),                     # released before a verdict that only fined: normal
    ("unknown", None, set()),                  # the outcome is not known to be custodial
    ("compulsory_treatment", None, {"A custodial sentence's verdict is not after the release"}),
    ("fine", 12.0, {"A term sentence has a length; every other kind"}),
])
def test_sentence_kinds_without_a_term(kind, months, failed):
    released_before_verdict = {"sentence_kind": kind, "sentence_months": months, "sentence_raw": "SYNTHETIC",
                               "penalty_regime": None, "colony_security": None,
                               "release_date_from": D(2020, 12, 1), "release_date_to": D(2020, 12, 1)}
    report = validate_period(good_tables(), persons_frame(p2=released_before_verdict), context())
    assert {c.rule for c in failing(report) if c.table == "persons"} == {
        next(c.rule for c in report.checks if c.rule.startswith(f)) for f in failed}


def test_failure_message_names_table_column_rule_and_rows_but_no_person(bad_report):
    with pytest.raises(ValidationFailed) as caught:
        raise_if_critical(bad_report)
    message = str(caught.value)
    assert message.startswith("quality gate for period 2026-02 (snapshot 2026-02-28) failed: 14 critical check(s)")
    assert ("table persons, column(s) birth_date_from, arrested_to\n"
            "    rule: A person is born before their detention") in message
    assert "[" not in message.split("source_file=")[0]  # the CLI prints it through Rich markup
    assert f"1 row(s) failed. Examples:\n      - source_file={SOURCE}, source_row=2" in message
    assert "table stock_flow, column(s) held_start, entries, exits, held_end" in message
    assert "check_row=2025-12" in message
    assert "Also 2 warning(s)" in message
    persons = persons_frame()
    secrets = [*NAMES, *persons["name_key"], *persons["url_slug"], *persons["person_key"], "1961-01-01",
               "2022-01-01", "free text"]
    for text in (message, json.dumps(bad_report.to_dict(), ensure_ascii=False),
                 render_validation_page(bad_report, PERIOD, synthetic=True)):
        assert not [s for s in secrets if s.lower() in text.lower()]


def test_broken_period_identity():
    tables = good_tables()
    tables["stock"] = tables["stock"].with_columns(
        held=pl.when(pl.col("position") == "end").then(1025).otherwise(pl.col("held")),
        men=pl.when(pl.col("position") == "end").then(890).otherwise(pl.col("men")))
    report = validate_period(tables, persons_frame(), context())
    found = check(report, "stock_flow", "End stock = start stock + entries - exits for the period")
    assert found.severity == "critical" and not found.success
    assert found.examples == ({"check_row": "period", "start_held": 1000, "flow_entries": 30, "flow_exits": 12,
                               "end_held": 1025},)
    assert {c.rule[:40] for c in failing(report)} == {found.rule[:40], "The end stock equals held_end of the per",
                                                      "When the period ends on the snapshot dat"}
    with pytest.raises(ValidationFailed, match=r"(?s)table stock_flow, column\(s\) start_held, flow_entries.*"
                                               r"check_row=period"):
        raise_if_critical(report)


def test_matching_by_name_where_a_copy_has_no_ids():
    previous = persons_frame(D(2026, 1, 31), PREVIOUS_SOURCE, active_total=1017).with_columns(
        record_id=pl.lit(None, pl.Int64), person_key=pl.format("name:{}|{}", "name_key", "birth_date_from"))
    current = persons_frame(active_total=1017, p3={"birth_date_from": D(1999, 1, 1), "birth_date_to": D(1999, 1, 1)},
                            p6={"status": "active", "release_date_from": None, "release_date_to": None,
                                "release_date_precision": None, "arrested_from": D(2025, 11, 1),
                                "arrested_to": D(2025, 11, 1), "verdict_date_from": None, "verdict_date_to": None,
                                "verdict_date_precision": None})
    report = validate_period(good_tables(), current, context(previous_persons=previous))
    found = only_failure(report, "cross_cycle")  # person 6 came back with a new detention: not a failure
    assert found.rule.startswith("A person in the previous registry copy is still listed")
    assert found.examples == ({"row_kind": "person", "source_file": PREVIOUS_SOURCE, "source_row": 3},)


WITHHELD = {"name_raw": None, "name_latin": None, "name_cyrillic": None, "name_key": None, "url_slug": "anonymous"}


def test_a_record_whose_name_is_withheld_passes():
    """The source withholds some names: such a person is counted under their record id, never a failure."""
    report = validate_period(good_tables(), persons_frame(p1=WITHHELD), context(
        previous_persons=persons_frame(D(2026, 1, 31), PREVIOUS_SOURCE, p1=WITHHELD)))
    assert report.passed and not failing(report), [c.describe() for c in failing(report)]


@pytest.mark.parametrize("half", [
    {"name_key": None},                                            # a name without its key
    {"name_raw": None, "name_latin": None},                        # a key without a name
    WITHHELD | {"person_key": "name:|1980-03-04", "record_id": None},  # no name, yet keyed by name
])
def test_a_half_named_row_fails(half):
    report = validate_period(good_tables(), persons_frame(p1=half), context(previous=False))
    found = only_failure(report, "persons")
    assert found.rule.startswith("Every row has a name and a name key")
    assert found.examples == ({"source_file": SOURCE, "source_row": 1},)


def test_an_anonymous_row_of_a_copy_without_ids_is_not_a_vanished_person():
    """Without ids, a person without a name cannot be followed to the next copy: not checked, not failed."""
    def without_ids(frame):
        return frame.with_columns(record_id=pl.lit(None, pl.Int64), person_key=pl.when(pl.col("name_key").is_null())
                                  .then(pl.format("anonymous:row{}", "source_row"))
                                  .otherwise(pl.format("name:{}|{}", "name_key", "birth_date_from")))
    previous = without_ids(persons_frame(D(2026, 1, 31), PREVIOUS_SOURCE, p1=WITHHELD))
    current = without_ids(persons_frame(p1=WITHHELD))
    report = validate_period(good_tables(), current, context(previous_persons=previous))
    assert report.passed and not failing(report), [c.describe() for c in failing(report)]
    vanished = check(report, "cross_cycle", "A person in the previous registry copy is still listed")
    assert vanished.success and vanished.unexpected_count == 0


# ------------------------------------------------------------------------------ warnings


def test_warnings_publish_with_the_warning_shown():
    tables = good_tables()
    tables["reconciliation"] = pl.concat([tables["reconciliation"], _table(
        [_figure(PERIOD, "fig-9999999999", "outside_tolerance", "Ministry", our_count=900)], schema.RECONCILIATION)])
    # A conflict inside the source: an active record with a past release date warns, names the row, counts as held.
    persons = persons_frame(p1={"release_date_from": D(2025, 1, 1), "release_date_to": D(2025, 1, 1),
                                "release_date_precision": "day"})
    report = validate_period(tables, persons, context())
    assert report.passed and not report.critical_failures
    assert {(w.table, w.severity) for w in report.warnings} == {("reconciliation", "warning"), ("persons", "warning")}
    recon = next(w for w in report.warnings if w.table == "reconciliation")
    assert recon.examples[0]["figure_id"] == "fig-9999999999" and recon.examples[0]["our_count"] == 900
    assert report.counts()[1:] == (2, 0)
    raise_if_critical(report)  # warnings alone never raise
    assert "2 warning(s)" in report.summary_line() and "publishable" in report.summary_line()
    assert "Publishable, with 2 warnings" in render_validation_page(report, PERIOD, synthetic=True)


def test_headline_move_beyond_the_bound_warns_unless_flows_explain_it():
    tables = good_tables()
    tables["flows"] = tables["flows"].with_columns(
        persons=pl.when(pl.col("direction") == "entry").then(318).otherwise(pl.col("persons")))
    tables["stock"] = tables["stock"].with_columns(
        held=pl.when(pl.col("position") == "end").then(1306).otherwise(pl.col("held")),
        held_upper=pl.when(pl.col("position") == "end").then(1350).otherwise(pl.col("held_upper")),
        men=pl.when(pl.col("position") == "end").then(1171).otherwise(pl.col("men")))
    tables["monthly"] = tables["monthly"].with_columns(
        entries=pl.when(pl.col("in_period")).then(318).otherwise(pl.col("entries")),
        held_end=pl.when(pl.col("in_period")).then(1306).otherwise(pl.col("held_end")),
        held_end_upper=pl.when(pl.col("in_period")).then(1350).otherwise(pl.col("held_end_upper")),
        net_change=pl.when(pl.col("in_period")).then(306).otherwise(pl.col("net_change")),
    ).with_columns(exit_entry_ratio=pl.col("exits") / pl.col("entries"))
    persons = persons_frame(active_total=1306)
    assert validate_period(tables, persons, context()).passed  # +29%, but the entries explain it
    previous = {"stock": previous_tables()["stock"].with_columns(held=pl.col("held") - 200, men=pl.col("men") - 200)}
    report = validate_period(tables, persons, ValidationContext(PERIOD, SNAPSHOT, previous, None))
    found = check(report, "cross_cycle", "The end stock moves by at most 10%")
    assert found.severity == "warning" and not found.success
    assert found.examples == ({"row_kind": "period", "previous_end_held": 800, "end_held": 1306, "change": 506,
                               "net_flow": 306, "bound": 0.1, "tolerance": 0.03},)


# ------------------------------------------------------------------------------ page


def test_page_escapes_text_from_data_and_works_offline(bad_report):
    page = render_validation_page(bad_report, PERIOD, synthetic=True)
    assert ATTACK not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "SYNTHETIC DATA" in page and "BLOCKED: 14 critical checks failed" in page
    for external in ("<script", "http://", "https://", "<link", "@import", "url("):
        assert external not in page
    assert "SYNTHETIC DATA" not in render_validation_page(bad_report, PERIOD, synthetic=False)

# ------------------------------------------------------------------------------ a real snapshot


def _ingested(root: Path, date: str) -> Path:
    return root / "data" / "processed" / "ingest" / "restricted" / "registry" / date / "persons.parquet"


def test_real_snapshot_passes_every_person_rule(sample_project):
    persons = pl.read_parquet(_ingested(sample_project, "2026-02-28"))
    previous = pl.read_parquet(_ingested(sample_project, "2026-01-31"))
    report = validate_period(good_tables(), persons, ValidationContext(PERIOD, SNAPSHOT, previous_tables(), previous))
    person_checks = [c for c in report.checks if c.table in ("persons", "cross_cycle")]
    failed = [c for c in person_checks if not c.success]
    # The sample has the structure of real copies: exactly the three warning rules written for it fire (an active
    # record with a past release date, records without a detention date, detention after the verdict under a
    # regime other than restricted freedom or arrest: converted sentences); no critical rule fails.
    assert all(c.severity == "warning" for c in failed), [c.describe() for c in failed]
    assert sorted(", ".join(c.columns) for c in failed) == ["arrested_from, verdict_date_to, penalty_regime",
                                                "status, arrested_from", "status, release_date_to, snapshot_date"]
    assert next(c for c in person_checks if c.rule.startswith("A person in the previous")).checked == previous.height
    names = set(persons["name_raw"].drop_nulls().head(200))
    dumped = json.dumps(report.to_dict(), ensure_ascii=False)
    assert not any(name in dumped for name in names)


def test_real_period_tables_pass_the_gate(sample_project):
    from analysis import tables
    from analysis.core.paths import project_paths
    from analysis.core.periods import Period

    inputs = tables.load_inputs(project_paths(sample_project), Period.parse(PERIOD))
    previous = pl.read_parquet(_ingested(sample_project, inputs.previous_snapshot.date.isoformat()))
    context = ValidationContext(PERIOD, inputs.snapshot.date, None, previous)
    report = validate_period(tables.build_period_tables(inputs), inputs.persons, context)
    assert report.passed, [c.describe() for c in report.critical_failures]
