"""A seeded fuzz of the loader over mutants of the real-DICOM corpus (issue 10).

Each mutant (:mod:`tests.core.fuzz_mutants`) must load without an exception escaping
``load_study`` or ``Stack.volume()``, account for every file in a stack or in the problems, and
give a strict-JSON ``info`` report. The count is fixed, so the work is bounded by construction;
``docs/reliability.md`` says how to run thousands.
"""

import random

import pytest

from tests.core.fuzz_mutants import check_mutant, corpus_sources, write_mutant

MUTANTS = 240
SEED = 20261128


@pytest.fixture(scope="module")
def sources(request):
    from tests.conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip(f"needs the real-DICOM corpus at {CORPUS} (not present in this checkout)")
    return corpus_sources(CORPUS)


def test_mutants_keep_the_loader_contract(sources, tmp_path):
    """Every mutant loads or is a problem; nothing escapes; the report is strict JSON."""
    rng = random.Random(SEED)
    broken = []
    for index in range(MUTANTS):
        source = rng.choice(sources)
        folder = tmp_path / f"m{index:03d}"
        folder.mkdir()
        what = write_mutant(source, folder, rng)
        try:
            check_mutant(folder)
        except Exception as exc:  # noqa: BLE001 - collected so one run names every broken mutant
            broken.append(f"{source.name} ({what}): {type(exc).__name__}: {exc}")
    assert not broken, "\n".join(broken)
