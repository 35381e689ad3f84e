"""The first hanging, on fake series: which stacks go to the three viewports."""

from __future__ import annotations

from types import SimpleNamespace

from spineviewer.gui.reading.hanging import choose_hanging, is_localizer, is_post_contrast, weighting


def fake_series(description: str, plane: str = "sagittal", slices: int = 15, *,
                stacks: int = 1, **protocol) -> SimpleNamespace:
    series = SimpleNamespace(description=description, protocol=protocol, stacks=[])
    for number in range(1, stacks + 1):
        series.stacks.append(SimpleNamespace(plane=plane, frames=[None] * slices, number=number,
                                             name=f"{description}/{number}"))
    return series


def names(stacks) -> list[str]:
    return [stack.name for stack in stacks]


class TestIsPostContrast:
    def test_contrast_agent_tag(self):
        """ContrastBolusAgent decides, whatever the description says."""
        assert is_post_contrast(fake_series("t1_tse_sag", contrast_agent="Gadovist"))

    def test_agent_none_is_not_contrast(self):
        """An agent of NONE is pre-contrast."""
        assert not is_post_contrast(fake_series("t1_tse_sag", contrast_agent="NONE"))

    def test_description_markers(self):
        """+C, C+, POST, GD and GAD... in the description mean post-contrast."""
        for text in ("SAG T1+C", "T1 C+ SAG", "sag_t1_post", "T1 SAG GD", "t1 gado sag", "T1-GAD"):
            assert is_post_contrast(fake_series(text)), text

    def test_pre_and_posterior_are_not_contrast(self):
        """PRE, POSTERIOR or a T2 without markers are not post-contrast."""
        for text in ("SAG T1 PRE", "T2 POSTERIOR FOSSA", "SAG T2"):
            assert not is_post_contrast(fake_series(text)), text


class TestWeighting:
    def test_from_description(self):
        """T1/T2/STIR from the description; a vertebra name (T12) is not a weighting."""
        assert weighting(fake_series("t2_tse_sag_384")) == "T2"
        assert weighting(fake_series("SAG T1+C")) == "T1"
        assert weighting(fake_series("SAG STIR")) == "STIR"
        assert weighting(fake_series("AX T12 T2")) == "T2"

    def test_from_timing(self):
        """Without a telling description: long TE is T2, short TR and TE is T1."""
        assert weighting(fake_series("sag 3", repetition_time=3500.0, echo_time=95.0)) == "T2"
        assert weighting(fake_series("sag 4", repetition_time=550.0, echo_time=9.0)) == "T1"
        assert weighting(fake_series("sag 5", repetition_time=4000.0, echo_time=40.0,
                                     inversion_time=160.0)) == "STIR"
        assert weighting(fake_series("sag 6")) == ""


class TestChooseHanging:
    def test_classic_spine_protocol(self):
        """Sagittal T2, sagittal T1+C and axial post-contrast, in that order."""
        series = [fake_series("LOCALIZER", slices=3, stacks=3),
                  fake_series("SAG T2"), fake_series("SAG T1"), fake_series("SAG STIR"),
                  fake_series("AX T2", "axial", 30), fake_series("SAG T1+C"),
                  fake_series("AX T1+C", "axial", 30)]
        assert names(choose_hanging(series)) == ["SAG T2/1", "SAG T1+C/1", "AX T1+C/1"]

    def test_axial_t2_when_no_axial_post_contrast(self):
        """Without an axial post-contrast series the axial T2 is hung."""
        series = [fake_series("SAG T2"), fake_series("AX T1", "axial"), fake_series("AX T2", "axial"),
                  fake_series("SAG T1 FS", contrast_agent="Gd")]
        assert names(choose_hanging(series)) == ["SAG T2/1", "SAG T1 FS/1", "AX T2/1"]

    def test_stir_stands_in_for_missing_t2(self):
        """A sagittal STIR takes the T2 place when there is no sagittal T2."""
        series = [fake_series("SAG STIR"), fake_series("SAG T1 POST"), fake_series("AX T2", "axial")]
        assert names(choose_hanging(series)) == ["SAG STIR/1", "SAG T1 POST/1", "AX T2/1"]

    def test_pre_contrast_t1_when_no_contrast_given(self):
        """A study without contrast shows the sagittal T1 in the second place."""
        series = [fake_series("SAG T1"), fake_series("SAG T2"), fake_series("AX T2", "axial")]
        assert names(choose_hanging(series)) == ["SAG T2/1", "SAG T1/1", "AX T2/1"]

    def test_largest_stack_wins_a_tie(self):
        """Of two sagittal T2 (cervical 13 slices, whole spine 17), the larger is hung."""
        series = [fake_series("SAG T2 C", slices=13), fake_series("SAG T2 WS", slices=17)]
        assert names(choose_hanging(series))[0] == "SAG T2 WS/1"

    def test_free_viewports_take_other_series(self):
        """With no axial series, the third viewport shows another series, not a localizer."""
        series = [fake_series("3-plane loc", slices=9), fake_series("SAG T2"),
                  fake_series("SAG T1+C"), fake_series("COR T2", "coronal", 20)]
        assert names(choose_hanging(series)) == ["SAG T2/1", "SAG T1+C/1", "COR T2/1"]

    def test_fewer_viewports(self):
        """Asking for two viewports gives the two sagittals."""
        series = [fake_series("SAG T2"), fake_series("SAG T1+C"), fake_series("AX T2", "axial")]
        assert names(choose_hanging(series, viewports=2)) == ["SAG T2/1", "SAG T1+C/1"]

    def test_only_localizers_shows_the_largest(self):
        """A study of localizers alone still shows something."""
        series = [fake_series("LOCALIZER", slices=1), fake_series("survey", slices=2)]
        assert names(choose_hanging(series)) == ["survey/1"]

    def test_empty_study(self):
        """No series, no stacks."""
        assert choose_hanging([]) == []

    def test_localizer_from_image_type(self):
        """ImageType LOCALIZER marks a localizer whatever its description."""
        series = fake_series("sag 1", image_type="ORIGINAL\\PRIMARY\\LOCALIZER")
        assert is_localizer(series, series.stacks[0])
