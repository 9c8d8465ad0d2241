{#-
    True when a normalised domain (macro normalize_domain) is shared by unrelated companies and so
    must not key an account: it is in seed shared_domains, or it is a subdomain (up to 3 labels
    deep) of a seed row whose subdomains are shared too (uk.linkedin.com, mail.yahoo.com).
    A subdomain of a hosting platform (acme.github.io, acme.wixsite.com) is one company's site and
    is not shared. Null gives false.
-#}
{% macro is_shared_domain(domain) -%}
    coalesce(
        {{ domain }} in (select domain from {{ ref('shared_domains') }})
        {%- for depth in range(1, 4) %}
        or regexp_replace({{ domain }}, '^([^.]+[.]){{ '{' ~ depth ~ '}' }}', '')
            in (select domain from {{ ref('shared_domains') }} where match_subdomains)
        {%- endfor %},
        false
    )
{%- endmacro %}

{#- A website with an email address in it, the address's local part masked (`*@gmail.com`):
    personal data does not pass staging. -#}
{% macro mask_email_in_website(expression) -%}
    {{ replace_all("nullif(trim(" ~ expression ~ "), '')", "'[^/:@\\s]+@'", "'*@'") }}
{%- endmacro %}
