"""The two tiers: small-count suppression, who may be named, and the leak scan every publication passes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import html
import json
import re
import shutil

import polars as pl
import pytest
from click.testing import CliRunner

from analysis.publish import leakscan
from analysis.cli import main
from analysis.core.errors import InputError, PrivacyViolation
from analysis.core.paths import project_paths
from analysis.core.periods import Period
from analysis.tables import disclosure
from conftest import rewrite_snapshot_file, tree_digest

PERIOD = "2026-02"
HOSTILE = "<img src=x onerror=alert(1)>"


# ------------------------------------------------------------------ small counts


def _cells(*rows):
    return pl.DataFrame(rows, schema={"dimension": pl.String, "category": pl.String, "persons": pl.Int64,
                                      "share": pl.Float64}, orient="row")


def test_small_cells_are_blanked_with_the_next_smallest_when_alone():
    cells = _cells(("gender", "male", 900, 0.9), ("gender", "female", 98, 0.098), ("gender", "unknown", 2, 0.002),
                   ("age", "18-29", 500, 0.5), ("age", "30-59", 497, 0.497), ("age", "60+", 1, 0.001),
                   ("age", "under 18", 2, 0.002), ("facility", "colony", 0, 0.0))
    out = disclosure.suppress_small_counts(cells, "persons", "dimension", 3, hide=("share",))
    hidden = {(r["dimension"], r["category"]) for r in out.filter(pl.col("suppressed")).iter_rows(named=True)}
    # gender: the lone small cell takes the next smallest (98) with it, or 2 = total - 900 - 98;
    # age: two small cells already hide each other; a zero cell singles no one out.
    assert hidden == {("gender", "unknown"), ("gender", "female"), ("age", "60+"), ("age", "under 18")}
    assert out.filter(pl.col("suppressed"))["persons"].null_count() == 4
    assert out.filter(pl.col("suppressed"))["share"].null_count() == 4
    assert out.filter(~pl.col("suppressed"))["persons"].to_list() == [900, 500, 497, 0]


def _policy(root, value) -> None:
    path = root / "decisions" / "privacy_policy.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"small_count_threshold:\n  value: {value}\n  reason: a test of the threshold (SYNTHETIC)\n")


def test_the_threshold_comes_from_the_policy_file(tmp_path):
    paths = project_paths(tmp_path)
    with pytest.raises(InputError, match="privacy_policy.yaml.*missing"):
        disclosure.load_policy(paths)
    _policy(tmp_path, 5)
    assert disclosure.load_policy(paths).small_count_threshold == 5
    _policy(tmp_path, "zero")
    with pytest.raises(InputError, match="field .small_count_threshold.value.*valid integer"):
        disclosure.load_policy(paths)
    (tmp_path / "decisions" / "privacy_policy.yaml").write_text("small_count_threshold:\n  value: 3\n")
    with pytest.raises(InputError, match="small_count_threshold.reason"):
        disclosure.load_policy(paths)


@pytest.mark.parametrize("text, message", [
    ("record_id,reason\n12,\n", "row 1.*field 'reason'.*has no reason"),
    ("record_id,reason\nabc,asked\n", "row 1.*field 'record_id'.*not a positive integer"),
    ("id,why\n12,asked\n", "row 0.*record_id, reason missing from the header"),
])
def test_a_bad_withheld_list_is_refused_naming_row_and_field(tmp_path, text, message):
    _policy(tmp_path, 3)
    (tmp_path / "decisions" / "withheld_records.csv").write_text(text)
    with pytest.raises(InputError, match=message):
        disclosure.load_policy(project_paths(tmp_path))


def test_a_small_project_suppresses_and_says_where(published_small):
    folder = published_small / "reports" / PERIOD
    composition = pl.read_parquet(folder / "tables" / "composition.parquet")
    suppressed = composition.filter(pl.col("suppressed"))
    assert suppressed.height > 0, "a tenth of the sample has categories of one or two people"
    assert suppressed["persons"].null_count() == suppressed.height
    assert composition.filter(~pl.col("suppressed"))["persons"].min() >= 3
    html = (folder / "report.html").read_text()
    for dimension in suppressed["dimension"].unique().to_list():
        assert f"composition by {dimension}" in html
    assert "suppressed (small count)" in html
    stock = pl.read_parquet(folder / "tables" / "stock.parquet")   # headline totals stay exact
    assert stock["held"].null_count() == 0


# ------------------------------------------------------------------ who may be named


def _release_records(*rows):
    return pl.DataFrame(rows, schema={"record_id": pl.Int64, "release_date": pl.Date, "mechanism": pl.String,
                                      "destination": pl.String, "identity_publishable": pl.Boolean}, orient="row")


def test_only_consenting_unlisted_people_with_a_name_of_their_own_are_named(sample_project):
    paths = project_paths(sample_project)
    persons = pl.read_parquet(paths.ingest / "restricted" / "registry" / "2026-02-28" / "persons.parquet")
    everyone = disclosure.all_persons(paths)
    unique = everyone.group_by("name_raw").agg(pl.col("record_id").n_unique().alias("n")).filter(pl.col("n") == 1)
    candidates = persons.filter(pl.col("name_raw").is_in(unique["name_raw"].implode())).head(3)
    someone, listed, refused = candidates["record_id"].to_list()
    # The copy must agree that they were released (naming fails closed): former, no release date given.
    persons = persons.with_columns(
        status=pl.when(pl.col("record_id").is_in(candidates["record_id"].implode())).then(pl.lit("former"))
        .otherwise(pl.col("status")),
        release_date_from=pl.when(pl.col("record_id").is_in(candidates["record_id"].implode())).then(None)
        .otherwise(pl.col("release_date_from")))
    day, start, end = dt.date(2026, 2, 10), dt.date(2026, 2, 1), dt.date(2026, 2, 28)
    records = _release_records((someone, day, "pardon", "belarus", True), (listed, day, "pardon", "belarus", True),
                               (refused, day, "pardon", "belarus", False))
    policy = disclosure.PrivacyPolicy(withheld_ids=frozenset({listed}))
    named = disclosure.named_releases(persons, records, policy, start, end, disclosure.name_owners(everyone))
    name = persons.filter(pl.col("record_id") == someone)["name_raw"][0]
    assert named["name_raw"].to_list() == [name]
    assert disclosure.named_releases(persons, records, policy, start, dt.date(2026, 2, 9),
                                  disclosure.name_owners(everyone)).height == 0
    # The same person, but someone else in the data has their name: not named.
    namesake = everyone.filter(pl.col("record_id") == refused).with_columns(
        pl.lit(name.upper()).alias("name_raw"), pl.lit(None, pl.String).alias("name_latin"))
    assert disclosure.named_releases(persons, records, policy, start, end,
                                  disclosure.name_owners(pl.concat([everyone, namesake]))).height == 0
    # Fail closed: the copy still lists them as held, or dates their release otherwise: not named.
    for status, released in (("active", None), ("former", dt.date(2025, 1, 1))):
        disagreeing = persons.with_columns(
            status=pl.when(pl.col("record_id") == someone).then(pl.lit(status)).otherwise(pl.col("status")),
            release_date_from=pl.when(pl.col("record_id") == someone).then(pl.lit(released, pl.Date))
            .otherwise(pl.col("release_date_from")),
            release_date_to=pl.when(pl.col("record_id") == someone).then(pl.lit(released, pl.Date))
            .otherwise(pl.col("release_date_to")))
        assert disclosure.named_releases(disagreeing, records, policy, start, end, disclosure.name_owners(everyone)).height == 0


def test_a_person_whose_name_is_withheld_is_never_named():
    """Consent to be named means nothing without a name: an anonymous record is counted, never listed."""
    persons = pl.DataFrame({"record_id": [900, 901], "name_raw": [None, "Maryia Testava"],
                            "name_latin": [None, "Maryia Testava"], "name_cyrillic": [None, None],
                            "status": ["former", "former"], "died_in_custody": [False, False],
                            "release_date_from": [None, None], "release_date_to": [None, None]},
                           schema={"record_id": pl.Int64, "name_raw": pl.String, "name_latin": pl.String,
                                   "name_cyrillic": pl.String, "status": pl.String, "died_in_custody": pl.Boolean,
                                   "release_date_from": pl.Date, "release_date_to": pl.Date})
    day = dt.date(2026, 2, 10)
    records = _release_records((900, day, "pardon", "belarus", True), (901, day, "pardon", "belarus", True))
    owners = disclosure.name_owners(persons)
    assert set(owners) == {"maryia testava"}
    named = disclosure.named_releases(persons, records, disclosure.PrivacyPolicy(), dt.date(2026, 2, 1),
                                   dt.date(2026, 2, 28), owners)
    assert named["name_raw"].to_list() == ["Maryia Testava"]


# ------------------------------------------------------------------ the leak scan


@pytest.fixture(scope="module")
def published_sample(tmp_path_factory):
    """The default period of the whole embedded sample, built and published by `analysis run`."""
    from conftest import REPO

    root = tmp_path_factory.mktemp("privacy-sample") / "project"
    for folder in ("data/raw", "decisions", "notebooks", "expectations"):
        shutil.copytree(REPO / folder, root / folder)
    result = CliRunner().invoke(main, ["run", "--root", str(root), "--period", PERIOD])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def published_small(small_project_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy-small") / "project"
    shutil.copytree(small_project_template, root, symlinks=True)
    result = CliRunner().invoke(main, ["run", "--root", str(root), "--period", PERIOD])
    assert result.exit_code == 0, result.output
    return root


def _restricted(root):
    paths = project_paths(root)
    leaks_allowed = disclosure.named_releases(*_reference(paths), disclosure.load_policy(paths), Period.parse(PERIOD).start,
                                           Period.parse(PERIOD).end, disclosure.ingested_name_owners(paths))
    allowed = {disclosure.name_fold(n) for n in leaks_allowed["name_raw"]}
    return leakscan.restricted_values(paths, disclosure.load_policy(paths), allowed), allowed


def _reference(paths):
    from analysis.tables import load_inputs

    inputs = load_inputs(paths, Period.parse(PERIOD))
    return inputs.persons, inputs.release_records


def test_the_whole_published_sample_holds_no_restricted_value(published_sample):
    restricted, allowed = _restricted(published_sample)
    assert len(restricted.names) > 8000 and len(restricted.birth_dates) > 3000 and restricted.withheld_ids
    assert any(any("а" <= ch <= "я" for ch in n) for n in restricted.names), "names in Cyrillic too"
    reports = published_sample / "reports"
    scanned = [p for p in reports.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in scanned} | {".vl.json" for p in scanned if p.name.endswith(".vl.json")}
    assert {".parquet", ".json", ".ipynb", ".svg", ".png", ".html", ".yaml", ".vl.json"} <= kinds
    assert leakscan.scan_folder(reports, restricted) == []
    assert allowed, "the sample names some consenting released people"


def _withheld_person(root):
    paths = project_paths(root)
    persons = pl.concat([pl.read_parquet(p) for p in sorted(
        (paths.ingest / "restricted" / "registry").glob("*/persons.parquet"))], how="diagonal_relaxed")
    withheld = disclosure.load_policy(paths).withheld_ids
    row = persons.filter(pl.col("record_id").is_in(list(withheld)) & (pl.col("birth_date_precision") == "day")).row(
        0, named=True)
    cyrillic = persons.filter(pl.col("name_cyrillic").is_not_null())["name_cyrillic"][0]
    return row, cyrillic


@pytest.mark.parametrize("plant, kind", [
    (lambda p, c: p["name_raw"].upper(), "name"),
    (lambda p, c: c, "name"),
    (lambda p, c: p["birth_date_from"].isoformat(), "birth date"),
    (lambda p, c: p["birth_date_from"].strftime("%d.%m.%Y"), "birth date"),
    (lambda p, c: f'"record_id": {p["record_id"]}', "withheld record id"),
    (lambda p, c: f"https://prisoners.spring96.org/en/person/{p['url_slug']}", "URL slug"),
])
def test_the_scanner_finds_a_planted_leak_in_any_kind_of_file(published_sample, tmp_path, plant, kind):
    restricted, _ = _restricted(published_sample)
    person, cyrillic = _withheld_person(published_sample)
    value = plant(person, cyrillic)
    build = tmp_path / "build"
    shutil.copytree((published_sample / "reports" / PERIOD).resolve(), build)
    chart = build / "charts" / "fig-stock-over-time.vl.json"
    spec = json.loads(chart.read_text())
    spec["datasets"][next(iter(spec["datasets"]))][0]["note"] = value        # escaped as \\u in JSON
    chart.write_text(json.dumps(spec, ensure_ascii=True))
    table = pl.read_parquet(build / "tables" / "deaths.parquet").with_columns(pl.lit(value).alias("note"))
    table.write_parquet(build / "tables" / "deaths.parquet")
    html = build / "report.html"
    html.write_text(html.read_text().replace("</body>", f"<p>{value.replace('<', '&lt;')}</p></body>"))
    leaks = leakscan.scan_folder(build, restricted)
    found = {(leak.file, leak.kind) for leak in leaks}
    for file in ("charts/fig-stock-over-time.vl.json", "tables/deaths.parquet", "report.html"):
        assert (file, kind) in found, (file, kind, found)
    assert all(value not in leak.line() for leak in leaks), "a leak report must not repeat the value"


# How a withheld name is disguised (the held-out attack): each must still be found in every public file type.
LOOK_ALIKES = str.maketrans({"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "A": "А",
                             "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р", "T": "Т"})
DISGUISES = {
    "zero-width joiner inside a word": lambda name: name[:2] + "\u200d" + name[2:],
    "soft hyphen and zero-width space": lambda name: name[:3] + "\u00ad" + name[3:5] + "\u200b" + name[5:],
    "right-to-left override between the words": lambda name: name.replace(" ", "\u202e", 1),
    "Cyrillic look-alike letters": lambda name: name.translate(LOOK_ALIKES),
    "Cyrillic look-alikes in capitals": lambda name: name.upper().translate(LOOK_ALIKES),
    "full-width letters": lambda name: "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in name),
    "underscores for spaces": lambda name: name.replace(" ", "__"),
    "dots and a hyphen for spaces": lambda name: name.replace(" ", ".-."),
    "no space at all": lambda name: name.replace(" ", ""),
}


@pytest.mark.parametrize("disguise", sorted(DISGUISES))
def test_a_disguised_withheld_name_is_found_in_every_public_file_type(published_sample, tmp_path, disguise):
    restricted, _ = _restricted(published_sample)
    person, _ = _withheld_person(published_sample)
    value = DISGUISES[disguise](person["name_latin"] or person["name_raw"])
    assert value != (person["name_latin"] or person["name_raw"])
    build = tmp_path / "build"
    shutil.copytree((published_sample / "reports" / PERIOD).resolve(), build)
    chart = build / "charts" / "fig-stock-over-time.vl.json"
    spec = json.loads(chart.read_text())
    spec["title"]["text"] = value
    chart.write_text(json.dumps(spec, ensure_ascii=True))                       # JSON, \u-escaped
    svg = build / "charts" / "fig-deaths.svg"
    svg.write_text(svg.read_text().replace("</svg>", f"<text>{html.escape(value)}</text></svg>"))
    table = pl.read_parquet(build / "tables" / "deaths.parquet").with_columns(pl.lit(value).alias("note"))
    table.write_parquet(build / "tables" / "deaths.parquet")                    # a Parquet cell
    report = build / "report.html"
    report.write_text(report.read_text().replace("</body>", f"<p>{html.escape(value)}</p></body>"))
    (build / "numbers.yaml").write_text((build / "numbers.yaml").read_text() + f"# {value}\n")
    manifest = build / "MANIFEST.json"                                          # a raw file's name in the manifest
    manifest.write_text(manifest.read_text().replace("registry_2026-02-28.csv", f"{value}.csv"))
    (build / "charts" / f"{value}.txt").write_text("")                          # a file name in the build
    found = {(leak.file.split("/")[-1] if leak.where == "its path" else leak.file, leak.kind)
             for leak in leakscan.scan_folder(build, restricted)}
    for file in ("charts/fig-stock-over-time.vl.json", "charts/fig-deaths.svg", "tables/deaths.parquet",
                 "report.html", "numbers.yaml", "MANIFEST.json", f"{value}.txt"):
        assert (file, "name") in found, (disguise, file)


def test_a_disguised_name_stops_the_publication(published_sample):
    paths = project_paths(published_sample)
    person, _ = _withheld_person(published_sample)
    target = paths.reports / PERIOD
    before = tree_digest(target.resolve())
    build = paths.reports / ".builds" / f"{PERIOD}-disguised"
    shutil.copytree(target.resolve(), build)
    ledger_title = DISGUISES["Cyrillic look-alike letters"](person["name_latin"] or person["name_raw"])
    (build / "report.html").write_text((build / "report.html").read_text().replace(
        "</body>", f"<li>{html.escape(ledger_title)}</li></body>"))
    with pytest.raises(PrivacyViolation, match="report.html: line .*: a restricted name"):
        leakscan.publish_checked(paths, Period.parse(PERIOD), build, target)
    assert tree_digest(target.resolve()) == before
    shutil.rmtree(build, ignore_errors=True)


def test_a_build_with_a_leak_is_not_published_and_the_last_good_one_stays(published_sample, tmp_path):
    paths = project_paths(published_sample)
    person, _ = _withheld_person(published_sample)
    target = paths.reports / PERIOD
    before = tree_digest(target.resolve())
    build = paths.reports / ".builds" / f"{PERIOD}-leaky"
    shutil.copytree(target.resolve(), build)
    (build / "notebooks" / "note.txt").write_text(f"checked {person['name_latin'] or person['name_raw']}\n")
    with pytest.raises(PrivacyViolation, match="notebooks/note.txt: line 1: a restricted name"):
        leakscan.publish_checked(paths, Period.parse(PERIOD), build, target)
    assert tree_digest(target.resolve()) == before
    shutil.rmtree(build)


# ------------------------------------------------------------------ hostile text from the data


def test_a_hostile_name_is_shown_as_text_in_the_report(small_project):
    """A consenting released person whose listed name is HTML: the report shows the characters, runs nothing."""
    paths = project_paths(small_project)
    records = next((paths.raw / "releases").glob("*/SYNTHETIC_release_records.csv"))
    rows = list(csv.DictReader(io.StringIO(records.read_text(encoding="utf-8"))))
    snapshot = next((paths.raw / "registry" / "2025-12-31").glob("*.csv"))   # 2025-12 is counted from it
    people = list(csv.reader(io.StringIO(snapshot.read_text(encoding="utf-8"), newline="")))
    ids = {r[0] for r in people[1:]}
    chosen = next(r for r in rows if r["record_id"] in ids and r["release_date"].startswith("2025-12")
                  and r["record_id"] not in ("1838", "6882"))
    chosen["identity_publishable"] = "true"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    rewrite_snapshot_file(records, buffer.getvalue().encode("utf-8"))
    header = people[0]
    for row in people[1:]:
        if row[0] == chosen["record_id"]:
            row[header.index("name")] = HOSTILE
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(people)
    rewrite_snapshot_file(snapshot, buffer.getvalue().encode("utf-8"))
    result = CliRunner().invoke(main, ["run", "--root", str(small_project), "--period", "2025-12"])
    assert result.exit_code == 0, result.output
    folder = small_project / "reports" / "2025-12"
    html = (folder / "report.html").read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html, "the name is listed, escaped"
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".svg", ".ipynb", ".json", ".yaml"):
            assert HOSTILE not in path.read_text(encoding="utf-8", errors="replace"), path


def test_a_blocked_runs_validation_is_kept_for_inspection_only_if_it_is_clean(published_sample, tmp_path):
    from analysis.cycle.run import _keep_failed_validation

    paths = project_paths(published_sample)
    person, _ = _withheld_person(published_sample)
    build = tmp_path / "build"
    shutil.copytree((paths.reports / PERIOD).resolve() / "validation", build / "validation")
    kept = paths.reports / ".failed" / PERIOD / "validation"
    _keep_failed_validation(paths, Period.parse(PERIOD), build)
    assert (kept / "summary.json").exists()
    (build / "validation" / "validation.html").write_text(f"<p>{person['name_raw']}</p>")
    _keep_failed_validation(paths, Period.parse(PERIOD), build)
    assert not kept.exists(), "a page naming someone stays out of reports/"


def test_the_sample_report_names_exactly_the_consenting_unconflicted_people(published_sample):
    """Worked out here without the package's naming code: consent, in the period, not withheld, the copy
    agrees they were released (not active, not dead in custody, its release date if any the record's), and
    no one else in any copy bears the name."""
    from analysis.tables import load_inputs

    paths = project_paths(published_sample)
    inputs = load_inputs(paths, Period.parse(PERIOD))
    period = Period.parse(PERIOD)
    everyone = disclosure.all_persons(paths)
    records = inputs.release_records.filter(pl.col("identity_publishable") & pl.col("release_date").is_between(
        period.start, period.end) & ~pl.col("record_id").is_in(list(inputs.policy.withheld_ids)))
    joined = inputs.persons.join(records.select("record_id", "release_date"), on="record_id")
    agree = joined.filter((pl.col("status") != "active") & ~pl.col("died_in_custody")
                          & (pl.col("release_date_from").is_null()
                             | pl.col("release_date").is_between(pl.col("release_date_from"), pl.col("release_date_to"))))
    expected = sorted(name for name, record_id in agree.select("name_raw", "record_id").iter_rows()
                      if name and disclosure.name_owners(everyone).get(disclosure.name_fold(name), frozenset()) <= {record_id})
    html_text = (published_sample / "reports" / PERIOD / "report.html").read_text(encoding="utf-8")
    section = html_text[html_text.index('id="named"'):html_text.index("Named: ")]
    shown = sorted(html.unescape(cell) for cell in
                   re.findall(r"<tr><td>([^<]*)</td><td>\d{4}-\d{2}-\d{2}</td>", section))
    assert shown == expected and len(expected) > 5
