"""Generated names: common Belarusian given names with surnames built from syllables and suffixes.

No name is taken from a real person. Given names are common first names (a first name alone
identifies nobody); surnames are assembled from a first syllable, an optional second syllable
and a surname suffix, so they sound Belarusian without copying anyone's surname, and every
surname is checked against the names of real people that appear in the figures ledger
(`REAL_NAMES_IN_SOURCES`, a test checks no generated file contains any of them).

Every part carries four spellings, so writers can emit any variant seen in real copies:
Belarusian Cyrillic, Russian Cyrillic, Belarusian Latin (passport style: "Maryia",
"Aliaksandr", "Siarhei") and Russian-style Latin ("Maria", "Alexander", "Sergei").
"""

from __future__ import annotations

import random
from dataclasses import dataclass

BE_CYR, RU_CYR, BE_LAT, RU_LAT = 0, 1, 2, 3
VARIANTS = ("be_cyr", "ru_cyr", "be_lat", "ru_lat")

# Surnames (Latin and Cyrillic spellings) of real people named in the ledger's quotes and in the seed
# documents. None may appear in generated data; tests scan every generated file for them.
REAL_NAMES_IN_SOURCES: tuple[str, ...] = (
    "Ashurak", "Dudoit", "Klimovich", "Pushkin", "Khrasko", "Kastusiou", "Berasnieu", "Lutskina",
    "Bialiatski", "Shtermer", "Pidnebennyi", "Padniabenny", "Tsikhanouski", "Tsikhanouskaya", "Kalesnikava",
    "Kolesnikova", "Babariko", "Babaryka", "Znak", "Liubakova", "Lukashenko", "Lukashenka", "Łukašenka",
    "Nauseda", "Kellogg", "Coale", "Moskalenko", "Bazilli", "Muižnieks", "Muiznieks", "Tsikhanouskaya",
    "Ашурак", "Климович", "Клімовіч", "Храсько", "Храско", "Штермер", "Штэрмер", "Беляцкий", "Бяляцкі",
    "Колесникова", "Калеснікава", "Тихановск", "Ціханоўск", "Бабарико", "Бабарыка", "Костусев",
    "Кастусёў", "Пушкин", "Пушкін", "Лукашенко", "Лукашэнка", "Подниебенн", "Паднябенн", "Луцкина",
    "Береснев", "Бераснеў",
)


@dataclass(frozen=True)
class Part:
    """One name part in four spellings: be_cyr, ru_cyr, be_lat, ru_lat."""

    forms: tuple[str, str, str, str]

    def __getitem__(self, variant: int) -> str:
        return self.forms[variant]


def _parts(rows: str) -> tuple[Part, ...]:
    out = []
    for line in rows.strip().splitlines():
        forms = tuple(x.strip() for x in line.split("/"))
        assert len(forms) == 4, line
        out.append(Part(forms))
    return tuple(out)


MALE_GIVEN = _parts("""
Аляксандр / Александр / Aliaksandr / Alexander
Сяргей / Сергей / Siarhei / Sergei
Андрэй / Андрей / Andrei / Andrey
Дзмітрый / Дмитрий / Dzmitry / Dmitry
Павел / Павел / Paval / Pavel
Мікалай / Николай / Mikalai / Nikolai
Уладзімір / Владимир / Uladzimir / Vladimir
Віктар / Виктор / Viktar / Viktor
Юрый / Юрий / Yury / Yuri
Аляксей / Алексей / Aliaksei / Alexei
Ігар / Игорь / Ihar / Igor
Максім / Максим / Maksim / Maxim
Міхаіл / Михаил / Mikhail / Mikhail
Яўген / Евгений / Yauhen / Evgeny
Раман / Роман / Raman / Roman
Вадзім / Вадим / Vadzim / Vadim
Анатоль / Анатолий / Anatol / Anatoly
Ягор / Егор / Yahor / Egor
Кірыл / Кирилл / Kiryl / Kirill
Арцём / Артём / Artsiom / Artem
Мікіта / Никита / Mikita / Nikita
Антон / Антон / Anton / Anton
Генадзь / Геннадий / Henadz / Gennady
Леанід / Леонид / Leanid / Leonid
Пётр / Пётр / Piotr / Petr
Іван / Иван / Ivan / Ivan
Уладзіслаў / Владислав / Uladzislau / Vladislav
Вячаслаў / Вячеслав / Viachaslau / Vyacheslav
Дзяніс / Денис / Dzianis / Denis
Руслан / Руслан / Ruslan / Ruslan
Валерый / Валерий / Valery / Valery
Ян / Ян / Yan / Yan
Зміцер / Дмитрий / Zmitser / Dmitry
Станіслаў / Станислав / Stanislau / Stanislav
Ілья / Илья / Illia / Ilya
""")

FEMALE_GIVEN = _parts("""
Марыя / Мария / Maryia / Maria
Вольга / Ольга / Volha / Olga
Алена / Елена / Alena / Elena
Наталля / Наталья / Natallia / Natalia
Ірына / Ирина / Iryna / Irina
Таццяна / Татьяна / Tatsiana / Tatiana
Святлана / Светлана / Sviatlana / Svetlana
Ксенія / Ксения / Ksenia / Kseniya
Юлія / Юлия / Yulia / Yulia
Ганна / Анна / Hanna / Anna
Кацярына / Екатерина / Katsiaryna / Ekaterina
Людміла / Людмила / Liudmila / Lyudmila
Вікторыя / Виктория / Viktoryia / Viktoria
Дар’я / Дарья / Daryia / Daria
Надзея / Надежда / Nadzeya / Nadezhda
Валянціна / Валентина / Valiantsina / Valentina
Галіна / Галина / Halina / Galina
Аксана / Оксана / Aksana / Oksana
Анастасія / Анастасия / Anastasiya / Anastasia
Паліна / Полина / Palina / Polina
""")

