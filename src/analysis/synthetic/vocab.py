"""Wording used in the SYNTHETIC registry: charges, penalties, sentences and facilities.

Charge titles are the articles of the Criminal Code of Belarus that recur in politically
motivated cases. Facility numbers and towns follow the pattern of real registry copies, but
every postal address (postcode and street) is GENERATED: generic street names with made-up
house numbers, never an address copied from anywhere.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# Charges


@dataclass(frozen=True)
class Article:
    code: str
    parts: tuple[tuple[int | None, float], ...]  # (part or None, weight)
    title_en: str
    title_ru: str


ARTICLES: dict[str, Article] = {a.code: a for a in (
    Article("130", ((1, 0.3), (3, 0.7)),
            "Incitement to racial, national, religious or other social hatred or discord",
            "Разжигание расовой, национальной, религиозной либо иной социальной вражды или розни"),
    Article("188", ((None, 0.6), (2, 0.4)), "Defamation", "Клевета"),
    Article("285", ((1, 0.5), (2, 0.5)), "Creation of a criminal organisation or participation in it",
            "Создание преступной организации либо участие в ней"),
    Article("293", ((1, 0.3), (2, 0.6), (3, 0.1)), "Mass riots", "Массовые беспорядки"),
    Article("339", ((1, 0.2), (2, 0.7), (3, 0.1)), "Hooliganism", "Хулиганство"),
    Article("341", ((None, 1.0),), "Desecration of buildings and damage to property",
            "Осквернение сооружений и порча имущества"),
    Article("342", ((None, 0.6), (1, 0.4)),
            "Organisation and preparation of actions grossly violating public order, or active participation in them",
            "Организация и подготовка действий, грубо нарушающих общественный порядок, либо активное участие в них"),
    Article("361", ((1, 0.4), (3, 0.6)),
            "Calls for actions aimed at harming the national security of the Republic of Belarus",
            "Призывы к действиям, направленным на причинение вреда национальной безопасности Республики Беларусь"),
    Article("361-1", ((1, 0.4), (3, 0.6)), "Creation of an extremist formation or participation in it",
            "Создание экстремистского формирования либо участие в нем"),
    Article("361-4", ((None, 1.0),), "Facilitation of extremist activity", "Содействие экстремистской деятельности"),
    Article("364", ((None, 1.0),),
            "Violence or threat of violence against an employee of the internal affairs bodies",
            "Насилие либо угроза применения насилия в отношении сотрудника органов внутренних дел"),
    Article("368", ((1, 0.7), (2, 0.3)), "Insulting the President of the Republic of Belarus",
            "Оскорбление Президента Республики Беларусь"),
    Article("369", ((None, 1.0),), "Insulting a representative of the authorities", "Оскорбление представителя власти"),
    Article("370", ((None, 1.0),), "Desecration of state symbols", "Надругательство над государственными символами"),
)}

# Relative frequency of articles among charges, by year of detention: protest articles dominate
# 2020-2021, "extremism" articles later.
ARTICLE_WEIGHTS_EARLY = {"342": 30, "364": 10, "339": 9, "293": 7, "369": 9, "368": 7, "130": 6, "341": 3, "361": 3,
                         "361-1": 3, "361-4": 2, "370": 3, "188": 2, "285": 1}
ARTICLE_WEIGHTS_LATE = {"342": 12, "364": 3, "339": 4, "293": 3, "369": 10, "368": 8, "130": 11, "341": 2, "361": 6,
                        "361-1": 13, "361-4": 14, "370": 3, "188": 3, "285": 2}
CHARGE_COUNT_WEIGHTS = ((1, 0.58), (2, 0.30), (3, 0.12))


@dataclass(frozen=True)
class Charge:
    article: str
    part: int | None
    inchoate: int | None = None  # 13 (preparation) or 14 (attempt)
    lower_art: bool = False  # written "art." in the English copy

    def en(self) -> str:
        a = ARTICLES[self.article]
        art = "art." if self.lower_art else "Art."
        if self.inchoate:
            main = f"Part {self.part} of Article {a.code}" if self.part else f"Article {a.code}"
            head = f"Part 1 of Article {self.inchoate} and {main}"
        elif self.part:
            head = f"Part {self.part} of {art} {a.code}"
        else:
            head = f"{art} {a.code}"
        return f"{head} of the Criminal Code — {a.title_en}"

    def ru(self) -> str:
        a = ARTICLES[self.article]
        main = f"ч. {self.part} ст. {a.code}" if self.part else f"ст. {a.code}"
        if self.inchoate:
            main = f"ч. 1 ст. {self.inchoate}, {main}"
        return f"{main} УК — {a.title_ru}"


def weighted(rng: random.Random, pairs) -> object:
    items = list(pairs)
    total = sum(w for _, w in items)
    x = rng.random() * total
    for value, weight in items:
        x -= weight
        if x < 0:
            return value
    return items[-1][0]


# ---------------------------------------------------------------------------------------------
# Penalties

PENALTY_EN = {
    "colony_general": "imprisonment in a general-security penal colony",
    "colony_medium": "imprisonment in a medium-security penal colony",
    "colony_maximum": "imprisonment in a maximum-security penal colony",
    "prison": "imprisonment in a high security prison",
    "khimiya": 'restricted freedom in an open penal facility ("khimiya")',
    "home": 'restricted freedom under home confinement ("domashnyaya khimiya")',
    "suspended": "suspended imprisonment",
    "arrest": "arrest",
    "fine": "fine",
    "compulsory_treatment": "compulsory psychiatric treatment",
}
PENALTY_RU = {
    "colony_general": "лишение свободы в исправительной колонии в условиях общего режима",
    "colony_medium": "лишение свободы в исправительной колонии в условиях усиленного режима",
    "colony_maximum": "лишение свободы в исправительной колонии в условиях строгого режима",
    "prison": "лишение свободы в условиях тюремного режима",
    "khimiya": "ограничение свободы с направлением в исправительное учреждение открытого типа",
    "home": "ограничение свободы без направления в исправительное учреждение открытого типа",
    "suspended": "лишение свободы с отсрочкой исполнения наказания",
    "arrest": "арест",
    "fine": "штраф",
    "compulsory_treatment": "принудительные меры безопасности и лечения",
}
CUSTODIAL = ("colony_general", "colony_medium", "colony_maximum", "prison")
RELEASED_AT_VERDICT = ("home", "suspended", "fine")

# ---------------------------------------------------------------------------------------------
# Sentences


def _ru_plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def sentence_en(months: int, style: str = "plain", typo: str | None = None) -> str:
    """'3 years', '2 years 6 months', '4 1/2 years' (style fraction), '19 months' (style months)."""
    years, rest = divmod(months, 12)
    if style == "months" and months < 48:
        text = f"{months} months" if months != 1 else "1 month"
    elif style == "fraction" and rest == 6 and years >= 1:
        text = f"{years} 1/2 years"
    elif rest == 0:
        text = f"{years} years" if years != 1 else "1 year"
    elif years == 0:
        text = f"{rest} months" if rest != 1 else "1 month"
    else:
        y = f"{years} years" if years != 1 else "1 year"
        m = f"{rest} months" if rest != 1 else "1 month"
        text = f"{y} {m}"
    if typo == "yers" and "years" in text:
        text = text.replace("years", "yers", 1)
    elif typo and "months" in text:
        text = text.replace("months", "monhts", 1)
    elif typo and "years" in text:
        text = text.replace("years", "yers", 1)
    return text


def sentence_ru(months: int) -> str:
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} {_ru_plural(years, 'год', 'года', 'лет')}")
    if rest:
        parts.append(f"{rest} {_ru_plural(rest, 'месяц', 'месяца', 'месяцев')}")
    return " ".join(parts)


def fine_en(units: int, style: str = "base rates") -> str:
    """A fine alone as real copies write it: '150 base rates', '150 basic values', '4.800 rubles'."""
    if style == "rubles":
        return f"{units * 32:,} rubles".replace(",", ".")
    return f"{units} {style}"


def _en_parts(months: int) -> list[str]:
    years, rest = divmod(months, 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if rest:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return parts


def term_with_days_en(months: int, days: int) -> str:
    """'6 years, 3 months and 2 days', '1 year and 1 day'."""
    parts = _en_parts(months) + [f"{days} day{'s' if days != 1 else ''}"]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 2 else " and ".join(parts)


def fine_with_term_en(months: int, units: int, variant: int) -> str:
    """'8 1/2 years, fine of 8,700 rubles' or '140 base rates, 18 months'."""
    if variant == 0:
        return f"{sentence_en(months, 'fraction')}, fine of {units * 32:,} rubles"
    return f"{units} base rates, {months} months"


UNKNOWN_EN = ("unknown", "result unknown", "the outcome of the trial is unknown")
TREATMENT_EN = ("coercive treatment", "compulsory treatment", "coercive mental treatment")


def term_with_days_ru(months: int, days: int) -> str:
    return f"{sentence_ru(months)} {days} {_ru_plural(days, 'день', 'дня', 'дней')}"


def fine_with_term_ru(months: int, units: int) -> str:
    return f"{sentence_ru(months)}, штраф {units * 32} рублей"


UNKNOWN_RU = "неизвестно"
TREATMENT_RU = "принудительное лечение"


def fine_ru(units: int) -> str:
    return f"штраф {units} {_ru_plural(units, 'базовая величина', 'базовые величины', 'базовых величин')}"


# ---------------------------------------------------------------------------------------------
# Facilities (numbers and towns as in registry copies; addresses GENERATED)


@dataclass(frozen=True)
class Facility:
    kind: str  # sizo, colony, prison, open, awaiting
    number: int | None
    town_en: str
    town_ru: str
    postcode: str
    street_en: str
    street_ru: str

    @property
    def title_en(self) -> str:
        return {
            "sizo": f"Pre-trial detention center No. {self.number}",
            "colony": f"Penal colony No. {self.number}",
            "prison": f"Prison No. {self.number}",
            "open": f"Open correctional facility No. {self.number}",
            "awaiting": "Released awaiting the commencement of the sentence",
        }[self.kind]

    @property
    def title_ru(self) -> str:
        return {
            "sizo": f"Следственный изолятор № {self.number}",
            "colony": f"Исправительная колония № {self.number}",
            "prison": f"Тюрьма № {self.number}",
            "open": f"Исправительное учреждение открытого типа № {self.number}",
            "awaiting": "Освобождён до начала отбывания наказания",
        }[self.kind]

    @property
    def address_en(self) -> str:
        return f"{self.postcode}, {self.town_en}, {self.street_en}" if self.postcode else ""

    @property
    def address_ru(self) -> str:
        return f"{self.postcode}, {self.town_ru}, {self.street_ru}" if self.postcode else ""


# town (Belarusian Latin, passport style), town (Russian), postcode prefix
TOWNS = {
    "Minsk": ("Минск", "220"), "Vitsebsk": ("Витебск", "210"), "Homiel": ("Гомель", "246"),
    "Mahiliou": ("Могилёв", "212"), "Hrodna": ("Гродно", "230"), "Brest": ("Брест", "224"),
    "Baranavichy": ("Барановичи", "225"), "Zhodzina": ("Жодино", "222"), "Navapolatsk": ("Новополоцк", "211"),
    "Babruisk": ("Бобруйск", "213"), "Horki": ("Горки", "213"), "Shklou": ("Шклов", "213"),
    "Vaukavysk": ("Волковыск", "231"), "Hlybokaye": ("Глубокое", "211"), "Mazyr": ("Мозырь", "247"),
    "Ivatsevichy": ("Ивацевичи", "225"), "Orsha": ("Орша", "211"), "Lida": ("Лида", "231"),
    "Pinsk": ("Пинск", "225"), "Barysau": ("Борисов", "222"), "Svietlahorsk": ("Светлогорск", "247"),
    "Asipovichy": ("Осиповичи", "213"), "Rechytsa": ("Речица", "247"), "Salihorsk": ("Солигорск", "223"),
}
STREETS = (  # generic street names found in every Belarusian town
    ("vul. Savieckaja", "ул. Советская"), ("vul. Lienina", "ул. Ленина"), ("vul. Kastrychnickaja", "ул. Октябрьская"),
    ("vul. Pieramohi", "ул. Победы"), ("vul. Zavodskaja", "ул. Заводская"), ("vul. Chyhunachnaja", "ул. Железнодорожная"),
    ("vul. Sadovaja", "ул. Садовая"), ("vul. Pramyslovaja", "ул. Промышленная"), ("vul. Shkolnaja", "ул. Школьная"),
    ("vul. Paliavaja", "ул. Полевая"),
)

SIZO = ((1, "Minsk"), (2, "Vitsebsk"), (3, "Homiel"), (4, "Mahiliou"), (6, "Baranavichy"), (7, "Brest"), (8, "Zhodzina"))
COLONIES_MEN = ((1, "Navapolatsk"), (2, "Babruisk"), (3, "Vitsebsk"), (9, "Horki"), (11, "Vaukavysk"),
                (13, "Hlybokaye"), (15, "Mahiliou"), (17, "Shklou"), (20, "Mazyr"), (22, "Ivatsevichy"))
COLONIES_WOMEN = ((4, "Homiel"), (24, "Homiel"))
PRISONS = ((1, "Hrodna"), (4, "Mahiliou"), (8, "Zhodzina"))
OPEN_FACILITIES = ((2, "Babruisk"), (3, "Homiel"), (5, "Asipovichy"), (7, "Lida"), (12, "Orsha"), (16, "Pinsk"),
                   (18, "Barysau"), (24, "Svietlahorsk"), (29, "Rechytsa"), (33, "Salihorsk"), (47, "Minsk"))


def _build_facilities() -> dict[str, tuple[Facility, ...]]:
    rng = random.Random("analysis.synthetic facility addresses v1")  # fixed: addresses do not depend on the seed

    def make(kind: str, table) -> tuple[Facility, ...]:
        out = []
        for number, town in table:
            ru, prefix = TOWNS[town]
            street_en, street_ru = rng.choice(STREETS)
            house = rng.randint(1, 60)
            postcode = f"{prefix}{rng.randint(0, 999):03d}"
            out.append(Facility(kind, number, town, ru, postcode, f"{street_en} {house}", f"{street_ru}, {house}"))
        return tuple(out)

    return {
        "sizo": make("sizo", SIZO),
        "colony_men": make("colony", COLONIES_MEN),
        "colony_women": make("colony", COLONIES_WOMEN),
        "prison": make("prison", PRISONS),
        "open": make("open", OPEN_FACILITIES),
    }


FACILITIES = _build_facilities()
AWAITING = Facility("awaiting", None, "", "", "", "", "")
