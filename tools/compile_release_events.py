"""How data/raw/releases/2026-11-22/release_events.csv was compiled from the figures ledger (kept as its provenance).

Run once, from the repository root, when the file was created; raw files are never rewritten, so
re-running it is only a check that the recorded compilation still yields the same bytes.
"""
import csv, datetime as dt
from pathlib import Path
from analysis.ingest.figures import read_ledger
from analysis.ingest.provenance import SnapshotMetadata, describe_file, write_metadata

ledger = read_ledger(Path("data/raw"))
ids = dict(zip(ledger["row_number"].to_list(), ledger["figure_id"].to_list()))
def f(*rows): return ";".join(ids[r] for r in rows)

COLUMNS = ["event_id", "date", "date_precision", "released", "political_prisoners_released", "mechanism",
           "destination", "expelled_to_lithuania", "expelled_to_ukraine", "without_documents",
           "without_documents_qualifier", "foreign_nationals", "mediator", "counts_toward_list",
           "source_figure_ids", "notes"]
E = []
def ev(event_id, date, released, mechanism="pardon", destination="not_reported", *, precision="day",
       political="", lt="", ua="", wod="", wodq="", foreign="", mediator="", counts="unknown", rows=(), notes=""):
    E.append([event_id, date, precision, released, political, mechanism, destination, lt, ua, wod, wodq,
              foreign, mediator, counts, f(*rows), notes])

ev("2024-07-pardon", "2024-07-11", 18, precision="approximate", rows=(38, 42), notes=(
   "AP: 18 political prisoners released in July 2024, no day given. Viasna (via Reuters) on 2024-07-11 knew "
   "of at least 10 released (3 women, 7 men). Dated 2024-07-11, the only July day the ledger gives; the 18 "
   "may have been released over several days of July. Destination not stated."))
ev("2024-08-16-pardon", "2024-08-16", 30, rows=(44, 43), notes=(
   "Babel.ua timeline dates the decree pardoning 30 people 2024-08-16; AP (article of 2024-09-04) says "
   "'last month' 30 people convicted of participating in mass protests were pardoned. Treated as one wave."))
ev("2024-08-22-pardon", "2024-08-22", 13, rows=(45,), notes=(
   "Human rights activists (via Helm News) call all 13 pardoned political prisoners; whether all are on "
   "Viasna's list is not stated."))
ev("2024-09-04-pardon", "2024-09-04", 30, rows=(49, 50), notes=(
   "Lukashenko press service (via AP) and Babel.ua timeline agree: 30 people serving sentences for "
   "'protest-related crimes'."))
ev("2024-09-16-pardon", "2024-09-16", 37, rows=(51,), notes="Babel.ua timeline: 'on September 16 - another 37 people'.")
ev("2024-11-07-pardon", "2024-11-07", 31, rows=(53,), notes=(
   "Babel.ua timeline: 'another 31 political prisoners'. Viasna's 1,287 (via TGCOM24, row dated 2024-11) "
   "was reported with this pardon."))
ev("2024-11-20-pardon", "2024-11-20", 32, rows=(54,), notes="Babel.ua timeline: 'and on November 20 - another 32'.")
ev("2024-12-09-pardon", "2024-12-09", 29, rows=(55, 56), notes=(
   "Press service: 29 people convicted of 'extremist crimes', 11 women and 18 men. Viasna (via rks.news) calls "
   "it the seventh pardon of 2024 bringing releases to 178, fewer than the 220 in this file's 2024 waves to "
   "that date (not all pardoned are on Viasna's list). Viasna also reports 49 pardoned in December 2024 "
   "(not all in this wave)."))
ev("2025-01-18-pardon", "2025-01-18", 23, rows=(64, 65), notes=(
   "Lukashenka press office (via Pozirk): 23 people who committed 'extremist' crimes. Pozirk counts eight "
   "waves and 250 released in 2024."))
ev("2025-05-07-pardon", "2025-05-07", 42, rows=(66, 67), notes=(
   "Press service (via CIVICUS): 42 more political prisoners pardoned; Viasna: releases by pardon since "
   "July 2024 now exceed 300."))
ev("2025-06-21-pardon", "2025-06-21", 14, "pardon_with_expulsion", "lithuania", lt=14, mediator="United States",
   rows=(72, 89), notes=(
   "Lithuanian government (via Reuters): Siarhei Tsikhanouski and 13 other prisoners released and 'now free in "
   "Lithuania'; compiler's note: brokered by US envoy Keith Kellogg. Counted as expulsion because the "
   "released were taken straight to Lithuania; Viasna's 189 expelled in 2025 equals 14 + 52 + 123 "
   "(the three waves to Lithuania/Ukraine). How many of the 14 are on Viasna's list is not stated."))
