"""The direct decoders: chosen per syntax, equal to pydicom's pixels, equal to the original."""

import numpy as np
import pytest
from pydicom.uid import UID

from spineviewer.core import pixels
from spineviewer.core.codecs import (
    CANDIDATES, FAMILIES, NeedsGeneralPath, decode_codestream, decoder_for, direct_decoder,
)
from spineviewer.core.headers import read_header
from spineviewer.core.loader import load_study
from spineviewer.core.sources import FileSource, find_files
from spineviewer.phantom.compressed import COMPRESSIONS, compress_folder
from tests.core.compressed_helpers import phantom_pixels, psnr, write_native_series

#: Lowest PSNR (dB, peak 4095) each lossy copy of the test series decodes to.
LOSSY_PSNR = {"jpeg-ls-near-lossless": 65.0, "jpeg2000": 30.0, "jpeg-extended-12bit": 55.0,
              "htj2k": 55.0, "jpeg-baseline": 35.0}
#: The most a lossy decoder may differ from pydicom's (pylibjpeg's) by rounding: libjpeg-turbo's
#: and libjpeg's inverse DCTs, OpenJPH's and OpenJPEG's irreversible wavelets.
ROUNDING = {"jpeg-baseline": 1, "jpeg-extended-12bit": 2, "htj2k": 1}


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """The native 64 x 64 x 6 series and its copy in every syntax, by name."""
    root = tmp_path_factory.mktemp("compressed")
    native = write_native_series(root / "native", phantom_pixels())
    copies = {"native": native}
    for name in COMPRESSIONS:
        compress_folder(native, root / name, name)
        copies[name] = root / name
    return copies


def _stack(folder):
    result = load_study(folder)
    stacks = list(result.iter_stacks())
    assert len(stacks) == 1 and not result.problems, result.all_problems()
    return stacks[0]


def _images(folder):
    sources, _ = find_files(folder)
    return [read_header(source)[0][0].file for source in sorted(sources)]


