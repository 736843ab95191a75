"""The prohibited-grounds guard alone, on 160,000 items in English and in Chinese.

    python bench/guard.py [--items 160000]

Each item has a code, a title and a description, all different, as `scs catalog publish`
checks them. Times are CPU seconds (the machine is shared), with a baseline timed in the same
run: reading the same texts once with `str.casefold`, the floor under any guard.
"""

from __future__ import annotations

import argparse
import time

from socialcredit.catalogue.prohibited import find_prohibited_ground, guard


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=160_000)
    arguments = parser.parse_args()
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
