"""Loading compressed volumes: bad frames, cancel, the displayed slice first, rescale."""

import threading

import numpy as np
import pydicom
import pytest
from pydicom.encaps import encapsulate, generate_frames

from spineviewer.core import volume_load
from spineviewer.core.loader import load_study
from spineviewer.core.volume_load import PartialVolume
from spineviewer.phantom.compressed import compress_folder
from tests.conftest import write_enhanced
from tests.core.compressed_helpers import phantom_pixels, write_native_series


def _stack(folder):
    stacks = list(load_study(folder).iter_stacks())
    assert len(stacks) == 1
    return stacks[0]


def _jpeg_ls_multiframe(path):
    """An enhanced MR file of four 32 x 32 frames in JPEG-LS lossless, and its pixels."""
    write_enhanced(path, [((0, 1, 0), (0, 0, -1))] * 4,
                   [(2.0 * k, 0.0, 0.0) for k in range(4)], shape=(32, 32))
    values = phantom_pixels((4, 32, 32))
    ds = pydicom.dcmread(path)
    ds.BitsStored, ds.HighBit = 12, 11
    ds.PixelData = values.tobytes()
    ds.compress(pydicom.uid.JPEGLSLossless, encoding_plugin="pyjpegls")
    ds.save_as(path)
    return path, values


def _reencapsulate(path, change):
    """Rewrite a file's frames as ``change(frames)`` returns them (the source is ours)."""
    ds = pydicom.dcmread(path)
    frames = list(generate_frames(ds.PixelData, number_of_frames=int(ds.get("NumberOfFrames", 1))))
    ds.PixelData = encapsulate(change(frames))
    ds.save_as(path)


@pytest.fixture(scope="module")
def original():
    return phantom_pixels()


@pytest.fixture(scope="module")
def jpeg_ls(tmp_path_factory, original):
    root = tmp_path_factory.mktemp("jls")
    native = write_native_series(root / "native", original)
    compress_folder(native, root / "jls", "jpeg-ls-lossless")
    return root / "jls"


