{#-
    Human labels and units of attribute columns (marts.attribute_catalog's `label` and `unit`).

    attribute_label(name, documented_meta) returns (label, unit):
    1. a column documented in the account_features YAML with `meta: {label, unit}` keeps them; the
       unit `currency` becomes the reporting currency's code and the label gets it in brackets
       ("Annual revenue (USD)");
    2. else the generated families by their name pattern: tech__cat_<c> "CRM tools used" (tools),
       tech__<t> "Uses Snowflake" (no unit: a yes/no flag), sit__events_<type>_<n>m
       "Hiring surge events, last 12 months" (events), beh__activities_<type>_<n>m (activities),
       beh__contacts_seniority_<s> / beh__contacts_dept_<d> (contacts);
    3. else (x__ extra columns, connector custom fields, any unknown prefix) the name made readable:
       the family prefix, a Salesforce custom-field suffix (`__c`, `_c`) and a HubSpot `property_`
       prefix dropped, underscores as spaces, common acronyms upper-cased, first letter capital
       ("x__sic_code" -> "SIC code", "custom__region_c" -> "Region"); a name with the word `year`
       ("x__year_established") gets the unit `year` (a calendar year, printed without separators).
    icp_pipeline/lib/model/labels.py applies the same rule in Python to names outside the catalog.
-#}

{%- macro humanize_attribute(text, title=false) -%}
    {%- set acronyms = ['id', 'sic', 'naics', 'crm', 'erp', 'arr', 'mrr', 'acv', 'ltv', 'nps', 'hq', 'it',
        'ai', 'ml', 'saas', 'b2b', 'b2c', 'vp', 'ceo', 'cfo', 'cto', 'cio', 'usd', 'eur', 'gbp', 'us', 'uk',
        'eu', 'emea', 'apac', 'namer', 'latam', 'api', 'sla', 'kpi', 'roi', 'gdpr', 'hr', 'seo', 'url', 'iso',
        'aws', 'gcp', 'bi', 'cdp', 'sap', 'sql', 'ibm', 'sms', 'cdn'] -%}
    {%- set cleaned = modules.re.sub('(__c|_c)$', '', text) -%}
    {%- set cleaned = modules.re.sub('^(property_|hs_)', '', cleaned) -%}
    {%- set words = [] -%}
    {%- for word in cleaned.split('_') if word -%}
        {%- do words.append(word.upper() if word.lower() in acronyms else (word.lower() | capitalize if title else word.lower())) -%}
    {%- endfor -%}
    {%- set phrase = words | join(' ') if words else text -%}
    {{- return(phrase[0] | upper ~ phrase[1:]) -}}
{%- endmacro -%}

{%- macro attribute_label(name, meta) -%}
    {%- set parts = name.split('__', 1) -%}
    {%- set prefix = parts[0] if parts | length > 1 else '' -%}
    {%- set attribute = parts[1] if parts | length > 1 else name -%}
    {%- set window = modules.re.search('_(\\d+)m$', attribute) -%}
    {%- set months = (', last ' ~ window.group(1) ~ ' months') if window else '' -%}
    {%- set base = modules.re.sub('_\\d+m$', '', attribute) -%}
    {%- if meta and meta.get('label') -%}
        {%- set unit = meta.get('unit') -%}
        {%- if unit == 'currency' -%}
            {{- return((meta['label'] ~ ' (' ~ var('reporting_currency', 'USD') ~ ')', var('reporting_currency', 'USD'))) -}}
        {%- endif -%}
        {{- return((meta['label'], unit)) -}}
    {%- elif prefix == 'tech' and attribute.startswith('cat_') -%}
        {{- return((humanize_attribute(attribute[4:]) ~ ' tools used', 'tools')) -}}
    {%- elif prefix == 'tech' -%}
        {{- return(('Uses ' ~ humanize_attribute(attribute, true), none)) -}}
    {%- elif prefix == 'sit' and attribute.startswith('events_') -%}
        {{- return((humanize_attribute(base[7:]) ~ ' events' ~ months, 'events')) -}}
    {%- elif prefix == 'beh' and attribute.startswith('activities_') -%}
        {{- return((humanize_attribute(base[11:]) ~ ' activities' ~ months, 'activities')) -}}
    {%- elif prefix == 'beh' and attribute.startswith('contacts_seniority_') -%}
        {{- return((humanize_attribute(attribute[19:]) ~ ' contacts', 'contacts')) -}}
    {%- elif prefix == 'beh' and attribute.startswith('contacts_dept_') -%}
        {{- return((humanize_attribute(attribute[14:]) ~ ' department contacts', 'contacts')) -}}
    {%- elif modules.re.search('(^|_)(year|yr)(_|$)', attribute) and not modules.re.search('years', attribute) -%}
        {{- return((humanize_attribute(attribute), 'year')) -}}
    {%- else -%}
        {{- return((humanize_attribute(base) ~ months, none)) -}}
    {%- endif -%}
{%- endmacro -%}
