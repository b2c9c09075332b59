"""What the synthetic corpus writes about: people and offices from seeds/, outlets and
their page furniture, dates in many formats, and the stories (who met whom, who said what)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from flows.extract.seeds import read_seed_csv
from flows.settings import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
FIRST_DAY, LAST_DAY = date(1996, 1, 1), date(2025, 6, 30)
LEADER_ROLES = ("president", "prime_minister")
MONTHS = (
    *("January", "February", "March", "April", "May", "June", "July", "August"),
    *("September", "October", "November", "December"),
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ROLE_TITLES = {
    "president": "President",
    "prime_minister": "Prime Minister",
    "foreign_minister": "Foreign Minister",
}
# Page furniture: menus, prompts and related headlines, English and the region's languages.
MENU_WORDS = (
    *("Home", "Politics", "Economy", "Society", "World", "Region", "Sport", "Culture"),
    *("Opinion", "Video"),
)
SOCIAL = ("Telegram", "Facebook", "X", "Instagram", "WhatsApp", "YouTube")
FOREIGN_HEADLINES = (
    "Prezident xarici işlər nazirini qəbul edib",
    "Bakıda beynəlxalq konfrans keçirilir",
    "Cumhurbaşkanı yeni ekonomik paketi açıkladı",
    "Dışişleri Bakanı bölge ülkelerini ziyaret edecek",
    "Президент провёл совещание по экономическим вопросам",
    "В Москве прошли переговоры министров",
)
ENGLISH_HEADLINES = (
    "Oil prices rise ahead of producers' meeting",
    "New rail link to open next year, ministry says",
    "Central bank keeps key rate unchanged",
    "Heavy snow closes mountain roads",
    "Football: national team wins away match",
    "Exhibition of carpets opens in the capital",
    "Wheat harvest expected to beat last year's",
    "Parliament approves draft budget in first reading",
)
STORY_REPORTS = 3
EXCLUSIVE_SHARE = 0.4
OPEN_QUOTES = (("“", "”"), ('"', '"'), ("«", "»"))


@dataclass(frozen=True, slots=True)
class Person:
    """A person from seeds/people.csv."""

    name: str
    country: str
    gender: str
    aliases: tuple[str, ...]
    honorifics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Office:
    """One role held by a person between two dates (seeds/roles.csv)."""

    person: str
    role: str
    country: str
    start: date
    end: date


@dataclass(slots=True)
class Seeds:
    """The reference data the generator draws from."""

    people: dict[str, Person]
    offices: list[Office]
    adjectives: dict[str, list[str]]
    cities: dict[str, list[str]]
    venues: list[tuple[str, str]]  # (venue, city)
    outlets: list[tuple[str, str]]  # (outlet, country)
    occasions: list[str]
    verbs: list[str]
    keywords: list[list[str]]  # one keyword list per topic

    @classmethod
    def load(cls, seeds_dir: Path = SEEDS) -> Seeds:
        """Read the seed CSVs the generator needs."""
        rows = lambda name: _rows(seeds_dir / name)  # noqa: E731
        people = {r["person"]: _person(r) for r in rows("people.csv")}
        places = rows("places.csv")
        cities: dict[str, list[str]] = {}
        for r in places:
            if r["kind"] == "city":
                cities.setdefault(r["country"], []).append(r["place"].split(" (")[0])
        outlets = list(dict.fromkeys((r["outlet"], r["country"]) for r in rows("outlets.csv")))
        return cls(
            people=people,
            offices=[_office(r) for r in rows("roles.csv") if r["person"] in people],
            adjectives={
                r["country"]: [a for a in r["adjectives"].split("|") if "'" not in a][:2]
                for r in rows("people_countries.csv")
            },
            cities=cities,
            venues=[(r["place"], r["city"]) for r in places if r["kind"] == "venue"],
            outlets=outlets,
            occasions=[
                r["variants"].split("|")[0]
                for r in rows("occasions.csv")
                if r["event_word"] == "summit" and "{" not in r["occasion"]
            ],
            verbs=[
                r["verb"]
                for r in rows("speech_verbs.csv")
                if r["verb"].endswith("ed") or r["verb"] == "said"
            ],
            keywords=[words for r in rows("topics.csv") if (words := _topic_words(r["keywords"]))],
        )

    def holders(self, day: date, roles: tuple[str, ...]) -> list[Office]:
        """Offices of the given roles held on `day` in a country with an adjective."""
        return [
            o
            for o in self.offices
            if o.role in roles and o.start <= day < o.end and o.country in self.adjectives
        ]


def _rows(path: Path) -> list[dict[str, str]]:
    return read_seed_csv(path, strip=False)


def _topic_words(keywords: str) -> list[str]:
    """Plain lower-case keywords of a topic (names and acronyms read oddly in templates)."""
    return [k for k in keywords.split("|") if re.fullmatch(r"[a-z][a-z -]{3,}", k)][:10]


def _person(row: dict[str, str]) -> Person:
    split = lambda v: tuple(x for x in (v or "").split("|") if x)  # noqa: E731
    return Person(
        row["person"],
        row["country"],
        row["gender"],
        split(row["aliases"]),
        split(row["honorifics"]),
    )


def _office(row: dict[str, str]) -> Office:
    end = date.fromisoformat(row["valid_to"]) if row["valid_to"] else date.max
    start = date.fromisoformat(row["valid_from"])
    return Office(row["person"], row["role"], row["country"], start, end)


# -- outlets: one page template each ------------------------------------------------------


@dataclass(slots=True)
class Masthead:
    """One outlet's page template: the furniture every one of its pages repeats."""

    name: str
    country: str
    folder: str
    menu: str
    header: list[str]
    footer: list[str]
    related_heading: str
    date_style: int
    dateline_style: int
    quote_marks: tuple[str, str]
    byline_style: int
    captions: bool
    end_mark: str
    story_id: str


