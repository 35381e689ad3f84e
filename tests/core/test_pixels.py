"""Decoding: compressed syntaxes, rescale, stored types, the native fast path."""

import numpy as np
import pydicom
import pytest

from spineviewer.core.loader import load_study
from spineviewer.core.pixels import PixelDecodeError, frame_pixels, output_dtype
from tests.conftest import Panic, panic, write_series


def _volume(path):
    result = load_study(path)
    stacks = list(result.iter_stacks())
    assert len(stacks) == 1, result.all_problems()
    return stacks[0].volume(), stacks[0]


class TestTransferSyntaxes:
    def test_nine_syntaxes_identical(self, corpus):
        """The same Siemens slice in nine transfer syntaxes decodes to identical pixels."""
        files = sorted((corpus / "dcm_qa_ts" / "In").glob("*.dcm"))
        assert len(files) == 9
        reference = _volume(files[0])[0]
        for path in files[1:]:
            np.testing.assert_array_equal(_volume(path)[0], reference, err_msg=path.name)

    @pytest.mark.parametrize("mr", ["MR1", "MR2", "MR3", "MR4"])
    def test_wg04_lossless_equal_reference(self, corpus, mr):
        """Every lossless WG04 syntax decodes to the uncompressed reference exactly."""
        reference = _volume(corpus / "wg04" / "REF" / f"{mr}_UNC")[0]
        for syntax in ("J2KR", "JLSL", "JPLL", "RLE"):
            np.testing.assert_array_equal(_volume(corpus / "wg04" / syntax / f"{mr}_{syntax}")[0],
                                          reference, err_msg=syntax)

    @pytest.mark.parametrize("mr", ["MR1", "MR2", "MR3", "MR4"])
    def test_wg04_lossy_close_to_reference(self, corpus, mr):
        """Lossy JPEG 2000 and near-lossless JPEG-LS decode to images close to the reference."""
        reference = _volume(corpus / "wg04" / "REF" / f"{mr}_UNC")[0].astype(float)
        peak = reference.max() - reference.min()
        for syntax, min_psnr in (("J2KI", 30.0), ("JLSN", 45.0)):
            decoded = _volume(corpus / "wg04" / syntax / f"{mr}_{syntax}")[0].astype(float)
            psnr = 10 * np.log10(peak ** 2 / np.mean((decoded - reference) ** 2))
            assert psnr > min_psnr, (syntax, psnr)
            assert np.corrcoef(decoded.ravel(), reference.ravel())[0, 1] > 0.99

    @pytest.mark.parametrize("mr, min_psnr", [("MR1", 45.0), ("MR2", 35.0), ("MR3", 44.0), ("MR4", 52.0)])
    def test_lossy_12_bit_jpeg_decodes_close_to_reference(self, corpus, mr, min_psnr):
        """JPEG Extended 12-bit (its scans declare Se 0, which libjpeg refuses) is decoded by
        libjpeg-turbo through imagecodecs, close to the uncompressed reference."""
        reference, _ = _volume(corpus / "wg04" / "REF" / f"{mr}_UNC")
        decoded, stack = _volume(corpus / "wg04" / "JPLY" / f"{mr}_JPLY")
        assert stack.decode_problems == [] and stack.decoded_by == {"imagecodecs.jpeg8_decode": 1}
        error = decoded.astype(float) - reference.astype(float)
        peak = float(reference.max() - reference.min())
        assert 10 * np.log10(peak ** 2 / np.mean(error ** 2)) > min_psnr

    def test_rescale_slope_gives_float(self, corpus):
        """MR4's slope 9.57 and intercept -19595 are applied, in float32."""
        volume, stack = _volume(corpus / "wg04" / "REF" / "MR4_UNC")
        ds = pydicom.dcmread(corpus / "wg04" / "REF" / "MR4_UNC")
        assert volume.dtype == np.float32
        expected = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
        np.testing.assert_allclose(volume[0], expected, rtol=1e-6)

    def test_enhanced_multiframe_loads_like_classic(self, corpus):
        """Enhanced MR frames become slices with their per-frame positions."""
        volume, stack = _volume(corpus / "dcm_qa_enh" / "In" / "Siemens" / "XA10" / "6_1.dcm")
        assert volume.shape == (6, 64, 64)
        assert np.all(np.diff(stack.slice_positions @ stack.geometry.direction[:, 2]) > 0)


