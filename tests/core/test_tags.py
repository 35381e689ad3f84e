"""Fast tag values: the same text pydicom gives, in every character set."""

import pydicom

from spineviewer.core.tags import get, number, text, vector

CHARSETS = ("chrGreek.dcm", "chrH31.dcm", "chrFren.dcm", "chrRuss.dcm", "chrArab.dcm", "chrHbrw.dcm")


class TestText:
    def test_names_match_pydicom_in_every_charset(self, corpus):
        """Patient names decode as pydicom decodes them, Latin-1 or not."""
        folder = corpus / "fo-dicom" / "Tests" / "FO-DICOM.Tests" / "Test Data" / "charset"
        for name in CHARSETS:
            path = folder / name
            if not path.exists():
                continue
            fast = pydicom.dcmread(path, stop_before_pixels=True)
            slow = pydicom.dcmread(path, stop_before_pixels=True)
            assert text(fast, "PatientName") == str(slow.PatientName).strip(), name

    def test_multi_valued_numbers(self, tmp_path):
        """A DS with several values gives a list; number() takes the first, vector() all."""
        ds = pydicom.Dataset()
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.SliceThickness = "3.0"
        path = tmp_path / "x.dcm"
        ds.save_as(path, implicit_vr=True, little_endian=True)
        raw = pydicom.dcmread(path, force=True)
        assert [float(v) for v in get(raw, "ImageOrientationPatient")] == [1, 0, 0, 0, 1, 0]
        assert number(get(raw, "SliceThickness")) == 3.0
        assert vector(get(raw, "ImageOrientationPatient"), 6).tolist() == [1, 0, 0, 0, 1, 0]
        assert get(raw, "PixelSpacing", "absent") == "absent"


class TestDate:
    def test_da_value(self):
        """YYYYMMDD becomes a date, surrounding spaces allowed."""
        import datetime as dt

        from spineviewer.core.tags import date
        assert date(" 20240315") == dt.date(2024, 3, 15)

    def test_not_a_date(self):
        """Empty, short, non-digit and impossible values give None."""
        from spineviewer.core.tags import date
        assert [date(v) for v in ("", None, "2024031", "2024-03-15", "20240231")] == [None] * 5
