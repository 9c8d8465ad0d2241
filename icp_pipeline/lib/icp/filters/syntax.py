"""Filter syntax: tokens, the syntax tree and its parser (grammar: the package docstring)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


class FilterError(ValueError):
    """A filter that cannot be parsed or refers to an unknown attribute.

    `position`: 0-based character offset of a syntax error (None otherwise);
    `attribute`: the unknown name; `suggestions`: closest known column names.
    """

    def __init__(
        self,
        message: str,
        *,
        position: int | None = None,
        attribute: str | None = None,
        suggestions: list[str] | None = None,
    ):
        super().__init__(message)
        self.position = position
        self.attribute = attribute
        self.suggestions = suggestions or []


def slugify(text: str) -> str:
    """The dbt `slugify` macro in Python: lower_snake ASCII, max 50 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower().strip()).strip("_")[:50]


# --- tokens -----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<number>[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![\w.]))
  | (?P<op>>=|<=|!=|==|=|>|<)
  | (?P<punct>[()\[\],])
  | (?P<word>[^\s()\[\],<>=!'"]+)
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "between", "uses", "does", "use", "event", "within"}


@dataclass(frozen=True)
class _Tok:
    kind: str  # string | number | op | punct | word | end
    text: str
    pos: int

    @property
    def kw(self) -> str | None:
        return self.text.lower() if self.kind == "word" and self.text.lower() in _KEYWORDS else None


def _syntax_error(text: str, message: str, pos: int) -> FilterError:
    return FilterError(f"{message} at position {pos}:\n  {text}\n  {' ' * pos}^", position=pos)


def _tokenise(text: str) -> list[_Tok]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            what = (
                "unterminated quoted string" if text[pos] in "'\"" else f"unexpected character {text[pos]!r}"
            )
            raise _syntax_error(text, what, pos)
        if m.lastgroup != "ws":
            tokens.append(_Tok(m.lastgroup, m.group(), pos))
        pos = m.end()
    tokens.append(_Tok("end", "", len(text)))
    return tokens


# --- syntax tree ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    text: str
    number: float | None = None

    def show(self) -> str:
        if self.number is None:
            return self.text
        return f"{self.number:,.0f}" if float(self.number).is_integer() else f"{self.number:g}"


@dataclass(frozen=True)
class Attr:
    name: str
    pos: int


@dataclass(frozen=True)
class InList:
    attr: Attr
    values: tuple[Value, ...]
    negate: bool = False


@dataclass(frozen=True)
class Between:
    attr: Attr
    low: Value
    high: Value


@dataclass(frozen=True)
class Compare:
    attr: Attr
    op: str
    value: Value


@dataclass(frozen=True)
class Uses:
    technology: str
    pos: int
    negate: bool = False


@dataclass(frozen=True)
class Event:
    event_type: str
    months: int
    pos: int


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # and | or
    items: tuple[Node, ...]


Node = InList | Between | Compare | Uses | Event | Not | BoolOp


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokenise(text)
        self.i = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, message: str, tok: _Tok | None = None) -> FilterError:
        tok = tok or self.tok
        found = "end of filter" if tok.kind == "end" else repr(tok.text)
        return _syntax_error(self.text, f"{message}, found {found}", tok.pos)

    def expect_kw(self, kw: str) -> _Tok:
        if self.tok.kw != kw:
            raise self.error(f"expected '{kw}'")
        return self.next()

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise _syntax_error(self.text, "empty filter", 0)
        node = self.expr()
        if self.tok.kind != "end":
            raise self.error("expected 'and', 'or' or the end of the filter")
        return node

    def expr(self) -> Node:
        items = [self.and_expr()]
        while self.tok.kw == "or":
            self.next()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.tok.kw == "and":
            self.next()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_expr(self) -> Node:
        if self.tok.kw == "not":
            self.next()
            return Not(self.not_expr())
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "punct" and tok.text == "(":
            self.next()
            node = self.expr()
            if not (self.tok.kind == "punct" and self.tok.text == ")"):
                raise self.error("expected ')'")
            self.next()
            return node
        if tok.kw == "uses":
            self.next()
            return Uses(self.words("a technology after 'uses'", _KEYWORDS), tok.pos)
        if tok.kw == "does":
            self.next()
            self.expect_kw("not")
            self.expect_kw("use")
            return Uses(self.words("a technology after 'does not use'", _KEYWORDS), tok.pos, negate=True)
        if tok.kw == "event":
            return self.event()
        if tok.kind != "word" or tok.kw is not None:
            raise self.error("expected an attribute, 'uses', 'does not use', 'event', 'not' or '('")
        attr = Attr(self.next().text, tok.pos)
        return self.condition(attr)

    def event(self) -> Event:
        start = self.next()
        event_type = self.words("an event type after 'event'", _KEYWORDS)
        months = 12
        if self.tok.kw == "within":
            self.next()
            glued = re.fullmatch(r"(\d+)(?:m|months?)", self.tok.text.lower())
            if glued:  # `within 12m`
                self.next()
                return Event(event_type, int(glued.group(1)), start.pos)
            if self.tok.kind != "number" or not float(self.tok.text.replace("_", "")).is_integer():
                raise self.error("expected a whole number of months after 'within'")
            months = int(float(self.next().text.replace("_", "")))
            if self.tok.kind == "word" and self.tok.text.lower() in {"month", "months", "m"}:
                self.next()
        return Event(event_type, months, start.pos)

    def condition(self, attr: Attr) -> Node:
        tok = self.tok
        if tok.kw == "in":
            self.next()
            return InList(attr, self.value_list())
        if tok.kw == "not":
            self.next()
            self.expect_kw("in")
            return InList(attr, self.value_list(), negate=True)
        if tok.kw == "between":
            self.next()
            low = self.number("a number after 'between'")
            self.expect_kw("and")
            high = self.number("a number after 'and'")
            return Between(attr, low, high)
        if tok.kind == "op":
            op = "=" if self.next().text == "==" else tok.text
            if op not in ("=", "!="):
                return Compare(attr, op, self.number(f"a number after '{op}'"))
            return Compare(attr, op, self.value(stop={"and", "or"}))
        raise self.error(f"expected 'in', 'not in', 'between' or a comparison after '{attr.name}'")

    def number(self, what: str) -> Value:
        if self.tok.kind != "number":
            raise self.error(f"expected {what}")
        text = self.next().text
        return Value(text, float(text.replace("_", "")))

    def value_list(self) -> tuple[Value, ...]:
        tok = self.tok
        if not (tok.kind == "punct" and tok.text in "[("):
            raise self.error("expected '[' to start a list of values")
        close = "]" if self.next().text == "[" else ")"
        values = [self.value(stop=set())]
        while self.tok.kind == "punct" and self.tok.text == ",":
            self.next()
            values.append(self.value(stop=set()))
        if not (self.tok.kind == "punct" and self.tok.text == close):
            raise self.error(f"expected ',' or '{close}'")
        self.next()
        return tuple(values)

    def value(self, stop: set[str]) -> Value:
        if self.tok.kind == "number" and self.toks[self.i + 1].kind not in ("word", "number"):
            return self.number("a value")
        return Value(self.words("a value", stop))

    def words(self, what: str, stop: set[str]) -> str:
        """One quoted string, or consecutive bare words/numbers up to a stop word or punctuation."""
        if self.tok.kind == "string":
            return re.sub(r"\\(.)", r"\1", self.next().text[1:-1])
        parts = []
        while self.tok.kind in ("word", "number") and self.tok.text.lower() not in stop:
            parts.append(self.next().text)
        if not parts:
            raise self.error(f"expected {what}")
        return " ".join(parts)


def parse_filter(text: str) -> Node:
    """Parse filter text into a syntax tree (no column resolution); `FilterError` on bad syntax."""
    if not isinstance(text, str):
        raise FilterError(f"a filter must be text, got {type(text).__name__}")
    return _Parser(text).parse()


def walk(node: Node):
    """The node and every node below it, depth first (left to right)."""
    yield node
    if isinstance(node, Not):
        yield from walk(node.item)
    elif isinstance(node, BoolOp):
        for item in node.items:
            yield from walk(item)
