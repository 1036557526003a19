"""Text processing: counting, case conversion, similarity, extraction and simple ciphers."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any, Literal

CATEGORY = "text"

_MAX_CHARS = 100_000
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


def _text(name: str, value: str, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    if len(value) > _MAX_CHARS:
        raise ValueError(f"{name} must be at most {_MAX_CHARS} characters")
    if not allow_empty and not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def count_words(text: str) -> dict[str, int]:
    """Count words, characters, sentences and lines in a text.

    Args:
        text: The text to analyse.

    Returns:
        words, characters, characters_no_spaces, sentences and lines.
    """
    t = _text("text", text)
    sentences = len([s for s in re.split(r"[.!?]+", t) if s.strip()])
    return {
        "words": len(_WORD.findall(t)),
        "characters": len(t),
        "characters_no_spaces": len(re.sub(r"\s", "", t)),
        "sentences": sentences,
        "lines": len(t.splitlines()) if t else 0,
    }


def is_palindrome(text: str, ignore_case_and_punctuation: bool = True) -> bool:
    """Tell whether a text reads the same forwards and backwards.

    Args:
        text: The word or phrase to test.
        ignore_case_and_punctuation: Ignore letter case, spaces and punctuation (so 'A man, a
            plan...' counts).

    Returns:
        True for a palindrome.
    """
    t = _text("text", text, allow_empty=False)
    if ignore_case_and_punctuation:
        t = "".join(ch.lower() for ch in t if ch.isalnum())
    return t == t[::-1]


def word_frequency(text: str, top_n: int = 5, case_sensitive: bool = False) -> list[dict[str, Any]]:
    """List the most frequent words of a text with their counts.

    Args:
        text: The text to analyse.
        top_n: How many words to return (1-100); ties are broken alphabetically.
        case_sensitive: Count 'The' and 'the' as different words.

    Returns:
        A list of {word, count}, most frequent first.
    """
    t = _text("text", text)
    if not 1 <= top_n <= 100:
        raise ValueError("top_n must be between 1 and 100")
    words = _WORD.findall(t if case_sensitive else t.lower())
    ranked = sorted(Counter(words).items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"word": w, "count": c} for w, c in ranked[:top_n]]


def convert_case(
    text: str,
    style: Literal["snake", "camel", "pascal", "kebab", "title", "upper", "lower"],
) -> str:
    """Convert a phrase or identifier into another letter case style.

    Args:
        text: Words or an identifier such as 'user first name', 'userFirstName' or
            'user_first_name'.
        style: Target style: snake_case, camelCase, PascalCase, kebab-case, Title Case, UPPER or
            lower.

    Returns:
        The converted text.
    """
    t = _text("text", text, allow_empty=False)
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", t)
    words = [w for w in re.split(r"[\s_\-]+", spaced) if w]
    if style == "snake":
        return "_".join(w.lower() for w in words)
    if style == "kebab":
        return "-".join(w.lower() for w in words)
    if style == "camel":
        return words[0].lower() + "".join(w.capitalize() for w in words[1:])
    if style == "pascal":
        return "".join(w.capitalize() for w in words)
    if style == "title":
        return " ".join(w.capitalize() for w in words)
    if style == "upper":
        return t.upper()
    if style == "lower":
        return t.lower()
    raise ValueError("style must be snake, camel, pascal, kebab, title, upper or lower")


def slugify_text(text: str, max_length: int = 80) -> str:
    """Turn a title into a URL slug: ASCII lowercase words joined by hyphens.

    Args:
        text: The title, e.g. 'Crème Brûlée: A Recipe!'.
        max_length: Maximum slug length; the slug is cut at a word boundary.

    Returns:
        The slug, e.g. 'creme-brulee-a-recipe'.
    """
    t = _text("text", text, allow_empty=False)
    if max_length < 1:
        raise ValueError("max_length must be positive")
    ascii_text = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length]
        slug = slug.rsplit("-", 1)[0] if "-" in slug else slug
    if not slug:
        raise ValueError("text has no letters or digits to build a slug from")
    return slug


def levenshtein_distance(source: str, target: str) -> dict[str, Any]:
    """Compute the edit distance between two strings and a similarity ratio.

    Args:
        source: The first string (at most 1000 characters).
        target: The second string (at most 1000 characters).

    Returns:
        distance (insertions, deletions and substitutions) and similarity between 0 and 1.
    """
    a, b = _text("source", source), _text("target", target)
    if len(a) > 1000 or len(b) > 1000:
        raise ValueError("strings must be at most 1000 characters")
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    dist = prev[-1]
    longest = max(len(a), len(b))
    return {
        "distance": dist,
        "similarity": round(1 - dist / longest, 4) if longest else 1.0,
    }


def caesar_cipher(text: str, shift: int, mode: Literal["encrypt", "decrypt"] = "encrypt") -> str:
    """Encrypt or decrypt text with a Caesar shift of the Latin alphabet (other characters kept).

    Args:
        text: The text to transform.
        shift: Number of letters to shift by (any integer; 13 gives ROT13).
        mode: 'encrypt' shifts forward, 'decrypt' shifts back.

    Returns:
        The transformed text with the original letter case.
    """
    t = _text("text", text)
    if mode not in ("encrypt", "decrypt"):
        raise ValueError("mode must be 'encrypt' or 'decrypt'")
    k = shift % 26 if mode == "encrypt" else -shift % 26
    out = []
    for ch in t:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - 97 + k) % 26 + 97))
        elif "A" <= ch <= "Z":
            out.append(chr((ord(ch) - 65 + k) % 26 + 65))
        else:
            out.append(ch)
    return "".join(out)


def truncate_text(text: str, max_length: int, suffix: str = "...", whole_words: bool = True) -> str:
    """Shorten a text to a maximum length, adding a suffix when it was cut.

    Args:
        text: The text to shorten.
        max_length: Maximum length of the result including the suffix.
        suffix: Marker appended when text is cut.
        whole_words: Cut at the last space rather than in the middle of a word.

    Returns:
        The text itself if short enough, else the shortened text with the suffix.
    """
    t = _text("text", text)
    if max_length <= len(suffix):
        raise ValueError("max_length must be longer than the suffix")
    if len(t) <= max_length:
        return t
    cut = t[: max_length - len(suffix)]
    if whole_words and " " in cut and not t[len(cut)].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + suffix


def extract_emails_and_urls(text: str) -> dict[str, list[str]]:
    """Find the e-mail addresses and web URLs mentioned in a text.

    Args:
        text: The text to scan.

    Returns:
        emails and urls, each in order of first appearance without duplicates.
    """
    t = _text("text", text)
    emails = re.findall(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b", t)
    urls = [u.rstrip(".,;:!?)") for u in re.findall(r"https?://[^\s<>\"']+", t)]
    return {"emails": list(dict.fromkeys(emails)), "urls": list(dict.fromkeys(urls))}


def are_anagrams(first: str, second: str) -> bool:
    """Tell whether two words or phrases are anagrams (ignoring case, spaces and punctuation).

    Args:
        first: The first word or phrase.
        second: The second word or phrase.

    Returns:
        True when both use exactly the same letters.
    """

    def key(s: str) -> Counter[str]:
        return Counter(ch.lower() for ch in s if ch.isalnum())

    a, b = (
        _text("first", first, allow_empty=False),
        _text("second", second, allow_empty=False),
    )
    return key(a) == key(b)


def count_vowels_and_consonants(text: str) -> dict[str, int]:
    """Count vowels (a, e, i, o, u) and consonants among the Latin letters of a text.

    Args:
        text: The text to analyse.

    Returns:
        vowels, consonants and letters.
    """
    t = _text("text", text).lower()
    letters = [ch for ch in t if "a" <= ch <= "z"]
    vowels = sum(ch in "aeiou" for ch in letters)
    return {
        "vowels": vowels,
        "consonants": len(letters) - vowels,
        "letters": len(letters),
    }


def reverse_words(text: str, reverse_letters: bool = False) -> str:
    """Reverse the order of the words of a text, or each word's letters.

    Args:
        text: The text to reverse.
        reverse_letters: Reverse the letters inside each word instead of the word order.

    Returns:
        The reversed text, words separated by single spaces.
    """
    words = _text("text", text).split()
    if reverse_letters:
        return " ".join(w[::-1] for w in words)
    return " ".join(reversed(words))


def fill_text_template(template: str, values: dict[str, Any], strict: bool = True) -> str:
    """Fill {placeholder} fields of a text template with values (no code is evaluated).

    Args:
        template: Text with {name} placeholders, e.g. 'Dear {name}, your order {id} shipped.';
            write {{ and }} for literal braces.
        values: Placeholder name -> value (strings, numbers or booleans).
        strict: Raise an error for a placeholder without a value; otherwise leave it as is.

    Returns:
        The filled text.
    """
    t = _text("template", template)
    for key, value in values.items():
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            raise TypeError(f"value of {key!r} must be a string, number or boolean")

    def replace(m: re.Match[str]) -> str:
        if m.group(0) in ("{{", "}}"):
            return m.group(0)[0]
        name = m.group(1)
        if name in values:
            return str(values[name])
        if strict:
            raise ValueError(f"no value for placeholder {{{name}}}")
        return m.group(0)

    return re.sub(r"\{\{|\}\}|\{(\w+)\}", replace, t)


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "count_words": [
        (
            {"text": "Hello world. How are you?"},
            {
                "words": 5,
                "characters": 25,
                "characters_no_spaces": 21,
                "sentences": 2,
                "lines": 1,
            },
        ),
    ],
    "is_palindrome": [
        ({"text": "A man, a plan, a canal: Panama"}, True),
        ({"text": "Racecar", "ignore_case_and_punctuation": False}, False),
    ],
    "word_frequency": [
        (
            {"text": "the cat and the hat and the bat", "top_n": 2},
            [{"word": "the", "count": 3}, {"word": "and", "count": 2}],
        ),
    ],
    "convert_case": [
        ({"text": "userFirstName", "style": "snake"}, "user_first_name"),
        ({"text": "order total amount", "style": "camel"}, "orderTotalAmount"),
        ({"text": "max_retry_count", "style": "kebab"}, "max-retry-count"),
    ],
    "slugify_text": [({"text": "Crème Brûlée: A Recipe!"}, "creme-brulee-a-recipe")],
    "levenshtein_distance": [
        (
            {"source": "kitten", "target": "sitting"},
            {"distance": 3, "similarity": 0.5714},
        ),
    ],
    "caesar_cipher": [
        ({"text": "Hello, World!", "shift": 3}, "Khoor, Zruog!"),
        ({"text": "Khoor", "shift": 3, "mode": "decrypt"}, "Hello"),
    ],
    "truncate_text": [
        (
            {"text": "The quick brown fox jumps over the lazy dog", "max_length": 20},
            "The quick brown...",
        ),
    ],
    "extract_emails_and_urls": [
        (
            {"text": "Mail ana@example.com or see https://example.org/docs."},
            {"emails": ["ana@example.com"], "urls": ["https://example.org/docs"]},
        ),
    ],
    "are_anagrams": [
        ({"first": "Listen", "second": "Silent"}, True),
        ({"first": "apple", "second": "paper"}, False),
    ],
    "count_vowels_and_consonants": [
        ({"text": "Hello World"}, {"vowels": 3, "consonants": 7, "letters": 10}),
    ],
    "reverse_words": [
        ({"text": "one two three"}, "three two one"),
        ({"text": "abc def", "reverse_letters": True}, "cba fed"),
    ],
    "fill_text_template": [
        (
            {
                "template": "Dear {name}, order {order_id} ships on {date}.",
                "values": {"name": "Ana", "order_id": 1042, "date": "May 3"},
            },
            "Dear Ana, order 1042 ships on May 3.",
        ),
        (
            {
                "template": "Hi {name}, {{literal}} {missing}",
                "values": {"name": "Bo"},
                "strict": False,
            },
            "Hi Bo, {literal} {missing}",
        ),
    ],
}
