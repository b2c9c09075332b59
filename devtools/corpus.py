"""Deterministic synthetic news corpus for benchmarks: realistic pages from varied outlets.

Every article is drawn from its own random stream (seed and index), so the same seed gives
byte-identical files, and article `count` can be added later without touching the others.
Names, offices, places, outlets, occasions, speech verbs and topic words come from seeds/*.csv
at run time; only the sentence shapes and page furniture live here.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass
from pathlib import Path

from devtools.corpus_world import (
    DATE_STYLES,
    ENGLISH_HEADLINES,
    EXCLUSIVE_SHARE,
    FOREIGN_HEADLINES,
    MONTHS,
    SEEDS,
    STORY_REPORTS,
    Actor,
    Masthead,
    Seeds,
    Story,
    _day_phrase,
    _masthead,
    _story,
    _timestamp,
    _upper,
)

# -- sentences ----------------------------------------------------------------------------


@dataclass(slots=True)
class Writer:
    """Writes one story in one outlet's house style."""

    rng: random.Random
    seeds: Seeds
    outlet: Masthead
    story: Story

    def verb(self) -> str:
        return self.rng.choice(self.seeds.verbs)

    def word(self, topic: int = 0) -> str:
        return self.rng.choice(self.story.topics[topic % len(self.story.topics)])

    def title(self) -> str:
        s, rng = self.story, self.rng
        host, guest = s.host.person.name.split()[-1], s.guest.person.name.split()[-1]
        options = {
            "meeting": (
                f"{host} meets {guest}" + (f" in {s.city}" if s.city else ""),
                f"{host}, {guest} hold talks on {self.word()}",
                f"{s.host.adjective} {s.host.title}, {s.guest.adjective} counterpart "
                f"discuss {self.word()} ties",
                f"{host} receives {s.guest.adjective} {s.guest.title.lower()}",
            ),
            "phone_call": (
                f"{host}, {guest} discuss {self.word()} in phone call",
                f"{host} holds phone talks with {guest}",
            ),
            "message": (
                f"{host} sends letter to {guest}",
                f"{host} congratulates {guest} in message",
            ),
        }[s.kind]
        return rng.choice(options)

    def lead(self) -> str:
        s, rng = self.story, self.rng
        host, guest = s.host.full(rng), s.guest.full(rng)
        when = _day_phrase(rng, s.event_day, s.published)
        if s.kind == "phone_call":
            return rng.choice(
                (
                    f"{host} held a phone conversation with {guest} {when}.",
                    f"In a telephone call {when}, {host} and {guest} discussed "
                    f"{self.word(0)} and {self.word(1)}.",
                    f"{host} spoke by phone with {guest} {when}, discussing {self.word(1)}.",
                )
            )
        if s.kind == "message":
            return rng.choice(
                (
                    f"{host} sent a letter to {guest} {when}, calling for closer "
                    f"cooperation on {self.word()}.",
                    f"In a message to {guest} {when}, {host} congratulated the people of "
                    f"{s.guest.office.country} on their national day.",
                )
            )
        where = f" at {s.venue}" if s.venue else (f" in {s.city}" if s.city else "")
        if s.occasion:
            where = f" on the sidelines of the {s.occasion} summit in {s.city}"
        return rng.choice(
            (
                f"{host} met with {guest}{where} {when}.",
                f"{host} received visiting {guest}{where} {when}.",
                f"{host} and {guest} held talks{where} {when}.",
                f"{_upper(when)}, {host} met {guest}{where} to discuss {self.word()}.",
            )
        )

    def quote(self, actor: Actor, topic: int) -> str:
        rng, verb = self.rng, self.verb()
        q_open, q_close = self.outlet.quote_marks
        side = 0 if actor is self.story.host else 1
        said = self.story.quotes
        text, who = said[(2 * topic + side) % len(said)], actor.short(rng)
        style = rng.randrange(7)
        if style == 0:
            return f"{_upper(who)} {verb}: {q_open}{text}.{q_close}"
        if style == 1:
            return f"{q_open}{text},{q_close} {who} {verb}."
        if style == 2:
            return f"{q_open}{text},{q_close} {verb} {who}."
        if style == 3:
            more = said[(2 * topic + side + 2) % len(said)]
            return f"{q_open}{text},{q_close} {who} {verb}. {q_open}{more}.{q_close}"
        if style == 4:  # agencies' copy sometimes drops the closing mark
            return f"Referring to {self.word(topic)}, {who} {verb}: {q_open}{text}."
        if style == 5:  # a quote attributed by pronoun after a paragraph naming the speaker
            lead = f"{_upper(who)} pointed to the potential for cooperation in {self.word(topic)}."
            return f"{lead}\n\n{q_open}{text},{q_close} {actor.pronoun} {verb}."
        return (
            f"{_upper(who)} {verb} that the two sides "
            f"{q_open}must not lose time{q_close} on {self.word(topic)}."
        )

    def body(self) -> list[str]:
        s, rng = self.story, self.rng
        paragraphs = [self.lead()]
        paragraphs.append(
            rng.choice(
                (
                    f"The sides discussed {self.word(0)}, {self.word(1)} and {self.word(2)}.",
                    f"{_upper(s.host.short(rng))} pointed to the growing cooperation in "
                    f"{self.word(0)} and {self.word(1)} in recent years.",
                    f"During the {'conversation' if s.kind == 'phone_call' else 'talks'}, the "
                    f"two exchanged views on {self.word(2)} and regional issues.",
                )
            )
        )
        for n in range(rng.randint(2, 5)):
            paragraphs.append(self.quote(s.host if n % 2 == 0 else s.guest, n))
        if s.extra:
            paragraphs.append(f"The meeting was also attended by {s.extra.full(rng)}.")
        paragraphs.append(
            rng.choice(
                (
                    f"At the end of the {'call' if s.kind == 'phone_call' else 'meeting'}, "
                    f"the two sides agreed on {rng.randint(2, 9)} "
                    f"steps on {self.word(1)} and {self.word(2)}.",
                    f"{_upper(s.guest.short(rng))} invited {s.host.short(rng)} to visit "
                    f"{s.guest.office.country}, and the invitation was accepted.",
                    f"{self.outlet.name} reports that the next round of talks is planned "
                    f"for {MONTHS[rng.randrange(12)]}.",
                )
            )
        )
        return paragraphs

    def dateline(self) -> str:
        s, city = self.story, self._home_city()
        day = s.published
        return (
            "",
            f"{city.upper()}, {MONTHS[day.month - 1]} {day.day} ({self.outlet.name}) – ",
            f"{city}/{day.day:02d}.{day.month:02d}.{day.year % 100:02d}/{self.outlet.name}: ",
            f"{city.upper()} — ",
        )[self.outlet.dateline_style]

    def _home_city(self) -> str:
        cities = (
            self.seeds.cities.get(self.outlet.country)
            or self.seeds.cities[self.story.host.office.country]
        )
        return cities[0]

    def byline(self) -> str:
        return (
            "",
            "By News Desk",
            f"{self.outlet.name} correspondent",
            f"By {self.outlet.name} staff",
        )[self.outlet.byline_style]

    def caption(self) -> str:
        s = self.story
        names = f"{s.host.person.name.split()[-1]} and {s.guest.person.name.split()[-1]}"
        return self.rng.choice((f"{names}. {self.outlet.name}", f"Photo: {self.outlet.name}"))

    def related(self) -> list[str]:
        rng = self.rng
        lines = rng.sample(ENGLISH_HEADLINES, 3) + rng.sample(FOREIGN_HEADLINES, 2)
        rng.shuffle(lines)
        return lines


