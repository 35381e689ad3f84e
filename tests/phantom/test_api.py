"""The phantom's public API: case names, options and their errors."""

import subprocess
import sys

import pytest

from spineviewer.phantom import CASES, TRANSFER_SYNTAXES, case_slug, generate_case

SLUGS = ["case1-breast-t12", "case2-pnet-t10-t11", "case3-lung-multiple",
         "case4-renal-c5-cystic"]


class TestCaseSlug:
    def test_cases_in_order(self):
        """CASES is keyed by slug, case 1 to case 4."""
        assert list(CASES) == SLUGS

    @pytest.mark.parametrize("given, expected", [(1, SLUGS[0]), ("3", SLUGS[2]),
                                                 (SLUGS[3], SLUGS[3]), (2, SLUGS[1])])
    def test_number_string_or_slug(self, given, expected):
        """A number, a numeric string or a slug names a case."""
        assert case_slug(given) == expected

    @pytest.mark.parametrize("bad", [0, 5, "case9", "", "1.5", None, True])
    def test_unknown_case_is_a_clear_value_error(self, bad):
        """Anything else is a ValueError that lists the valid cases."""
        with pytest.raises(ValueError, match="case1-breast-t12"):
            case_slug(bad)


class TestOptions:
    def test_offered_syntaxes_are_the_writable_ones(self):
        """Uncompressed syntaxes and the installed lossless encoders are offered."""
        assert TRANSFER_SYNTAXES[:2] == ("explicit-little-endian", "implicit-little-endian")
        assert {"rle", "jpeg-ls-lossless", "jpeg2000-lossless"} <= set(TRANSFER_SYNTAXES)

    def test_jpeg_lossless_is_offered_with_imagecodecs(self):
        """pydicom has no JPEG Lossless encoder; imagecodecs (a dependency) writes it."""
        assert "jpeg-lossless" in TRANSFER_SYNTAXES

    def test_a_syntax_without_encoder_says_so(self, tmp_path, monkeypatch):
        """A syntax whose encoder is not installed is refused with the reason."""
        from spineviewer.phantom import dicomfile

        monkeypatch.setattr(dicomfile, "TRANSFER_SYNTAXES",
                            tuple(s for s in TRANSFER_SYNTAXES if s != "jpeg-lossless"))
        with pytest.raises(ValueError, match="no encoder"):
            generate_case(1, tmp_path, transfer_syntax="jpeg-lossless")
        assert not (tmp_path / SLUGS[0]).exists()

    @pytest.mark.parametrize("options, message", [
        ({"transfer_syntax": "jpeg-xl"}, "unknown transfer syntax"),
        ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"),
        ({"oblique_deg": 80.0}, "oblique_deg"), ({"oblique_deg": float("nan")}, "oblique_deg"),
    ])
    def test_bad_options_fail_before_writing(self, tmp_path, options, message):
        """Invalid options raise ValueError and write nothing."""
        with pytest.raises(ValueError, match=message):
            generate_case(2, tmp_path, **options)
        assert list(tmp_path.iterdir()) == []


def test_phantom_never_imports_qt():
    """Importing and using the phantom pulls in no Qt binding."""
    code = ("import sys, spineviewer.phantom as p; p.case_slug(1); "
            "print([m for m in sys.modules if m.startswith(('PyQt', 'PySide', 'pyqtgraph'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
