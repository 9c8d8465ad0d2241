"""A small filter language over `marts.account_features`, parsed without eval.

Grammar (keywords case-insensitive; `not` binds tighter than `and`, `and` tighter than `or`)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | primary
    primary    := "(" expr ")"
                | "uses" TECH | "does" "not" "use" TECH          -> tech__<slug> > 0
                | "event" TYPE ["within" N ["months"]]          -> sit__events_<slug>_<N>m > 0 (N = 12)
                | ATTR "in" LIST | ATTR "not" "in" LIST
                | ATTR "between" NUMBER "and" NUMBER             (inclusive)
                | ATTR ("=" | "==" | "!=" | ">=" | ">" | "<=" | "<") VALUE
    LIST       := "[" VALUE ("," VALUE)* "]"   (or parentheses)
    VALUE      := number | 'quoted' | "quoted" | bare words

Examples: `industry in [software, fintech] and employee_count between 200 and 2000`,
`uses snowflake and not (country = US)`, `event funding within 12 months or sit__ownership != public`.

ATTR is a column name, with its family prefix (`firmo__employee_count`) or without (`employee_count`):
an exact column name wins, else the unique column whose part after `__` matches. Unknown attributes
raise `FilterError` naming the closest known columns; syntax errors carry the character position.

Semantics: text compares case-insensitively (trimmed); numbers compare numerically on numeric
columns. Every clause on a missing value is unknown, combined with three-valued (SQL) logic and
unknown counts as False at the end: a missing industry matches neither `industry in [x]` nor
`industry not in [x]` nor `not industry in [x]`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "FilterError",
    "compile_filter",
    "describe_filter",
    "only_text",
    "parse_filter",
    "resolve_attribute",
    "slugify",
    "validate_filter",
]


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


# --- attribute resolution ---------------------------------------------------------------------


def _suffix(column: str) -> str:
    return column.split("__", 1)[1] if "__" in column else column


def resolve_attribute(name: str, columns) -> str:
    """Column for `name`: exact, case-insensitive, or the unique `<prefix>__<name>` column."""
    columns = [str(c) for c in columns]
    if name in columns:
        return name
    lowered = name.lower()
    exact = [c for c in columns if c.lower() == lowered]
    if len(exact) == 1:
        return exact[0]
    by_suffix = [c for c in columns if "__" in c and _suffix(c).lower() == lowered]
    if len(by_suffix) == 1:
        return by_suffix[0]
    if len(by_suffix) > 1:
        raise FilterError(
            f"attribute '{name}' is ambiguous: write one of {', '.join(sorted(by_suffix))}",
            attribute=name,
            suggestions=sorted(by_suffix),
        )
    raise _unknown(f"unknown attribute '{name}'", name, columns)


def _unknown(message: str, name: str, columns: list[str], suffix_only: bool = False) -> FilterError:
    by_key: dict[str, str] = {}
    for c in columns:
        if not suffix_only:
            by_key.setdefault(c.lower(), c)
        by_key.setdefault(_suffix(c).lower(), c)
    close = difflib.get_close_matches(name.lower(), list(by_key), n=5, cutoff=0.6)
    suggestions = list(dict.fromkeys(by_key[k] for k in close))[:3]
    hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else " (no similar attribute)"
    return FilterError(message + hint, attribute=name, suggestions=suggestions)


def _tech_column(node: Uses, columns: list[str]) -> str:
    col = f"tech__{slugify(node.technology)}"
    if col in columns:
        return col
    techs = [c for c in columns if c.startswith("tech__")]
    raise _unknown(f"unknown technology '{node.technology}' (no column {col})", _suffix(col), techs, True)


def _event_column(node: Event, columns: list[str]) -> str:
    col = f"sit__events_{slugify(node.event_type)}_{node.months}m"
    if col in columns:
        return col
    if node.months != 12 and f"sit__events_{slugify(node.event_type)}_12m" in columns:
        raise FilterError(
            f"event '{node.event_type}' is only available within 12 months (no column {col})",
            attribute=col,
            suggestions=[f"sit__events_{slugify(node.event_type)}_12m"],
        )
    by_type = {c[len("sit__events_") :].rsplit("_", 1)[0]: c for c in columns if c.startswith("sit__events_")}
    close = difflib.get_close_matches(slugify(node.event_type), list(by_type), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(by_type[c] for c in close)}?" if close else ""
    raise FilterError(
        f"unknown event type '{node.event_type}' (no column {col}){hint}",
        attribute=col,
        suggestions=[by_type[c] for c in close],
    )


def _walk(node: Node):
    yield node
    if isinstance(node, Not):
        yield from _walk(node.item)
    elif isinstance(node, BoolOp):
        for item in node.items:
            yield from _walk(item)


def _columns_of(node: Node, columns: list[str]) -> dict[int, str]:
    """Resolved column per leaf (keyed by id of the leaf)."""
    out = {}
    for leaf in _walk(node):
        if isinstance(leaf, Uses):
            out[id(leaf)] = _tech_column(leaf, columns)
        elif isinstance(leaf, Event):
            out[id(leaf)] = _event_column(leaf, columns)
        elif isinstance(leaf, InList | Between | Compare):
            out[id(leaf)] = resolve_attribute(leaf.attr.name, columns)
    return out


def validate_filter(text: str, columns) -> list[str]:
    """Config-time check: parse and resolve every attribute; returns the columns used (in order).

    Raises `FilterError` (syntax with position, or unknown attribute with suggestions).
    """
    node = parse_filter(text)
    return list(dict.fromkeys(_columns_of(node, [str(c) for c in columns]).values()))


# --- evaluation -------------------------------------------------------------------------------


def _numbers(col: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(col):
        col = col.astype("Float64")
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _is_numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


def _texts(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(casefolded trimmed strings as object array, known mask); empty text counts as missing."""
    known = col.notna().to_numpy()
    if only_text(col):  # each distinct value converted once
        codes, uniques = pd.factorize(col)
        lookup = np.array([*(str(v).strip().casefold() for v in uniques), ""], dtype=object)
        out = lookup[codes]  # code -1 (missing) -> ""
        return out, known & (out != "")
    out = np.full(len(col), "", dtype=object)
    out[known] = [str(v).strip().casefold() for v in col.to_numpy(dtype=object)[known]]
    return out, known & (out != "")


