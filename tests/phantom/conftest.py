"""Fixtures of the phantom tests: each case generated once per session (seed 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from spineviewer.phantom import generate_case


@pytest.fixture(scope="session")
def case_folder(tmp_path_factory):
    """``case_folder(n)``: the folder of case ``n`` generated with the default options."""
    root = tmp_path_factory.mktemp("phantom-seed0")
    folders: dict[int, Path] = {}

    def get(number: int) -> Path:
        if number not in folders:
            folders[number] = generate_case(number, root)
        return folders[number]

    return get
