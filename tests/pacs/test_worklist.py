"""A list of studies to fetch: UIDs and accession numbers from text or CSV."""

from __future__ import annotations

import pytest

from spineviewer.pacs.worklist import read_study_list


def test_text_list_tells_uids_from_accessions(tmp_path):
    """A UID line is a StudyInstanceUID, another line an accession; comments and repeats skipped."""
    path = tmp_path / "list.txt"
    path.write_text("# reader study\n1.2.840.113619.2.1\nSVA24000101\n\n1.2.840.113619.2.1\n")
    assert read_study_list(path) == [("study_uid", "1.2.840.113619.2.1"),
                                     ("accession", "SVA24000101")]


def test_csv_with_both_columns_prefers_the_uid(tmp_path):
    """A CSV row with both uses the UID; a row with only an accession uses that."""
    path = tmp_path / "list.csv"
    path.write_text("case,StudyInstanceUID,AccessionNumber\n1,1.2.3,A1\n2,,A2\n3,,\n")
    assert read_study_list(path) == [("study_uid", "1.2.3"), ("accession", "A2")]


def test_csv_without_a_known_column_refused(tmp_path):
    """A CSV whose header names neither column is refused with the file's name."""
    path = tmp_path / "list.csv"
    path.write_text("case,patient\n1,x\n")
    with pytest.raises(ValueError, match="list.csv"):
        read_study_list(path)


def test_csv_with_a_path_as_uid_refused(tmp_path):
    """A StudyInstanceUID column holding a path is refused."""
    path = tmp_path / "list.csv"
    path.write_text("StudyInstanceUID\n../../etc\n")
    with pytest.raises(ValueError, match="not a StudyInstanceUID"):
        read_study_list(path)


def test_not_a_regular_file(tmp_path):
    """A folder is not a list."""
    with pytest.raises(ValueError, match="not a regular file"):
        read_study_list(tmp_path)
