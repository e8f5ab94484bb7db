"""Transliteration, the cross-script matching key, and parse_name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.ingest.parsing import PersonName, name_key, parse_name, transliterate_be, transliterate_ru


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Марыя Калеснікава", "Maryia Kalesnikava"),
        ("Аляксандр", "Aliaksandr"),
        ("Алесь Бяляцкі", "Ales Bialiatski"),
        ("Сяргей Ціханоўскі", "Siarhei Tsikhanouski"),
        ("Святлана Ціханоўская", "Sviatlana Tsikhanouskaya"),
        ("Мікалай Статкевіч", "Mikalai Statkevich"),
        ("Яўген", "Yauhen"),
        ("Юрый", "Yuryi"),
        ("Юлія", "Yulia"),
        ("Наталля", "Natallia"),
        ("Ігар Лосік", "Ihar Losik"),
        ("Дзмітрый Дашкевіч", "Dzmitryi Dashkevich"),
        ("Эдуард Бабарыка", "Eduard Babaryka"),
        ("Андрэеў", "Andreyeu"),
        ("Мая", "Maya"),
        ("Вераб’ева", "Verabieva"),
        ("Мар’я", "Maria"),
        ("Мар'я", "Maria"),
        ("Прад’яўлены абвінавачванні", "Pradiauleny abvinavachvanni"),
        ("Ілля Вераб’ёў", "Illia Verabiou"),
        ("Жодзіна", "Zhodzina"),
        ("ЦОЙ", "TSOI"),
        ("Шчука-Хвалько", "Shchuka-Khvalko"),
        ("Maryia", "Maryia"),  # Latin passes through
    ],
)
def test_transliterate_be(cyrillic, latin):
    assert transliterate_be(cyrillic) == latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Мария Колесникова", "Mariia Kolesnikova"),
        ("Сергей Тихановский", "Sergei Tikhanovskii"),
        ("Алесь Беляцкий", "Ales Beliatskii"),
        ("Щукин", "Shchukin"),
        ("Объедков", "Obieedkov"),  # ICAO: ъ → ie, е → e
        ("Эдуард Бабарико", "Eduard Babariko"),
        ("Юрий", "Iurii"),
        ("Пётр Хрусталёв", "Petr Khrustalev"),
        ("Игорь Лосик", "Igor Losik"),
        ("Евгения Жукова", "Evgeniia Zhukova"),
        ("ЦОЙ", "TSOI"),
    ],
)
def test_transliterate_ru(cyrillic, latin):
    assert transliterate_ru(cyrillic) == latin


@pytest.mark.parametrize("func", [transliterate_be, transliterate_ru])
def test_unknown_cyrillic_letter_is_an_error(func):
    with pytest.raises(ValueError) as err:
        func("Ѳома")
    assert "'Ѳ'" in str(err.value) and "'Ѳома'" in str(err.value)


SAME_PERSON = [
    ["Maryia Kalesnikava", "Maria Kolesnikova", "Мария Колесникова", "Марыя Калеснікава",
     "Kalesnikava Maryia", "KOLESNIKOVA Mariya", "Колесникова Мария Александровна", "Калеснiкава Марыя"],
    ["Siarhei Tsikhanouski", "Sergei Tikhanovsky", "Сергей Тихановский", "Сяргей Ціханоўскі",
     "Sergey Tikhanovskiy", "Tikhanovsky Sergei Leonidovich"],
    ["Sviatlana Tsikhanouskaya", "Svetlana Tikhanovskaya", "Светлана Тихановская", "Святлана Ціханоўская"],
    ["Ales Bialiatski", "Алесь Бяляцкі", "Алесь Беляцкий", "Ales Bialiatsky"],
    ["Viktar Babaryka", "Viktor Babariko", "Виктор Бабарико", "Віктар Бабарыка", "Victor Babaryko"],
    ["Ihar Losik", "Igor Losik", "Игорь Лосик", "Ігар Лосік"],
    ["Dzmitry Dashkevich", "Dmitry Dashkevich", "Дмитрий Дашкевич", "Дзмітрый Дашкевіч", "Dmitrij Daškevič"],
    ["Paval Seviarynets", "Pavel Severinets", "Павел Северинец", "Павел Севярынец", "Paval Sevyarynets"],
    ["Aliaksandr Lukashenka", "Alexander Lukashenko", "Александр Лукашенко", "Аляксандр Лукашэнка",
     "Aleksandr Lukashenko"],
    ["Yauhen Afnagel", "Evgeny Afnagel", "Евгений Афнагель", "Яўген Афнагель"],
    ["Illia Ivanou", "Ilya Ivanov", "Илья Иванов", "Ілля Іваноў"],
    ["Yury Ivanou", "Iurii Ivanov", "Юрий Иванов", "Юрый Іваноў"],
    ["Maria Paulava", "Мар’я Паўлава", "Мар'я Паўлава", "Мария Павлова", "Mariya Pavlova"],
    ["Maksim Znak", "Maxim Znak", "Максим Знак", "Максім Знак"],
    ["Vasil Verameichyk", "Василий Веремейчик", "Васіль Верамейчык"],
]


@pytest.mark.parametrize("group", SAME_PERSON, ids=lambda g: g[0])
def test_same_person_same_key(group):
    keys = {name: name_key(name) for name in group}
    assert len(set(keys.values())) == 1, keys


def test_key_examples_are_exact():
    assert name_key("Maryia Kalesnikava") == "klsnkva mra"
    assert name_key("Siarhei Tsikhanouski") == "srH tHnvsk"
    # Ales is listed with Aliaksandr in given_names.yaml, so both give the same key.
    assert name_key("Ales Bialiatski") == name_key("Aliaksandr Bialiatski") == "alksndr bltk"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mikalai Statkevich", "Николай Статкевич"),  # given names listed in data/given_names.yaml
        ("Uladzimir Niakliaeu", "Владимир Некляев"),
        ("Zmitser Dashkevich", "Дмитрий Дашкевич"),
        ("Hanna Kanapatskaya", "Анна Канопацкая"),
        ("Katsiaryna Andreyeva", "Екатерина Андреева"),
    ],
)
def test_given_name_forms_match(a, b):
    assert name_key(a) == name_key(b)


DIFFERENT_PEOPLE = [
    ("Maryia Kalesnikava", "Maryia Kalesnik"),
    ("Aliaksandr Ivanou", "Aliaksandra Ivanova"),
    ("Siarhei Tsikhanouski", "Sviatlana Tsikhanouskaya"),
    ("Siarhei Tsikhanouski", "Siarhei Tsikhanouskaya"),
    ("Viktar Babaryka", "Eduard Babaryka"),
    ("Ales Bialiatski", "Ales Pushkin"),
    ("Ihar Losik", "Ihar Lasitsa"),
    ("Pavel Sheremet", "Pavel Seviarynets"),
    ("Mikalai Statkevich", "Mikalai Dziadok"),
    ("Maria Kolesnikova", "Marina Kolesnikova"),
    ("Ivan Shilo", "Ivan Silo"),
    ("Ivan Zhuk", "Ivan Zuk"),
    ("Ivan Chuk", "Ivan Kuk"),
    ("Iskhakov Ruslan", "Ishakov Ruslan"),
    ("Andrei Aliaksandrau", "Andrei Aliaksandrava"),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PEOPLE)
def test_different_people_different_keys(a, b):
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Statkevich Mikalai", "Статкевич Николай Викторович"),  # ambiguous patronymic is kept
        ("Natallia Hersche", "Наталля Гершэ"),  # a foreign spelling ("sch") of the surname
    ],
)
def test_documented_non_matches(a, b):
    assert name_key(a) != name_key(b)


def test_patronymic_dropped_only_when_unambiguous():
    assert name_key("Колесникова Мария Александровна") == name_key("Maryia Kalesnikava")
    assert name_key("Ivanov Ivan Ivanovich") == name_key("Ivan Ivanov")
    # two tokens end like a patronymic: nothing is dropped
    assert name_key("Statkevich Mikalai Viktaravich").count(" ") == 2


@pytest.mark.parametrize("text", ["", "   ", "123", "--", "ь"])
def test_key_needs_letters(text):
    with pytest.raises(ValueError):
        name_key(text)


_LETTERS = "abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюяіў"
# A token made only of ь/ъ transliterates to nothing; that is covered by test_key_needs_letters.
_token = st.text(alphabet=_LETTERS, min_size=1, max_size=10).filter(lambda t: set(t) - set("ьъ"))


@given(st.lists(_token, min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_key_invariant_under_token_order(tokens, rnd):
    shuffled = tokens[:]
    rnd.shuffle(shuffled)
    assert name_key(" ".join(tokens)) == name_key(" ".join(shuffled))


@given(st.lists(_token, min_size=1, max_size=4))
def test_key_invariant_under_case_and_spacing(tokens):
    text = " ".join(tokens)
    assert name_key(text) == name_key(text.upper()) == name_key(text.title()) == name_key(f"  {'   '.join(tokens)} ")


@given(st.text(alphabet="абвгдежзйклмнопрстуфхцчшыьэюяіў’ ", min_size=1, max_size=30))
def test_belarusian_transliteration_is_total_and_latin(text):
    out = transliterate_be(text)
    assert not any("\u0400" <= c <= "\u04ff" for c in out)


@given(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюя ", min_size=1, max_size=30))
def test_russian_transliteration_is_total_and_latin(text):
    out = transliterate_ru(text)
    assert all(c.isascii() for c in out)


MK = "klsnkva mra"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maryia Kalesnikava", PersonName("Maryia Kalesnikava", "Maryia Kalesnikava", None, MK)),
        ("  Maryia   Kalesnikava ", PersonName("  Maryia   Kalesnikava ", "Maryia Kalesnikava", None, MK)),
        ("Марыя Калеснікава", PersonName("Марыя Калеснікава", "Maryia Kalesnikava", "Марыя Калеснікава", MK)),
        ("Мария Колесникова", PersonName("Мария Колесникова", "Mariia Kolesnikova", "Мария Колесникова", MK)),
        # Latin "i" typed for Belarusian "і" is repaired in the Cyrillic form
        ("Калеснiкава Марыя", PersonName("Калеснiкава Марыя", "Kalesnikava Maryia", "Калеснікава Марыя", MK)),
        # a Cyrillic look-alike inside a Latin word
        ("Kalesnikаva Maryia", PersonName("Kalesnikаva Maryia", "Kalesnikava Maryia", None, MK)),
        ("Мар’я Паўлава", PersonName("Мар’я Паўлава", "Maria Paulava", "Мар’я Паўлава", "mra pvlva")),
    ],
)
def test_parse_name(text, expected):
    assert parse_name(text) == expected


# Cyrillic letters that look like Latin ones (lower case, and capitals that only look alike as capitals).
LOOK_ALIKES = dict(zip("aceopxyiABCEHKMOPTXI", "асеорхуіАВСЕНКМОРТХІ"))


@pytest.mark.parametrize("latin", sorted(LOOK_ALIKES), ids=lambda c: f"{c}->{LOOK_ALIKES[c]}")
@pytest.mark.parametrize("template", ["Anonymised B{}d", "Anonymised {}bd", "Anonymised Bd{}", "{}x Maryia",
                                      "Anonymised {}.", "Anonymised {}"])
def test_latin_name_with_one_cyrillic_look_alike(template, latin):
    """A Latin name with one Cyrillic look-alike letter reads exactly as its all-Latin spelling."""
    plain, typed = template.format(latin), template.format(LOOK_ALIKES[latin])
    assert typed != plain
    got, expected = parse_name(typed), parse_name(plain)
    assert (got.raw, got.latin, got.cyrillic, got.key) == (typed, expected.latin, None, expected.key)
    whole_capital_only = latin in "BHKMT" and template.startswith("Anonymised {}")
    if not whole_capital_only:  # name_key alone sees no case: "В" alone could be a Cyrillic "в"
        assert name_key(typed) == expected.key


@pytest.mark.parametrize(
    ("typed", "latin", "cyrillic"),
    [
        ("Anonymised Bсd", "Anonymised Bcd", None),             # the pattern of the real copy: Cyrillic с
        ("Kalesnikаva Maryia", "Kalesnikava Maryia", None),     # Cyrillic а
        ("KALESNIKАVA MARYIA", "KALESNIKAVA MARYIA", None),
        ("Lі Wei", "Li Wei", None),                             # a tie: the name is Latin; L has no look-alike
        ("Lі", "Li", None),                                     # a tie in a one-word name: the conversion that works
        ("Ivanou А. Р.", "Ivanou A. P.", None),                 # Cyrillic initials in a Latin name
        ("Іванова I.", "Ivanova I.", "Іванова І."),             # a Latin initial in a Cyrillic name
        ("Калеснiкава Марыя", "Kalesnikava Maryia", "Калеснікава Марыя"),  # Latin i for Belarusian і
    ],
)
def test_look_alikes_follow_the_script_of_the_name(typed, latin, cyrillic):
    got = parse_name(typed)
    assert (got.latin, got.cyrillic) == (latin, cyrillic)
    assert got.key == name_key(latin)


def test_parse_name_uses_russian_rules_without_belarusian_letters():
    assert parse_name("Сергей Тихановский").latin == "Sergei Tikhanovskii"
    assert parse_name("Сяргей Ціханоўскі").latin == "Siarhei Tsikhanouski"


@pytest.mark.parametrize(("text", "fragment"), [("", "empty"), ("  ", "empty"), ("123 456", "no letters"),
                                                ("Ivanoв", "mixes Latin and Cyrillic")])
def test_parse_name_errors(text, fragment):
    with pytest.raises(ValueError) as err:
        parse_name(text)
    assert fragment in str(err.value)
    if text.strip():
        assert repr(text) in str(err.value)
