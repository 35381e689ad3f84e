"""Teaching figures: panels and slices chosen, drawings burnt in where they belong, square
millimetres, letters, and no patient data in the pixels or the file unless asked for."""

import copy
import struct

import numpy as np
import pytest
from PIL import Image

from spineviewer.cli import main
from spineviewer.core.annotations import Bidirectional, Caliper, CaliperRole
from spineviewer.export.burn_in import CALIPER, T2_PATH
from spineviewer.export.figure import choose_panels, identification_text, render_figure, save_figure
from spineviewer.core.stack_geometry import slice_plane
from spineviewer.export.figure_panel import native_height, render_panel
from spineviewer.export.located_image import image_index
from spineviewer.export.lettering import draw_text, text_size, wrap
from spineviewer.export.panel_choice import find_series
from spineviewer.export.panel_view import PanelView
from tests.export.samples import CASES, SAMPLES, case_params, sample, teaching_annotations

CASE1 = "case1-breast-t12"
needs_case1 = pytest.mark.skipif(CASE1 not in CASES, reason=f"sample {CASE1} is not in {SAMPLES}")


def _case1():
    result, annotations, truth = sample(CASE1)
    return result, teaching_annotations(annotations, truth), truth


def _png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = [], 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunks.append(kind)
        offset += 12 + length
    return chunks


