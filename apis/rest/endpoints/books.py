"""Books: catalogue search, ISBN lookup, ISBN validation and conversion."""

from __future__ import annotations

from typing import Any

from apis.rest.framework import ApiError, P, api, data, tool

T = tool(
    "book-catalog",
    "Book Catalog",
    "Education",
    "A catalogue of classic books with ISBN utilities.",
)


def _digits(isbn: str) -> str:
    return "".join(ch for ch in isbn.upper() if ch.isdigit() or ch == "X")


def isbn10_ok(d: str) -> bool:
    if len(d) != 10 or "X" in d[:9]:
        return False
    total = sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(d))
    return total % 11 == 0


def isbn13_check(d12: str) -> str:
    return str((10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(d12)) % 10) % 10)


def isbn13_ok(d: str) -> bool:
    return len(d) == 13 and d.isdigit() and isbn13_check(d[:12]) == d[12]


def _public(b: dict[str, Any]) -> dict[str, Any]:
    return dict(b)


@api(
    T,
    "Search Books",
    "/search",
    "Search books by words of the title and/or author, optionally by genre.",
    P("query", "STRING", "Words from the title or author", example="tolkien"),
    P("genre", "STRING", "Genre, e.g. fantasy, classic, dystopian", required=False),
    P(
        "limit",
        "NUMBER",
        "Maximum results (1-40)",
        required=False,
        default=10,
        integer=True,
    ),
)
def search(query: str, genre: str | None, limit: int) -> dict[str, Any]:
    if not 1 <= limit <= 40:
        raise ApiError(400, "limit must be between 1 and 40")
    words = query.lower().split()
    rows = [
        b
        for b in data("books.json")
        if all(w in (b["title"] + " " + b["author"]).lower() for w in words)
        and (genre is None or b["genre"] == genre.lower())
    ]
    return {"count": len(rows), "books": [_public(b) for b in rows[:limit]]}


@api(
    T,
    "Book By ISBN",
    "/isbn/{isbn}",
    "Look a book up by its ISBN-13 (or ISBN-10), hyphens allowed.",
    P("isbn", "STRING", "ISBN-13 or ISBN-10", example="9780547928227"),
)
def by_isbn(isbn: str) -> dict[str, Any]:
    d = _digits(isbn)
    if len(d) == 10 and isbn10_ok(d):
        d = "978" + d[:9] + isbn13_check("978" + d[:9])
    if not isbn13_ok(d):
        raise ApiError(400, f"'{isbn}' is not a valid ISBN")
    for b in data("books.json"):
        if b["isbn13"] == d:
            return _public(b)
    raise ApiError(404, f"No book with ISBN {d}")


@api(
    T,
    "Validate ISBN",
    "/validate",
    "Check an ISBN-10 or ISBN-13 check digit and give both forms when possible.",
    P("isbn", "STRING", "The ISBN to check", example="0-306-40615-2"),
)
def validate(isbn: str) -> dict[str, Any]:
    d = _digits(isbn)
    if len(d) == 10:
        ok = isbn10_ok(d)
        isbn13 = "978" + d[:9] + isbn13_check("978" + d[:9]) if ok else None
        return {
            "input": isbn,
            "format": "ISBN-10",
            "valid": ok,
            "isbn10": d if ok else None,
            "isbn13": isbn13,
        }
    if len(d) == 13:
        ok = isbn13_ok(d)
        isbn10 = None
        if ok and d.startswith("978"):
            core = d[3:12]
            s = sum((10 - i) * int(c) for i, c in enumerate(core))
            check = (11 - s % 11) % 11
            isbn10 = core + ("X" if check == 10 else str(check))
        return {
            "input": isbn,
            "format": "ISBN-13",
            "valid": ok,
            "isbn10": isbn10,
            "isbn13": d if ok else None,
        }
    return {
        "input": isbn,
        "format": None,
        "valid": False,
        "isbn10": None,
        "isbn13": None,
    }


@api(
    T,
    "Books By Author",
    "/authors/{author}",
    "All books by an author (surname or full name), oldest first.",
    P("author", "STRING", "Author name or surname", example="Dickens"),
)
def by_author(author: str) -> dict[str, Any]:
    key = author.strip().lower()
    rows = sorted(
        (b for b in data("books.json") if key in b["author"].lower()),
        key=lambda b: b["year"],
    )
    if not rows:
        raise ApiError(404, f"No books by '{author}'")
    return {
        "author": rows[0]["author"],
        "count": len(rows),
        "books": [{"title": b["title"], "year": b["year"], "isbn13": b["isbn13"]} for b in rows],
    }