# -- pages --------------------------------------------------------------------------------


def text_page(writer: Writer, index: int) -> str:
    """The story as a copied web page in plain text, furniture and all."""
    o, s, rng = writer.outlet, writer.story, writer.rng
    top = [*o.header, "", writer.title()]
    if rng.random() < 0.4:
        top.append(f"The two sides discussed {writer.word(0)} and {writer.word(1)}.")
    top += [writer.byline(), _timestamp(rng, s.published, o.date_style), ""]
    if o.captions:
        top += [writer.caption(), ""]
    body = writer.body()
    body[0] = writer.dateline() + body[0]
    if o.end_mark:
        body[-1] += " " + o.end_mark
    tail = [o.story_id.format(n=100000 + index)] if o.story_id else []
    tail += ["", *o.footer, "", o.related_heading, *writer.related()]
    lines = [*top, "\n\n".join(body), "", *tail]
    return "\n".join(line for line in lines if line is not None) + "\n"


def html_page(writer: Writer, index: int) -> str:
    """The story as an HTML page with navigation, metadata, caption and asides."""
    o, s, rng, esc = writer.outlet, writer.story, writer.rng, html.escape
    title = writer.title()
    clock = f"{rng.randint(6, 23):02d}:{rng.randint(0, 59):02d}"
    menu = "".join(f'<li><a href="/{w.lower()}">{esc(w)}</a></li>' for w in o.menu.split(" | "))
    body = writer.body()
    body[0] = writer.dateline() + body[0]
    paragraphs = "\n".join(f"<p>{esc(p)}</p>" for text in body for p in text.split("\n\n"))
    related = "".join(f'<li><a href="/n/{index}">{esc(h)}</a></li>' for h in writer.related())
    caption = (
        f'<figure><img src="/img/{index}.jpg" alt=""><figcaption>{esc(writer.caption())}'
        "</figcaption></figure>"
        if o.captions
        else ""
    )
    footer = "".join(f"<p>{esc(line)}</p>" for line in o.footer)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)} | {esc(o.name)}</title>\n"
        f'<meta property="article:published_time" content="{s.published.isoformat()}T{clock}:00">'
        f"</head>\n<body><header><nav><ul>{menu}</ul></nav></header>\n"
        f'<main><article><h1>{esc(title)}</h1>\n<div class="byline">{esc(writer.byline())}</div>'
        f'<time class="date">{esc(DATE_STYLES[o.date_style](s.published))} {clock}</time>\n'
        f'{caption}\n<div class="article-body">\n{paragraphs}\n</div></article>\n'
        f"<aside><h3>{esc(o.related_heading)}</h3><ul>{related}</ul></aside></main>\n"
        f"<footer>{footer}</footer></body></html>\n"
    )


