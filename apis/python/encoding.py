"""Encoding and hashing: digests, Base64, URL and hex encoding, checksums, Morse, Roman numerals."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import urllib.parse
import zlib
from typing import Any, Literal

CATEGORY = "encoding"

_MAX_CHARS = 100_000

_MORSE = {
    "A": ".-", "B": "-...", "C": "-.-.", "D": "-..", "E": ".", "F": "..-.", "G": "--.",
    "H": "....", "I": "..", "J": ".---", "K": "-.-", "L": ".-..", "M": "--", "N": "-.",
    "O": "---", "P": ".--.", "Q": "--.-", "R": ".-.", "S": "...", "T": "-", "U": "..-",
    "V": "...-", "W": ".--", "X": "-..-", "Y": "-.--", "Z": "--..", "0": "-----",
    "1": ".----", "2": "..---", "3": "...--", "4": "....-", "5": ".....", "6": "-....",
    "7": "--...", "8": "---..", "9": "----.", ".": ".-.-.-", ",": "--..--", "?": "..--..",
    "!": "-.-.--", "/": "-..-.", "@": ".--.-.", "=": "-...-", "-": "-....-",
}  # fmt: skip
_MORSE_BACK = {v: k for k, v in _MORSE.items()}
_ROMAN = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]  # fmt: skip


def _text(name: str, value: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    if len(value) > _MAX_CHARS:
        raise ValueError(f"{name} must be at most {_MAX_CHARS} characters")
    return value


def compute_hash(
    text: str,
    algorithm: Literal["md5", "sha1", "sha256", "sha512", "blake2b"] = "sha256",
) -> str:
    """Compute the hexadecimal digest of a UTF-8 text with a standard hash algorithm.

    Args:
        text: The text to hash.
        algorithm: Hash algorithm to use.

    Returns:
        The lowercase hex digest.
    """
    if algorithm not in ("md5", "sha1", "sha256", "sha512", "blake2b"):
        raise ValueError("algorithm must be md5, sha1, sha256, sha512 or blake2b")
    return hashlib.new(algorithm, _text("text", text).encode()).hexdigest()


def compute_hmac_signature(
    message: str,
    secret_key: str,
    algorithm: Literal["sha1", "sha256", "sha512"] = "sha256",
) -> str:
    """Sign a message with a secret key using HMAC, as webhook and API signatures do.

    Args:
        message: The message to sign.
        secret_key: The shared secret key.
        algorithm: Hash function used inside HMAC.

    Returns:
        The lowercase hex signature.
    """
    if algorithm not in ("sha1", "sha256", "sha512"):
        raise ValueError("algorithm must be sha1, sha256 or sha512")
    if not secret_key:
        raise ValueError("secret_key must not be empty")
    key = _text("secret_key", secret_key).encode()
    return hmac.new(key, _text("message", message).encode(), algorithm).hexdigest()


def base64_encode(text: str, url_safe: bool = False) -> str:
    """Encode a UTF-8 text as Base64.

    Args:
        text: The text to encode.
        url_safe: Use the URL-safe alphabet ('-' and '_' instead of '+' and '/').

    Returns:
        The Base64 string with padding.
    """
    raw = _text("text", text).encode()
    return (base64.urlsafe_b64encode(raw) if url_safe else base64.b64encode(raw)).decode()


def base64_decode(encoded: str) -> str:
    """Decode a Base64 string (standard or URL-safe alphabet) into UTF-8 text.

    Args:
        encoded: The Base64 data; missing padding is tolerated.

    Returns:
        The decoded text.
    """
    data = _text("encoded", encoded).strip().replace("-", "+").replace("_", "/")
    data += "=" * (-len(data) % 4)
    try:
        return base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise ValueError("encoded is not valid Base64 of UTF-8 text") from None


def url_encode(
    text: str,
    mode: Literal["encode", "decode"] = "encode",
    plus_for_spaces: bool = False,
) -> str:
    """Percent-encode text for use in a URL, or decode a percent-encoded string.

    Args:
        text: The text to transform.
        mode: 'encode' or 'decode'.
        plus_for_spaces: Use '+' for spaces (HTML form style) instead of '%20'.

    Returns:
        The encoded or decoded string.
    """
    t = _text("text", text)
    if mode == "encode":
        return (
            urllib.parse.quote_plus(t, safe="")
            if plus_for_spaces
            else urllib.parse.quote(t, safe="")
        )
    if mode == "decode":
        return urllib.parse.unquote_plus(t) if plus_for_spaces else urllib.parse.unquote(t)
    raise ValueError("mode must be 'encode' or 'decode'")


def text_to_hex(text: str, mode: Literal["encode", "decode"] = "encode") -> str:
    """Convert UTF-8 text to its hexadecimal byte representation, or back.

    Args:
        text: Text to encode, or a hex string to decode.
        mode: 'encode' (text to hex) or 'decode' (hex to text).

    Returns:
        The lowercase hex string or the decoded text.
    """
    t = _text("text", text)
    if mode == "encode":
        return t.encode().hex()
    if mode == "decode":
        try:
            return bytes.fromhex(t).decode("utf-8")
        except ValueError:
            raise ValueError("text is not valid hex of UTF-8 bytes") from None
    raise ValueError("mode must be 'encode' or 'decode'")


def crc32_checksum(text: str) -> dict[str, Any]:
    """Compute the CRC-32 checksum of a UTF-8 text (as used by zip and PNG).

    Args:
        text: The text to checksum.

    Returns:
        The checksum as an unsigned integer and as 8 hex digits.
    """
    value = zlib.crc32(_text("text", text).encode())
    return {"crc32": value, "hex": f"{value:08x}"}


def morse_code(text: str, mode: Literal["encode", "decode"] = "encode") -> str:
    """Translate text to International Morse code, or Morse back to text.

    Args:
        text: Text to encode, or Morse with letters separated by spaces and words by ' / '.
        mode: 'encode' or 'decode'.

    Returns:
        The Morse code (letters separated by spaces, words by ' / ') or the decoded uppercase text.
    """
    t = _text("text", text).strip()
    if mode == "encode":
        words = []
        for word in t.upper().split():
            for ch in word:
                if ch not in _MORSE:
                    raise ValueError(f"character {ch!r} has no Morse code")
            words.append(" ".join(_MORSE[ch] for ch in word))
        return " / ".join(words)
    if mode == "decode":
        out = []
        for word in t.split("/"):
            letters = []
            for code in word.split():
                if code not in _MORSE_BACK:
                    raise ValueError(f"unknown Morse sequence {code!r}")
                letters.append(_MORSE_BACK[code])
            out.append("".join(letters))
        return " ".join(w for w in out if w)
    raise ValueError("mode must be 'encode' or 'decode'")


def integer_to_roman(number: int) -> str:
    """Write an integer from 1 to 3999 in Roman numerals.

    Args:
        number: The integer to convert.

    Returns:
        The Roman numeral, e.g. 'MCMXCIV' for 1994.
    """
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 3999:
        raise ValueError("number must be an integer between 1 and 3999")
    out = []
    for value, sym in _ROMAN:
        count, number = divmod(number, value)
        out.append(sym * count)
    return "".join(out)


def roman_to_integer(numeral: str) -> int:
    """Read a Roman numeral (I to MMMCMXCIX) as an integer, rejecting malformed numerals.

    Args:
        numeral: The Roman numeral, case-insensitive.

    Returns:
        Its integer value.
    """
    s = _text("numeral", numeral).strip().upper()
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    if not s or any(ch not in values for ch in s):
        raise ValueError(f"{numeral!r} is not a Roman numeral")
    total = 0
    for i, ch in enumerate(s):
        v = values[ch]
        total += -v if i + 1 < len(s) and values[s[i + 1]] > v else v
    if not 1 <= total <= 3999 or integer_to_roman(total) != s:
        raise ValueError(f"{numeral!r} is not a well-formed Roman numeral")
    return total


def luhn_check(number: str) -> dict[str, Any]:
    """Validate a credit card or identification number with the Luhn checksum.

    Args:
        number: The digits; spaces and hyphens are ignored.

    Returns:
        valid, and the check_digit that would make the number without its last digit valid.
    """
    digits = _text("number", number).replace(" ", "").replace("-", "")
    if len(digits) < 2 or not digits.isdigit():
        raise ValueError("number must contain at least two digits and nothing else")

    def luhn_sum(ds: str) -> int:
        total = 0
        for i, ch in enumerate(reversed(ds)):
            d = int(ch)
            if i % 2 == 1:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        return total

    check = (10 - luhn_sum(digits[:-1] + "0")) % 10
    return {"valid": luhn_sum(digits) % 10 == 0, "check_digit": check}


def validate_isbn(isbn: str) -> dict[str, Any]:
    """Validate an ISBN-10 or ISBN-13 and give its ISBN-13 form.

    Args:
        isbn: The ISBN; hyphens and spaces are ignored, ISBN-10 may end in 'X'.

    Returns:
        valid, format ('ISBN-10' or 'ISBN-13') and isbn13 (null when invalid).
    """
    s = _text("isbn", isbn).replace("-", "").replace(" ", "").upper()
    if len(s) == 10 and s[:9].isdigit() and (s[9].isdigit() or s[9] == "X"):
        total = sum((10 - i) * int(ch) for i, ch in enumerate(s[:9]))
        total += 10 if s[9] == "X" else int(s[9])
        valid = total % 11 == 0
        body = "978" + s[:9]
        check = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body)) % 10) % 10
        return {
            "valid": valid,
            "format": "ISBN-10",
            "isbn13": body + str(check) if valid else None,
        }
    if len(s) == 13 and s.isdigit():
        valid = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(s)) % 10 == 0
        return {"valid": valid, "format": "ISBN-13", "isbn13": s if valid else None}
    raise ValueError("isbn must have 10 or 13 characters (digits, ISBN-10 may end in X)")


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "compute_hash": [
        (
            {"text": "hello"},
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        ),
        ({"text": "hello", "algorithm": "md5"}, "5d41402abc4b2a76b9719d911017c592"),
    ],
    "compute_hmac_signature": [
        (
            {
                "message": "The quick brown fox jumps over the lazy dog",
                "secret_key": "key",
            },
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
        ),
    ],
    "base64_encode": [({"text": "Hello, World!"}, "SGVsbG8sIFdvcmxkIQ==")],
    "base64_decode": [({"encoded": "SGVsbG8sIFdvcmxkIQ"}, "Hello, World!")],
    "url_encode": [
        ({"text": "a b&c=d/é"}, "a%20b%26c%3Dd%2F%C3%A9"),
        (
            {"text": "caf%C3%A9+au+lait", "mode": "decode", "plus_for_spaces": True},
            "café au lait",
        ),
    ],
    "text_to_hex": [
        ({"text": "Hi!"}, "486921"),
        ({"text": "486921", "mode": "decode"}, "Hi!"),
    ],
    "crc32_checksum": [({"text": "hello"}, {"crc32": 907060870, "hex": "3610a686"})],
    "morse_code": [
        ({"text": "SOS help"}, "... --- ... / .... . .-.. .--."),
        ({"text": "... --- ...", "mode": "decode"}, "SOS"),
    ],
    "integer_to_roman": [({"number": 1994}, "MCMXCIV"), ({"number": 2024}, "MMXXIV")],
    "roman_to_integer": [({"numeral": "MCMXCIV"}, 1994), ({"numeral": "xlii"}, 42)],
    "luhn_check": [
        ({"number": "4539 1488 0343 6467"}, {"valid": True, "check_digit": 7}),
        ({"number": "79927398710"}, {"valid": False, "check_digit": 3}),
    ],
    "validate_isbn": [
        (
            {"isbn": "0-306-40615-2"},
            {"valid": True, "format": "ISBN-10", "isbn13": "9780306406157"},
        ),
        (
            {"isbn": "978-0-306-40615-7"},
            {"valid": True, "format": "ISBN-13", "isbn13": "9780306406157"},
        ),
    ],
}
