"""The rules check: rows it must reject, and correct rows (with normalisations) it must keep."""

from __future__ import annotations

from typing import Any

import pytest

from apigen_async.catalog.library import load_catalog
from apigen_async.checks.rules import check_rules
from apigen_async.schema import Call, Pair, Style, Tool

TOOLS = load_catalog([], builtin=True, local_rest=False).by_name()


def _rules(query: str, calls: list[tuple[str, dict[str, Any]]], style: Style = "simple") -> str:
    offered: dict[str, Tool] = {name: TOOLS[name] for name, _ in calls}
    pair = Pair(query=query, answers=[Call(name=n, arguments=a) for n, a in calls])
    rejection = check_rules(pair, offered, style)
    return "ok" if rejection is None else rejection.code


KEEP = [
    # Thousands separators, a percentage as written, an enum from the query's words.
    ("How much will $5,000 grow to in 8 years at 4.5% compounded monthly?",
     [("compound_interest", {"principal": 5000, "annual_rate": 4.5, "years": 8,
                             "compounding": "monthly"})]),
    # `1.5k`, and an optional parameter left at its declared default.
    ("What's the monthly payment on a 1.5k loan at 6% over 2 years?",
     [("loan_monthly_payment", {"principal": 1500, "annual_rate": 6, "years": 2})]),
    # Number words.
    ("Split a bill of 120 dollars between four people with a twenty percent tip.",
     [("calculate_tip", {"bill_amount": 120, "tip_percent": 20, "people": 4})]),
    # A percentage written as a fraction.
    ("Take 15% off a $80 jacket.",
     [("apply_discount", {"price": 80, "discount": 0.15})]),
    # Centimetres to metres (a power of ten) and a date written out.
    ("I was born on March 3rd, 1991. How old was I on 2024-06-01?",
     [("calculate_age", {"birth_date": "1991-03-03", "on_date": "2024-06-01"})]),
    # A named day with its year, and a month name as a number.
    ("What weekday is Christmas Eve 2026?", [("day_of_week", {"date": "2026-12-24"})]),
    ("How many days does February 2032 have?",
     [("days_in_month", {"year": 2032, "month": 2})]),
    # A country name turned into its code; a currency symbol into its code.
    ("Tell me about Japan.", [("country_facts", {"country_code": "JP"})]),
    ("How many euros is $250?",
     [("convert_currency_amount", {"amount": 250, "from_currency": "USD", "to_currency": "EUR"})]),
    # Fahrenheit to Celsius is not a factor, but a common conversion.
    ("It's 98.6 °F outside; how far is that from 37 C?",
     [("convert_temperature", {"value": 98.6, "from_unit": "fahrenheit", "to_unit": "celsius"})]),
    # A diameter given, a radius called for; a sign implied by "costs".
    ("What's the surface of a ball 22 cm across?", [("sphere_surface_area", {"radius": 11})]),
    # Scientific notation.
    ("The hydroxide concentration is 2.5 × 10⁻⁴ mol/L; what's the pH?",
     [("ph_from_concentration", {"concentration_mol_l": 0.00025, "ion": "hydroxide"})]),
    # Free text quoted in the query, with its own punctuation.
    ("Count the words in: 'The quick brown fox jumps over the lazy dog.'",
     [("count_words", {"text": "The quick brown fox jumps over the lazy dog"})]),
    # Parallel calls, each with its own values.
    ("Convert 10 km and 42.195 km to miles.",
     [("convert_length", {"value": 10, "from_unit": "km", "to_unit": "mi"}),
      ("convert_length", {"value": 42.195, "from_unit": "km", "to_unit": "mi"})], "parallel"),
    # A function named by its words is a need, not a restatement.
    ("What's the batting average of a player with 45 hits in 160 at-bats?",
     [("batting_average", {"hits": 45, "at_bats": 160})]),
]  # fmt: skip

REJECT = [
    # A value copied from the parameter's description.
    ("How readable is my essay?",
     [("flesch_reading_ease", {"text": "The English text (at least one sentence)."})],
     "simple", "placeholder_value"),
    ("Count the words of my note.", [("count_words", {"text": "example text"})], "simple",
     "placeholder_value"),
    # Numbers the user never gave.
    ("What's the monthly payment on my mortgage?",
     [("loan_monthly_payment", {"principal": 300000, "annual_rate": 5, "years": 30})],
     "simple", "ungrounded_value"),
    ("What is the current time in seconds?",
     [("convert_time_duration", {"value": 60.0, "from_unit": "minutes", "to_unit": "seconds"})],
     "simple", "ungrounded_value"),
    # A mis-copied number (digits changed) is not grounded either.
    ("How much will $5,000 grow to in 8 years at 4.5%?",
     [("compound_interest", {"principal": 5500, "annual_rate": 4.5, "years": 8})],
     "simple", "ungrounded_value"),
    # A date the query does not state.
    ("How old is someone born on 1990-05-01?",
     [("calculate_age", {"birth_date": "1990-05-01", "on_date": "2024-01-01"})],
     "simple", "ungrounded_value"),
    # The parameter's example code, with no country in the query.
    ("What's the population of the country I'm visiting?",
     [("country_facts", {"country_code": "JP"})], "simple", "ungrounded_value"),
    # A free-text value absent from the query.
    ("How far is it between the two airports?",
     [("airport_distance", {"origin": "Heathrow Airport", "destination": "Paris Orly"})],
     "simple", "ungrounded_value"),
    # The same call twice.
    ("What's the BMI of someone 1.8 m tall weighing 75 kg?",
     [("calculate_bmi", {"weight_kg": 75, "height_m": 1.8}),
      ("calculate_bmi", {"weight_kg": 75, "height_m": 1.8})], "parallel", "duplicate_call"),
    # A conversion from a thing to itself (the embedded model wrote this one).
    ("Convert 200 cm to 1.8 m in USD.",
     [("convert_currency_amount", {"amount": 200, "from_currency": "USD", "to_currency": "USD"})],
     "simple", "degenerate_call"),
    # A bearing from a point to itself (the embedded 1.5B wrote this one).
    ("What is the initial bearing from 34.05, -118.24 to 34.05, -118.24?",
     [("initial_bearing", {"lat1": 34.05, "lon1": -118.24, "lat2": 34.05, "lon2": -118.24})],
     "simple", "degenerate_call"),
    # The query spells a parameter identifier.
    ("Compute the BMI with weight_kg 75 and height_m 1.8.",
     [("calculate_bmi", {"weight_kg": 75, "height_m": 1.8})], "simple", "query_restates_spec"),
]  # fmt: skip