def _masthead(outlet: str, country: str, seed: int) -> Masthead:
    rng = random.Random(f"{seed}:outlet:{outlet}")
    menu = " | ".join(rng.sample(MENU_WORDS, rng.randint(4, 7)))
    social = rng.sample(SOCIAL, rng.randint(1, 3))
    header = [menu] if rng.random() < 0.8 else []
    header += rng.choice(
        ([f"Follow us on {' | '.join(social)}"], [], ["Subscribe to our newsletter"])
    )
    year = rng.randint(2015, 2025)
    footer = [
        rng.choice(("Share this article", "Share", "Print | E-mail | Telegram", "")),
        rng.choice(("Leave a comment", "Comments (0)", "Rate this article", "")),
        f"© {year} {outlet}. All rights reserved.",
        rng.choice(("This material may not be published without reference to the source.", "")),
    ]
    return Masthead(
        name=outlet,
        country=country,
        folder=re.sub(r"[^a-z0-9]+", "_", outlet.lower()).strip("_"),
        menu=menu,
        header=header,
        footer=[line for line in footer if line],
        related_heading=rng.choice(("Related news", "Most read", "Latest news", "Also read")),
        date_style=rng.randrange(len(DATE_STYLES)),
        dateline_style=rng.randrange(4),
        quote_marks=rng.choice(OPEN_QUOTES),
        byline_style=rng.randrange(4),
        captions=rng.random() < 0.5,
        end_mark=rng.choice(("", "", "-0-", "(END)", "///", "##")),
        story_id=rng.choice(("News ID: {n}", "Story Code: {n}", "", "")),
    )


# -- dates in many formats ----------------------------------------------------------------


