"""Fixtures of the export tests."""

import pytest

from tests.export.dicom_checks import validators


@pytest.fixture
def validator_tools() -> list[str]:
    """The independent DICOM validators installed here; a skip saying how to get one."""
    tools = validators()
    if not tools:
        pytest.skip("needs dciodvfy (Debian package dicom3tools) or dsrdump (package dcmtk); "
                    "install one with apt-get")
    return tools