# -- the corpus ---------------------------------------------------------------------------


@dataclass(slots=True)
class Generator:
    """Reference data and outlet templates for one seed."""

    seed: int
    html_share: float
    seeds: Seeds
    mastheads: list[Masthead]

    @classmethod
    def create(cls, seed: int = 7, html_share: float = 0.2, seeds_dir: Path = SEEDS) -> Generator:
        """A generator whose outlets are the seed outlets in a country with known leaders."""
        seeds = Seeds.load(seeds_dir)
        return cls(
            seed,
            html_share,
            seeds,
            [_masthead(name, country, seed) for name, country in seeds.outlets],
        )

    def article(self, index: int) -> tuple[str, str]:
        """(relative path, page text) of article number `index`."""
        rng = random.Random(f"{self.seed}:{index}")
        outlet = rng.choice(self.mastheads)
        # Most events are reported by several outlets (up to STORY_REPORTS articles in a row
        # share one), the rest by one; each outlet writes its own copy around the same quotes.
        shared = rng.random() >= EXCLUSIVE_SHARE
        key = f"{index // STORY_REPORTS}" if shared else f"own:{index}"
        story_rng = random.Random(f"{self.seed}:story:{key}")
        host_country = story_rng.choice(self.mastheads).country
        story = None
        while story is None:
            story = _story(story_rng, self.seeds, host_country)
        writer = Writer(rng, self.seeds, outlet, story)
        if rng.random() < self.html_share:
            return f"{outlet.folder}/{index:06d}.html", html_page(writer, index)
        return f"{outlet.folder}/{index:06d}.txt", text_page(writer, index)


def generate(
    target: Path,
    count: int,
    seed: int = 7,
    html_share: float = 0.2,
    start: int = 0,
    seeds_dir: Path = SEEDS,
) -> list[Path]:
    """Write articles number `start` .. `start + count - 1` under `target`; returns their paths.

    Same seed, same bytes: article n depends only on (seed, n), never on `count`.
    """
    generator = Generator.create(seed, html_share, seeds_dir)
    written: list[Path] = []
    made: set[Path] = set()
    for index in range(start, start + count):
        rel_path, text = generator.article(index)
        path = target / rel_path
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """`python -m devtools.corpus TARGET COUNT [--seed N] [--html-share X]`."""
    import argparse

    parser = argparse.ArgumentParser(description=generate.__doc__)
    parser.add_argument("target", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--html-share", type=float, default=0.2)
    args = parser.parse_args(argv)
    generate(args.target, args.count, args.seed, args.html_share)
    print(f"wrote {args.count} articles under {args.target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
