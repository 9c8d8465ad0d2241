"""A cheap guard for `ICP_ENGINE=spark`: no DuckDB-only SQL in a model or in a macro Spark runs.

The Spark build (`make test-spark`, minutes) is the real proof; this test reads the project's SQL
in well under a second so that the next DuckDB-only construct fails `make test` with the file, the
line and the cross-database macro to use (docs/scale-out.md, "Dialect differences"). It reads the
SQL text Spark would get: Jinja comments, `{{ ... }}` and `{% ... %}` tags, SQL comments and the
bodies of the DuckDB and Postgres variants of dispatch macros (`duckdb__x`, `postgres__x`, and
`default__x` when a `spark__x` exists) are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from icp_pipeline.lib.config.settings import DBT_PROJECT_DIR

# (what, pattern, the fix): constructs DuckDB accepts and Spark 4.1 SQL refuses or reads otherwise.
DUCKDB_ONLY = [
    (
        "`union all by name`",
        r"\bunion\s+all\s+by\s+name\b",
        "{{ union_all_by_name([relation or select, ...]) }}",
    ),
    (
        "a double-quoted identifier (a string literal on Spark)",
        r'"[A-Za-z_][A-Za-z0-9_ ]*"',
        "{{ adapter.quote('name') }} (or an unquoted name)",
    ),
    (
        "`varchar` (Spark 4 refuses it without a length)",
        r"\bvarchar\b",
        "{{ text_type() }} or {{ dbt.type_string() }}",
    ),
    ("`json_valid`", r"\bjson_valid\s*\(", "json_text_value / json_id_list / json_array_items"),
    ("`json_extract`", r"\bjson_extract(_string)?\s*\(", "{{ json_text(value, '$.path') }}"),
    ("a JSON type", r"\bas\s+json\b|\bjson\s*\[\s*\]", "{{ json_array_items(column) }}"),
    ("a DuckDB list function", r"\blist_[a-z_]+\s*\(", "the array_* macros (cross_db.sql)"),
    ("`unnest`", r"\bunnest\s*\(", "{{ with_array_rows(...) }} / {{ with_split_rows(...) }}"),
    ("`string_split`", r"\bstring_split\s*\(", "{{ with_split_rows(...) }}"),
    ("`epoch_ms`", r"\bepoch_ms\s*\(", "{{ epoch_ms_or_timestamp(column) }}"),
    (
        "`regexp_full_match` / `regexp_matches`",
        r"\bregexp_(full_match|matches)\s*\(",
        "{{ regex_matches(x, pattern) }}",
    ),
    (
        "`regexp_replace` with the 'g' flag",
        r"\bregexp_replace\s*\([^;]*?,\s*'g'\s*\)",
        "{{ replace_all(x, pattern, replacement) }}",
    ),
    ("`qualify`", r"\bqualify\b", "{{ first_per_group(...) }}"),
    ("`* exclude`", r"\*\s*exclude\b", "{{ star_except(alias, [columns]) }}"),
    ("`string_agg`", r"\bstring_agg\s*\(", "{{ sorted_string_agg(x, separator) }}"),
    (
        "`strftime` / `strptime`",
        r"\b(try_)?str[fp]time\s*\(",
        "a dispatch macro (date_format / to_timestamp on Spark)",
    ),
    ("DuckDB's `date_diff('unit', a, b)`", r"\bdate_?diff\s*\(\s*'", "{{ dbt.datediff(a, b, 'unit') }}"),
]

MACRO = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\(.*?\{%-?\s*endmacro\s*-?%\}", re.S)


def spark_visible_sql(text: str, spark_macros: set[str]) -> str:
    """`text` with what Spark never runs blanked out (line breaks kept, so line numbers hold)."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731

    def macro(m: re.Match) -> str:
        name = m.group(1)
        if name.startswith(("duckdb__", "postgres__")):
            return blank(m)
        if name.startswith("default__") and "spark__" + name[len("default__") :] in spark_macros:
            return blank(m)
        return m.group(0)

    text = re.sub(r"\{#.*?#\}", blank, text, flags=re.S)
    text = MACRO.sub(macro, text)
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", blank, text, flags=re.S)
    return re.sub(r"--[^\n]*", blank, text)


def duckdb_only_constructs(project: Path) -> list[str]:
    """`path:line: what -> fix` for every DuckDB-only construct in the SQL Spark runs."""
    files = sorted([*(project / "models").rglob("*.sql"), *(project / "macros").rglob("*.sql")])
    spark_macros = {m.group(1) for f in files for m in MACRO.finditer(f.read_text())}
    spark_macros = {name for name in spark_macros if name.startswith("spark__")}
    found = []
    for path in files:
        visible = spark_visible_sql(path.read_text(), spark_macros)
        for what, pattern, fix in DUCKDB_ONLY:
            for hit in re.finditer(pattern, visible, flags=re.I):
                line = visible.count("\n", 0, hit.start()) + 1
                found.append(f"{path.relative_to(project)}:{line}: {what} -> use {fix}")
    return found


def test_models_and_macros_spark_runs_have_no_duckdb_only_sql():
    assert duckdb_only_constructs(DBT_PROJECT_DIR) == []


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ("select * from a\nunion all by name\nselect * from b", "union all by name"),
        ('select x as "timestamp" from a', "double-quoted"),
        ("select cast(id as varchar) as id from a", "varchar"),
        ("select list_min(ids) from a", "list function"),
        ("select * from a, unnest(ids) as t(id)", "unnest"),
        ("select json_extract_string(j, '$.a') from a", "json_extract"),
        ("select * from a qualify row_number() over () = 1", "qualify"),
        ("select regexp_replace(x, 'a', 'b', 'g') from a", "'g' flag"),
    ],
)
def test_the_guard_names_each_duckdb_only_construct(tmp_path, sql, what):
    (tmp_path / "models").mkdir()
    (tmp_path / "macros").mkdir()
    (tmp_path / "models" / "m.sql").write_text("{#- a comment: union all by name -#}\n" + sql)
    found = duckdb_only_constructs(tmp_path)
    assert len(found) == 1 and what in found[0] and found[0].startswith("models/m.sql:"), found


def test_duckdb_variants_of_dispatch_macros_and_jinja_are_not_read(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "macros").mkdir()
    (tmp_path / "models" / "m.sql").write_text(
        "select {{ star_except(\"a\", ['b']) }} from {{ ref('x') }} -- cast(x as varchar)\n"
    )
    (tmp_path / "macros" / "m.sql").write_text(
        "{% macro duckdb__f(x) -%} list_min({{ x }}) {%- endmacro %}\n"
        "{% macro default__g(x) -%} cast({{ x }} as varchar) {%- endmacro %}\n"
        "{% macro spark__g(x) -%} cast({{ x }} as string) {%- endmacro %}\n"
        "{% macro default__h(x) -%} cast({{ x }} as varchar) {%- endmacro %}\n"
    )
    # default__h has no spark__ variant, so Spark runs it: the only finding
    assert duckdb_only_constructs(tmp_path) == [
        "macros/m.sql:4: `varchar` (Spark 4 refuses it without a length) -> use {{ text_type() }} or "
        "{{ dbt.type_string() }}"
    ]