class TestCorruptFrames:
    @pytest.mark.parametrize("name, damage", [
        ("jpeg-ls-lossless", lambda frame: frame[:len(frame) // 3]),
        ("rle", lambda frame: frame[:len(frame) // 3]),
        ("jpeg2000-lossless", lambda frame: frame[:len(frame) // 3]),
        ("jpeg-lossless-sv1", lambda frame: frame[:2] + bytes(200) + frame[202:]),
    ], ids=["jpeg-ls-cut", "rle-cut", "jpeg2000-cut", "jpeg-sv1-zeroed-header"])
    def test_bad_frame_mid_series_is_one_problem(self, tmp_path, original, name, damage):
        """A damaged frame in the middle of a compressed series: one problem naming its file,
        its slice blank, every other slice exact."""
        native = write_native_series(tmp_path / "native", original)
        compress_folder(native, tmp_path / name, name)
        _reencapsulate(tmp_path / name / "IM0003", lambda frames: [damage(frames[0])])
        stack = _stack(tmp_path / name)
        volume = stack.volume()
        assert [p.path.rsplit("/", 1)[-1] for p in stack.decode_problems] == ["IM0003"]
        assert "pixel data cannot be decoded" in stack.decode_problems[0].reason
        assert not volume[3].any()
        np.testing.assert_array_equal(np.delete(volume, 3, axis=0), np.delete(original, 3, axis=0))

    def test_bad_frame_of_a_multiframe_file_is_one_problem(self, tmp_path):
        """Frames of one file are decoded in parallel, but a file with a bad frame is still one
        problem; its good frames load."""
        path, values = _jpeg_ls_multiframe(tmp_path / "enh.dcm")
        _reencapsulate(path, lambda frames: [*frames[:2], b"\xff\xd8\xff\xf7" + bytes(40) + b"\xff\xd9",
                                             frames[3]])
        stack = _stack(tmp_path)
        volume = stack.volume()
        assert len(stack.decode_problems) == 1 and stack.decode_problems[0].path.endswith("enh.dcm")
        for k, frame in enumerate(stack.frames):
            if frame.index != 2:
                np.testing.assert_array_equal(volume[k], values[frame.index])


class TestOrder:
    def _record(self, monkeypatch, stack, then=None):
        """The slice positions in the order they are decoded; ``then(count)`` runs in the
        decoding thread after each one."""
        order, decode = [], volume_load.read_frames_by
        position = {frame.file.source.display: k for k, frame in enumerate(stack.frames)}

        def recording(image, indices, out=None):
            result = decode(image, indices, out)
            order.append(position[image.source.display])
            if then is not None:
                then(len(order))
            return result

        monkeypatch.setattr(volume_load, "read_frames_by", recording)
        return order

    def test_nearest_the_displayed_slice_first(self, jpeg_ls, monkeypatch):
        """With slice 4 on screen, slices are decoded 4, 3, 5, 2, 1, 0."""
        stack = _stack(jpeg_ls)
        stack.focus = 4
        order = self._record(monkeypatch, stack)
        volume_load.load_volume(stack, workers=1)
        assert order == [4, 3, 5, 2, 1, 0]

    def test_scrolling_turns_the_load(self, jpeg_ls, monkeypatch):
        """When the reader scrolls to slice 0 while slice 5 is being decoded, slice 0 is next."""
        stack = _stack(jpeg_ls)
        stack.focus = 5

        def scroll(count):
            if count == 1:
                stack.focus = 0

        order = self._record(monkeypatch, stack, scroll)
        volume_load.load_volume(stack, workers=1)
        assert order == [5, 0, 1, 2, 3, 4]

    def test_finished_slices_are_readable_during_the_load(self, jpeg_ls, original):
        """The displayed slice can be read from the volume being decoded as soon as it is done."""
        stack = _stack(jpeg_ls)
        stack.focus = 2
        partial, seen = PartialVolume(), []
        volume_load.load_volume(stack, workers=1, partial=partial,
                                progress=lambda done, total: seen.append(partial.slice(2)))
        np.testing.assert_array_equal(seen[0], original[2])
        assert stack.decoded_slice(5) is None  # the stack's own volume was never asked for
        np.testing.assert_array_equal(stack.volume()[5], original[5])
        np.testing.assert_array_equal(stack.decoded_slice(5), original[5])

    def test_partial_volume_reports_only_finished_slices(self):
        """A slice not yet decoded reads as None, never as zeros."""
        partial = PartialVolume()
        assert partial.slice(0) is None
        partial.start(np.ones((3, 2, 2)))
        partial.mark(1)
        assert partial.slice(0) is None and partial.slice(1).shape == (2, 2)
        assert partial.slice(7) is None


class TestCancel:
    def test_cancel_mid_study(self, jpeg_ls, original, monkeypatch):
        """Cancel set while the first slice decodes stops the threads: None, not every slice
        decoded; the stack's volume is then decoded whole."""
        stack = _stack(jpeg_ls)
        cancel = threading.Event()
        decoded, decode = [], volume_load.read_frames_by

        def decode_then_cancel(image, indices, out=None):
            cancel.set()
            decoded.append(image)
            return decode(image, indices, out)

        monkeypatch.setattr(volume_load, "read_frames_by", decode_then_cancel)
        assert volume_load.load_volume(stack, cancel=cancel, workers=2) is None
        assert len(decoded) <= 2  # each thread finishes the slice it holds, then stops
        monkeypatch.undo()
        np.testing.assert_array_equal(stack.volume(), original)


class TestRescale:
    @pytest.mark.parametrize("intercept, dtype", [(-1024, np.int16), (10, np.uint16)])
    def test_intercept_applied_to_directly_decoded_slices(self, tmp_path, original, intercept, dtype):
        """An intercept that changes the type goes through one reused frame per thread; one
        that fits is added in place; both equal the native load."""
        native = write_native_series(tmp_path / "native", original, RescaleIntercept=intercept,
                                     RescaleSlope=1)
        compress_folder(native, tmp_path / "jls", "jpeg-ls-lossless")
        stack = _stack(tmp_path / "jls")
        volume = stack.volume()
        assert volume.dtype == dtype and stack.decoded_by == {"imagecodecs.jpegls_decode": 6}
        np.testing.assert_array_equal(volume, original.astype(np.int32) + intercept)


def test_multiframe_file_in_a_zip_is_read_in_one_pass(tmp_path, monkeypatch):
    """A compressed multi-frame file inside a zip archive: one task reads all its frames
    (seeking a zip member inflates everything before the frame again), still decoded by the
    direct decoder, and the volume is exact."""
    import zipfile

    path, values = _jpeg_ls_multiframe(tmp_path / "enh.dcm")
    archive = tmp_path / "study.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(path, "enh.dcm")
    path.unlink()
    [stack] = load_study(archive).iter_stacks()
    opened = []
    source_type = type(stack.frames[0].file.source)
    real_open = source_type.open
    monkeypatch.setattr(source_type, "open", lambda self: opened.append(1) or real_open(self))
    volume = stack.volume()
    assert len(opened) == 2  # its fragment list once, then its frames in one pass
    assert stack.decoded_by == {"imagecodecs.jpegls_decode": 4}
    for k, frame in enumerate(stack.frames):
        np.testing.assert_array_equal(volume[k], values[frame.index])
