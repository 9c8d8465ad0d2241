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

Modules: `syntax` (tokens, tree, parser), `resolution` (attribute names -> columns, the one filter
checker), `evaluation` (boolean masks), `description` (filters in words), `config_check` (every
filter of an ICP config against the feature mart; import it directly, it needs the config package).
"""

from .description import describe_filter
from .evaluation import compile_filter, only_text
from .resolution import filter_problems, resolve_attribute, validate_filter
from .syntax import FilterError, parse_filter, slugify

__all__ = [
    "FilterError",
    "compile_filter",
    "describe_filter",
    "filter_problems",
    "only_text",
    "parse_filter",
    "resolve_attribute",
    "slugify",
    "validate_filter",
]
