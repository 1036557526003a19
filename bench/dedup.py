"""Near-dedup: precision and recall on labelled query pairs, and its cost at scale.

    python -m bench.dedup                   # precision/recall per threshold
    python -m bench.dedup --scale 100000    # CPU ms and memory per verified pair

The labelled pairs are hand-made: paraphrases of one request (same function, same
values: a duplicate) against genuinely different requests to the same function (other
values or another ask: not a duplicate), in the shapes generators produce.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc

from apigen_async.dedup import DedupConfig, Deduplicator, shingles
from apigen_async.schema import Task
from apigen_async.store import PairRecord, TaskRecord

#: (a, b): b restates a; a dedup should drop b.
PARAPHRASES = [
    ("Convert 100 USD to EUR.", "Please convert 100 USD to EUR."),
    ("Convert 100 USD to EUR.", "Convert 100 USD into EUR"),
    ("What is the BMI of someone 1.8 m tall weighing 75 kg?",
     "What is the BMI for someone who is 1.8 m tall and weighs 75 kg?"),
    ("Calculate the average of 4, 8 and 15.", "Calculate the average of 4, 8, and 15 please."),
    ("How many days are there between 2024-01-01 and 2024-03-15?",
     "How many days are between 2024-01-01 and 2024-03-15?"),
    ("Reverse the words in 'hello big world'.", "Can you reverse the words in 'hello big world'?"),
    ("Is 97 a prime number?", "Is the number 97 a prime number?"),
    ("What is the factorial of 7?", "What's the factorial of 7?"),
    ("Find the greatest common divisor of 48 and 18.",
     "Find the greatest common divisor of 48 and 18 for me."),
    ("Compute compound interest on $5,000 at 4% for 3 years.",
     "Compute the compound interest on $5,000 at 4% for 3 years."),
    ("What is the distance between Paris and Berlin in km?",
     "What's the distance between Paris and Berlin in km?"),
    ("Convert 30 degrees Celsius to Fahrenheit.", "Convert 30 degrees Celsius into Fahrenheit."),
    ("Generate a random password of length 12.", "Generate a random password with length 12."),
    ("Get the weather forecast for Tokyo for the next 3 days.",
     "Get me the weather forecast for Tokyo for the next 3 days."),
    ("Count the vowels in the sentence 'the quick brown fox'.",
     "Count the vowels in the sentence 'the quick brown fox', please."),
    ("Calculate the area of a circle with radius 5.",
     "Calculate the area of a circle of radius 5."),
    ("Translate 'good morning' into Spanish.", "Please translate 'good morning' into Spanish."),
    ("Find the median of 3, 9, 1, 7 and 5.", "Find the median of the numbers 3, 9, 1, 7 and 5."),
    ("How long does it take to travel 300 km at 60 km/h?",
     "How long would it take to travel 300 km at 60 km/h?"),
    ("Check whether 'racecar' is a palindrome.", "Check if 'racecar' is a palindrome."),
    ("What is 15% of 240?", "What is 15 % of 240?"),
    ("Sort the list [5, 2, 9, 1] in ascending order.",
     "Sort the list [5, 2, 9, 1] in ascending order for me."),
    ("Look up the stock price of AAPL today.", "Look up today's stock price of AAPL."),
    ("Calculate my monthly mortgage payment for a $300,000 loan at 6% over 30 years.",
     "Calculate the monthly mortgage payment for a $300,000 loan at 6% over 30 years."),
]  # fmt: skip

#: (a, b): the same function, a different request; a dedup should keep both.
DISTINCT = [
    ("Convert 100 USD to EUR.", "Convert 50 EUR to CAD."),
    ("Convert 100 USD to EUR.", "Convert 30 USD to CNY."),
    ("What is the BMI of someone 1.8 m tall weighing 75 kg?",
     "What is the BMI of a person 1.6 m tall weighing 52 kg?"),
    ("Calculate the average of 4, 8 and 15.", "Calculate the average of 10, 20, 30 and 40."),
    ("How many days are there between 2024-01-01 and 2024-03-15?",
     "How many days are there between 2023-06-10 and 2023-12-25?"),
    ("Reverse the words in 'hello big world'.", "Reverse the letters of each word in 'open door'."),
    ("Is 97 a prime number?", "Is 221 prime?"),
    ("What is the factorial of 7?", "What is the factorial of 12?"),
    ("Find the greatest common divisor of 48 and 18.",
     "Find the greatest common divisor of 81 and 27."),
    ("Compute compound interest on $5,000 at 4% for 3 years.",
     "Compute compound interest on $12,000 at 2.5% for 10 years."),
    ("What is the distance between Paris and Berlin in km?",
     "What is the distance between Madrid and Lisbon in miles?"),
    ("Convert 30 degrees Celsius to Fahrenheit.", "Convert 451 degrees Fahrenheit to Celsius."),
    ("Generate a random password of length 12.",
     "Generate a random password of length 20 without symbols."),
    ("Get the weather forecast for Tokyo for the next 3 days.",
     "Get the weather forecast for Lima for the next 7 days."),
    ("Count the vowels in the sentence 'the quick brown fox'.",
     "Count the vowels in 'lazy dogs sleep all afternoon'."),
    ("Calculate the area of a circle with radius 5.",
     "Calculate the area of a circle with radius 12.5."),
    ("Translate 'good morning' into Spanish.", "Translate 'thank you very much' into German."),
    ("Find the median of 3, 9, 1, 7 and 5.", "Find the median of 22, 8, 14 and 30."),
    ("How long does it take to travel 300 km at 60 km/h?",
     "How long does it take to travel 42 miles at 12 mph?"),
    ("Check whether 'racecar' is a palindrome.", "Check whether 'A man a plan' is a palindrome."),
    ("What is 15% of 240?", "What is 7% of 1,250?"),
    ("Sort the list [5, 2, 9, 1] in ascending order.", "Sort [44, 3, 17] in descending order."),
    ("Look up the stock price of AAPL today.", "Look up the stock price of MSFT today."),
    ("Calculate my monthly mortgage payment for a $300,000 loan at 6% over 30 years.",
     "Calculate my monthly mortgage payment for a $450,000 loan at 5.25% over 15 years."),
]  # fmt: skip


def _record(index: int, queries: list[str]) -> TaskRecord:
    task = Task(
        index=index, id=f"t{index}", style="simple", tool_names=(), example_ids=(),
        template="", n_pairs=len(queries),
    )  # fmt: skip
    pairs = [
        PairRecord(
            id=f"t{index}-{k}", task_index=index, pair_index=k, style="simple",
            generator="bench", tool_names=(), query=q, answers=[],
        )
        for k, q in enumerate(queries)
    ]  # fmt: skip
    return TaskRecord(task=task, pairs=pairs)


def is_duplicate(a: str, b: str, threshold: float) -> bool:
    dedup = Deduplicator(DedupConfig(mode="near", threshold=threshold))
    return len(dedup.take(_record(0, [a, b]))) == 1


def jaccard(a: str, b: str) -> float:
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


def precision_recall(threshold: float) -> tuple[float, float, int, int]:
    tp = sum(is_duplicate(a, b, threshold) for a, b in PARAPHRASES)
    fp = sum(is_duplicate(a, b, threshold) for a, b in DISTINCT)
    precision = tp / (tp + fp) if tp + fp else 1.0
    return precision, tp / len(PARAPHRASES), tp, fp


def scale(n: int, threshold: float) -> None:
    """Feed n synthetic verified queries (templates x values, ~5% near repeats)."""
    rnd = random.Random(0)
    verbs = ["Convert", "Calculate", "Find", "Compute", "Get", "Check", "Look up", "Estimate"]
    things = ["the average of", "the distance between", "the BMI for", "the interest on",
              "the weather in", "the price of", "the median of", "the area of"]  # fmt: skip
    words = [f"w{i}" for i in range(5000)]

    def query() -> str:
        parts = [rnd.choice(verbs), rnd.choice(things)]
        parts += [rnd.choice(words) for _ in range(rnd.randint(4, 10))]
        parts += [str(rnd.randint(1, 10**6)) for _ in range(rnd.randint(1, 3))]
        return " ".join(parts)

    queries: list[str] = []
    for _ in range(n):
        if queries and rnd.random() < 0.05:
            queries.append("please " + rnd.choice(queries))
        else:
            queries.append(query())
    records = [_record(i, queries[i * 4 : i * 4 + 4]) for i in range(n // 4)]
    import datasketch  # noqa: F401  (its import is not the cost measured)

    tracemalloc.start()
    dedup = Deduplicator(DedupConfig(mode="near", threshold=threshold))
    cpu = time.process_time()
    kept = sum(len(dedup.take(r)) for r in records)
    cpu = time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{n} pairs: kept {kept}, exact {dedup.exact}, near {dedup.near}; "
        f"{cpu / n * 1000:.3f} CPU ms per pair; peak traced memory {peak / 2**20:.1f} MiB "
        f"({peak / n:.0f} bytes per pair)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args()
    if args.scale:
        scale(args.scale, args.threshold or DedupConfig().threshold)
        return
    print("paraphrase Jaccard:", sorted(round(jaccard(a, b), 2) for a, b in PARAPHRASES))
    print("distinct Jaccard:  ", sorted(round(jaccard(a, b), 2) for a, b in DISTINCT))
    print(f"{len(PARAPHRASES)} paraphrase pairs, {len(DISTINCT)} distinct pairs")
    print("threshold  precision  recall  (tp, fp)")
    for t in (args.threshold,) if args.threshold else (0.4, 0.5, 0.6, 0.7, 0.8):
        p, r, tp, fp = precision_recall(t)
        print(f"{t:9.2f}  {p:9.3f}  {r:6.3f}  ({tp}, {fp})")


if __name__ == "__main__":
    main()
