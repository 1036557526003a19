"""The rules check: deterministic tests of a pair that need no model's judgement.

Small generators write fluent pairs whose calls use values the user never gave (a
parameter's default or example, a date, a rate), copy a parameter's description into
an argument, repeat a call, or write a query that restates a function's description
instead of a need. A 0.5B judge passes nearly all of them; a program sees them. Each
rule is a reason code (stage `rules`), and each has its false-reject rate measured on
the hand-labelled rows of `bench/verify/`:

- `placeholder_value`: a string argument copied from its parameter's description, or a
  generic placeholder (`example`, `string`, `value 3`, `<...>`, `xxx`, `N/A`), that the
  query does not state.
- `ungrounded_value`: an argument value that the query neither states nor clearly
  implies. Numbers must appear in the query, allowing thousands separators, `1.5k`,
  number words, percentages written either way (`5%` as 5 or 0.05), powers of ten (cm
  to m) and common unit factors; dates and times in any usual spelling; strings must
  appear (case, spacing and punctuation aside), or for long text share most words.
  Exempt: enum members, booleans, an optional parameter's default, 0 and 1, strings the
  parameter's description lists as options, and short codes (`JP`, `GBP`, `km`). Codes
  are exempt rather than translated because translating a name into a code is what good
  rows do (Japan -> JP, pounds -> GBP: 14 of the 66 hand-checked seeds), and an invented
  code is rare (no wrong row of the measured runs had one).
- `duplicate_call`: the same call (name and arguments) twice in one answer.
- `degenerate_call`: a call from a thing to itself (`from_currency="USD"`,
  `to_currency="USD"`; origin and destination the same; `lat1 = lat2` and `lon1 = lon2`):
  a conversion or a distance nobody asks for.
- `query_restates_spec`: the query names a function or a parameter by its identifier,
  or its words are mostly those of a function's description.
- `irrelevance_names_tool`: an irrelevance pair whose query names an offered function.
- `meta_query`: the query talks about the assistant's tools or the task instead of asking
  for something ("Which tool can predict ...", "the functions provided", "the query"): a
  1.5B generator asked for requests no function serves writes these; no user does.
- `copies_example`: the query is (nearly: 80% of its distinct words, numbers included) the
  query of an example its generation prompt showed. A 0.5B generator shown a seed writes
  the seed's query back and calls an unrelated offered function with its numbers, which
  the value rules cannot see (the numbers are in the query).
- `repeated_text`: the query says one sentence twice, as a small model caught in a loop
  does until `max_tokens` or the length bound stops it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import msgspec

from apigen_async.schema import Call, Pair, Param, Rejection, Style, Tool
from apigen_async.styles import spec

__all__ = ["RULES", "check_rules"]

RULES = (
    "placeholder_value",
    "ungrounded_value",
    "duplicate_call",
    "degenerate_call",
    "query_restates_spec",
    "irrelevance_names_tool",
    "meta_query",
    "copies_example",
    "repeated_text",
)


def _reject(code: str, message: str) -> Rejection:
    return Rejection(stage="rules", code=code, message=message)


def check_rules(
    pair: Pair, tools: Mapping[str, Tool], style: Style, examples: Sequence[str] = ()
) -> Rejection | None:
    """The first rule `pair` breaks, or None.

    `tools` are the functions the task offered; `examples` the queries of the examples its
    generation prompt showed (none when they are not known, as in `apigen verify`).
    """
    query = Query(pair.query)
    if copied := _copied_example(query, examples):
        return _reject("copies_example", f"the query is the shown example {copied!r}")
    if repeated := _repeated_sentence(pair.query):
        return _reject("repeated_text", f"the query repeats {repeated!r}")
    if meta := _META.search(pair.query):
        return _reject("meta_query", f"the query speaks of {meta.group(0)!r}, not a need")
    if not pair.answers or spec(style).no_call:
        for tool in tools.values():
            if query.names(tool.name):
                return _reject(
                    "irrelevance_names_tool", f"the query names the offered {tool.name!r}"
                )
        return None
    if rejection := _restates_spec(query, pair.answers, tools):
        return rejection
    seen: set[bytes] = set()
    for call in pair.answers:
        key = msgspec.json.encode([call.name, sorted(call.arguments.items())])
        if key in seen:
            return _reject("duplicate_call", f"{_show(call)} appears twice")
        seen.add(key)
    for call in pair.answers:
        if same := _from_equals_to(call):
            return _reject("degenerate_call", f"{call.name}: {same}")
    for call in pair.answers:
        tool = tools.get(call.name)
        if tool is None:
            continue  # the format check owns unknown functions
        for name, value in call.arguments.items():
            param = tool.param(name)
            if param is None:
                continue
            if rejection := _check_value(query, tool, param, value):
                return rejection
    return None


_ENDPOINTS = (("from_", "to_"), ("source", "target"), ("origin", "destination"))


def _from_equals_to(call: Call) -> str | None:
    """`from_unit` and `to_unit` (or origin and destination) with one value, or two
    points (`x1, y1` and `x2, y2`) that are one, if any."""
    args = call.arguments
    for name, value in args.items():
        for start, end in _ENDPOINTS:
            if name.startswith(start):
                other = end + name[len(start) :]
                if other in args and args[other] == value and isinstance(value, str):
                    return f"{name} and {other} are both {value!r}"
    # Two points given coordinate by coordinate (lat1/lat2, x1/x2): all equal is one point.
    firsts = [name[:-1] for name in args if name.endswith("1") and name[:-1] + "2" in args]
    if firsts and all(args[f + "1"] == args[f + "2"] for f in firsts):
        pairs = ", ".join(f"{f}1 = {f}2" for f in firsts)
        return f"the two points are one ({pairs})"
    return None


def _show(call: Call) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in call.arguments.items())
    return f"{call.name}({args})"


# --- text -------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "be",
        "with",
        "by",
        "at",
        "from",
        "as",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "what",
        "which",
        "who",
        "how",
        "much",
        "many",
        "me",
        "my",
        "i",
        "you",
        "your",
        "we",
        "our",
        "can",
        "could",
        "would",
        "should",
        "will",
        "please",
        "give",
        "find",
        "get",
        "tell",
        "show",
        "compute",
        "calculate",
        "work",
        "out",
        "do",
        "does",
        "if",
        "there",
        "than",
        "then",
        "into",
        "per",
        "each",
        "all",
        "any",
        "some",
        "one",
        "s",
    ]
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _flat(text: str) -> str:
    """Letters and digits only: `New-York` and `new york` both become `newyork`."""
    return "".join(_WORD.findall(text.lower()))


class Query:
    """A query with the forms its values are looked up in, computed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lower = text.lower()
        self.words = _words(text)
        self.spaced = " " + " ".join(self.words) + " "
        self.flat = "".join(self.words)
        self._numbers: list[float] | None = None
        self._dates: set[str] | None = None
        self._times: set[str] | None = None

    @property
    def numbers(self) -> list[float]:
        if self._numbers is None:
            self._numbers = _numbers_in(self.text)
        return self._numbers

    @property
    def dates(self) -> set[str]:
        if self._dates is None:
            self._dates = _dates_in(self.text)
        return self._dates

    @property
    def times(self) -> set[str]:
        if self._times is None:
            self._times = _times_in(self.lower)
        return self._times

    def names(self, identifier: str) -> bool:
        """Is a snake_case identifier written in the query as code?

        Only the identifier itself counts: many functions are named after the user's own
        words ("batting average", "return on investment").
        """
        return "_" in identifier and identifier.lower() in self.lower

    def states_text(self, value: str) -> bool:
        words = _words(value)
        if not words:
            return True  # punctuation only: nothing to ground
        if " " + " ".join(words) + " " in self.spaced:
            return True
        flat = "".join(words)
        if len(flat) >= 4 and flat in self.flat:
            return True
        # Long free text (a sentence to analyse) may be paraphrased slightly.
        if len(words) >= 4:
            present = sum(1 for w in words if w in self.words)
            return present / len(words) >= 0.8
        return False