ev("2025-09-11-pardon", "2025-09-11", 52, "pardon_with_expulsion", "lithuania", political=40, lt=52, foreign=14,
   mediator="United States", rows=(75, 74, 76, 107, 89, 73), notes=(
   "52 crossed into Lithuania (Lithuanian president); Belta: 14 foreign citizens among them (6 Lithuanians, "
   "2 Latvians, 2 Poles, 2 Germans, 1 French, 1 British); HRW: 40 political prisoners among the released, "
   "expelled to Lithuania. Mediator: the source headline says 'after Trump's envoy's visit' (compiler's "
   "note: US envoy John Coale). counts_toward_list unknown because only 40 of 52 are stated to be political "
   "prisoners."))
ev("2025-09-16-pardon", "2025-09-16", 25, rows=(77, 121), notes=(
   "Two dates: HRW says Lukashenka signed the pardon on 16 September; the Polish statement at HRC60 is dated "
   "17 September in the ledger ('on the eve of national unity day', which is 17 September, so its eve is "
   "the 16th). 16 September chosen. HRW: unclear how many political prisoners are among the 25."))
ev("2025-11-22-pardon", "2025-11-22", 31, foreign=31, rows=(79,), notes=(
   "Viasna (via Reform.news): Lukashenka 'pardoned' 31 Ukrainian citizens. Not stated that they are on "
   "Viasna's list of political prisoners; destination not stated."))
ev("2025-12-13-pardon", "2025-12-13", 123, "pardon_with_expulsion", "mixed", political=123, lt=9, ua=114, wod=18,
   wodq="at least", mediator="United States", counts="true", rows=(83, 84, 81, 80, 85, 82, 107, 108, 89, 86),
   notes=(
   "Viasna: 123 political prisoners pardoned and released. 114 sent to Ukraine (Meduza), the other 9 to "
   "Lithuania (AP); at least 18 taken to Ukraine without identity documents (rights groups via AP). Ukrainian "
   "authorities count 104 Belarusians among those transferred to Ukraine (the other 10 of 114 are not "
   "described). US-brokered per Reuters headline. Joint statement: 163 of the 175 released on 11 Sep and "
   "13 Dec had been convicted in political cases (consistent with 40 + 123)."))
ev("2025-12-30-pardon", "2025-12-30", 22, rows=(95,), notes=(
   "Belarusian state media (via UNN): decree pardoning 22 people, 15 women and 7 men, including those with "
   "minor children."))

folder = Path("data/raw/releases/2026-11-22")
folder.mkdir(parents=True, exist_ok=True)
path = folder / "release_events.csv"
with open(path, "w", encoding="utf-8", newline="") as handle:
    w = csv.writer(handle, lineterminator="\n")
    w.writerow(COLUMNS)
    w.writerows(E)
notes = (
    "Compiled by this project on 2026-11-22 from the figures ledger (data/raw/figures/2026-11-22/"
    "published_figures.csv): one row per release wave the ledger documents, from July 2024 to 30 December "
    "2025. Every number is one the ledger states; source_figure_ids lists the ledger rows (figure_id = 'fig-' + "
    "first 10 hex of the sha256 of the row's fields) that support the row. Where no source says, a cell is "
    "empty, destination is not_reported and counts_toward_list is unknown; nothing is inferred except where "
    "the notes say so (one wave dated approximately, one conflict of dates, expulsion of the 2025-06-21 "
    "wave). Vocabularies: date_precision day|approximate; mechanism pardon, pardon_with_expulsion, "
    "end_of_term, amnesty, exchange, other; destination belarus, lithuania, ukraine, mixed, not_reported; "
    "counts_toward_list true|false|unknown (whether the released are people on Viasna's list; true only "
    "where a source says all were political prisoners); political_prisoners_released = how many of the "
    "released a source calls political prisoners, where stated. Waves the ledger only hints at are not "
    "included (e.g. the rest of the 49 Viasna counts as pardoned in December 2024, and the waves behind "
    "Viasna's 569 pardoned since July 2024 and 342 US-mediated in 2025, which the listed waves do not add "
    "up to).")
write_metadata(folder, SnapshotMetadata(
    source="releases", snapshot_date=dt.date(2026, 11, 22),
    producer="this project, compiled from the figures ledger",
    title="Release waves of political prisoners in Belarus documented in the figures ledger, 2024-2025",
    url="", retrieved=dt.date(2026, 11, 22),
    licence="Facts from the cited publications (see the figures ledger); compilation CC BY 4.0",
    files=(describe_file(path, "one release wave per row; see notes for columns and vocabularies"),),
    synthetic=False, notes=notes))
print(path.read_text()[:600])