def _long(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


DATE_STYLES: tuple[Callable[[date], str], ...] = (
    _long,
    lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    lambda d: f"{d.day} /{MONTHS[d.month - 1][:3]}/ {d.year}",
    lambda d: f"{WEEKDAYS[d.weekday()]}, {_long(d)}",
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    lambda d: f"{MONTHS[d.month - 1][:3]}. {d.day}, {d.year}",
    lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
)


def _timestamp(rng: random.Random, day: date, style: int) -> str:
    clock = f"{rng.randint(6, 23):02d}:{rng.randint(0, 59):02d}"
    text = DATE_STYLES[style](day)
    return rng.choice((f"{text} {clock}", f"{clock}, {text}", text, f"Published: {text}"))


def _day_phrase(rng: random.Random, event: date, published: date) -> str:
    if event == published - timedelta(days=1) and rng.random() < 0.3:
        return "yesterday"
    weekday = WEEKDAYS[event.weekday()]
    return rng.choice(
        (
            f"on {weekday}",
            f"on {event.day} {MONTHS[event.month - 1]}",
            f"on {MONTHS[event.month - 1]} {event.day}",
            f"on {weekday}, {MONTHS[event.month - 1]} {event.day}",
        )
    )


# -- one story: who, when, where, what ----------------------------------------------------


@dataclass(slots=True)
class Actor:
    """A participant and the ways the article may name them."""

    person: Person
    office: Office
    adjective: str

    @property
    def title(self) -> str:
        return ROLE_TITLES.get(self.office.role, "official")

    def full(self, rng: random.Random) -> str:
        name = self.person.name
        if self.person.honorifics and rng.random() < 0.3:
            name = f"{rng.choice(self.person.honorifics)} {name}"
        country = self.office.country
        return rng.choice(
            (
                f"{self.adjective} {self.title} {name}",
                f"{self.title} of {country} {name}",
                f"{name}, the {self.title.lower()} of {country}",
                f"{self.adjective} {self.title.lower()} {name}",
            )
        )

    def short(self, rng: random.Random) -> str:
        surname = self.person.name.split()[-1]
        options = [surname, surname, f"the {self.adjective} {self.title.lower()}"]
        options += [a for a in self.person.aliases if len(a.split()) >= 2][:1]
        return rng.choice(options)

    @property
    def pronoun(self) -> str:
        return "she" if self.person.gender == "f" else "he"


@dataclass(slots=True)
class Story:
    """The facts one article reports."""

    kind: str  # meeting | phone_call | message
    event_day: date
    published: date
    host: Actor
    guest: Actor
    city: str | None
    venue: str | None
    occasion: str | None
    topics: list[list[str]]
    extra: Actor | None = None
    # What was said: every outlet covering the story quotes from these (host even, guest odd).
    quotes: list[str] = field(default_factory=list)


def _story(rng: random.Random, seeds: Seeds, host_country: str) -> Story | None:
    day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))
    roles = LEADER_ROLES if rng.random() < 0.8 else ("foreign_minister",)
    offices = seeds.holders(day, roles)
    hosts = [o for o in offices if o.country == host_country] or offices
    if len(offices) < 2:
        return None
    host = rng.choice(hosts)
    guests = [o for o in offices if o.country != host.country]
    if not guests:
        return None
    guest = rng.choice(guests)
    kind = rng.choices(("meeting", "phone_call", "message"), (6, 3, 1))[0]
    occasion = rng.choice(seeds.occasions) if kind == "meeting" and rng.random() < 0.25 else None
    city_country = rng.choice((host.country, guest.country)) if not occasion else None
    city_country = city_country or rng.choice(sorted(seeds.cities))
    city = rng.choice(seeds.cities.get(city_country) or [None]) if kind == "meeting" else None
    venues = [v for v, c in seeds.venues if c == city]
    story = Story(
        kind=kind,
        event_day=day,
        published=day + timedelta(days=rng.choice((0, 0, 1))),
        host=_actor(rng, seeds, host),
        guest=_actor(rng, seeds, guest),
        city=city,
        venue=rng.choice(venues) if venues and rng.random() < 0.5 else None,
        occasion=occasion,
        topics=rng.sample(seeds.keywords, 3),
    )
    story.quotes = [_quote_text(rng, story.topics, n) for n in range(6)]
    ministers = [o for o in seeds.holders(day, ("foreign_minister",)) if o.country == host.country]
    if ministers and kind == "meeting" and roles == LEADER_ROLES and rng.random() < 0.4:
        story.extra = _actor(rng, seeds, ministers[0])
    return story


def _quote_text(rng: random.Random, topics: list[list[str]], topic: int) -> str:
    """One sentence a participant might say about the story's topics."""
    word = rng.choice(topics[topic % len(topics)])
    other = rng.choice(topics[(topic + 1) % len(topics)])
    opener = rng.choice(
        (
            "We are determined to",
            "Our countries must",
            "It is important to",
            "We have agreed to",
            "The two sides will",
            "Nobody can prevent us from working to",
            "I am confident that we will",
        )
    )
    action = rng.choice(("expand", "deepen", "strengthen", "develop", "protect", "review"))
    tail = rng.choice(
        (
            f"and we expect concrete results in {other} before the end of the year",
            f"because {other} matters to both of our nations",
            "in the interests of the whole region",
            f"and the {other} projects we discussed today are a good example",
            "despite the efforts of those who oppose our friendship",
            f"while respecting each other's interests on {other}",
        )
    )
    return f"{opener} {action} cooperation on {word} {tail}"


def _upper(text: str) -> str:
    """First letter upper-cased, the rest untouched (`str.capitalize` lowers names)."""
    return text[:1].upper() + text[1:]


def _actor(rng: random.Random, seeds: Seeds, office: Office) -> Actor:
    return Actor(seeds.people[office.person], office, rng.choice(seeds.adjectives[office.country]))
