"""B105 (indicator rows copied across units) finds what comparing every pair would find.

check_across_units compares only the pairs that can share enough rows, counted a project
at a time (a province has millions of chance pairs); here every pair is compared the
slow way and the two must agree on random batches, including rows so common (more than
_COMMON_ROW projects) that they alone make no candidate pair.
"""
import hashlib
import random
from dataclasses import replace
from decimal import Decimal

from selfeval_xlsx.review_checks import _COMMON_ROW, check_across_units, copied
from selfeval_xlsx.rules import resolve_rules

SEED = resolve_rules("seed")


def digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def every_pair(projects, rules):
    """{project index: (partner index, partners)} by comparing every pair of projects."""
    keys = [frozenset(p[5][k:k + 8] for k in range(0, len(p[5]), 8)) for p in projects]
    held = {}
    for ks in keys:
        for k in ks:
            held[k] = held.get(k, 0) + 1
    partners = {}
    for n in range(len(projects)):
        for m in range(n):
            shared = keys[m] & keys[n]
            if (projects[m][0] != projects[n][0] and any(held[k] <= _COMMON_ROW for k in shared)
                    and copied(keys[m], keys[n], rules)):
                partners.setdefault(m, []).append(n)
                partners.setdefault(n, []).append(m)
    order = lambda k: (projects[k][0], projects[k][3], projects[k][1], projects[k][2])  # noqa: E731
    return {n: (min(ps, key=order), len(ps)) for n, ps in partners.items()}


def batch(rng: random.Random):
    rows = [digest(f"row {i}") for i in range(rng.randint(4, 40))]
    common = rows[:2]   # in nearly every project, like 资金使用合规率 100% 100%
    projects = []
    for i in range(rng.randint(2, 90)):
        ks = set(rng.sample(rows, rng.randint(1, min(9, len(rows)))))
        if rng.random() < 0.8:
            ks |= set(common)
        projects.append((f"单位{rng.randrange(6)}", f"f{i}.xlsx", f"表{i}", f"项目{rng.randrange(4)}", "C13",
                         b"".join(sorted(ks))))
    return projects


def test_b105_agrees_with_comparing_every_pair():
    rng = random.Random(17)
    reported = 0
    for _ in range(250):
        rules = replace(SEED, copy_rows=Decimal(rng.choice((1, 2, 3, 4))),
                        copy_share=Decimal(rng.choice(("0.5", "0.8", "1"))))
        projects = batch(rng)
        expected = every_pair(projects, rules)
        found = {int(f.file[1:-5]): f for f in check_across_units(projects, rules)}
        assert set(found) == set(expected)
        for n, f in found.items():
            partner, count = expected[n]
            assert f.value == projects[partner][0] and f"项目“{projects[partner][3]}”（{projects[partner][1]}）" in f.message
            assert (f"等 {count} 个项目" in f.message) == (count > 1)
        reported += len(found)
    assert reported > 100   # the batches do hold copies