# --- numbers ----------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.])[-+]?\$?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
    r"(?:\s?(k|m|bn|thousand|million|billion|%|percent)\b|%)?",
    re.IGNORECASE,
)
_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "million": 1e6,
    "bn": 1e9,
    "billion": 1e9,
}
_UNITS_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS_WORDS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
#: Words that state a number on their own (a dozen eggs, half an hour, twice a week).
_NUMBER_WORDS = {
    "dozen": 12,
    "half": 0.5,
    "quarter": 0.25,
    "double": 2,
    "twice": 2,
    "triple": 3,
    "thrice": 3,
    "once": 1,
    "single": 1,
    "couple": 2,
    "pair": 2,
    "both": 2,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "tenth": 10,
    "hundredth": 100,
    "week": 7,
    "fortnight": 14,
    "decade": 10,
    "century": 100,
}
_MAGNITUDE_WORDS = {"hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9}

#: Factors a correct call may apply to a number of the query: powers of ten (cm -> m,
#: percent -> fraction), time units, and the usual imperial/metric conversions.
#: 2 and 0.5 turn a diameter into a radius and back.
_EXACT_FACTORS = (1.0, 10.0, 100.0, 1000.0, 0.1, 0.01, 0.001, 1e6, 1e-6, 2.0, 0.5)
_UNIT_FACTORS = (
    60.0,
    3600.0,
    24.0,
    7.0,
    12.0,
    365.0,
    2.54,
    30.48,
    0.3048,
    0.9144,
    1.609344,
    0.453592,
    2.204623,
    28.349523,
    3.785411,
    0.946353,
    1.852,
    4.184,
)


def _word_numbers(words: list[str]) -> Iterator[float]:
    """Numbers spelled in words: `twenty-five`, `three hundred`, `a dozen`."""
    current: float | None = None
    for word in [*words, ""]:
        if word in _UNITS_WORDS or word in _TENS_WORDS:
            value = _UNITS_WORDS.get(word, _TENS_WORDS.get(word, 0))
            current = value if current is None else current + value
            continue
        if word in _MAGNITUDE_WORDS and current is not None:
            current *= _MAGNITUDE_WORDS[word]
            continue
        if current is not None:
            yield current
            current = None
        if word in _NUMBER_WORDS:
            yield _NUMBER_WORDS[word]


def _numbers_in(text: str) -> list[float]:
    found: list[float] = []
    for match in _NUMBER.finditer(text.replace("−", "-")):
        token = match.group(0)
        digits = re.sub(r"[^\d.\-]", "", token.split()[0] if " " in token else token)
        digits = digits.rstrip(".")
        if not any(c.isdigit() for c in digits):
            continue
        try:
            value = float(digits)
        except ValueError:
            continue
        suffix = (match.group(1) or ("%" if token.endswith("%") else "")).lower()
        if suffix in _SCALE:
            found.append(value * _SCALE[suffix])
        found.append(value)
        if value < 0:
            found.append(-value)  # "-5 degrees" and "5 below": the sign is often re-stated
    # Digits inside words and codes (`A4`, `3rd`, `covid19`), and every ratio `a:b`/`a/b`.
    for digits in re.findall(r"\d+(?:\.\d+)?", text):
        found.append(float(digits))
    found.extend(_word_numbers(_words(text)))
    for mantissa, exponent in _SCIENTIFIC.findall(text):
        power = exponent.translate(_SUPERSCRIPTS).replace("−", "-")
        with contextlib.suppress(ValueError, OverflowError):
            found.append(float(mantissa) * 10 ** int(power))
    # A month named in the query states its number (February -> 2).
    found.extend(_MONTHS[m.lower()] for m in re.findall(_MONTH, text, re.I))
    return found


_SCIENTIFIC = re.compile(r"(\d+(?:\.\d+)?)\s*[×x*]\s*10\^?\s*([-−⁻]?[\d⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def _close(a: float, b: float, rel: float) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


def _number_grounded(value: float, query: Query) -> bool:
    # The sign is often implied rather than written: a cost is an outflow, 5 below zero.
    value = abs(value)
    if value in (0, 1):
        return True
    for n in query.numbers:
        for f in _EXACT_FACTORS:
            if _close(value, n * f, 1e-6):
                return True
        for f in _UNIT_FACTORS:
            if _close(value, n * f, 0.005) or _close(value, n / f, 0.005):
                return True
        # Fahrenheit and Celsius, the one common conversion that is not a factor.
        if _close(value, (n - 32) * 5 / 9, 0.015) or _close(value, n * 9 / 5 + 32, 0.015):
            return True
    # Derived from two numbers of the query: a sum (3 h 30 min), difference or product.
    nums = query.numbers[:12]
    for i, a in enumerate(nums):
        for b in nums[i + 1 :]:
            for derived in (a + b, abs(a - b), a * b, a * 60 + b, a + b / 60):
                if _close(value, derived, 1e-6):
                    return True
    return False


# --- dates and times -----------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for m in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4})"
_DATE_PATTERNS: list[tuple[re.Pattern[str], tuple[str, str, str]]] = [
    (re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b"), ("y", "m", "d")),
    (re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I), ("M", "d", "y")),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I), ("d", "M", "y")),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), ("m", "d", "y")),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), ("d", "m", "y")),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), ("d", "m", "y")),
]
_MONTH_YEAR = re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b", re.I)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b|\b{_DAY}\s+(?:of\s+)?{_MONTH}\b", re.I)
_ISO_VALUE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ](\d{1,2}):(\d{2})(?::\d{2})?)?")


