"""Text utilities: statistics, slugs, edit distance, palindromes, Caesar cipher."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from apis.rest.framework import ApiError, P, api, tool

T = tool(
    "text-toolkit",
    "Text Toolkit",
    "Text_Analysis",
    "Deterministic text processing: counts, slugs, similarity and simple ciphers.",
)


@api(
    T,
    "Text Statistics",
    "/stats",
    "Characters, words, sentences, average word length and reading time of a text.",
    P(
        "text",
        "STRING",
        "The text to analyse",
        example="The quick brown fox. It jumps!",
    ),
)
def stats(text: str) -> dict[str, Any]:
    words = re.findall(r"[\w']+", text)
    sentences = [s for s in re.split(r"[.!?]+", text) if s.strip()]
    return {
        "characters": len(text),
        "words": len(words),
        "sentences": len(sentences),
        "average_word_length": round(sum(map(len, words)) / len(words), 2) if words else 0,
        "reading_seconds": round(len(words) / 238 * 60, 1),
    }


@api(
    T,
    "Slugify",
    "/slugify",
    "Turn a title into a URL slug (ASCII, lowercase, dashes).",
    P("text", "STRING", "Text to slugify", example="Crème Brûlée: A Recipe!"),
    P(
        "max_length",
        "NUMBER",
        "Maximum slug length",
        required=False,
        default=80,
        integer=True,
    ),
)
def slugify(text: str, max_length: int) -> dict[str, Any]:
    if not 1 <= max_length <= 200:
        raise ApiError(400, "max_length must be between 1 and 200")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return {"slug": slug[:max_length].rstrip("-")}


@api(
    T,
    "Edit Distance",
    "/distance",
    "Levenshtein edit distance and similarity ratio between two strings.",
    P("a", "STRING", "First string", example="kitten"),
    P("b", "STRING", "Second string", example="sitting"),
)
def edit_distance(a: str, b: str) -> dict[str, Any]:
    if len(a) > 500 or len(b) > 500:
        raise ApiError(400, "strings must be at most 500 characters")
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    d = prev[-1]
    longest = max(len(a), len(b)) or 1
    return {"a": a, "b": b, "distance": d, "similarity": round(1 - d / longest, 4)}


@api(
    T,
    "Palindrome Check",
    "/palindrome",
    "Whether a text reads the same backwards, ignoring case, spaces and punctuation.",
    P("text", "STRING", "Text to check", example="A man, a plan, a canal: Panama"),
)
def palindrome(text: str) -> dict[str, Any]:
    core = [c.lower() for c in text if c.isalnum()]
    return {"text": text, "palindrome": bool(core) and core == core[::-1]}


@api(
    T,
    "Caesar Cipher",
    "/caesar",
    "Shift the letters of a text by a number of places (negative to decode).",
    P("text", "STRING", "Text to encode", example="Hello, World"),
    P("shift", "NUMBER", "Places to shift (-25 to 25)", example=3, integer=True),
)
def caesar(text: str, shift: int) -> dict[str, Any]:
    if not -25 <= shift <= 25:
        raise ApiError(400, "shift must be between -25 and 25")
    out = []
    for ch in text:
        if "a" <= ch <= "z" or "A" <= ch <= "Z":
            base = ord("a") if ch.islower() else ord("A")
            out.append(chr((ord(ch) - base + shift) % 26 + base))
        else:
            out.append(ch)
    return {"shift": shift, "result": "".join(out)}