def _jpeg_markers(data: bytes) -> list[int]:
    assert data[:2] == b"\xff\xd8"
    markers, offset = [], 2
    while offset < len(data):
        marker = data[offset + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        offset += 2 + struct.unpack(">H", data[offset + 2:offset + 4])[0]
    return markers


def _near(image: np.ndarray, xy, color, radius=3, tolerance=40) -> bool:
    x, y = (int(np.rint(v)) for v in xy)
    window = image[max(y - radius, 0):y + radius + 1, max(x - radius, 0):x + radius + 1].astype(int)
    return bool(np.any(np.all(np.abs(window - np.array(color)) <= tolerance, axis=-1)))


@pytest.mark.parametrize("case", case_params())
class TestPanelChoice:
    def test_default_panels_are_sag_t2_sag_t1c_axial_t1c(self, case):
        """Without names: sagittal T2, sagittal T1+C and axial T1+C, in that order."""
        result, annotations, _ = sample(case)
        names = [p.series.description for p in choose_panels(result, annotations)]
        assert names == ["SAG T2 TSE", "SAG T1 TSE +C", "AX T1 TSE +C"]

    def test_slice_is_where_the_lesion_was_drawn(self, case):
        """Each panel shows the image that carries the lesion's drawings on that series."""
        result, annotations, _ = sample(case)
        for lesion in annotations.lesions:
            for panel in choose_panels(result, annotations, lesion=lesion.lesion_id):
                sops = {d.sop_instance_uid for d in lesion.annotations
                        if d.series_instance_uid == panel.series.uid}
                if sops:
                    assert panel.stack.frames[panel.index].file.sop_instance_uid in sops

    def test_undrawn_series_follows_the_lesion(self, case):
        """The axial T2, where nothing was drawn, shows the slice of the lesion's axial T1+C
        caliper (the blocks share their positions), not the far end of the T2 path."""
        result, annotations, _ = sample(case)
        images = image_index(result)
        for lesion in annotations.lesions:
            axial = [images[b.sop_instance_uid] for b in lesion.of_kind(Bidirectional)]
            if axial:
                panel = choose_panels(result, annotations, names=["AX T2 TSE"], lesion=lesion.lesion_id)[0]
                assert panel.index == axial[0].index


@needs_case1
class TestPanelChoiceErrors:
    def test_unknown_series_lists_the_study_series(self):
        """A panel name that matches nothing names the series there are."""
        result, _, _ = _case1()
        with pytest.raises(ValueError, match="SAG T2 TSE"):
            find_series(result, "COR STIR")

    def test_slice_out_of_range(self):
        """A slice number beyond the stack is refused with the range."""
        result, annotations, _ = _case1()
        with pytest.raises(ValueError, match="slices 1 to 13"):
            choose_panels(result, annotations, names=["SAG T2 TSE"], slices=[14])

    def test_unknown_lesion(self):
        """A lesion number that is not there is named with the ones there are."""
        result, annotations, _ = _case1()
        with pytest.raises(ValueError, match="no lesion 9"):
            choose_panels(result, annotations, lesion=9)

    def test_middle_slice_without_drawings(self):
        """Without annotations the middle slice is shown."""
        result, _, _ = _case1()
        panel = choose_panels(result, None, names=["SAG T2 TSE"])[0]
        assert panel.index == len(panel.stack.frames) // 2


@needs_case1
class TestPanel:
    def _panel(self, name, **kwargs):
        result, annotations, _ = _case1()
        choice = choose_panels(result, annotations, names=[name])[0]
        plane = slice_plane(choice.stack, choice.index)
        height = kwargs.pop("height", native_height(plane))
        image = np.asarray(render_panel(choice, annotations, height=height, **kwargs))
        return image, PanelView.fitting(plane, height), annotations, choice

    def test_square_millimetres(self):
        """Width / height equals the physical extent's (columns ΔC) / (rows ΔR)."""
        for name in ("SAG T1 TSE +C", "AX T1 TSE +C"):
            image, view, _, _ = self._panel(name)
            plane = view.plane
            expected = plane.columns * plane.spacing[1] / (plane.rows * plane.spacing[0])
            assert abs(image.shape[1] - expected * image.shape[0]) <= 1

    def test_caliper_burnt_in_at_its_place(self):
        """Caliper yellow is found at both ends of the SI caliper and not in the far corner."""
        image, view, annotations, _ = self._panel("SAG T1 TSE +C")
        si = next(c for c in annotations.lesions[0].of_kind(Caliper) if c.role is CaliperRole.SI)
        for end in view.to_canvas(si.endpoints):
            assert _near(image, end, CALIPER)
        assert not _near(image, (view.width - 5, 5), CALIPER)

    def test_t2_bracket_beside_the_cord_not_on_it(self):
        """The T2 path is drawn as a bracket behind the cord: cyan a few mm posterior to the
        path's middle vertex, none on the vertex itself."""
        image, view, annotations, _ = self._panel("SAG T2 TSE")
        path = next(d for d in annotations.lesions[0].annotations if d.kind == "cord-path")
        middle = np.asarray(path.vertices[len(path.vertices) // 2])
        assert _near(image, view.to_canvas(middle + [0, 9.0, 0]), T2_PATH)
        assert not _near(image, view.to_canvas(middle), T2_PATH, radius=1)

    def test_drawings_of_other_series_stay_off(self):
        """The bidirectional caliper drawn on the axial is not on the sagittal T2 panel."""
        image, _, _, _ = self._panel("SAG T2 TSE")
        assert not np.any(np.all(np.abs(image.astype(int) - CALIPER) <= 20, axis=-1))

    def test_letter_drawn_top_left_only(self):
        """A panel letter changes the top left corner and nothing else."""
        plain, _, _, _ = self._panel("AX T1 TSE +C", letter="")
        lettered, _, _, _ = self._panel("AX T1 TSE +C", letter="C")
        changed = np.argwhere(np.any(plain != lettered, axis=-1))
        assert len(changed) > 20
        assert changed[:, 0].max() < plain.shape[0] * 0.25 and changed[:, 1].max() < plain.shape[1] * 0.25

    def test_twice_the_pixels_at_scale_2(self):
        """--scale 2 doubles the panel in both directions."""
        one, _, _, _ = self._panel("SAG T1 TSE +C")
        two, _, _, _ = self._panel("SAG T1 TSE +C", height=2 * one.shape[0])
        assert two.shape[0] == 2 * one.shape[0] and abs(two.shape[1] - 2 * one.shape[1]) <= 1


@needs_case1
class TestAnonymous:
    def test_pixels_do_not_depend_on_patient_data(self):
        """Changing every identifying value of the study leaves the figure pixel-identical."""
        result, annotations, _ = _case1()
        panels = choose_panels(result, annotations)
        before = np.asarray(render_figure(result, panels, annotations, caption="Case", watermark=True))
        other = copy.copy(result)
        patient = copy.copy(result.patients[0])
        study = copy.copy(patient.studies[0])
        patient.name, patient.id, patient.birth_date = "OTHER^PERSON", "X999", "19000101"
        study.date, study.accession_number = "19990101", "ACC999"
        patient.studies = [study]
        other.patients = [patient]
        after = np.asarray(render_figure(other, panels, annotations, caption="Case", watermark=True))
        assert np.array_equal(before, after)

    def test_identify_adds_only_the_identification_line(self):
        """With identify the figure gains a header band holding exactly the identification
        line (name, ID, birth date, study date, accession); below it nothing changes."""
        result, annotations, truth = _case1()
        panels = choose_panels(result, annotations)
        plain = np.asarray(render_figure(result, panels, annotations))
        named = np.asarray(render_figure(result, panels, annotations, identify=True))
        band = named.shape[0] - plain.shape[0]
        assert band > 0 and np.array_equal(named[band:], plain)
        text = identification_text(result, panels[0].series)
        assert "PHANTOM BREAST" in text and truth["patient"]["patient_id"] in text
        assert "1963-11-07" in text and truth["study"]["accession_number"] in text
        assert named[:band].any()

    def test_files_carry_no_metadata(self, tmp_path):
        """PNG: only image chunks; JPEG: no EXIF, XMP or comment segments; neither contains
        a patient's name or ID, even for an identified figure."""
        result, annotations, truth = _case1()
        panels = choose_panels(result, annotations)
        for identify in (False, True):
            image = render_figure(result, panels, annotations, identify=identify)
            png = save_figure(image, tmp_path / f"f{identify}.png").read_bytes()
            assert set(_png_chunks(png)) <= {b"IHDR", b"IDAT", b"IEND"}
            jpeg = save_figure(image, tmp_path / f"f{identify}.jpg").read_bytes()
            assert not {0xE1, 0xE2, 0xED, 0xFE} & set(_jpeg_markers(jpeg))
            for secret in ("PHANTOM", truth["patient"]["patient_id"], truth["study"]["accession_number"]):
                assert secret.encode() not in png and secret.encode() not in jpeg

    def test_png_round_trip(self, tmp_path):
        """The saved PNG holds exactly the rendered pixels."""
        result, annotations, _ = _case1()
        image = render_figure(result, choose_panels(result, annotations, names=["AX T1 TSE +C"]), annotations)
        path = save_figure(image, tmp_path / "axial.png")
        assert np.array_equal(np.asarray(Image.open(path).convert("RGB")), np.asarray(image))

    def test_unknown_format_refused(self, tmp_path):
        """A figure is PNG or JPEG."""
        result, _, _ = _case1()
        image = render_figure(result, choose_panels(result, None, names=["SAG T2 TSE"]))
        with pytest.raises(ValueError, match=".png"):
            save_figure(image, tmp_path / "figure.tif")


@needs_case1
class TestComposition:
    def test_letters_caption_and_watermark(self):
        """Three panels side by side, a caption band below, a red watermark."""
        result, annotations, _ = _case1()
        panels = choose_panels(result, annotations)
        plain = np.asarray(render_figure(result, panels, annotations))
        captioned = np.asarray(render_figure(result, panels, annotations, caption="A long caption " * 12))
        marked = np.asarray(render_figure(result, panels, annotations, watermark=True)).astype(int)
        assert captioned.shape[0] > plain.shape[0] and np.array_equal(captioned[:plain.shape[0]], plain)
        redder = (marked[..., 0] - marked[..., 1]) - (plain[..., 0].astype(int) - plain[..., 1])
        assert (redder > 30).mean() > 0.01

    def test_same_height_panels(self):
        """The axial panel is scaled to the sagittal panels' height."""
        result, annotations, _ = _case1()
        panels = choose_panels(result, annotations)
        heights = {native_height(slice_plane(p.stack, p.index)) for p in panels}
        assert np.asarray(render_figure(result, panels, annotations)).shape[0] == max(heights)


def test_wrap_keeps_lines_within_width():
    """Wrapped caption lines fit the width."""
    lines = wrap("Sagittal T2 shows long-segment cord edema from T6 to the conus " * 3, 14, 300)
    assert len(lines) > 1 and all(text_size(line, 14)[0] <= 300 for line in lines)


def test_draw_text_draws_inside_its_box():
    """Text pixels fall inside the box draw_text returns."""
    image = Image.new("RGB", (120, 40))
    box = draw_text(image, "T12", (10, 8), 16)
    pixels = np.argwhere(np.asarray(image).any(axis=-1))
    assert pixels[:, 1].min() >= box[0] - 1 and pixels[:, 1].max() <= box[2] + 1


@needs_case1
def test_cli_figure(tmp_path, capsys):
    """``spineviewer figure`` writes the PNG and says which slices it shows."""
    out = tmp_path / "figure.png"
    folder = SAMPLES / CASE1
    assert main(["figure", str(folder), "--annotations", str(folder / "reference-annotations.json"),
                 "--out", str(out), "--panels", "SAG T1 TSE +C", "AX T1 TSE +C", "--watermark",
                 "--caption", "Intramedullary metastasis"]) == 0
    assert out.is_file() and "SAG T1 TSE +C slice 7" in capsys.readouterr().out
