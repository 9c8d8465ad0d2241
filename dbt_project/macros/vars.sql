{#- Helpers that turn the project vars into SQL literals. -#}

{#- A var holding one value or a list, as a lower-case, trimmed SQL list: ('closed won', 'won'). -#}
{% macro stage_list(var_name) -%}
    {%- set raw = var(var_name) -%}
    {%- set values = [raw] if raw is string else (raw or []) -%}
    {%- set cleaned = [] -%}
    {%- for value in values -%}
        {%- set text = modules.re.sub('\\s+', ' ', (value | string | lower | trim)) -%}
        {%- do cleaned.append("'" ~ text | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    ({{ cleaned | join(', ') if cleaned else "'__no_stage__'" }})
{%- endmacro %}

{% macro reporting_currency() -%}
    '{{ var("reporting_currency") | string | upper | trim | replace("'", "") }}'
{%- endmacro %}

{#- The `as_of_date` var as a SQL date, or a null date when unset. -#}
{% macro as_of_date_var() -%}
    {%- set value = var('as_of_date') -%}
    {%- if value is none or (value | string | trim | lower) in ('', 'none', 'null') -%}
        cast(null as date)
    {%- else -%}
        cast('{{ value | string | trim }}' as date)
    {%- endif -%}
{%- endmacro %}

{% macro window_months(var_name) -%}
    {{- return(var(var_name) | int) -}}
{%- endmacro %}