#: Days people name rather than write, as `--MM-DD` (the year comes from the query).
_NAMED_DAYS = {
    "new year's day": "--01-01",
    "new years day": "--01-01",
    "valentine's day": "--02-14",
    "halloween": "--10-31",
    "christmas eve": "--12-24",
    "christmas day": "--12-25",
    "christmas": "--12-25",
    "boxing day": "--12-26",
    "new year's eve": "--12-31",
    "new years eve": "--12-31",
    "independence day": "--07-04",
}


def _dates_in(text: str) -> set[str]:
    """ISO forms (`2024-03-03`, `2024-03`, `--03-03`) of the dates the text spells out."""
    found: set[str] = {day for name, day in _NAMED_DAYS.items() if name in text.lower()}
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups(), strict=True))
            month = int(parts["m"]) if "m" in parts else _MONTHS[parts["M"].lower()]
            try:
                day = dt.date(int(parts["y"]), month, int(parts["d"]))
            except ValueError:
                continue
            found.add(day.isoformat())
    for match in _MONTH_YEAR.finditer(text):
        found.add(f"{int(match.group(2)):04d}-{_MONTHS[match.group(1).lower()]:02d}")
    for match in _MONTH_DAY.finditer(text):
        month_name = match.group(1) or match.group(4)
        day_text = match.group(2) or match.group(3)
        found.add(f"--{_MONTHS[month_name.lower()]:02d}-{int(day_text):02d}")
    return found


