{#-
    Normalise a URL or bare domain to a comparable web domain:
    lower case, no scheme (`https://`, `//`), no user info (`mailto:info@`), no `www.`/`www2.`,
    no port, path, query or fragment, no trailing dot.
    `https://www.Acme.com/about` and `acme.com` both give `acme.com`.
    Anything that does not look like a domain afterwards (`n/a`, `unknown`, empty) gives null.
-#}
{% macro normalize_domain(expression) -%}
    {%- set url_scheme %}'^([a-z][a-z0-9+.\-]*:)?//'{% endset -%}
    {%- set url_rest %}'[/:?#\\].*$'{% endset -%}
    {%- set host -%}
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    lower(trim({{ expression }})),
                    {{ regex_literal(url_scheme) }}, ''
                ),
                '^[^/@?#]*@', ''
            ),
            {{ regex_literal(url_rest) }}, ''
        )
    {%- endset -%}
    {%- set stripped = replace_all(host, "'^www[0-9]*\\.|\\.$'", "''") -%}
    case
        when {{ regex_matches(stripped, "'^[^\s.]+(\.[^\s.]+)+$'") }}
            then {{ stripped }}
    end
{%- endmacro %}
