"""The SYNTHETIC sample has the structure of real copies: its rates beside the anonymised real half's."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from analysis.synthetic.structure_rates import (NOT_MEASURABLE_IN_HALF, REAL_HALF, STRUCTURE_TOLERANCES,
                                               decision_class, structure_comparison, structure_of_copy,
                                               structure_rates)
from analysis.synthetic import config as C

REPO = Path(__file__).resolve().parents[2]
RAW = REPO / "data" / "raw"
HALF = RAW.joinpath(*REAL_HALF)
LATEST = RAW / "registry" / "2026-02-28" / "SYNTHETIC_registry_2026-02-28.csv"


@pytest.fixture(scope="module")
def real() -> pl.DataFrame:
    return structure_of_copy(HALF)


@pytest.fixture(scope="module")
def sample() -> pl.DataFrame:
    return structure_of_copy(LATEST)


def rates(frame: pl.DataFrame) -> dict[str, tuple[int, int]]:
    return {r["rate"]: (r["numerator"], r["denominator"]) for r in frame.iter_rows(named=True)}


def read_machine(date: str) -> dict[str, dict[str, str]]:
    path = RAW / "registry" / date / f"SYNTHETIC_registry_{date}.csv"
    return {r["id"]: r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))}


def test_the_real_half_measures_as_counted_by_hand(real):
    r = rates(real)
    assert r["status_active"] == (732, 1542) and r["status_former"] == (360, 1542) and r["status_np"] == (450, 1542)
    assert r["former_undated"] == (192, 360)
    assert r["former_undated_home_confinement"] == (86, 89) and r["former_undated_khimiya"] == (41, 74)
    assert r["former_undated_no_regime"] == (33, 43) and r["former_undated_arrest"] == (5, 10)
    assert r["active_home_confinement"] == (0, 732)
    assert r["detained_after_verdict_khimiya"] == (41, 124)
    assert r["detained_after_verdict_colony_or_prison"][0] == 5
    assert r["appeal_dated"] == (62, 1542) and r["appeal_after_copy"] == (4, 62)
    assert r["active_with_past_release_date"] == (1, 732) and r["active_without_detention_date"] == (8, 732)
    assert r["np_without_detention_date"] == (364, 450)
    assert r["anonymous"] == (6, 1542) and r["anonymous_np"] == (6, 6)
    assert r["decision_fine_with_term"][0] == 2 and r["decision_term_with_days"][0] == 4
    assert r["decision_unknown"][0] == 5 and r["decision_compulsory_treatment"][0] == 5


def test_decision_classes_read_the_raw_text():
    texts = ["150 base rates", "150 basic values", "3.200 rubles", "8 1/2 years, fine of 8,700 rubles",
             "140 base rates, 18 months", "6 years, 3 months and 2 days", "1 year and 1 day", "unknown",
             "the outcome of the trial is unknown", "coercive treatment", "3 years", "4 1/2 years", "19 months", ""]
    classes = pl.select(decision_class(pl.Series(texts))).to_series().to_list()
    assert classes == ["fine_only"] * 3 + ["fine_with_term"] * 2 + ["term_with_days"] * 2 + ["unknown"] * 2 + [
        "compulsory_treatment"] + [None] * 4


def test_the_sample_is_within_tolerance_of_the_real_half(sample, real):
    comparison = structure_comparison(sample, real)
    tested = comparison.filter(pl.col("within_tolerance").is_not_null())
    assert set(tested["rate"]) == set(STRUCTURE_TOLERANCES)
    outside = tested.filter(~pl.col("within_tolerance"))
    assert outside.height == 0, outside.select("rate", "sample", "real", "tolerance").rows()
    undated = comparison.filter(pl.col("rate") == "former_undated").row(0, named=True)
    assert abs(undated["sample"] - undated["real"]) <= 0.05  # the key rate: within 5 percentage points
    for rate, reason in NOT_MEASURABLE_IN_HALF.items():
        row = comparison.filter(pl.col("rate") == rate).row(0, named=True)
        assert row["real"] is None and row["note"].startswith("not measurable in the anonymised half")
        assert row["sample_numerator"] > 0, rate  # the sample has the pattern, at the assumed rate
    birthday = comparison.filter(pl.col("rate") == "birthday_year_only").row(0, named=True)
    assert birthday["within_tolerance"] is None and "not comparable" in birthday["note"]


def test_undated_formers_stay_undated_in_later_copies():
    dates = ["2025-09-30", "2025-10-31", "2025-12-31", "2026-02-28"]
    copies = [read_machine(d) for d in dates]
    seen = 0
    for earlier, later in zip(copies, copies[1:]):
        for rid, row in earlier.items():
            if row["status"] == "former" and not row["release_date"] and not row["died"]:
                assert later[rid]["status"] == "former" and later[rid]["release_date"] == ""
                seen += 1
    assert seen > 1000


def test_restricted_freedom_and_home_confinement_as_in_real_copies():
    rows = read_machine("2026-02-28").values()
    khimiya = [r for r in rows if r["penalty"].startswith("restricted freedom in an open") and r["arrested"]
               and r["verdict_date"]]
    after = [r for r in khimiya if r["arrested"] > r["verdict_date"]]
    assert 0.25 <= len(after) / len(khimiya) <= 0.40
    assert all(r["penalty_start_date"] == r["arrested"] for r in after)  # taken to the open facility that day
    for date in ("2025-09-30", "2025-10-31", "2025-12-31", "2026-02-28"):
        assert not [r for r in read_machine(date).values()
                    if r["status"] == "active" and "home confinement" in r["penalty"]]


def test_structure_rates_of_a_hand_made_table():
    import datetime as dt

    d = dt.date
    base = {"snapshot_date": d(2026, 1, 31), "name_raw": "A B", "gender": None, "url_slug": None,
            "died_from": None, "died_in_custody": False, "appeal_date_from": None, "birth_date_precision": None,
            "release_date_to": None, "verdict_date_to": None, "arrested_from": d(2025, 1, 1), "sentence_raw": None}
    people = [
        {**base, "status": "former", "penalty_regime": "home_confinement", "release_date_from": None},
        {**base, "status": "former", "penalty_regime": "colony", "release_date_from": d(2025, 6, 1),
         "release_date_to": d(2025, 6, 1)},
        {**base, "status": "active", "penalty_regime": "khimiya", "release_date_from": None,
         "verdict_date_to": d(2024, 12, 1), "appeal_date_from": d(2026, 2, 15)},
        {**base, "status": "np", "penalty_regime": "fine", "release_date_from": None, "arrested_from": None,
         "name_raw": "", "sentence_raw": "150 base rates"},
    ]
    r = rates(structure_rates(pl.DataFrame(people)))
    assert r["former_undated"] == (1, 2) and r["former_undated_home_confinement"] == (1, 1)
    assert r["detained_after_verdict_khimiya"] == (1, 1) and r["appeal_after_copy"] == (1, 1)
    assert r["np_without_detention_date"] == (1, 1) and r["anonymous"] == (1, 4)
    assert r["decision_fine_only"] == (1, 1)


def test_the_generated_forms_are_there():
    rows = list(read_machine("2026-02-28").values())
    decisions = [r["decision"] for r in rows]
    assert any(re.fullmatch(r"\d+ base rates", d) for d in decisions)
    assert any(re.fullmatch(r".+ and \d+ days?", d) for d in decisions)
    assert any(", fine of " in d or re.match(r"\d+ base rates, \d+ months", d) for d in decisions)
    assert any(d in ("unknown", "result unknown", "the outcome of the trial is unknown") for d in decisions)
    assert any(r["penalty"] == "compulsory psychiatric treatment" for r in rows)
    anonymous = [r for r in rows if r["name"] == ""]
    assert anonymous and all(r["status"] == "np" for r in anonymous)
    urls = [r["url"] for r in anonymous]
    assert len(set(urls)) < len(urls)  # several anonymous records share one URL
    assert any(re.search(r"[\u0400-\u04ff]", r["name"]) and re.search(r"[A-Za-z]", r["name"]) for r in rows)
    active = [r for r in rows if r["status"] == "active"]
    assert 1 <= sum(bool(r["release_date"]) and r["release_date"] <= "2026-02-28" for r in active) <= 5
    assert any(r["appeal_date"] > "2026-02-28" for r in rows)


def test_config_states_the_measured_values():
    text = (REPO / "src" / "analysis" / "synthetic" / "config.py").read_text(encoding="utf-8")
    for name in ("UNDATED_FORMER_BY_REGIME", "UNDATED_FORMER_ODDS_FACTOR", "TAKEN_AFTER_VERDICT",
                 "ACTIVE_WITH_PAST_RELEASE_SHARE", "ACTIVE_WITHOUT_DETENTION_DATE", "NP_WITHOUT_DETENTION_DATE",
                 "DECISION_FORMS", "ANONYMOUS_NP_SHARE", "GENDER_INCONSISTENT_SHARE",
                 "LATIN_NAME_CYRILLIC_LETTER_SHARE"):
        block = text[text.index(name):][:600]
        assert "real" in block or "ASSUMED" in text[:text.index(name)][-600:], name
    assert 0 < C.UNDATED_FORMER_ODDS_FACTOR < 3


def test_the_calibration_command_prints_both_tables():
    result = CliRunner().invoke(__import__("analysis.cli", fromlist=["main"]).main,
                                ["sample", "calibration", "--root", str(REPO)], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    assert "against published figures" in result.output and "against the anonymised real half" in result.output
    assert "0 outside tolerance" in result.output
    assert re.search(r"\d+ structural rates; \d+ with a tolerance, 0 outside it", result.output)