_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?=\W|$)")


def _times_in(lower: str) -> set[str]:
    found: set[str] = set()
    for match in _TIME.finditer(lower):
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
        if match.group(2) is None and half is None:
            continue
        if half and half.startswith("p") and hour < 12:
            hour += 12
        if half and half.startswith("a") and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            found.add(f"{hour:02d}:{minute:02d}")
    if "noon" in lower:
        found.add("12:00")
    if "midnight" in lower:
        found.add("00:00")
    return found


def _date_grounded(value: str, query: Query) -> bool | None:
    """None when `value` is not a date; else whether the query states it."""
    match = _ISO_VALUE.match(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute = match.groups()
    iso_day = f"{year}-{month}-{day}" if day else None
    dates = query.dates
    date_ok = (
        (iso_day in dates or (f"--{month}-{day}" in dates and year in query.text))
        if iso_day
        else f"{year}-{month}" in dates
    )
    if not date_ok:
        return False
    if hour is None:
        return True
    return f"{int(hour):02d}:{minute}" in query.times or (int(hour), int(minute)) == (0, 0)


def _time_grounded(value: str, query: Query) -> bool | None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", value.strip())
    if match is None:
        return None
    return f"{int(match.group(1)):02d}:{match.group(2)}" in query.times


# --- values -------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"^(?:<.*>|\[.*\]|\{.*\}|x{3,}|n/?a|tbd|todo|none|null|undefined|placeholder|"
    r"(?:example|sample|some|your|my|test|dummy|default)(?:[ _-]?\w+)?|"
    r"(?:string|text|value|name|item|input|param(?:eter)?|arg(?:ument)?)[ _-]?\d*|"
    r"lorem ipsum.*|foo|bar|baz|abc|\.\.\.|…)$",
    re.IGNORECASE,
)
_CODE = re.compile(r"^(?:[A-Z0-9]{2,4}|[A-Za-z]{1,3}|[A-Z]{2}-[A-Z0-9]{1,3})$")
_SYMBOLS = {"$": "usd", "€": "eur", "£": "gbp", "¥": "jpy", "₹": "inr", "°f": "f", "°c": "c"}


