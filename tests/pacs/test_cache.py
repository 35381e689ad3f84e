"""The study cache: paths only from valid UIDs, atomic instances, completeness, LRU eviction
that spares annotated and protected studies."""

from __future__ import annotations

import os

import pytest

from spineviewer.core.annotation_file import annotation_file_name, keyed_annotation_path
from spineviewer.pacs.cache import MANIFEST, StudyCache

STUDY, SERIES = "1.2.826.0.1.3680043.8.498.1", "1.2.826.0.1.3680043.8.498.2"


def fill(cache: StudyCache, study: str, n: int, size: int, *, used: float) -> None:
    """``n`` instances of ``size`` bytes in one series, complete, last used at ``used``."""
    for k in range(n):
        cache.write_instance(study, SERIES, f"{study}.{k + 1}", b"\0" * size)
    cache.mark_complete(study, {SERIES: n})
    os.utime(cache.folder(study), (used, used))


class TestPaths:
    @pytest.mark.parametrize("uid", ["..", "../x", "1.2/3", "/etc", "1.2\x003", "1..2", "a.b", ""])
    def test_unsafe_uid_never_becomes_a_path(self, tmp_path, uid):
        """A UID that is not digits and dots is refused before any path is built."""
        cache = StudyCache(tmp_path / "cache")
        with pytest.raises(ValueError, match="not a valid DICOM UID"):
            cache.instance_path(STUDY, SERIES, uid)
        with pytest.raises(ValueError):
            cache.folder(uid)
        assert not (tmp_path / "cache").exists()

    def test_instance_written_atomically_under_its_uids(self, tmp_path):
        """An instance lands at study/series/sop.dcm with no temporary left behind."""
        cache = StudyCache(tmp_path / "cache")
        path = cache.write_instance(STUDY, SERIES, "1.2.3", b"DICM")
        assert path == tmp_path / "cache" / STUDY / SERIES / "1.2.3.dcm"
        assert path.read_bytes() == b"DICM"
        assert os.listdir(path.parent) == ["1.2.3.dcm"]
        assert cache.instances(STUDY, SERIES) == {"1.2.3"}


class TestCompleteness:
    def test_complete_only_when_marked_and_all_files_there(self, tmp_path):
        """The manifest says complete and every instance it counts is present."""
        cache = StudyCache(tmp_path / "cache")
        cache.write_instance(STUDY, SERIES, "1.2.3", b"x")
        cache.record_series(STUDY, SERIES, 2)
        assert not cache.is_complete(STUDY)
        cache.write_instance(STUDY, SERIES, "1.2.4", b"x")
        cache.mark_complete(STUDY, {SERIES: 2})
        assert cache.is_complete(STUDY)
        (cache.folder(STUDY) / SERIES / "1.2.4.dcm").unlink()
        assert not cache.is_complete(STUDY)

    @pytest.mark.parametrize("content", ["{", '{"complete": true, "series": []}',
                                         '{"complete": true, "series": {"../x": {"expected": 0}}}',
                                         '{"complete": "yes", "series": {}}'])
    def test_damaged_manifest_means_not_complete(self, tmp_path, content):
        """A manifest that cannot be trusted makes the study incomplete (fetched again)."""
        cache = StudyCache(tmp_path / "cache")
        cache.folder(STUDY).mkdir(parents=True)
        (cache.folder(STUDY) / MANIFEST).write_text(content)
        assert not cache.is_complete(STUDY)

    def test_stale_temporaries_removed_at_begin(self, tmp_path):
        """A retrieve killed while writing left a temporary; the next one removes it."""
        cache = StudyCache(tmp_path / "cache")
        cache.write_instance(STUDY, SERIES, "1.2.3", b"x")
        leftover = cache.folder(STUDY) / SERIES / ".1.2.4.dcm.0123456789ab.tmp"
        leftover.write_bytes(b"half")
        cache.begin(STUDY)
        assert not leftover.exists()
        assert cache.instances(STUDY, SERIES) == {"1.2.3"}


class TestEviction:
    def test_least_recently_used_goes_first(self, tmp_path):
        """Over the limit, the oldest studies go until the cache fits."""
        cache = StudyCache(tmp_path / "cache", limit_bytes=2500)
        for k, used in enumerate((3000, 1000, 2000)):
            fill(cache, f"1.2.{k + 1}", 1, 1000, used=used)
        assert cache.evict() == ["1.2.2"]
        assert cache.studies() == ["1.2.1", "1.2.3"]
        assert cache.size() <= 2500 + 2 * 200  # the manifests are small

    def test_touch_makes_a_study_recent(self, tmp_path):
        """A study opened again (touched) outlives a newer one that was not."""
        cache = StudyCache(tmp_path / "cache", limit_bytes=1500)
        fill(cache, "1.2.1", 1, 1000, used=1000)
        fill(cache, "1.2.2", 1, 1000, used=2000)
        cache.touch("1.2.1")
        assert cache.evict() == ["1.2.2"]

    def test_annotated_studies_never_evicted(self, tmp_path, user_data):
        """A study with annotations beside it or keyed in the user folder stays, over the limit."""
        cache = StudyCache(tmp_path / "cache", limit_bytes=0)
        for k in range(4):
            fill(cache, f"1.2.{k + 1}", 1, 1000, used=1000 + k)
        (cache.folder("1.2.1") / annotation_file_name("1.2.1")).write_text("{}")
        keyed = keyed_annotation_path("1.2.2")
        keyed.parent.mkdir(parents=True)
        keyed.write_text("{}")
        removed = cache.evict(protect=lambda uid: uid == "1.2.3")
        assert removed == ["1.2.4"]
        assert cache.studies() == ["1.2.1", "1.2.2", "1.2.3"]

    def test_nothing_removed_under_the_limit(self, tmp_path):
        """A cache within its limit is left alone."""
        cache = StudyCache(tmp_path / "cache", limit_bytes=10**9)
        fill(cache, "1.2.1", 2, 1000, used=1000)
        assert cache.evict() == [] and cache.is_complete("1.2.1")
