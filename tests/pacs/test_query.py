"""Study queries and hostile answers: QIDO parameters, DICOM JSON and C-FIND datasets read defensively."""

from __future__ import annotations

import datetime as dt

import pytest
from pydicom.dataset import Dataset

from spineviewer.pacs.query import (
    StudyQuery, find_identifier, qido_params, series_result, study_result,
)


class TestStudyQuery:
    def test_date_range_forms(self):
        """A DICOM DA range, open at either end; one day is a single date."""
        assert StudyQuery(date_from=dt.date(2024, 3, 1)).date_range == "20240301-"
        assert StudyQuery(date_to=dt.date(2024, 3, 1)).date_range == "-20240301"
        day = dt.date(2024, 3, 15)
        assert StudyQuery(date_from=day, date_to=day).date_range == "20240315"

    def test_reversed_range_refused(self):
        """A range that ends before it starts is refused."""
        with pytest.raises(ValueError, match="before it starts"):
            StudyQuery(date_from=dt.date(2024, 3, 2), date_to=dt.date(2024, 3, 1))

    @pytest.mark.parametrize("value", ["A\\B", "line\nbreak", "x" * 65])
    def test_filter_text_checked(self, value):
        """A backslash (a DICOM value separator), a control character or 65+ characters is refused."""
        with pytest.raises(ValueError):
            StudyQuery(patient_id=value)

    def test_qido_params_only_set_filters(self):
        """Only the filters the user set become QIDO parameters."""
        query = StudyQuery(patient_id="SVPH0001", modality="MR", date_from=dt.date(2024, 1, 1))
        assert qido_params(query) == {"PatientID": "SVPH0001", "StudyDate": "20240101-",
                                      "ModalitiesInStudy": "MR"}

    def test_find_identifier_has_return_keys(self):
        """The C-FIND identifier asks for every study field and carries the filters."""
        identifier = find_identifier(StudyQuery(patient_name="DOE*"))
        assert identifier.QueryRetrieveLevel == "STUDY"
        assert identifier.PatientName == "DOE*"
        assert "NumberOfStudyRelatedInstances" in identifier


class TestAnswers:
    def test_dicom_json_study(self):
        """A QIDO-RS study object becomes a StudyResult (empty name components dropped)."""
        answer = {"0020000D": {"vr": "UI", "Value": ["1.2.3"]},
                  "00100010": {"vr": "PN", "Value": [{"Alphabetic": "DOE^JANE^^"}]},
                  "00080020": {"vr": "DA", "Value": ["20240315"]},
                  "00080061": {"vr": "CS", "Value": ["MR", "SR"]},
                  "00201208": {"vr": "IS", "Value": [73]}}
        result = study_result(answer)
        assert (result.study_uid, result.patient_name, result.study_date, result.modalities,
                result.n_instances) == ("1.2.3", "DOE^JANE", dt.date(2024, 3, 15), ("MR", "SR"), 73)

    @pytest.mark.parametrize("uid", ["../../etc", "1.2/3", "1..2", "", "1.2." + "3" * 70, 42, None])
    def test_study_without_valid_uid_refused(self, uid):
        """An answer whose StudyInstanceUID is not a UID (a path, empty, too long) is refused."""
        with pytest.raises(ValueError, match="StudyInstanceUID"):
            study_result({"0020000D": {"Value": [uid]}})

    def test_wrong_types_read_as_empty(self):
        """Wrong value types, absurd counts and impossible dates become empty, not errors."""
        answer = {"0020000D": {"Value": ["1.2.3"]}, "00100010": {"Value": [["nested"]]},
                  "00080020": {"Value": ["20241399"]}, "00201208": {"Value": [-5]},
                  "00201206": {"Value": [True]}, "00081030": "not an element",
                  "00080061": {"Value": "MR"}}
        result = study_result(answer)
        assert (result.patient_name, result.study_date, result.n_instances, result.n_series,
                result.description, result.modalities) == ("", None, None, None, "", ())

    def test_long_text_is_cut(self):
        """A megabyte of name is cut to a line a table can show."""
        answer = {"0020000D": {"Value": ["1.2.3"]}, "00081030": {"Value": ["x" * 1_000_000]}}
        assert len(study_result(answer).description) == 256

    def test_c_find_dataset_series(self):
        """A C-FIND series dataset becomes a SeriesResult with integer counts."""
        ds = Dataset()
        ds.SeriesInstanceUID = "1.2.3.4"
        ds.SeriesNumber = "5"
        ds.Modality = "MR"
        ds.SeriesDescription = "AX T1 +C"
        ds.NumberOfSeriesRelatedInstances = "17"
        result = series_result(ds)
        assert (result.number, result.n_instances) == (5, 17)
        assert type(result.number) is int

    def test_answer_of_wrong_kind(self):
        """An answer that is neither a JSON object nor a dataset is refused."""
        with pytest.raises(ValueError):
            study_result(["1.2.3"])