def _code_grounded(code: str, query: Query) -> bool:
    """A short code translates some word of the query: JP <- Japan, GBP <- pounds, km <- km.

    Translating is what good rows do, so any query word that starts like the code will
    do; a code for a name the query never gives (the parameter's example `JFK`) will not.
    """
    first = code[0].lower()
    if any(sign in query.lower and name.startswith(first) for sign, name in _SYMBOLS.items()):
        return True
    return any(w[0] == first and w not in _STOPWORDS for w in query.words)


def _options_in(text: str) -> set[str]:
    """Values a description lists as options (`one of 'a', 'b' or 'c'`).

    An example (`e.g. 'JP'`) is not an option: it is what small models copy.
    """
    options: set[str] = set()
    for sentence in re.split(r"(?<=[.;])\s+|\(|\)", text):
        if re.search(r"\be\.g\b|for example|such as|\blike\b", sentence, re.I):
            continue
        quoted = re.findall(r"['\"`]([^'\"`]{1,40})['\"`]", sentence)
        if len(quoted) >= 2:
            options.update(_flat(q) for q in quoted)
    return options


def _check_value(query: Query, tool: Tool, param: Param, value: Any) -> Rejection | None:
    if value is None or isinstance(value, bool):
        return None
    if param.enum is not None and value in param.enum:
        return None
    # An optional parameter at its default says nothing the query must state. A required
    # one's "default" is an example (ToolBench specs give one): copying it is inventing.
    if not param.required and param.default is not msgspec.UNSET and value == param.default:
        return None
    if isinstance(value, list):
        for item in value:
            if rejection := _check_value(query, tool, _element(param), item):
                return rejection
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = Param(name=f"{param.name}.{key}", type="any", description=param.description)
            if rejection := _check_value(query, tool, inner, item):
                return rejection
        return None
    where = f"{tool.name}.{param.name}={value!r}"
    if isinstance(value, int | float):
        if _number_grounded(float(value), query):
            return None
        return _reject("ungrounded_value", f"{where}: the number is not in the query")
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or query.states_text(text):
        return None
    if _is_placeholder(text, param):
        return _reject(
            "placeholder_value", f"{where}: a placeholder or the parameter's own description"
        )
    for check in (_date_grounded, _time_grounded):
        outcome = check(text, query)
        if outcome is not None:
            if outcome:
                return None
            return _reject("ungrounded_value", f"{where}: the query states no such date/time")
    if _CODE.match(text) and _code_grounded(text, query):
        return None
    if _flat(text) in _options_in(param.description + " " + tool.description):
        return None
    if _string_as_number(text, query):
        return None
    return _reject("ungrounded_value", f"{where}: the query does not state it")


