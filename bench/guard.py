"""The prohibited-grounds guard alone: its speed on 160,000 items in English and in Chinese, or
its accuracy on a held-out set.

    python bench/guard.py [--items 160000]
    python bench/guard.py --held-out tests/unit/catalogue/guard_corpus/held_out_3.txt
        [--baseline-rev be7a8d7] [--no-baseline]

Speed: each item has a code, a title and a description, all different, as `scs catalog
publish` checks them. Times are CPU seconds (the machine is shared), with a baseline timed in
the same run: reading the same texts once with `str.casefold`, the floor under any guard.

Accuracy (`--held-out FILE`): each line of FILE is `of | kind | ground | code | title` (`#`
starts a comment), `of` an item or a measure, `kind` prohibited or ordinary. An item is read
as publication reads it (code and title), a measure as measures are read (the relatives'
grounds first). It prints the share of prohibited entries refused and of ordinary entries
refused, for items, measures and both, with the title alone besides, per ground, and every
entry the guard gets wrong. The baseline, measured in the same run, is the guard of the terms
at `--baseline-rev` (read with `git show`), the terms before issue 18's third pass.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from collections import Counter
from pathlib import Path

import ryaml

from socialcredit.catalogue.prohibited import (
    GROUNDS_FILE,
    Ground,
    Guard,
    find_prohibited_ground,
    find_prohibited_in_measure,
    guard,
)

BASELINE_REVISION = "be7a8d7"  # the guard's terms before issue 18's third pass
GROUNDS_PATH = f"src/socialcredit/catalogue/{GROUNDS_FILE}"


def english_items(count: int) -> list[tuple[str, str, str]]:
    return [
        (
            f"sector{number % 97}.failure_{number}",
            f"Failed to pay a court-ordered debt of category {number}",
            f"Civil Procedure Law art. {number % 300}, judgment number {number}",
        )
        for number in range(count)
    ]


def chinese_items(count: int) -> list[tuple[str, str, str]]:
    return [
        (
            f"sector{number % 97}.failure_{number}",
            f"拒不履行法院生效判决确定的给付义务，第{number}类",
            f"依据《民事诉讼法》第{number % 300}条，被人民法院纳入失信被执行人名单（{number}）",
        )
        for number in range(count)
    ]


def cpu_seconds(function, items) -> float:
    started = time.process_time()
    for item in items:
        function(*item)
    return time.process_time() - started


def read_held_out(path: Path) -> list[tuple[str, str, str, str, str]]:
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = tuple(field.strip() for field in line.split(" | "))
        if len(fields) != 5 or fields[0] not in ("item", "measure"):
            raise SystemExit(f"{path}:{number}: expected `of | kind | ground | code | title`")
        if fields[1] not in ("prohibited", "ordinary"):
            raise SystemExit(f"{path}:{number}: kind is prohibited or ordinary, not {fields[1]}")
        entries.append(fields)
    return entries


def finders_of_revision(revision: str):
    """The item and measure finders of the terms at a git revision, with today's code."""
    text = subprocess.run(
        ["git", "show", f"{revision}:{GROUNDS_PATH}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent,
    ).stdout
    document = ryaml.loads(text)

    def grounds(section: str) -> tuple[Ground, ...]:
        return tuple(
            Ground(
                name,
                entry["description"],
                tuple(entry.get("english") or ()),
                tuple(entry.get("chinese") or ()),
            )
            for name, entry in document[section].items()
        )

    ordinary = tuple(document["ordinary_phrases"])
    items, relatives = (
        Guard(grounds("grounds"), ordinary),
        Guard(grounds("measure_grounds"), ordinary),
    )
    return items.find, lambda *texts: relatives.find(*texts) or items.find(*texts)


def share(refused: int, total: int) -> str:
    return f"{refused}/{total} = {refused / total:.1%}" if total else "none"


def measure_held_out(entries, find_item, find_measure, title_only: bool = False):
    """Per entry: (entry, match or None)."""
    results = []
    for entry in entries:
        of, _kind, _ground, code, title = entry
        texts = (title,) if title_only else (code, title)
        results.append((entry, (find_item if of == "item" else find_measure)(*texts)))
    return results


def print_figures(label: str, results) -> None:
    for of_label, ofs in (
        ("items", ("item",)),
        ("measures", ("measure",)),
        ("both", ("item", "measure")),
    ):
        chosen = [(entry, found) for entry, found in results if entry[0] in ofs]
        prohibited = [found for entry, found in chosen if entry[1] == "prohibited"]
        ordinary = [found for entry, found in chosen if entry[1] == "ordinary"]
        print(
            f"{label}, {of_label}: prohibited refused "
            f"{share(sum(f is not None for f in prohibited), len(prohibited))}, ordinary refused "
            f"{share(sum(f is not None for f in ordinary), len(ordinary))}"
        )


def held_out(arguments: argparse.Namespace) -> None:
    entries = read_held_out(Path(arguments.held_out))
    print(f"{arguments.held_out}: {Counter((e[0], e[1]) for e in entries)}")
    results = measure_held_out(entries, find_prohibited_ground, find_prohibited_in_measure)
    print_figures("guard (code and title)", results)
    print_figures(
        "guard (title alone)",
        measure_held_out(entries, find_prohibited_ground, find_prohibited_in_measure, True),
    )
    if not arguments.no_baseline:
        find_item, find_measure = finders_of_revision(arguments.baseline_rev)
        print_figures(
            f"baseline: terms of {arguments.baseline_rev} (code and title)",
            measure_held_out(entries, find_item, find_measure),
        )
    print("per ground or category (refused/total):")
    by_ground: dict[tuple[str, str], list[bool]] = {}
    for (of, kind, ground, _code, _title), found in results:
        by_ground.setdefault((kind, f"{of} {ground}"), []).append(found is not None)
    for (kind, ground), refusals in sorted(by_ground.items()):
        print(f"  {kind:10} {ground:28} {sum(refusals)}/{len(refusals)}")
    print("prohibited entries not refused:")
    for (of, kind, ground, code, title), found in results:
        if kind == "prohibited" and found is None:
            print(f"  {of} {ground}: {code} | {title}")
    print("ordinary entries refused (ground: matched words):")
    for (of, kind, ground, code, title), found in results:
        if kind == "ordinary" and found is not None:
            print(f"  {of} {ground}: {code} | {title}  ->  {found.ground.name}: {found.term}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=160_000)
    parser.add_argument("--held-out", help="measure the accuracy on this held-out set instead")
    parser.add_argument("--baseline-rev", default=BASELINE_REVISION)
    parser.add_argument("--no-baseline", action="store_true")
    arguments = parser.parse_args()
    if arguments.held_out:
        held_out(arguments)
        return
    guard()  # built once per process, as publication does
    for language, items in (
        ("English", english_items(arguments.items)),
        ("Chinese", chinese_items(arguments.items)),
    ):
        baseline = cpu_seconds(lambda *texts: [text.casefold() for text in texts], items)
        checked = cpu_seconds(find_prohibited_ground, items)
        refused = sum(find_prohibited_ground(*item) is not None for item in items[:1000])
        print(
            f"{language}: {arguments.items:,} items, guard {checked:.2f} s CPU, "
            f"baseline (casefold) {baseline:.2f} s, ratio {checked / baseline:.1f}"
            f"{'' if refused == 0 else f', {refused} of the first 1,000 refused!'}"
        )


if __name__ == "__main__":
    main()
