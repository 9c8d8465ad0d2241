{#-
    Normalise a company name to a matching key: accents and case folded, `&` read as `and`,
    punctuation dropped, a leading `the` and trailing legal suffixes removed (inc, llc, ltd,
    limited, gmbh, corp, corporation, co, company, plc, ag, sa, bv, nv, ...), then all spaces
    removed. `Acme, Inc.`, `ACME Corp` and `Acme Co. Ltd` all give `acme`. Empty gives null.
-#}
{% macro normalize_company_name(expression) -%}
    nullif(
        replace(
            regexp_replace(
                regexp_replace(
                    trim(
                        {{ replace_all(
                            "replace(" ~ replace_all("lower(" ~ strip_accents("trim(" ~ expression ~ ")") ~ ")", "'[.''’]'", "''")
                            ~ ", '&', ' and ')",
                            "'[^a-z0-9]+'", "' '"
                        ) }}
                    ),
                    {{ regex_literal("'^the\\s+'") }}, ''
                ),
                {{ regex_literal("'(\\s+(" ~ legal_suffixes() | join("|") ~ "))+$'") }}, ''
            ),
            ' ', ''
        ),
        ''
    )
{%- endmacro %}

{% macro legal_suffixes() -%}
    {{ return([
        'inc', 'incorporated', 'llc', 'llp', 'lp', 'ltd', 'limited', 'gmbh', 'mbh', 'corp',
        'corporation', 'co', 'company', 'plc', 'ag', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv',
        'pty', 'pte', 'oy', 'ab', 'as', 'aps', 'kk', 'kg', 'holdings', 'group'
    ]) }}
{%- endmacro %}
