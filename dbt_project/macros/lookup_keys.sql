{#- Text used to look a free-text country up in seed `country_codes` (column `alias`). -#}
{% macro country_lookup_key(expression) -%}
    nullif(
        trim(
            {{ replace_all(
                replace_all("lower(" ~ strip_accents("trim(" ~ expression ~ ")") ~ ")", "'[.''’]'", "''"),
                "'[^a-z0-9]+'", "' '"
            ) }}
        ),
        ''
    )
{%- endmacro %}

{#-
    Canonical industry of a free-text industry: the first row of seed `industry_mapping`
    (lowest `priority`) whose regular expression `pattern` matches the text (lower case,
    punctuation read as spaces). Unmatched text gives 'other'; null stays null.
-#}
{% macro canonical_industry(expression) -%}
    case
        when nullif(trim({{ expression }}), '') is not null
            then coalesce(
                (
                    select industry_mapping.canonical_industry
                    from {{ ref('industry_mapping') }} as industry_mapping
                    where {{ regex_matches(
                        "trim(" ~ replace_all("lower(" ~ strip_accents(expression) ~ ")", "'[^a-z0-9]+'", "' '") ~ ")",
                        "industry_mapping.pattern"
                    ) }}
                    order by industry_mapping.priority
                    limit 1
                ),
                'other'
            )
    end
{%- endmacro %}

{#- lower_snake slug of a text column, for values that become column names. -#}
{% macro slugify(expression) -%}
    nullif(
        left({{ trim_chars(replace_all("lower(" ~ strip_accents("trim(" ~ expression ~ ")") ~ ")", "'[^a-z0-9]+'", "'_'"), "'_'") }}, 50),
        ''
    )
{%- endmacro %}

{#- The same slug computed in Jinja (for column names read from the warehouse). -#}
{% macro slug(text) -%}
    {%- set cleaned = modules.re.sub('[^a-z0-9]+', '_', (text | string | lower)) -%}
    {{- return((cleaned.strip('_')[:50]) or 'unnamed') -}}
{%- endmacro %}

{#- Lower-case, trimmed, inner whitespace collapsed: how stages and enumerations are compared. -#}
{% macro clean_enum(expression) -%}
    nullif({{ replace_all("lower(trim(" ~ expression ~ "))", "'\\s+'", "' '") }}, '')
{%- endmacro %}