@pytest.mark.parametrize("case", KEEP, ids=lambda c: c[0][:40])
def test_correct_rows_are_kept(case: tuple[Any, ...]) -> None:
    query, calls, *style = case
    assert _rules(query, calls, *style) == "ok"


@pytest.mark.parametrize("case", REJECT, ids=lambda c: c[0][:40])
def test_wrong_rows_are_rejected_with_their_reason(case: tuple[Any, ...]) -> None:
    query, calls, style, code = case
    assert _rules(query, calls, style) == code


def test_an_irrelevance_query_that_names_an_offered_function_is_rejected() -> None:
    pair = Pair(query="Run calculate_bmi for me.", answers=[])
    rejection = check_rules(pair, {"calculate_bmi": TOOLS["calculate_bmi"]}, "irrelevance")
    assert rejection is not None and rejection.code == "irrelevance_names_tool"
    fine = Pair(query="Which gym near me is open all night?", answers=[])
    assert check_rules(fine, {"calculate_bmi": TOOLS["calculate_bmi"]}, "irrelevance") is None


def test_the_hand_checked_seeds_pass_the_rules() -> None:
    from apigen_async.catalog.library import load_seeds

    by_name = load_catalog([], builtin=True, local_rest=True).by_name()
    seeds = list(load_seeds(by_name))
    assert len(seeds) >= 60
    broken = []
    for style, query, calls in seeds:
        offered = {c.name: by_name[c.name] for c in calls}
        if rejection := check_rules(Pair(query=query, answers=calls), offered, style):
            broken.append((query, rejection.message))
    assert broken == []


def test_a_query_copied_from_a_shown_example_is_rejected() -> None:
    seed = "What date is 90 days after 2025-01-15?"
    copied = Pair(query=seed, answers=[Call(name="format_duration", arguments={"seconds": 90})])
    tools = {t.name: t for t in load_catalog().tools if t.name == "format_duration"}
    rejection = check_rules(copied, tools, "multiple", [seed, "Is 7919 a prime number?"])
    assert rejection is not None and rejection.code == "copies_example"
    # Unknown examples (as in `apigen verify`) and a query of its own are not copies.
    assert check_rules(copied, tools, "multiple") is None
    own = Pair(
        query="How long is 5400 seconds in words?",
        answers=[Call(name="format_duration", arguments={"seconds": 5400, "style": "words"})],
    )
    assert check_rules(own, tools, "multiple", [seed]) is None


def test_a_query_that_repeats_a_sentence_is_rejected() -> None:
    tools = {t.name: t for t in load_catalog().tools if t.name == "rectangle_properties"}
    call = Call(name="rectangle_properties", arguments={"width": 23.5, "height": 8.6})
    looping = Pair(
        query="What is the area of a 23.5 by 8.6 rectangle? What is the area of a "
        "23.5 by 8.6 rectangle? What is the area",
        answers=[call],
    )
    rejection = check_rules(looping, tools, "simple")
    assert rejection is not None and rejection.code == "repeated_text"
    once = Pair(query="What is the area of a 23.5 by 8.6 rectangle?", answers=[call])
    assert check_rules(once, tools, "simple") is None


@pytest.mark.parametrize(
    "query",
    [
        # Written by the embedded 1.5B generator asked for irrelevance queries.
        "What is the relevance of the query to the tools provided?",
        "Which tool can be used to predict the Hardy-Weinberg equilibrium?",
        "Why is it impossible to predict the Hardy-Weinberg equilibrium using the given tools?",
        "Use the available functions to tell me a joke.",
    ],
)
def test_a_query_about_the_tools_instead_of_a_need_is_rejected(query: str) -> None:
    rejection = check_rules(Pair(query=query, answers=[]), {}, "irrelevance")
    assert rejection is not None and rejection.code == "meta_query"


@pytest.mark.parametrize(
    "query",
    [
        "What are the functions of the liver?",
        "Which API key format does Stripe use?",
        "Sign a message with a secret key using HMAC, as webhook and API signatures do.",
    ],
)
def test_a_need_that_mentions_tools_or_functions_is_not_a_meta_query(query: str) -> None:
    assert check_rules(Pair(query=query, answers=[]), {}, "irrelevance") is None
