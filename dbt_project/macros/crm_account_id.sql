{#-
    The matching key of a CRM account id: the one rule every staging model that carries a CRM
    account id (crm/accounts.account_id and parent_account_id, account_id of opportunities,
    contacts, activities and campaign members, leads' converted_account_id, ERP crm_account_id)
    applies, so both Salesforce id forms of one record join.

    Salesforce ids come in two forms (Salesforce API guide, "Field Types: ID"; the CASESAFEID()
    formula function): the case-sensitive 15-character id, and the 18-character case-safe id =
    the 15 characters + a 3-character checksum. Checksum: split the 15 characters into three
    chunks of 5; in each chunk, character i (0-4) sets bit i when it is an upper-case letter A-Z;
    the 5-bit number (0-31) indexes 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'.

    Rule: trimmed; empty gives null; an 18-character alphanumeric id whose last 3 characters are
    the checksum of its first 15 is keyed by those 15; anything else is kept as it is (case
    included, so ids that differ only in letter case stay distinct). A non-Salesforce id of 18
    letters and digits is shortened only when its last 3 characters happen to be that checksum
    (1 in 32,768 ids of random letters).
-#}
{% macro crm_account_id(expression) -%}
    {%- set id = "nullif(trim(" ~ expression ~ "), '')" -%}
    case
        when length({{ id }}) = 18
            and {{ regex_matches(id, "'^[0-9A-Za-z]{18}$'") }}
            and substr({{ id }}, 16, 3) = {{ salesforce_id_checksum(id) }}
            then substr({{ id }}, 1, 15)
        else {{ id }}
    end
{%- endmacro %}

{#- The 3-character case-safe checksum of the first 15 characters of `id` (see above). -#}
{% macro salesforce_id_checksum(id) -%}
    {%- for chunk in range(3) %}
    substr(
        'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
        1
        {%- for i in range(5) %}
        + case when substr({{ id }}, {{ chunk * 5 + i + 1 }}, 1) between 'A' and 'Z' then {{ 2 ** i }} else 0 end
        {%- endfor %},
        1
    ){{ ' ||' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
