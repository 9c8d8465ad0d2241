{#- Generic data tests (no dbt_utils: the project builds offline). -#}

{#- Rows whose combination of `columns` is not unique. -#}
{% test assert_unique_combination(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- Rows where `column_name` lies outside [min_value, max_value] (either bound optional). -#}
{% test assert_between(model, column_name, min_value=none, max_value=none) %}
    select *
    from {{ model }}
    where {{ column_name }} is not null
        and (
            false
            {% if min_value is not none %} or {{ column_name }} < {{ min_value }} {% endif %}
            {% if max_value is not none %} or {{ column_name }} > {{ max_value }} {% endif %}
        )
{% endtest %}

{#- Fails unless the model has exactly one row. -#}
{% test assert_row_count_is_one(model) %}
    select row_count
    from (select count(*) as row_count from {{ model }}) as counted
    where row_count != 1
{% endtest %}