# First syllables (all end in a consonant), optional second syllables (vowel + consonant) and suffixes.
# Belarusian "akanne" shows in Cyrillic (о -> а) and in Latin (Har / Gor).
SYLLABLE_1 = _parts("""
Дуб / Дуб / Dub / Dub
Гар / Гор / Har / Gor
Мал / Мал / Mal / Mal
Жыр / Жир / Zhyr / Zhir
Сал / Сол / Sal / Sol
Тар / Тар / Tar / Tar
Вал / Вол / Val / Vol
Кур / Кур / Kur / Kur
Шаб / Шаб / Shab / Shab
Рад / Рад / Rad / Rad
Мар / Мор / Mar / Mor
Пал / Пол / Pal / Pol
Зал / Зал / Zal / Zal
Гур / Гур / Hur / Gur
Драб / Дроб / Drab / Drob
Сач / Соч / Sach / Soch
Цвір / Цвир / Tsvir / Tsvir
Брыл / Брыл / Bryl / Bryl
Крав / Крав / Krav / Krav
Грам / Гром / Hram / Grom
Лаз / Лаз / Laz / Laz
Чар / Чер / Char / Cher
Явар / Явор / Yavar / Yavor
Стаб / Стаб / Stab / Stab
Руд / Руд / Rud / Rud
Ждан / Ждан / Zhdan / Zhdan
Пруд / Пруд / Prud / Prud
Свір / Свир / Svir / Svir
""")

SYLLABLE_2 = _parts("""
- / - / - / -
- / - / - / -
- / - / - / -
ан / ан / an / an
ар / ар / ar / ar
ул / ул / ul / ul
ын / ын / yn / yn
ач / ач / ach / ach
ыл / ыл / yl / yl
іш / иш / ish / ish
ат / от / at / ot
ец / ец / ets / ets
""")


@dataclass(frozen=True)
class Suffix:
    male: Part
    female: Part


def _suffixes(rows: str) -> tuple[Suffix, ...]:
    out = []
    for line in rows.strip().splitlines():
        male, female = line.split("|")
        out.append(Suffix(_parts(male)[0], _parts(female)[0]))
    return tuple(out)


SUFFIXES = _suffixes("""
энка / енко / enka / enko | энка / енко / enka / enko
овіч / ович / ovich / ovich | овіч / ович / ovich / ovich
скі / ский / ski / sky | ская / ская / skaya / skaya
ук / ук / uk / uk | ук / ук / uk / uk
ец / ец / ets / ets | ец / ец / ets / ets
чык / чик / chyk / chik | чык / чик / chyk / chik
аў / ов / au / ov | ава / ова / ava / ova
ін / ин / in / in | іна / ина / ina / ina
евіч / евич / evich / evich | евіч / евич / evich / evich
""")


@dataclass(frozen=True)
class PersonName:
    gender: str
    given: Part
    surname: tuple[str, str, str, str]

    def form(self, variant: int) -> str:
        return f"{self.given[variant]} {self.surname[variant]}"

    @property
    def be_lat(self) -> str:
        return self.form(BE_LAT)

    @property
    def ru_lat(self) -> str:
        return self.form(RU_LAT)

    @property
    def ru_cyr(self) -> str:
        return self.form(RU_CYR)

    @property
    def be_cyr(self) -> str:
        return self.form(BE_CYR)


def _join(a: str, b: str, c: str) -> str:
    return a + ("" if b == "-" else b) + c


def is_banned(text: str) -> bool:
    low = text.lower()
    return any(real.lower() in low for real in REAL_NAMES_IN_SOURCES)


def make_surname(rng: random.Random, gender: str) -> tuple[str, str, str, str]:
    """A surname in four spellings, never one of the real names in the sources."""
    while True:
        first, second, suffix = rng.choice(SYLLABLE_1), rng.choice(SYLLABLE_2), rng.choice(SUFFIXES)
        end = suffix.female if gender == "female" else suffix.male
        forms = tuple(_join(first[v], second[v], end[v]) for v in range(4))
        # Lower-case the joined Cyrillic/Latin tail: syllables after the first are written capitalised
        # only at the start of the surname.
        forms = tuple(f[0] + f[1:].lower() for f in forms)
        if not any(is_banned(f) for f in forms):
            return forms


def make_name(rng: random.Random, gender: str) -> PersonName:
    given = rng.choice(FEMALE_GIVEN if gender == "female" else MALE_GIVEN)
    return PersonName(gender, given, make_surname(rng, gender))


class NameBook:
    """Hands out generated names, avoiding exact repeats of a full name where it can."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def new(self, gender: str) -> PersonName:
        name = make_name(self.rng, gender)
        for _ in range(30):
            if name.be_lat not in self.used:
                break
            name = make_name(self.rng, gender)
        self.used.add(name.be_lat)
        return name
