"""Writes the hand-checked seed examples to `<style>.jsonl` in the xlam-60k row format.

The queries and calls below are written and checked by hand; this script only renders
them as rows, taking each offered tool's spec from the library itself (`tools` column, xlam
dialect) so seeds never drift from the functions they call. `tests/test_seeds.py` fails
when the .jsonl files are stale. Regenerate with:

    python scripts/build_seeds.py

It lives in scripts/, not in `apis/`: it uses the generator's dialects, and the API
library imports nothing of the generator.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT / "apis" / "seeds"
sys.path.insert(0, str(ROOT))

Seed = tuple[str, list[str], list[tuple[str, dict[str, Any]]]]

# style -> [(query, offered tool names, [(function, arguments)])]
SEEDS: dict[str, list[Seed]] = {
    "simple": [
        (
            "What's the BMI of someone who is 1.8 m tall and weighs 75 kg?",
            ["calculate_bmi"],
            [("calculate_bmi", {"weight_kg": 75, "height_m": 1.8})],
        ),
        (
            "How much will $5,000 grow to in 8 years at 4.5% interest compounded monthly?",
            ["compound_interest"],
            [
                (
                    "compound_interest",
                    {"principal": 5000, "annual_rate": 4.5, "years": 8, "compounding": "monthly"},
                )
            ],
        ),
        (
            "Convert a marathon distance of 26.2 miles into kilometres.",
            ["convert_length"],
            [("convert_length", {"value": 26.2, "from_unit": "mi", "to_unit": "km"})],
        ),
        (
            "What day of the week was July 20, 1969?",
            ["day_of_week"],
            [("day_of_week", {"date": "1969-07-20"})],
        ),
        (
            "What is the molar mass of glucose, C6H12O6?",
            ["molar_mass_of_formula"],
            [("molar_mass_of_formula", {"formula": "C6H12O6"})],
        ),
        (
            "Give me the SHA-512 hash of the string 'apigen'.",
            ["compute_hash"],
            [("compute_hash", {"text": "apigen", "algorithm": "sha512"})],
        ),
        ("Is 7919 a prime number?", ["is_prime_number"], [("is_prime_number", {"n": 7919})]),
        (
            "What's the monthly payment on a $350,000 mortgage over 30 years at 6.5% interest?",
            ["loan_monthly_payment"],
            [("loan_monthly_payment", {"principal": 350000, "annual_rate": 6.5, "years": 30})],
        ),
        (
            "How far is it in miles from JFK to Tokyo Haneda airport?",
            ["airport_distance"],
            [("airport_distance", {"origin": "JFK", "destination": "HND", "unit": "mi"})],
        ),
        (
            "Write the year 1987 in Roman numerals.",
            ["integer_to_roman"],
            [("integer_to_roman", {"number": 1987})],
        ),
        (
            "A 10 kg box sits on a shelf 2.5 m above the floor. What is its potential energy?",
            ["gravitational_potential_energy"],
            [("gravitational_potential_energy", {"mass_kg": 10, "height_m": 2.5})],
        ),
        (
            "We're six friends splitting a $240 dinner bill and want to leave a 20% tip. "
            "How much does each of us pay?",
            ["calculate_tip"],
            [("calculate_tip", {"bill_amount": 240, "tip_percent": 20, "people": 6})],
        ),
        (
            "What is the median of 12, 7, 3, 19 and 8?",
            ["compute_median"],
            [("compute_median", {"values": [12, 7, 3, 19, 8]})],
        ),
        (
            "What's the reverse complement of the DNA sequence ATGCCGTA?",
            ["dna_reverse_complement"],
            [("dna_reverse_complement", {"sequence": "ATGCCGTA"})],
        ),
    ],
    "multiple": [
        (
            "It's 30 degrees Celsius outside. What is that in Fahrenheit?",
            ["convert_length", "convert_temperature", "convert_mass"],
            [
                (
                    "convert_temperature",
                    {"value": 30, "from_unit": "celsius", "to_unit": "fahrenheit"},
                )
            ],
        ),
        (
            "How much water should a 68 kg person drink on a day with 45 minutes of exercise?",
            ["calculate_bmi", "basal_metabolic_rate", "daily_water_intake"],
            [("daily_water_intake", {"weight_kg": 68, "exercise_minutes": 45})],
        ),
        (
            "I bought shares for $2,400 and sold them for $3,150. What's my return on investment?",
            ["simple_interest", "compound_interest", "return_on_investment"],
            [("return_on_investment", {"initial_value": 2400, "final_value": 3150})],
        ),
        (
            "What date is 90 days after 2025-01-15?",
            ["days_between_dates", "add_time_to_date", "is_leap_year"],
            [("add_time_to_date", {"date": "2025-01-15", "amount": 90, "unit": "days"})],
        ),
        (
            "Is 'Was it a car or a cat I saw?' a palindrome?",
            ["word_frequency", "count_words", "is_palindrome"],
            [("is_palindrome", {"text": "Was it a car or a cat I saw?"})],
        ),
        (
            "Base64-encode the credentials 'user:secret' for a basic auth header.",
            ["url_encode", "base64_encode", "compute_hash"],
            [("base64_encode", {"text": "user:secret"})],
        ),
        (
            "What's the capital of Kenya and which currency does it use?",
            ["airport_details", "country_facts", "great_circle_distance"],
            [("country_facts", {"country_code": "KE"})],
        ),
        (
            "What is the volume of a cylinder with a radius of 3 cm and a height of 10 cm?",
            ["circle_properties", "solid_volume", "triangle_area_from_sides"],
            [("solid_volume", {"shape": "cylinder", "dimension_a": 3, "dimension_b": 10})],
        ),
        (
            "What's the batting average of a player with 45 hits in 160 at-bats?",
            ["elo_rating_update", "league_table_points", "batting_average"],
            [("batting_average", {"hits": 45, "at_bats": 160})],
        ),
        (
            "I have 72% going into a final exam worth 25% of the grade. "
            "What score do I need to finish the course with 75%?",
            ["calculate_gpa", "percentage_to_letter_grade", "final_exam_score_needed"],
            [
                (
                    "final_exam_score_needed",
                    {"current_grade": 72, "final_exam_weight": 25, "target_grade": 75},
                )
            ],
        ),
        (
            "How many euros is 250 British pounds?",
            ["apply_discount", "convert_currency_amount", "calculate_sales_tax"],
            [
                (
                    "convert_currency_amount",
                    {"amount": 250, "from_currency": "GBP", "to_currency": "EUR"},
                )
            ],
        ),
        (
            "What's the 3rd largest number in [4, 18, 7, 22, 9, 15]?",
            ["binary_search", "sort_numbers", "kth_largest_element"],
            [("kth_largest_element", {"values": [4, 18, 7, 22, 9, 15], "k": 3})],
        ),
        (
            "How long does sunlight take to reach Mars, 1.524 AU from the Sun?",
            ["planet_facts", "weight_on_planet", "light_travel_time"],
            [("light_travel_time", {"distance": 1.524, "unit": "au"})],
        ),
    ],
    "parallel": [
        (
            "Compute the BMI for Alex (82 kg, 1.78 m) and for Jordan (61 kg, 1.65 m).",
            ["calculate_bmi"],
            [
                ("calculate_bmi", {"weight_kg": 82, "height_m": 1.78}),
                ("calculate_bmi", {"weight_kg": 61, "height_m": 1.65}),
            ],
        ),
        (
            "Convert 100 US dollars to Japanese yen and also to Indian rupees.",
            ["convert_currency_amount"],
            [
                (
                    "convert_currency_amount",
                    {"amount": 100, "from_currency": "USD", "to_currency": "JPY"},
                ),
                (
                    "convert_currency_amount",
                    {"amount": 100, "from_currency": "USD", "to_currency": "INR"},
                ),
            ],
        ),
        (
            "Are 221, 223 and 227 prime numbers?",
            ["is_prime_number"],
            [
                ("is_prime_number", {"n": 221}),
                ("is_prime_number", {"n": 223}),
                ("is_prime_number", {"n": 227}),
            ],
        ),
        (
            "Which days of the week are 2025-12-25 and 2026-01-01?",
            ["day_of_week"],
            [("day_of_week", {"date": "2025-12-25"}), ("day_of_week", {"date": "2026-01-01"})],
        ),
        (
            "How far is London Heathrow from Dubai, and from Singapore Changi, in km?",
            ["airport_distance"],
            [
                ("airport_distance", {"origin": "LHR", "destination": "DXB", "unit": "km"}),
                ("airport_distance", {"origin": "LHR", "destination": "SIN", "unit": "km"}),
            ],
        ),
        (
            "Convert -40 °F and 451 °F to Celsius.",
            ["convert_temperature"],
            [
                (
                    "convert_temperature",
                    {"value": -40, "from_unit": "fahrenheit", "to_unit": "celsius"},
                ),
                (
                    "convert_temperature",
                    {"value": 451, "from_unit": "fahrenheit", "to_unit": "celsius"},
                ),
            ],
        ),
        (
            "I need the MD5 hash of 'alpha' and the SHA-1 hash of 'beta'.",
            ["compute_hash"],
            [
                ("compute_hash", {"text": "alpha", "algorithm": "md5"}),
                ("compute_hash", {"text": "beta", "algorithm": "sha1"}),
            ],
        ),
        (
            "What are the molar masses of NaCl, H2SO4 and CaCO3?",
            ["molar_mass_of_formula"],
            [
                ("molar_mass_of_formula", {"formula": "NaCl"}),
                ("molar_mass_of_formula", {"formula": "H2SO4"}),
                ("molar_mass_of_formula", {"formula": "CaCO3"}),
            ],
        ),
        (
            "I weigh 70 kg. How many calories do I burn swimming for 30 minutes, "
            "and doing yoga for 45 minutes?",
            ["calories_burned"],
            [
                (
                    "calories_burned",
                    {"activity": "swimming", "weight_kg": 70, "duration_minutes": 30},
                ),
                ("calories_burned", {"activity": "yoga", "weight_kg": 70, "duration_minutes": 45}),
            ],
        ),
        (
            "Find the GCD of 84 and 126, and the GCD of 1071 and 462.",
            ["greatest_common_divisor"],
            [
                ("greatest_common_divisor", {"a": 84, "b": 126}),
                ("greatest_common_divisor", {"a": 1071, "b": 462}),
            ],
        ),
        (
            "What are the populations of Brazil and Argentina?",
            ["country_facts"],
            [("country_facts", {"country_code": "BR"}), ("country_facts", {"country_code": "AR"})],
        ),
        (
            "Give me letter grades for a score of 47 out of 50 and for 71 out of 100.",
            ["percentage_to_letter_grade"],
            [
                ("percentage_to_letter_grade", {"score": 47, "max_score": 50}),
                ("percentage_to_letter_grade", {"score": 71, "max_score": 100}),
            ],
        ),
        (
            "When it's 15:00 UTC on 2024-09-01, what time is it in Tokyo (JST) "
            "and in Los Angeles (PST)?",
            ["convert_time_zone"],
            [
                (
                    "convert_time_zone",
                    {"datetime_local": "2024-09-01T15:00", "from_zone": "UTC", "to_zone": "JST"},
                ),
                (
                    "convert_time_zone",
                    {"datetime_local": "2024-09-01T15:00", "from_zone": "UTC", "to_zone": "PST"},
                ),
            ],
        ),
    ],
    "parallel_multiple": [
        (
            "I'm a 35-year-old man, 180 cm tall and 85 kg. What's my BMI and my basal metabolic "
            "rate?",
            ["calculate_bmi", "basal_metabolic_rate"],
            [
                ("calculate_bmi", {"weight_kg": 85, "height_m": 1.8}),
                (
                    "basal_metabolic_rate",
                    {"weight_kg": 85, "height_cm": 180, "age": 35, "sex": "male"},
                ),
            ],
        ),
        (
            "Convert 6 feet to centimetres and 150 pounds to kilograms.",
            ["convert_length", "convert_mass", "convert_temperature"],
            [
                ("convert_length", {"value": 6, "from_unit": "ft", "to_unit": "cm"}),
                ("convert_mass", {"value": 150, "from_unit": "lb", "to_unit": "kg"}),
            ],
        ),
        (
            "What's the monthly payment on a $25,000 car loan at 7% over 5 years, and what will "
            "$10,000 grow to in 5 years at 4% compounded quarterly?",
            ["loan_monthly_payment", "compound_interest"],
            [
                ("loan_monthly_payment", {"principal": 25000, "annual_rate": 7, "years": 5}),
                (
                    "compound_interest",
                    {"principal": 10000, "annual_rate": 4, "years": 5, "compounding": "quarterly"},
                ),
            ],
        ),
        (
            "Tell me about the CDG airport, and how far is it from Rome Fiumicino in km?",
            ["airport_details", "airport_distance"],
            [
                ("airport_details", {"iata_code": "CDG"}),
                ("airport_distance", {"origin": "CDG", "destination": "FCO", "unit": "km"}),
            ],
        ),
        (
            "How many days are there from 2024-02-01 to 2024-12-25, what weekday is "
            "2024-12-25, and is 2100 a leap year?",
            ["days_between_dates", "day_of_week", "is_leap_year"],
            [
                ("days_between_dates", {"start_date": "2024-02-01", "end_date": "2024-12-25"}),
                ("day_of_week", {"date": "2024-12-25"}),
                ("is_leap_year", {"year": 2100}),
            ],
        ),
        (
            "Count the words in 'To be or not to be, that is the question.' and make a URL "
            "slug for the title 'Ten Tips for Remote Work'.",
            ["word_frequency", "count_words", "slugify_text"],
            [
                ("count_words", {"text": "To be or not to be, that is the question."}),
                ("slugify_text", {"text": "Ten Tips for Remote Work"}),
            ],
        ),
        (
            "Convert 2024 into Roman numerals and tell me what number MMXLVIII is.",
            ["integer_to_roman", "roman_to_integer"],
            [
                ("integer_to_roman", {"number": 2024}),
                ("roman_to_integer", {"numeral": "MMXLVIII"}),
            ],
        ),
        (
            "A $120 jacket is 30% off. Also, how much is 8.25% sales tax on an $84 purchase?",
            ["calculate_sales_tax", "apply_discount", "calculate_tip"],
            [
                ("apply_discount", {"price": 120, "discount": 30, "discount_type": "percent"}),
                ("calculate_sales_tax", {"amount": 84, "tax_rate_percent": 8.25}),
            ],
        ),
        (
            "What's the pH of a solution with a hydrogen ion concentration of 0.0005 mol/L, "
            "and what is the molar mass of ammonia, NH3?",
            ["molar_mass_of_formula", "ph_from_concentration", "radioactive_decay"],
            [
                ("ph_from_concentration", {"concentration_mol_l": 0.0005, "ion": "hydrogen"}),
                ("molar_mass_of_formula", {"formula": "NH3"}),
            ],
        ),
        (
            "How long does a ball take to fall 45 m, and what is the period of a 2 m long "
            "pendulum?",
            ["kinetic_energy", "free_fall", "pendulum_period"],
            [("free_fall", {"height_m": 45}), ("pendulum_period", {"length_m": 2})],
        ),
        (
            "For the data 4, 8, 15, 16, 23, 42, give me the mean and the sample standard "
            "deviation.",
            ["compute_mean", "compute_standard_deviation", "pearson_correlation"],
            [
                ("compute_mean", {"values": [4, 8, 15, 16, 23, 42]}),
                (
                    "compute_standard_deviation",
                    {"values": [4, 8, 15, 16, 23, 42], "kind": "sample"},
                ),
            ],
        ),
        (
            "What's the distance in km and the initial compass bearing from New York "
            "(40.7128, -74.0060) to Los Angeles (34.0522, -118.2437)?",
            ["country_facts", "great_circle_distance", "initial_bearing"],
            [
                (
                    "great_circle_distance",
                    {"lat1": 40.7128, "lon1": -74.006, "lat2": 34.0522, "lon2": -118.2437},
                ),
                (
                    "initial_bearing",
                    {"lat1": 40.7128, "lon1": -74.006, "lat2": 34.0522, "lon2": -118.2437},
                ),
            ],
        ),
        (
            "Fuel cost for a 420 km drive in a car using 7.2 L/100 km with fuel at 1.65 per "
            "litre, and the cost of a hotel at 135 a night from 2025-07-03 to 2025-07-06 "
            "with 10% tax?",
            ["trip_fuel_cost", "hotel_stay_cost", "daily_travel_budget"],
            [
                (
                    "trip_fuel_cost",
                    {
                        "distance_km": 420,
                        "fuel_efficiency_l_per_100km": 7.2,
                        "fuel_price_per_litre": 1.65,
                    },
                ),
                (
                    "hotel_stay_cost",
                    {
                        "nightly_rate": 135,
                        "check_in": "2025-07-03",
                        "check_out": "2025-07-06",
                        "tax_percent": 10,
                    },
                ),
            ],
        ),
    ],
    "irrelevance": [
        (
            "What's the weather going to be in Paris tomorrow?",
            ["calculate_bmi", "daily_water_intake"],
            [],
        ),
        (
            "Book me a table for two at an Italian restaurant tonight.",
            ["convert_currency_amount"],
            [],
        ),
        ("Who won the 2018 FIFA World Cup?", ["compute_hash", "base64_encode"], []),
        (
            "What time does flight BA117 depart from Heathrow today?",
            ["airport_distance", "airport_details"],
            [],
        ),
        (
            "Translate 'good morning' into Spanish.",
            ["molar_mass_of_formula", "element_properties"],
            [],
        ),
        ("What's Apple's stock price right now?", ["loan_monthly_payment"], []),
        ("Set a reminder to call my mom at 6 pm.", ["day_of_week", "days_in_month"], []),
        ("Write me a short poem about the ocean.", ["word_frequency", "count_words"], []),
        ("When is the next SpaceX launch?", ["planet_facts", "weight_on_planet"], []),
        ("Which Canadian university is best for computer science?", ["calculate_gpa"], []),
        (
            "Where is my package with tracking number 1Z999AA10123456784?",
            ["shipping_cost", "order_total"],
            [],
        ),
        (
            "What's the score of tonight's Lakers game?",
            ["elo_rating_update", "league_table_points"],
            [],
        ),
        ("Send an email to my boss saying I'll be late.", ["sort_numbers"], []),
    ],
}


def _build_rows() -> dict[str, list[dict[str, Any]]]:
    from apigen_async.catalog.dialects import tool_to_xlam
    from apigen_async.catalog.python import load_python_tools

    tools = {
        t.name: t
        for path in sorted((ROOT / "apis" / "python").glob("*.py"))
        if not path.name.startswith("_")
        for t in load_python_tools(path)
    }
    rows: dict[str, list[dict[str, Any]]] = {}
    for style, seeds in SEEDS.items():
        rows[style] = []
        for i, (query, offered, calls) in enumerate(seeds):
            answers = [{"name": name, "arguments": args} for name, args in calls]
            rows[style].append(
                {
                    "id": f"seed-{style}-{i}",
                    "query": query,
                    "answers": json.dumps(answers, ensure_ascii=False),
                    "tools": json.dumps(
                        [tool_to_xlam(tools[n]) for n in offered], ensure_ascii=False
                    ),
                }
            )
    return rows


def _render(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def _main() -> None:
    for style, rows in _build_rows().items():
        (SEEDS_DIR / f"{style}.jsonl").write_text(_render(rows), encoding="utf-8")
        print(f"{style}: {len(rows)} rows")


if __name__ == "__main__":
    _main()
