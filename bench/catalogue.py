"""Catalogue validation at 160,000 items (SPEC §3: "in a few seconds").

    python bench/catalogue.py [--items 160000] [--repeat 3]

Times parsing the YAML and validating it (structure, cross-references, prohibited grounds),
as `scs catalog publish` does before it writes anything. The baseline, timed in the same run,
is parsing alone: the floor under any validation.
"""

from __future__ import annotations

import argparse
import statistics
import time

from socialcredit.catalogue.validation import parse_catalogue_text, validate_catalogue

KINDS = ("person", "organization")


def catalogue_text(items: int) -> str:
    lines = [
        "catalog: bench-city",
        "version: 1",
        "effective_from: 2024-01-01",
        "base_score: 1000",
        "tiers: [{name: A, min: 1000}, {name: B, min: 900}, {name: D}]",
        "lists: {blacklist: {title: Seriously untrustworthy}}",  # entered through items only
        "sources: {court: {name: Court}, tax-office: {name: Tax office}}",
        "items:",
    ]
    for number in range(items):
        lines += [
            f"  - code: sector{number % 97}.failure_{number}",
            f"    title: Failed to pay a court-ordered debt of category {number}",
            f"    subject: {KINDS[number % 2]}",
            f"    points: {-(number % 50) - 1}",
            "    severity: serious",  # SPEC §10.1: a serious record counts 1 to 3 years
            f"    counts_for_days: {366 + number % 730}",
            "    issuers: [court, tax-office]",
            f"    legal_basis: Civil Procedure Law art. {number % 300}",
        ]
        if number % 7 == 0:
            lines.append("    cap_per_year: 30")
        if number % 11 == 0:
            lines.append("    lists: [blacklist]")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=160_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    text = catalogue_text(arguments.items)
    parse_times, total_times = [], []
    for _ in range(arguments.repeat):
        started = time.perf_counter()
        document, problems = parse_catalogue_text(text)
        parsed = time.perf_counter()
        report = validate_catalogue(document)
        finished = time.perf_counter()
        assert not problems and report.valid, report.problems[:5]
        parse_times.append(parsed - started)
        total_times.append(finished - started)
    parse, total = statistics.median(parse_times), statistics.median(total_times)
    print(
        f"{arguments.items:,} items, {len(text) / 2**20:.0f} MiB of YAML, "
        f"median of {arguments.repeat}"
    )
    print(f"parse only (baseline): {parse:.2f} s")
    print(f"parse + validate:      {total:.2f} s   ratio {total / parse:.2f}")


if __name__ == "__main__":
    main()
