"""The shapes in which Viasna's political-prisoner list circulates (see docs/registry_format.md).

Constants only: the reader (`registry.py`) and the synthetic writer (`synthetic/`) both use
them, so the two cannot drift apart.
"""

from __future__ import annotations

# 1. Machine export (CSV). `councel` is spelled that way in the source.
MACHINE_COLUMNS: tuple[str, ...] = (
    "id", "url", "name", "status", "gender", "photo", "description", "birthday", "arrested",
    "articles", "prison", "declaration", "decision", "penalty", "judge", "councel",
    "penalty_start_date", "release_date", "verdict_date", "appeal_date", "fake_terrorist_list",
    "died", "clusters",
)

# 2. JSON array with flattened keys: one charge per `articles/N` slot, `prison/title` and
# `prison/address` split out, and the string "FALSE" used as a null marker in some fields.
JSON_ARTICLE_SLOTS = 13
JSON_KEYS: tuple[str, ...] = (
    "id", "url", "name", "status", "gender", "photo", "description", "birthday", "arrested",
    *(f"articles/{i}" for i in range(JSON_ARTICLE_SLOTS)),
    "prison/title", "prison/address", "declaration", "decision", "penalty", "judge", "councel",
    "penalty_start_date", "release_date", "verdict_date", "appeal_date", "articles", "prison",
)
JSON_FALSE_NULL_FIELDS = frozenset({"photo", "articles", "prison", "prison/address"})
JSON_NULL_MARKER = "FALSE"

# 3. The public table saved from the web page, with localised headers.
PUBLIC_COLUMNS: tuple[str, ...] = (
    "name", "status", "birthday", "gender", "arrested", "articles", "verdict_date", "decision",
    "penalty", "judge", "prosecutor", "prison",
)
PUBLIC_HEADERS: dict[str, dict[str, str]] = {
    "en": {
        "name": "Name and surname", "status": "Status", "birthday": "Date of birth", "gender": "Gender",
        "arrested": "Date of detention", "articles": "Charges indicted", "verdict_date": "Date of verdict",
        "decision": "Sentence", "penalty": "Penalty", "judge": "Judge", "prosecutor": "Prosecutor",
        "prison": "Prison",
    },
    "ru": {
        "name": "Имя и фамилия", "status": "Статус", "birthday": "Дата рождения", "gender": "Пол",
        "arrested": "Дата задержания", "articles": "Предъявлены обвинения", "verdict_date": "Дата приговора",
        "decision": "Решение суда", "penalty": "Вид наказания", "judge": "Судья", "prosecutor": "Прокурор",
        "prison": "Место заключения",
    },
    "be": {
        "name": "Імя і прозвішча", "status": "Статус", "birthday": "Дата нараджэння", "gender": "Пол",
        "arrested": "Дата затрымання", "articles": "Прад’яўлены абвінавачванні", "verdict_date": "Дата прысуду",
        "decision": "Рашэнне суда", "penalty": "Від пакарання", "judge": "Суддзя", "prosecutor": "Пракурор",
        "prison": "Месца зняволення",
    },
}

# Fields every shape must carry for a row to mean anything.
REQUIRED_FIELDS: tuple[str, ...] = ("name", "status")

SHAPE_MACHINE = "machine_csv"
SHAPE_JSON = "flattened_json"
SHAPE_PUBLIC = "public_table"
SHAPES = (SHAPE_MACHINE, SHAPE_JSON, SHAPE_PUBLIC)

STATUSES = ("active", "former", "np")
GENDERS = ("male", "female")
