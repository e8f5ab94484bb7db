"""parse_penalty: English, Russian and Belarusian wordings; open vocabulary ends in "other"."""

from __future__ import annotations

import pytest

from analysis.ingest.parsing import COLONY_SECURITY, PENALTY_REGIMES, Penalty, parse_penalty

CASES = [
    # English (REGISTRY_FORMAT.md wordings first)
    ("imprisonment in a general-security penal colony", "colony", "general"),
    ("imprisonment in a medium-security penal colony", "colony", "medium"),
    ("imprisonment in a maximum-security penal colony", "colony", "maximum"),
    ("Imprisonment in a General Security Penal Colony", "colony", "general"),
    ("general regime", "colony", "general"),
    ("penal colony, reinforced regime", "colony", "medium"),
    ("enhanced regime colony", "colony", "medium"),
    ("strict regime colony", "colony", "maximum"),
    ("imprisonment in a penal colony", "colony", None),
    ("special regime colony", "colony", None),
    ("imprisonment in a high security prison", "prison", None),
    ("prison regime", "prison", None),
    ("restricted freedom in an open penal facility", "khimiya", None),
    ("khimiya", "khimiya", None),
    ("restricted freedom in an open-type correctional institution (khimiya)", "khimiya", None),
    ("restricted freedom under home confinement", "home_confinement", None),
    ("domashnyaya khimiya", "home_confinement", None),
    ("restriction of freedom without being sent to an open-type institution", "home_confinement", None),
    ("suspended imprisonment", "suspended", None),
    ("deferred", "suspended", None),
    ("deferred execution of the sentence", "suspended", None),
    ("arrest", "arrest", None),
    ("fine", "fine", None),
    ("imprisonment in a general-security penal colony and a fine", "colony", "general"),
    # Russian
    ("лишение свободы в исправительной колонии общего режима", "colony", "general"),
    ("лишение свободы в исправительной колонии усиленного режима", "colony", "medium"),
    ("лишение свободы в исправительной колонии строгого режима", "colony", "maximum"),
    ("Лишение свободы в исправительной колонии особого режима", "colony", None),
    ("тюремный режим", "prison", None),
    ("лишение свободы с отбыванием в тюрьме", "prison", None),
    ("ограничение свободы с направлением в исправительное учреждение открытого типа", "khimiya", None),
    ("химия", "khimiya", None),
    ("ограничение свободы без направления в исправительное учреждение открытого типа", "home_confinement", None),
    ("домашняя химия", "home_confinement", None),
    ("лишение свободы условно", "suspended", None),
    ("отсрочка исполнения наказания", "suspended", None),
    ("арест", "arrest", None),
    ("штраф", "fine", None),
    # Belarusian
    ("пазбаўленне волі ў папраўчай калоніі агульнага рэжыму", "colony", "general"),
    ("калонія ўзмоцненага рэжыму", "colony", "medium"),
    ("калонія строгага рэжыму", "colony", "maximum"),
    ("турэмны рэжым", "prison", None),
    ("абмежаванне волі з накіраваннем у папраўчую ўстанову адкрытага тыпу", "khimiya", None),
    ("абмежаванне волі без накіравання ў папраўчую ўстанову адкрытага тыпу", "home_confinement", None),
    ("хатняя хімія", "home_confinement", None),
    ("арышт", "arrest", None),
    ("штраф", "fine", None),
]


@pytest.mark.parametrize(("text", "regime", "security"), CASES)
def test_parse_penalty(text, regime, security):
    assert parse_penalty(text) == Penalty(regime, security, text)


@pytest.mark.parametrize(
    "text",
    ["imprisonment", "лишение свободы", "compulsory medical treatment", "house arrest", "домашний арест",
     "restricted freedom", "xyz"],
)
def test_unrecognised_is_other_not_an_error(text):
    assert parse_penalty(text) == Penalty("other", None, text)


def test_conflicting_security_levels_are_not_guessed():
    text = "general or strict regime colony"
    assert parse_penalty(text) == Penalty("colony", None, text)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_is_none(text):
    assert parse_penalty(text) is None


def test_raw_is_stripped_and_vocabularies_are_closed():
    p = parse_penalty("  fine \n")
    assert p.raw == "fine"
    for _, regime, security in CASES:
        assert regime in PENALTY_REGIMES
        assert security is None or security in COLONY_SECURITY