class TestEverySyntax:
    @pytest.mark.parametrize("name", list(COMPRESSIONS))
    def test_voxels_through_the_parallel_path(self, series, name):
        """Each copy loads through its chosen decoder on every core: lossless copies equal the
        original exactly, lossy ones are within their PSNR; no slice falls back to pydicom."""
        original = _stack(series["native"]).volume()
        stack = _stack(series[name])
        volume = stack.volume()
        chosen = decoder_for(COMPRESSIONS[name].uid)
        assert chosen is not None and stack.decoded_by == {chosen.name: 6}
        assert stack.decode_problems == []
        if name == "jpeg-baseline":  # written scaled to 8 bits
            peaks = original.max(axis=(1, 2), keepdims=True).astype(np.uint32)
            assert volume.dtype == np.uint8
            assert psnr(volume, original.astype(np.uint32) * 255 // peaks, 255.0) > LOSSY_PSNR[name]
            return
        assert volume.dtype == original.dtype
        if COMPRESSIONS[name].lossless:
            np.testing.assert_array_equal(volume, original)
        else:
            assert psnr(volume, original) > LOSSY_PSNR[name]

    def test_every_syntax_has_a_direct_decoder(self):
        """The table covers every syntax spineviewer writes, and each has an installed decoder."""
        assert {c.uid for c in COMPRESSIONS.values()} <= set(FAMILIES)
        for uid in FAMILIES:
            assert decoder_for(uid) is not None, UID(uid).name

    def test_the_fastest_measured_decoder_leads(self):
        """imagecodecs, measured fastest for every family (docs/benchmarks.md), is chosen."""
        for uid in FAMILIES:
            assert decoder_for(uid).module == "imagecodecs", UID(uid).name


class TestScan:
    def test_a_syntax_only_a_direct_decoder_reads_is_loaded(self, series, monkeypatch):
        """Without any pydicom plugin for HTJ2K, the files still load: imagecodecs reads them."""
        from spineviewer.core import codecs

        class NoPlugin:
            is_available = False

        monkeypatch.setattr(codecs, "get_decoder", lambda uid: NoPlugin())
        original = _stack(series["native"]).volume()
        np.testing.assert_array_equal(_stack(series["htj2k-lossless"]).volume(), original)

    def test_a_syntax_nothing_reads_is_a_problem_at_scan(self, series, monkeypatch):
        """With neither a pydicom plugin nor a direct decoder, each file is one clear problem."""
        from spineviewer.core import codecs, headers

        class NoPlugin:
            is_available = False

        monkeypatch.setattr(codecs, "get_decoder", lambda uid: NoPlugin())
        monkeypatch.setattr(headers, "decoder_for", lambda uid: None)
        result = load_study(series["htj2k-lossless"])
        assert not list(result.iter_stacks()) and len(result.problems) == 6
        assert all("no installed decoder can read High-Throughput JPEG 2000" in p.reason
                   for p in result.problems)


class TestAgainstPydicom:
    @pytest.mark.parametrize("name", list(COMPRESSIONS))
    def test_every_candidate_matches_pixel_array(self, series, name):
        """Every installed decoder of the syntax gives pydicom's pixel_array: bit for bit, except
        DCT JPEG and lossy HTJ2K, whose decoders may round a value or two differently."""
        tolerance = ROUNDING.get(name, 0)
        images = _images(series[name])
        for decoder in CANDIDATES[FAMILIES[COMPRESSIONS[name].uid]]:
            if not decoder.available:
                continue
            for image in images:
                out = np.empty((1, image.rows, image.columns), dtype=pixels.stored_dtype(image))
                pixels._read_direct(image, [0], out, decoder)
                reference = pixels._read_decoded(image, [0])
                difference = np.abs(out.astype(int) - reference.astype(int)).max()
                assert difference <= tolerance, (decoder.name, image.source.display)

    def test_signed_values_as_pydicom_reads_them(self, tmp_path):
        """Signed 12-bit pixels (PixelRepresentation 1) come back as pydicom gives them, sign
        included, in RLE, JPEG-LS and JPEG 2000, and equal the original."""
        values = phantom_pixels(signed=True)
        native = write_native_series(tmp_path / "native", values, PixelRepresentation=1)
        for name in ("rle", "jpeg-ls-lossless", "jpeg2000-lossless"):
            compress_folder(native, tmp_path / name, name)
            stack = _stack(tmp_path / name)
            np.testing.assert_array_equal(stack.volume(), values, err_msg=name)
            assert "pydicom" not in stack.decoded_by, name
            image = stack.frames[0].file
            np.testing.assert_array_equal(pixels.read_frames(image, [0]),
                                          pixels._read_decoded(image, [0]), err_msg=name)


class TestCodestreamChecks:
    def _one(self, series, name):
        image = _images(series[name])[0]
        with image.source.open() as fp:
            fp.seek(image.fragments_offset)
            from pydicom.encaps import get_frame

            return image, get_frame(fp, 0, number_of_frames=1)

    def test_codestream_that_disagrees_with_rows_goes_to_pydicom(self, series):
        """A JPEG-LS frame header saying 32 rows where the file says 64 is not decoded directly
        (the codec would fill the wrong image); pydicom's path decides."""
        image, data = self._one(series, "jpeg-ls-lossless")
        at = data.index(b"\xff\xf7") + 5
        lying = data[:at] + (32).to_bytes(2, "big") + data[at + 2:]
        out = np.empty((image.rows, image.columns), dtype=np.uint16)
        with pytest.raises(NeedsGeneralPath, match="header says"):
            decode_codestream(lying, image, out)

    def test_jp2_box_goes_to_pydicom(self, series):
        """A JPEG 2000 frame wrapped in a JP2 file (not a bare codestream) is left to pydicom."""
        image, data = self._one(series, "jpeg2000-lossless")
        out = np.empty((image.rows, image.columns), dtype=np.uint16)
        with pytest.raises(NeedsGeneralPath, match="JP2"):
            decode_codestream(b"\x00\x00\x00\x0cjP  \r\n\x87\n" + data, image, out)

    def test_colour_and_native_files_have_no_direct_decoder(self, series, corpus):
        """Native files and colour images take the general path."""
        assert direct_decoder(_images(series["native"])[0]) is None
        colour = read_header(FileSource(str(corpus / "pydicom" / "SC_rgb_rle.dcm")))[0][0].file
        assert direct_decoder(colour) is None


class TestCorpus:
    def test_encapsulated_grey_files_equal_pydicom(self, corpus):
        """Every grey encapsulated corpus file that pydicom decodes gives the same pixels
        through the direct path (two values of rounding allowed for DCT JPEG), and the
        direct path reads every one of them without falling back."""
        checked = 0
        sources, _ = find_files(corpus)
        for source in sources:
            frames, _ = read_header(source)
            if not frames or direct_decoder(frames[0].file) is None or frames[0].file.mosaic:
                continue
            image = frames[0].file
            try:
                reference = pixels._read_decoded(image, [0])
            except Exception:  # noqa: BLE001 - pydicom cannot read it: nothing to compare
                continue
            values, name = pixels.read_frames_by(image, [0])
            lossy_dct = image.transfer_syntax_uid in ("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51")
            difference = np.abs(values.astype(int) - reference.astype(int)).max()
            assert difference <= (2 if lossy_dct else 0), source.display
            assert name == decoder_for(image.transfer_syntax_uid).name, source.display
            checked += 1
        assert checked >= 45