def _element(param: Param) -> Param:
    return Param(name=f"{param.name}[]", type=param.items or "any", description=param.description)


def _is_placeholder(text: str, param: Param) -> bool:
    if _PLACEHOLDER.match(text):
        return True
    words = _words(text)
    described = set(_words(param.description))
    if len(words) >= 3 and described:
        # A value mostly made of its parameter's description was copied from it.
        return sum(1 for w in words if w in described) / len(words) >= 0.7
    return False


def _string_as_number(text: str, query: Query) -> bool:
    """A number written as a string (`"2.5"`, `"1,200"`), grounded like a number."""
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return False
    return math.isfinite(number) and _number_grounded(number, query)


# --- the query itself ------------------------------------------------------------------


def _states_a_value(query: Query, call: Call) -> bool:
    for value in call.arguments.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str) and len(_flat(item)) >= 3 and _flat(item) in query.flat:
                return True
    return False


def _copied_example(query: Query, examples: Sequence[str]) -> str | None:
    words = set(query.words)
    for example in examples:
        shown = set(_words(example))
        if words and len(words & shown) / len(words | shown) >= 0.8:
            return example
    return None


_SENTENCE_END = re.compile(r"[.?!;\n]+")

# Phrases that refer to the offered tools or to the generation task itself. Bare "the
# functions" is left alone: "the functions of the liver" is a fine irrelevance query.
_TOOL_WORD = r"(?:tools?|functions?|apis?)"
_META = re.compile(
    rf"\b(?:these|those|your|available|given|provided|listed|offered|above)\s+{_TOOL_WORD}\b"
    rf"|\b{_TOOL_WORD}\s+(?:provided|given|above|listed|available|offered)\b"
    rf"|\bwhich\s+(?:of\s+the\s+)?{_TOOL_WORD}\s+(?:can|could|should|would|do|does|is|are|to)\b"
    r"|\bthe\s+query\b",
    re.IGNORECASE,
)


def _repeated_sentence(text: str) -> str | None:
    seen: set[tuple[str, ...]] = set()
    for sentence in _SENTENCE_END.split(text):
        words = tuple(_words(sentence))
        if len(words) >= 4:
            if words in seen:
                return sentence.strip()
            seen.add(words)
    return None


def _restates_spec(
    query: Query, answers: list[Call], tools: Mapping[str, Tool]
) -> Rejection | None:
    for tool in tools.values():
        if query.names(tool.name):
            return _reject("query_restates_spec", f"the query names the function {tool.name!r}")
    for call in answers:
        tool = tools.get(call.name)
        if tool is None:
            continue
        for param in tool.parameters:
            if query.names(param.name):
                return _reject(
                    "query_restates_spec",
                    f"the query names the parameter {param.name!r} of {tool.name}",
                )
        content = [w for w in query.words if w not in _STOPWORDS]
        # A query that holds the call's values is a need, whatever words it shares with the doc.
        if len(content) < 5 or query.numbers or _states_a_value(query, call):
            continue
        spec = set(_words(tool.description))
        for param in tool.parameters:
            spec.update(_words(param.description))
            spec.update(_words(param.name.replace("_", " ")))
        share = sum(1 for w in content if w in spec) / len(content)
        if share >= 0.8:
            return _reject(
                "query_restates_spec",
                f"{share:.0%} of the query's words are {tool.name}'s description",
            )
    return None
