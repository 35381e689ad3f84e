"""The findings vocabulary: exact words and the parse helper."""

import pytest

from spineviewer.core import vocabulary as v
from spineviewer.core.vocabulary import parse


class TestWords:
    @pytest.mark.parametrize("enum, words", [
        (v.Location, ["cervical", "cervicothoracic", "thoracic", "thoracic-conus", "conus"]),
        (v.Position, ["central", "eccentric", "exophytic"]),
        (v.Morphology, ["well-circumscribed", "ill-defined"]),
        (v.Presence, ["present", "absent"]),
        (v.Signal, ["hyperintense", "hypointense", "isointense"]),
        (v.CysticChange, ["absent", "intratumoral", "peritumoral", "both"]),
        (v.EnhancementPattern, ["homogeneous", "heterogeneous", "peripheral-ring"]),
        (v.PrimaryTumor, ["lung", "breast", "melanoma", "cns", "renal", "other"]),
        (v.Symptom, ["weakness", "sensory", "bowel-bladder", "pain", "asymptomatic"]),
        (v.LeptomeningealSite, ["cord-conus", "cauda-equina", "cul-de-sac"]),
        (v.Multiplicity, ["solitary", "multiple"]),
        (v.Sex, ["F", "M", "O"]),
    ])
    def test_values_are_the_design_words(self, enum, words):
        """Each vocabulary holds exactly the words of the design, in order."""
        assert [member.value for member in enum] == words

    def test_members_are_strings(self):
        """A member compares equal to its word, so it writes to CSV and JSON unchanged."""
        assert v.Location.THORACIC_CONUS == "thoracic-conus"


class TestParse:
    @pytest.mark.parametrize("text", ["Thoracic-Conus", " thoracic-conus ", "THORACIC CONUS", "thoracic_conus"])
    def test_case_and_separators_ignored(self, text):
        """Case, surrounding blanks and space or underscore for the hyphen are accepted."""
        assert parse(v.Location, text) is v.Location.THORACIC_CONUS

    def test_slash_spelling(self):
        """The design's 'bowel/bladder' spelling parses."""
        assert parse(v.Symptom, "Bowel/Bladder") is v.Symptom.BOWEL_BLADDER

    def test_sex_lowercase(self):
        """Sex codes are DICOM uppercase but parse from lowercase."""
        assert parse(v.Sex, "f") is v.Sex.F

    @pytest.mark.parametrize("empty", [None, "", "   "])
    def test_empty_is_not_assessed(self, empty):
        """Empty means not assessed: None."""
        assert parse(v.Position, empty) is None

    def test_member_passes_through(self):
        """A member of the vocabulary is returned as is."""
        assert parse(v.Presence, v.Presence.ABSENT) is v.Presence.ABSENT

    def test_unknown_word_lists_the_allowed_ones(self):
        """An unknown word raises ValueError naming every allowed word."""
        with pytest.raises(ValueError, match="central, eccentric, exophytic"):
            parse(v.Position, "peripheral")

    def test_member_of_another_vocabulary_refused(self):
        """A word of another vocabulary is not silently accepted."""
        with pytest.raises(ValueError):
            parse(v.Position, v.Location.THORACIC)

    def test_non_text_refused(self):
        """A number is not a word."""
        with pytest.raises(ValueError):
            parse(v.Presence, 1)