def only_text(col: pd.Series) -> bool:
    """Whether the column holds text and missing values only (distinct texts are then distinct
    values, so text can be converted once per distinct value)."""
    if isinstance(col.dtype, pd.StringDtype):
        return True
    return col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty")


def _kleene(values: np.ndarray, known: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.asarray(values, bool) & known, ~np.asarray(known, bool))


_NUMERIC_OPS = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "=": np.equal,
    "!=": np.not_equal,
}


def _eval(node: Node, df: pd.DataFrame, cols: dict[int, str]) -> pd.arrays.BooleanArray:
    if isinstance(node, BoolOp):
        parts = [_eval(item, df, cols) for item in node.items]
        out = parts[0]
        for part in parts[1:]:
            out = (out & part) if node.op == "and" else (out | part)
        return out
    if isinstance(node, Not):
        return ~_eval(node.item, df, cols)
    col = df[cols[id(node)]]
    if isinstance(node, Uses | Event):
        x = _numbers(col)
        res = _kleene(x > 0, ~np.isnan(x))
        return ~res if isinstance(node, Uses) and node.negate else res
    if isinstance(node, Between):
        x = _numbers(col)
        low, high = sorted([node.low.number, node.high.number])
        return _kleene((x >= low) & (x <= high), ~np.isnan(x))
    values = node.values if isinstance(node, InList) else (node.value,)
    op = ("!=" if node.negate else "=") if isinstance(node, InList) else node.op
    numeric = all(v.number is not None for v in values)
    if op in ("=", "!=") and not (numeric and _is_numeric(col)):
        texts, known = _texts(col)
        hit = np.isin(texts, [v.text.strip().casefold() for v in values])
        return _kleene(hit if op == "=" else ~hit, known)
    x = _numbers(col)
    known = ~np.isnan(x)
    if isinstance(node, InList):
        hit = np.isin(x, [v.number for v in values])
        return _kleene(hit if not node.negate else ~hit, known)
    with np.errstate(invalid="ignore"):
        return _kleene(_NUMERIC_OPS[op](x, node.value.number), known)


def compile_filter(filter_: str | Node, features: pd.DataFrame, columns=None) -> pd.Series:
    """Boolean mask (index of `features`) of the accounts matching the filter; unknown -> False.

    `columns`: the names attributes are resolved against (default: the columns of `features`), so a
    frame holding only the columns the filter uses resolves exactly as the whole mart would.
    """
    node = parse_filter(filter_) if isinstance(filter_, str) else filter_
    cols = _columns_of(node, [str(c) for c in (features.columns if columns is None else columns)])
    if len(features) == 0:
        return pd.Series(np.zeros(0, bool), index=features.index)
    result = _eval(node, features, cols)
    return pd.Series(result.to_numpy(dtype=bool, na_value=False), index=features.index)


# --- description ------------------------------------------------------------------------------

_OP_WORDS = {">=": "≥", "<=": "≤", "!=": "≠", "=": "=", ">": ">", "<": "<"}


def _name(attr: Attr) -> str:
    return _suffix(attr.name).replace("_", " ")


def _describe(node: Node, nested: bool = False) -> str:
    if isinstance(node, BoolOp):
        text = f" {node.op} ".join(_describe(item, nested=True) for item in node.items)
        return f"({text})" if nested else text
    if isinstance(node, Not):
        return _describe_not(node.item)
    if isinstance(node, Uses):
        return f"{'not using' if node.negate else 'using'} {node.technology}"
    if isinstance(node, Event):
        return f"with a {node.event_type} event in the last {node.months} months"
    if isinstance(node, Between):
        return f"with {_name(node.attr)} between {node.low.show()} and {node.high.show()}"
    if isinstance(node, InList):
        values = ", ".join(v.show() for v in node.values)
        return f"with {_name(node.attr)} {'not in' if node.negate else 'in'} {values}"
    return f"with {_name(node.attr)} {_OP_WORDS[node.op]} {node.value.show()}"


_NEGATED_OPS = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "=": "≠", "!=": "="}


def _describe_not(node: Node) -> str:
    if isinstance(node, Not):
        return _describe(node.item)
    if isinstance(node, Uses):
        return _describe(Uses(node.technology, node.pos, not node.negate))
    if isinstance(node, InList):
        return _describe(InList(node.attr, node.values, not node.negate))
    if isinstance(node, Compare):
        return f"with {_name(node.attr)} {_NEGATED_OPS[node.op]} {node.value.show()}"
    if isinstance(node, Between):
        return f"with {_name(node.attr)} outside {node.low.show()}–{node.high.show()}"
    if isinstance(node, Event):
        return f"without a {node.event_type} event in the last {node.months} months"
    return f"not {_describe(node, nested=True)}"


def describe_filter(filter_: str | Node) -> str:
    """Plain-English phrase to follow 'Accounts …', e.g. 'using Snowflake and with industry in software'."""
    node = parse_filter(filter_) if isinstance(filter_, str) else filter_
    return _describe(node)