class TestFastPath:
    def test_native_read_equals_pydicom(self, tmp_path):
        """Reading at the recorded offset gives pydicom's pixel_array."""
        paths = write_series(tmp_path, n=3)
        volume, stack = _volume(tmp_path)
        for k, frame in enumerate(stack.frames):
            np.testing.assert_array_equal(volume[k], pydicom.dcmread(frame.file.source.path).pixel_array)
        assert volume.dtype == np.uint16 and len(paths) == 3

    def test_single_slice_before_volume(self, tmp_path):
        """A slice can be shown before (and equals) the full volume."""
        write_series(tmp_path, n=4)
        stack = next(load_study(tmp_path).iter_stacks())
        first = stack.slice_pixels(2)
        assert not stack.is_loaded
        np.testing.assert_array_equal(first, stack.volume()[2])

    def test_cancel_returns_none(self, tmp_path):
        """A cancelled decode returns None and caches nothing."""
        import threading

        write_series(tmp_path, n=4)
        stack = next(load_study(tmp_path).iter_stacks())
        cancel = threading.Event()
        cancel.set()
        assert stack.volume(cancel=cancel) is None and not stack.is_loaded


class TestOutputType:
    def test_integer_intercept_stays_integer(self, tmp_path):
        """An integral intercept keeps an integer type wide enough for the shifted range."""
        write_series(tmp_path, n=2, extra={"RescaleSlope": 1, "RescaleIntercept": -1024, "BitsStored": 12})
        stack = next(load_study(tmp_path).iter_stacks())
        assert output_dtype(stack.frames) == np.int16
        assert stack.volume()[1, 1, 1] == 200 - 1024


class TestFirstImage:
    def test_first_image_is_offered_during_the_scan(self, tmp_path):
        """The first image found is handed over before the scan ends, and decodes."""
        from spineviewer.core.pixels import frame_pixels

        write_series(tmp_path / "a", n=3)
        write_series(tmp_path / "b", n=3, prefix="B")
        seen = []
        load_study(tmp_path, on_first_image=lambda frame: seen.append(frame_pixels(frame)),
                   progress=lambda done, total: seen.append(done))
        assert isinstance(seen[0], np.ndarray) and seen[0].shape == (8, 10)
        assert seen[1:] == [1, 2, 3, 4, 5, 6]


class TestDecoderFailure:
    def test_decoder_panic_is_that_files_problem(self, tmp_path, monkeypatch):
        """A decoder that panics (a BaseException, as Rust plugins raise) blanks only its file."""
        from spineviewer.core import pixels

        def panic(*args, **kwargs):
            raise Panic("decoder panicked")

        write_series(tmp_path, n=2)
        stack = next(load_study(tmp_path).iter_stacks())
        monkeypatch.setattr(pixels, "_fast_path", lambda image: False)
        monkeypatch.setattr(pixels, "dcmread", panic)
        assert not stack.volume().any()
        assert [p.reason for p in stack.decode_problems] == [
            "its pixel data cannot be decoded: decoder panicked (Panic)"] * 2


class TestDecoderPanicEverywhere:
    @pytest.fixture
    def panicking(self, tmp_path, monkeypatch):
        """A two-slice stack whose every pixel read panics, on the fast path too."""
        from spineviewer.core import pixels

        write_series(tmp_path, n=2)
        stack = next(load_study(tmp_path).iter_stacks())
        monkeypatch.setattr(pixels, "_read_native", panic)
        monkeypatch.setattr(pixels, "_read_decoded", panic)
        return stack

    def test_frame_pixels(self, panicking):
        """A single frame's decode raises the file's PixelDecodeError, never the panic."""
        with pytest.raises(PixelDecodeError, match="IM0000: its pixel data cannot be decoded"):
            frame_pixels(panicking.frames[0])

    def test_slice_pixels(self, panicking):
        """A slice asked before the volume reports the same clean error."""
        with pytest.raises(PixelDecodeError, match="index out of bounds"):
            panicking.slice_pixels(1)

    def test_volume(self, panicking):
        """The volume blanks both files and names them."""
        assert not panicking.volume().any()
        assert len(panicking.decode_problems) == 2

    def test_keyboard_interrupt_is_not_swallowed(self, tmp_path, monkeypatch):
        """Ctrl+C while decoding still interrupts."""
        from spineviewer.core import pixels

        def interrupt(*args, **kwargs):
            raise KeyboardInterrupt

        write_series(tmp_path, n=1)
        stack = next(load_study(tmp_path).iter_stacks())
        monkeypatch.setattr(pixels, "_read_native", interrupt)
        with pytest.raises(KeyboardInterrupt):
            stack.slice_pixels(0)


class TestRealDecoderPanic:
    def test_rle_with_rows_halved(self, corpus, tmp_path):
        """pylibjpeg-rle panics on an RLE file whose Rows was halved: the file's decode problem."""
        ds = pydicom.dcmread(corpus / "pydicom" / "MR_small_RLE.dcm")
        ds.Rows = ds.Rows // 2
        ds.save_as(tmp_path / "halved.dcm")
        stack = next(load_study(tmp_path).iter_stacks())
        assert stack.volume().shape == (1, 32, 64)
        [problem] = stack.decode_problems
        assert problem.path == str(tmp_path / "halved.dcm") and "cannot be decoded" in problem.reason
