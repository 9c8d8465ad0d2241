{#- Employee band of a head count (null stays null). -#}
{% macro employee_band(expression) -%}
    case
        when {{ expression }} is null then null
        when {{ expression }} <= 10 then '0001-0010'
        when {{ expression }} <= 50 then '0011-0050'
        when {{ expression }} <= 200 then '0051-0200'
        when {{ expression }} <= 500 then '0201-0500'
        when {{ expression }} <= 1000 then '0501-1000'
        when {{ expression }} <= 5000 then '1001-5000'
        else '5001+'
    end
{%- endmacro %}

{#- Revenue band of an annual revenue in the reporting currency (null stays null). -#}
{% macro revenue_band(expression) -%}
    case
        when {{ expression }} is null then null
        when {{ expression }} < 1000000 then '<1M'
        when {{ expression }} < 10000000 then '1M-10M'
        when {{ expression }} < 50000000 then '10M-50M'
        when {{ expression }} < 100000000 then '50M-100M'
        when {{ expression }} < 500000000 then '100M-500M'
        when {{ expression }} < 1000000000 then '500M-1B'
        else '1B+'
    end
{%- endmacro %}
