"""Pseudonyms, the shuffled order and the blinded model of a study."""

from spineviewer.core.blinding import blinded, pseudonym, shuffled_rank
from spineviewer.core.model import LoadResult, Patient, Series, Study


class TestPseudonym:
    def test_stable_for_a_key(self):
        assert pseudonym("1.2.3", "k") == pseudonym("1.2.3", "k")

    def test_known_value(self):
        """HMAC-SHA-256 of the UID under the key, first six hex digits (computed with openssl:
        ``printf 1.2.3 | openssl dgst -sha256 -hmac secret``)."""
        assert pseudonym("1.2.3", "secret") == "Case 48DF62"

    def test_another_key_another_pseudonym(self):
        assert pseudonym("1.2.3", "k1") != pseudonym("1.2.3", "k2")

    def test_names_no_uid(self):
        assert "1.2.3" not in pseudonym("1.2.3", "k")


class TestShuffledOrder:
    def test_seed_reproduces_the_order(self):
        uids = [f"1.2.{k}" for k in range(20)]
        first = sorted(uids, key=lambda u: shuffled_rank(u, 7))
        assert first == sorted(uids[::-1], key=lambda u: shuffled_rank(u, 7))
        assert first != uids

    def test_another_seed_another_order(self):
        uids = [f"1.2.{k}" for k in range(20)]
        assert (sorted(uids, key=lambda u: shuffled_rank(u, 1))
                != sorted(uids, key=lambda u: shuffled_rank(u, 2)))


class TestBlinded:
    def test_identity_replaced_series_shared(self):
        series = Series("1.2.3.1", 2, "SAG T2", "MR", "", "", {})
        study = Study("1.2.3", "20190312", "101500", "MR SPINE", "ACC123", [series])
        result = LoadResult([Patient("PID-1", "DOE^JOHN", "19580704", "M", [study])])
        shown = blinded(result, "Case 00AA11")
        patient = shown.patients[0]
        assert (patient.name, patient.id, patient.birth_date) == ("Case 00AA11", "", "")
        seen = patient.studies[0]
        assert (seen.date, seen.time, seen.accession_number, seen.description) == ("", "", "", "MR SPINE")
        assert seen.series[0] is series
        assert result.patients[0].name == "DOE^JOHN"
