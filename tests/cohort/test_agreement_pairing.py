"""Pairing two readers' lesions by the distance between their enhancing centres (LPS mm)."""

import pytest

from spineviewer.cohort.agreement_input import ReaderLesion, ReadingSet, enhancing_centre
from spineviewer.cohort.agreement_pairing import match_readers, pair_lesions
from spineviewer.core.annotations import (
    Bidirectional, Caliper, CaliperRole, Component, CordPath, Lesion, TextNote,
)
from spineviewer.core.units import Unit

UIDS = {"series_instance_uid": "1.2.3", "sop_instance_uid": "1.2.3.4"}


def at(reader: str, lesion_id: int, z: float, *, study: str = "P1 2024-01-01") -> ReaderLesion:
    """A lesion whose enhancing centre is on the z axis at ``z`` mm."""
    return ReaderLesion(reader, study, lesion_id, "test", centre=(0.0, 0.0, z))


class TestPairLesions:
    def test_one_lesion_missing_on_each_side(self):
        """A's lesion at 100 mm and B's at -100 mm have no partner; the others pair."""
        a = [at("A", 1, 0.0), at("A", 2, 100.0)]
        b = [at("B", 1, 3.0), at("B", 2, -100.0)]
        pairing = pair_lesions(a, b)
        assert pairing.pairs == [(0, 0, pytest.approx(3.0), "mm")]
        assert pairing.unpaired_a == [1] and pairing.unpaired_b == [1]

    def test_optimal_assignment_beats_nearest_first(self):
        """A at 0 and 10 mm, B at 6 and 16 mm. Nearest first would pair A2-B1 (4 mm), then
        A1-B2 (16 mm), 20 mm in all; the optimal assignment pairs A1-B1 and A2-B2, 6 + 6."""
        a = [at("A", 1, 0.0), at("A", 2, 10.0)]
        b = [at("B", 1, 6.0), at("B", 2, 16.0)]
        pairing = pair_lesions(a, b)
        assert sorted(p[:2] for p in pairing.pairs) == [(0, 0), (1, 1)]
        assert sum(p[2] for p in pairing.pairs) == pytest.approx(12.0)

    def test_most_pairs_within_the_threshold(self):
        """A at 0 and 10 mm, B at 6 and 25 mm: nearest first pairs A2-B1 (4 mm) and leaves A1,
        25 mm from B2, unpaired; the assignment keeps both pairs within 20 mm (6 and 15)."""
        a = [at("A", 1, 0.0), at("A", 2, 10.0)]
        b = [at("B", 1, 6.0), at("B", 2, 25.0)]
        pairing = pair_lesions(a, b)
        assert sorted(p[:2] for p in pairing.pairs) == [(0, 0), (1, 1)]
        assert pairing.unpaired_a == [] and pairing.unpaired_b == []

    def test_threshold_is_inclusive_and_configurable(self):
        """20 mm apart pair by default; 20.5 mm do not; a 25 mm threshold pairs them."""
        assert len(pair_lesions([at("A", 1, 0.0)], [at("B", 1, 20.0)]).pairs) == 1
        assert pair_lesions([at("A", 1, 0.0)], [at("B", 1, 20.5)]).pairs == []
        assert len(pair_lesions([at("A", 1, 0.0)], [at("B", 1, 20.5)],
                                max_distance_mm=25.0).pairs) == 1

    def test_rows_without_centres_pair_by_overlapping_levels(self):
        """CSV rows (no centre): T10-T11 pairs with T11 (0.5 level apart), not with T12."""
        a = [ReaderLesion("A", "P1", 1, "a.csv", levels=(16, 17))]
        b = [ReaderLesion("B", "P1", 1, "b.csv", levels=(18, 18)),
             ReaderLesion("B", "P1", 2, "b.csv", levels=(17, 17))]
        pairing = pair_lesions(a, b)
        assert pairing.pairs == [(0, 1, 0.5, "levels")]
        assert pairing.unpaired_b == [0]


class TestMatchReaders:
    def test_three_readers_match_only_lesions_all_found(self):
        """With A as reference, a lesion that C missed is unpaired for A and B, and C's extra
        lesion is unpaired; a study B did not read is not compared."""
        readings = ReadingSet()
        readings.add_reading("A", "P1", "a", [at("A", 1, 0.0), at("A", 2, 50.0)])
        readings.add_reading("B", "P1", "b", [at("B", 1, 2.0), at("B", 2, 49.0)])
        readings.add_reading("C", "P1", "c", [at("C", 1, -1.0), at("C", 2, 200.0)])
        readings.add_reading("A", "P2", "a2", [at("A", 1, 0.0, study="P2")])
        matching = match_readers(readings, ["A", "B", "C"])
        assert matching.studies == ["P1"]
        assert matching.studies_not_read == {"P2": ["B", "C"]}
        assert [[l.lesion_id for l in m.lesions] for m in matching.matched] == [[1, 1, 1]]
        assert [(u.lesion.reader, u.lesion.lesion_id, u.missing_in) for u in matching.unpaired] == [
            ("A", 2, ("C",)), ("B", 2, ("C",)), ("C", 2, ("A",))]


class TestEnhancingCentre:
    def test_mean_of_the_enhancement_drawings(self):
        """SI caliper centre (0, 0, 10), AP caliper centre (0, 2, 10), axial caliper centre
        (0, 2, 13), enhancement path halfway point (0, 0, 11): mean (0, 1, 11). The T2 path,
        the note and a drawing in pixels do not count."""
        lesion = Lesion(1, (
            Caliper(endpoints=((0, 0, 5), (0, 0, 15)), role=CaliperRole.SI, **UIDS),
            Caliper(endpoints=((0, -1, 10), (0, 5, 10)), role=CaliperRole.AP, **UIDS),
            Bidirectional(long_axis=((-4, 2, 13), (4, 2, 13)), short_axis=((0, 0, 13), (0, 4, 13)),
                          **UIDS),
            CordPath(vertices=((0, 0, 5), (0, 0, 9), (0, 0, 17)), role=Component.ENHANCEMENT,
                     **UIDS),
            CordPath(vertices=((0, 0, -60), (0, 0, 80)), role=Component.T2, **UIDS),
            TextNote(anchor=(50, 50, 50), text="here", **UIDS),
            Caliper(endpoints=((90, 90, 90), (99, 99, 99)), role=CaliperRole.SI, unit=Unit.PX,
                    **UIDS),
        ))
        assert enhancing_centre(lesion) == pytest.approx((0.0, 1.0, 11.0))

    def test_no_enhancement_drawing_no_centre(self):
        """A lesion with only a T2 path has no enhancing centre."""
        lesion = Lesion(1, (CordPath(vertices=((0, 0, 0), (0, 0, 40)), role=Component.T2, **UIDS),))
        assert enhancing_centre(lesion) is None
