"""The annotation file: JSON round trip, atomic save, safe load, migration, schema, location."""

import datetime as dt
import json
import os
import re
import time
from pathlib import Path

import pytest

from spineviewer.core import annotation_file
from spineviewer.core.annotation_codec import FormatError, from_json, migrate, migration, to_json
from spineviewer.core.annotation_file import (
    ANSWER_KEY_NAME, AnnotationFileError, annotation_file_name, annotation_files, annotation_path_for,
    answer_key_path, keyed_annotation_path, load_annotations, put_aside_if_unreadable,
    read_annotations, save_annotations, study_folder, user_annotation_folder, write_atomically,
)
from spineviewer.core.annotations import (
    SCHEMA_VERSION,
    Arrow, Bidirectional, Caliper, CordPath, Lesion, LesionFindings, Outline, PatientFindings,
    StudyAnnotations, TextNote,
)
from spineviewer.core.levels import VertebralLevels
from spineviewer.core.safe_write import STALE_AFTER_S

SCHEMA = Path(__file__).resolve().parents[2] / "resources" / "annotation.schema.json"
SAG = {"series_instance_uid": "1.2.3.10", "sop_instance_uid": "1.2.3.10.5"}
AX = {"series_instance_uid": "1.2.3.20", "sop_instance_uid": "1.2.3.20.9"}


def sample_study() -> StudyAnnotations:
    """A study with every kind of drawing, both forms filled and levels with a conus tip."""
    levels = VertebralLevels.from_points([(0.5, 10.0, -20.0 * k) for k in range(6)], anchor=2,
                                         anchor_name="T9-T10", conus_tip=(0.0, 14.0, -115.25))
    lesion = Lesion(1, (
        Caliper(endpoints=[(0, 16, -30), (0, 16, -52.5)], role="si", id="c1", **SAG),
        Caliper(endpoints=[(0, 12, -40), (0, 19, -40)], role="ap", id="c2", **SAG),
        Bidirectional(long_axis=[(-4, 15, -40), (4, 15, -40)], short_axis=[(0, 12, -40), (0, 18, -40)],
                      id="b1", **AX),
        CordPath(vertices=[(0, 16, -10), (0, 17, -40), (0, 16, -80)], role="t2", id="p1", **SAG),
        Outline(vertices=[(-3, 13, -40), (3, 13, -40), (0, 18, -40)], id="o1", unit="px", **AX),
    ), LesionFindings(position="eccentric", enhancement="present", enhancement_pattern="heterogeneous",
                      location_override="thoracic", notes="flame sign at the lower margin?"))
    return StudyAnnotations(
        "1.2.826.0.1.3680043.8.498.77", patient_id="PAT-0042", frame_of_reference_uid="1.2.3.4",
        reader="FED", study_date=dt.date(2011, 5, 17), levels=levels, lesions=(lesion, Lesion(2)),
        annotations=(Arrow(tail=(10, 0, 0), head=(0, 16, -40), text="ISCM", id="a1", **SAG),
                     TextNote(anchor=(5, 5, 5), text="édème étendu", id="t1", **SAG)),
        patient=PatientFindings(sex="M", age_years=66, primary_tumor="lung", primary_tumor_detail="small cell",
                                dominant_symptom="weakness", symptom_duration_weeks=6,
                                primary_diagnosis_date="2011-06-01", iscm_presentation_date="2011-04-20",
                                iscm_diagnosis_date="2011-05-18", leptomeningeal_mets="present",
                                leptomeningeal_sites=["cauda-equina", "cord-conus"]),
        created="2024-05-01T09:00:00+00:00", modified="2024-05-01T09:30:00+00:00")


def _leftovers(folder: Path, keep: Path):
    return sorted(p.name for p in folder.iterdir() if p != keep)


class TestRoundTrip:
    def test_save_then_load_is_equal(self, tmp_path):
        """Every field survives a save and a load."""
        study = sample_study()
        path = save_annotations(study, tmp_path / "a.spineviewer.json")
        loaded = load_annotations(path)
        assert loaded.study == study and loaded.message == "" and loaded.migrated_from is None

    def test_empty_study(self, tmp_path):
        """Fresh annotations (no levels, no lesions) round trip."""
        study = StudyAnnotations.new("1.2.3")
        assert load_annotations(save_annotations(study, tmp_path / "a.json")).study == study

    def test_file_is_readable_utf8_json(self, tmp_path):
        """The file is indented UTF-8 JSON with the format marker and points under _lps keys."""
        text = save_annotations(sample_study(), tmp_path / "a.json").read_text("utf-8")
        value = json.loads(text)
        assert value["format"] == "spineviewer-annotations" and value["schema_version"] == SCHEMA_VERSION
        assert value["lesions"][0]["annotations"][0]["endpoints_lps"] == [[0, 16, -30], [0, 16, -52.5]]
        assert value["levels"]["discs"][2] == {"name": "T9-T10", "point_lps": [0.5, 10.0, -40.0],
                                             "proposed": False}
        assert "édème" in text

    def test_unknown_key_is_an_error(self):
        """Reading is strict: a key this version does not know is reported."""
        value = to_json(sample_study())
        value["lesions"][0]["findings"]["size"] = 3
        with pytest.raises(FormatError, match=r"lesions\[0\].findings: unexpected size"):
            from_json(value)

    def test_bad_word_is_located(self):
        """A value outside the vocabulary names the lesion and the field."""
        value = to_json(sample_study())
        value["lesions"][0]["findings"]["position"] = "lateral"
        with pytest.raises(FormatError, match=r"lesions\[0\].findings: position"):
            from_json(value)


class TestAtomicSave:
    def test_no_temporary_files_left(self, tmp_path):
        """After saving (twice), only the annotation file is in the folder."""
        path = tmp_path / "a.json"
        save_annotations(sample_study(), path)
        save_annotations(StudyAnnotations.new("1.2.3"), path)
        assert _leftovers(tmp_path, path) == []

    def test_failed_replace_keeps_the_old_file(self, tmp_path, monkeypatch):
        """If the final rename fails, the previous file is intact and the temporary file is gone."""
        path = save_annotations(sample_study(), tmp_path / "a.json")
        before = path.read_bytes()

        def fail(*args):
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(os, "replace", fail)
        with pytest.raises(OSError):
            save_annotations(StudyAnnotations.new("9.9"), path)
        assert path.read_bytes() == before and _leftovers(tmp_path, path) == []

    def test_nan_is_never_written(self, tmp_path):
        """JSON has no NaN: a value that would need one is refused, the old file kept."""
        path = save_annotations(sample_study(), tmp_path / "a.json")
        bad = sample_study()
        # Past the checks of the findings form, as a bug elsewhere could.
        object.__setattr__(bad.patient, "symptom_duration_weeks", float("nan"))
        with pytest.raises(ValueError):
            save_annotations(bad, path)
        assert "NaN" not in path.read_text() and _leftovers(tmp_path, path) == []

    @pytest.mark.parametrize("special", ["folder", "fifo"])
    def test_refuses_to_replace_what_is_not_a_regular_file(self, tmp_path, special):
        """A folder or a FIFO (a device at /dev/full the same) at the path is left as it is."""
        path = tmp_path / "out"
        os.mkfifo(path) if special == "fifo" else path.mkdir()
        with pytest.raises(OSError, match="regular file|a folder"):
            write_atomically(path, b"x")
        assert not path.is_file() and path.exists() and _leftovers(tmp_path, path) == []

    def test_stale_temporaries_are_removed_at_the_next_save(self, tmp_path):
        """Temporaries a killed save left (our pattern, older than the limit) go; fresh ones,
        and files of other names, stay."""
        stale = tmp_path / ".a.json.0123456789ab.tmp"
        fresh = tmp_path / ".a.json.ba9876543210.tmp"
        other = tmp_path / ".notes.tmp"
        for path in (stale, fresh, other):
            path.write_text("x")
        old = time.time() - STALE_AFTER_S - 60
        os.utime(stale, (old, old))
        os.utime(other, (old, old))
        save_annotations(sample_study(), tmp_path / "a.json")
        assert not stale.exists() and fresh.exists() and other.exists()

    def test_creates_the_folder(self, tmp_path):
        """The per-user folder is created on first save."""
        path = save_annotations(StudyAnnotations.new("1.2"), tmp_path / "x" / "y" / "a.json")
        assert path.is_file()

    def test_permissions_follow_the_umask(self, tmp_path):
        """The file is readable by others like any new file (not the 0600 of a temp file)."""
        old = os.umask(0o022)
        try:
            write_atomically(tmp_path / "f", b"x")
        finally:
            os.umask(old)
        assert (tmp_path / "f").stat().st_mode & 0o777 == 0o644


class TestLoad:
    def test_missing_file(self, tmp_path):
        """No file yet: no study and no message."""
        loaded = load_annotations(tmp_path / "none.json")
        assert loaded.study is None and loaded.message == ""

    def test_folder_in_the_way_is_left_alone(self, tmp_path):
        """A folder where the file should be is reported, not moved."""
        (tmp_path / "a.json").mkdir()
        loaded = load_annotations(tmp_path / "a.json")
        assert loaded.study is None and "not a file" in loaded.message and (tmp_path / "a.json").is_dir()

    @pytest.mark.parametrize("content, reason", [
        (b'{"format": "spineviewer-annotations", "schema_', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[1, 2, 3]", "JSON object"),
        (b'{"hello": 1}', "schema_version is missing"),
    ])
    def test_unreadable_file_is_kept_aside(self, tmp_path, content, reason):
        """A broken file is moved to <name>.unreadable-<timestamp>, unchanged, with a message."""
        path = tmp_path / "a.spineviewer.json"
        path.write_bytes(content)
        loaded = load_annotations(path)
        assert loaded.study is None and not path.exists()
        assert re.fullmatch(r"a\.spineviewer\.json\.unreadable-\d{8}T\d{6}", loaded.moved_to.name)
        assert loaded.moved_to.read_bytes() == content
        assert reason in loaded.message and loaded.moved_to.name in loaded.message

    def test_invalid_content_is_kept_aside(self, tmp_path):
        """Valid JSON with an invalid drawing is kept aside too, naming the drawing."""
        value = to_json(sample_study())
        value["lesions"][0]["annotations"][0]["endpoints_lps"] = [[0, 0, 0], [0, 0, 0]]
        path = tmp_path / "a.json"
        path.write_text(json.dumps(value))
        loaded = load_annotations(path)
        assert loaded.moved_to is not None and "annotations[0]" in loaded.message

    def test_two_unreadable_files_in_one_second(self, tmp_path):
        """A second broken file does not overwrite the first one put aside."""
        path = tmp_path / "a.json"
        path.write_text("{")
        first = load_annotations(path).moved_to
        path.write_text("{{")
        second = load_annotations(path).moved_to
        assert first != second and first.read_text() == "{" and second.read_text() == "{{"

    @pytest.mark.parametrize("change, reason", [
        (lambda v: v["lesions"][0]["annotations"][0]["endpoints_lps"][0].__setitem__(1, True),
         "lesions[0].annotations[0]"),
        (lambda v: v["lesions"][0]["annotations"][0]["endpoints_lps"][0].__setitem__(1, "5"),
         "lesions[0].annotations[0]"),
        (lambda v: v["lesions"][0].__setitem__("lesion_id", 10 ** 200), "lesions[0].lesion_id"),
        (lambda v: v["levels"]["discs"][0].__setitem__("point_lps", [0, 1e7, 0]),
         "levels.discs[0].point_lps[1]"),
    ])
    def test_values_outside_the_schema_are_refused_with_the_place(self, tmp_path, change, reason):
        """Booleans or strings as coordinates, absurd numbers: the schema refuses them."""
        value = to_json(sample_study())
        change(value)
        path = tmp_path / "a.json"
        path.write_text(json.dumps(value))
        with pytest.raises(AnnotationFileError, match=re.escape(reason)):
            read_annotations(path)

    @pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
    def test_non_finite_numbers_are_refused(self, tmp_path, number):
        """NaN and infinities (and numbers beyond a float) are not JSON numbers we accept."""
        text = json.dumps(to_json(sample_study()), allow_nan=False)
        point = json.dumps(to_json(sample_study())["levels"]["discs"][0]["point_lps"])
        path = tmp_path / "a.json"
        path.write_text(text.replace(point, f"[0, {number}, 0]", 1))
        with pytest.raises(AnnotationFileError, match="finite|too large"):
            read_annotations(path)

    def test_deep_nesting_is_a_format_problem(self, tmp_path):
        """A deeply nested JSON value is refused as a bad file, not a RecursionError."""
        path = tmp_path / "a.json"
        path.write_text("[" * 100_000 + "]" * 100_000)
        with pytest.raises(AnnotationFileError, match="nested too deeply"):
            read_annotations(path)
        assert load_annotations(path).moved_to is not None

    def test_another_studys_file_is_put_aside_not_used(self, tmp_path):
        """Opened for study 9.9, a file annotating another study is kept aside, unchanged."""
        path = save_annotations(sample_study(), tmp_path / "a.json")
        before = path.read_bytes()
        loaded = load_annotations(path, "9.9")
        assert loaded.study is None and not path.exists()
        assert loaded.moved_to.read_bytes() == before and "annotates study" in loaded.message

    def test_newer_schema_is_kept_aside(self, tmp_path):
        """A file from a newer spineviewer is not overwritten: it is kept aside with the reason."""
        value = to_json(sample_study())
        value["schema_version"] = 7
        path = tmp_path / "a.json"
        path.write_text(json.dumps(value))
        loaded = load_annotations(path)
        assert "newer spineviewer" in loaded.message and loaded.moved_to.exists()


VERSION_0 = {
    "schema_version": 0,
    "study_uid": "1.2.840.99.1",
    "patient_id": "P7",
    "reader": "JBR",
    "discs": [{"name": "T9-T10", "point": [0, 10, 0]}, {"name": "T10-T11", "point": [0, 10, -22]}],
    "conus_tip": [0, 12, -80],
    "lesions": [{
        "id": 1,
        "findings": {"position": "central", "t2_signal": "hyperintense"},
        "annotations": [
            {"type": "caliper", "id": "k1", "series_uid": "1.2.840.99.1.3", "sop_uid": "1.2.840.99.1.3.4",
             "role": "si", "points": [[0, 15, -5], [0, 15, -19]]},
            {"type": "path", "id": "k2", "series_uid": "1.2.840.99.1.2", "sop_uid": "1.2.840.99.1.2.4",
             "role": "t2", "points": [[0, 15, 10], [0, 16, -10], [0, 15, -40]]},
        ],
    }],
    "patient": {"sex": "F", "age": 57, "primary_tumor": "breast"},
}


class TestMigration:
    def test_version_0_file_is_migrated(self, tmp_path):
        """A hand-written version 0 file loads as current annotations, with the same content."""
        path = tmp_path / "old.spineviewer.json"
        path.write_text(json.dumps(VERSION_0))
        loaded = load_annotations(path)
        study = loaded.study
        assert loaded.migrated_from == 0 and "schema version 0" in loaded.message
        assert study.study_instance_uid == "1.2.840.99.1" and study.reader == "JBR"
        assert [d.name for d in study.levels.discs] == ["T9-T10", "T10-T11"]
        assert study.levels.conus_tip == (0.0, 12.0, -80.0)
        caliper, cord_path = study.lesion(1).annotations
        assert caliper.length == pytest.approx(14.0) and caliper.role == "si"
        assert cord_path.kind == "cord-path" and len(cord_path.vertices) == 3
        assert study.patient.age_years == 57 and study.patient.sex == "F"
        assert study.lesion(1).findings.position == "central"

    def test_original_kept_and_next_save_is_current(self, tmp_path):
        """The version 0 original is copied aside; saving writes the current version."""
        path = tmp_path / "old.json"
        path.write_text(json.dumps(VERSION_0))
        study = load_annotations(path).study
        assert json.loads((tmp_path / "old.json.schema-0.bak").read_text()) == VERSION_0
        save_annotations(study, path)
        assert json.loads(path.read_text())["schema_version"] == SCHEMA_VERSION
        assert load_annotations(path).study == study

    def test_chain_reaches_the_current_version(self):
        """``migrate`` reports the original version and returns the current layout."""
        value, version = migrate(json.loads(json.dumps(VERSION_0)))
        assert version == 0 and value["schema_version"] == SCHEMA_VERSION

    def test_registering_twice_refused(self):
        """One migration per version."""
        with pytest.raises(ValueError, match="already registered"):
            migration(0)(lambda value: value)

    def test_version_without_migration(self):
        """A version no migration starts from is reported, not guessed."""
        with pytest.raises(FormatError, match="no migration"):
            migrate({"schema_version": -1})

    def test_broken_version_0_content(self):
        """A version 0 file missing its study UID gives a FormatError, not a KeyError."""
        with pytest.raises(FormatError, match="version 0"):
            migrate({"schema_version": 0})


class TestPath:
    def test_beside_the_dicom_files(self, tmp_path):
        """A writable study folder holds the file."""
        assert annotation_path_for(tmp_path, "1.2.3") == tmp_path / "spineviewer-1.2.3.spineviewer.json"

    def test_folder_of_an_archive(self, tmp_path):
        """For a zip archive or DICOMDIR, the file goes in its folder."""
        archive = tmp_path / "study.zip"
        archive.write_bytes(b"PK")
        assert annotation_path_for(archive, "1.2.3").parent == tmp_path

    def test_read_only_folder_uses_the_user_folder(self, tmp_path, monkeypatch):
        """A read-only study folder sends the file to the per-user folder."""
        monkeypatch.setattr(annotation_file, "_is_writable", lambda folder: False)
        path = annotation_path_for(tmp_path / "cd", "1.2.3", user_folder=tmp_path / "user")
        assert path == tmp_path / "user" / "spineviewer-1.2.3.spineviewer.json"

    def test_xdg_data_home(self, monkeypatch, tmp_path):
        """The per-user folder follows XDG_DATA_HOME, else ~/.local/share."""
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
        assert user_annotation_folder() == tmp_path / "spineviewer" / "annotations"
        monkeypatch.setenv("XDG_DATA_HOME", "relative/path")
        assert user_annotation_folder() == Path.home() / ".local/share/spineviewer/annotations"

    def test_unsafe_characters_replaced(self):
        """A non-conformant UID cannot climb out of the folder."""
        name = annotation_file_name("../1.2 3")
        assert re.fullmatch(r"spineviewer-\.\._1\.2_3-[0-9a-f]{12}\.spineviewer\.json", name)

    def test_names_are_injective(self):
        """UIDs differing only in replaced characters get different files; ordinary UIDs keep
        their plain name, so files saved before are still found."""
        assert annotation_file_name("1.2.3.4+5") != annotation_file_name("1.2.3.4*5")
        assert annotation_file_name("1.2.3.4_5") == "spineviewer-1.2.3.4_5.spineviewer.json"
        assert annotation_file_name("1.2.3.4_5") not in {annotation_file_name("1.2.3.4+5"),
                                                       annotation_file_name("1.2.3.4*5")}
        assert keyed_annotation_path("1.2.3.4+5") != keyed_annotation_path("1.2.3.4*5")


def _check(value, schema, root, where="$"):
    """A minimal JSON Schema checker for the keywords resources/annotation.schema.json uses."""
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _check(value, target, root, where)
    if "oneOf" in schema:
        matches = sum(not _check(value, option, root, where) for option in schema["oneOf"])
        return [] if matches == 1 else [f"{where}: matches {matches} of oneOf"]
    errors = []
    types = schema.get("type")
    if types is not None:
        kinds = {"object": dict, "array": list, "string": str, "null": type(None), "integer": int,
                 "number": (int, float), "boolean": bool}
        allowed = [types] if isinstance(types, str) else types
        ok = any(isinstance(value, kinds[t]) and not (isinstance(value, bool) and t != "boolean")
                 for t in allowed)
        if not ok:
            return [f"{where}: {value!r} is not {types}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{where}: too short")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < schema.get("minimum", -float("inf")) or value > schema.get("maximum", float("inf")):
            errors.append(f"{where}: {value} out of range")
    if isinstance(value, dict):
        errors += [f"{where}: missing {k}" for k in schema.get("required", []) if k not in value]
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                errors += _check(item, properties[key], root, f"{where}.{key}")
            elif schema.get("additionalProperties", True) is False:
                errors.append(f"{where}: unexpected {key}")
    if isinstance(value, list):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)):
            errors.append(f"{where}: {len(value)} items")
        if schema.get("uniqueItems") and len(set(map(json.dumps, value))) != len(value):
            errors.append(f"{where}: repeated items")
        for k, item in enumerate(value):
            errors += _check(item, schema.get("items", {}), root, f"{where}[{k}]")
    return errors


class TestSchema:
    schema = json.loads(SCHEMA.read_text()) if SCHEMA.exists() else None

    def test_saved_files_validate(self, tmp_path):
        """A saved file with every kind of drawing validates against the schema."""
        value = json.loads(save_annotations(sample_study(), tmp_path / "a.json").read_text())
        assert _check(value, self.schema, self.schema) == []

    def test_empty_file_validates(self):
        """Fresh annotations validate."""
        assert _check(to_json(StudyAnnotations.new("1.2")), self.schema, self.schema) == []

    def test_migrated_file_validates(self):
        """A migrated version 0 file validates as version 1."""
        value, _ = migrate(json.loads(json.dumps(VERSION_0)))
        assert _check(value, self.schema, self.schema) == []

    @pytest.mark.parametrize("damage", [
        lambda v: v.pop("reader"),
        lambda v: v["lesions"][0]["findings"].update(position="lateral"),
        lambda v: v["lesions"][0]["annotations"][0].update(endpoints_lps=[[0, 0, 0]]),
        lambda v: v["annotations"][0].update(kind="circle"),
        lambda v: v.update(extra=1),
    ])
    def test_checker_catches_damage(self, damage):
        """The checker is not vacuous: damaged files fail it."""
        value = to_json(sample_study())
        damage(value)
        assert _check(value, self.schema, self.schema) != []

    def test_with_jsonschema_when_installed(self):
        """Full Draft 2020-12 validation, when the jsonschema package is available."""
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.Draft202012Validator.check_schema(self.schema)
        jsonschema.validate(to_json(sample_study()), self.schema)


class TestAnnotationFiles:
    def test_own_file_never_the_answer_key_and_nothing_written(self, tmp_path):
        """The reader's own file (beside the study or per user) is found, the answer key never
        (it is read only when asked for), and looking creates nothing in the study folder."""
        study, user = tmp_path / "study", tmp_path / "user"
        study.mkdir()
        user.mkdir()
        (study / ANSWER_KEY_NAME).write_text("{}")
        assert annotation_files(study, ["1.2.3"], user_folder=user) == []
        (user / annotation_file_name("1.2.3")).write_text("{}")
        found = annotation_files(study, ["1.2.3"], user_folder=user)
        assert found == [user / annotation_file_name("1.2.3")]
        assert sorted(p.name for p in study.iterdir()) == [ANSWER_KEY_NAME]

    def test_legacy_name_found_after_the_new_one(self, tmp_path):
        """A file saved under the name older versions gave an unsafe UID is still found."""
        study, user = tmp_path / "study", tmp_path / "user"
        study.mkdir()
        legacy = study / "spineviewer-1.2_3.spineviewer.json"
        legacy.write_text("{}")
        assert annotation_files(study, ["1.2+3"], user_folder=user) == [legacy]
        (study / annotation_file_name("1.2+3")).write_text("{}")
        assert annotation_files(study, ["1.2+3"], user_folder=user) == [
            study / annotation_file_name("1.2+3"), legacy]

    def test_keyed_copy_after_the_own_files(self, tmp_path):
        """The copy keyed by StudyInstanceUID in the per-user folder is found after the
        study's own file."""
        study, user = tmp_path / "study", tmp_path / "user"
        keyed = keyed_annotation_path("1.2.3", user_folder=user)
        assert keyed == user / "by-study" / annotation_file_name("1.2.3")
        keyed.parent.mkdir(parents=True)
        study.mkdir()
        for path in (keyed, study / ANSWER_KEY_NAME, study / annotation_file_name("1.2.3")):
            path.write_text("{}")
        assert annotation_files(study, ["1.2.3"], user_folder=user) == [
            study / annotation_file_name("1.2.3"), keyed]

    @pytest.mark.parametrize("writable", [True, False])
    def test_own_file_where_spineviewer_saves_comes_first(self, tmp_path, monkeypatch, writable):
        """With a file both beside the study and in the per-user folder, the one that
        annotation_path_for saves to is found first (the per-user one for a read-only study)."""
        monkeypatch.setattr(annotation_file, "_is_writable", lambda folder: writable)
        study, user = tmp_path / "study", tmp_path / "user"
        for folder in (study, user):
            folder.mkdir()
            (folder / annotation_file_name("1.2.3")).write_text("{}")
        found = annotation_files(study, ["1.2.3"], user_folder=user)
        assert found[0] == annotation_path_for(study, "1.2.3", user_folder=user)
        assert len(found) == 2

    def test_answer_key_path_of_an_archive(self, tmp_path):
        """The answer key of a zip archive or DICOMDIR is looked for in its folder."""
        archive = tmp_path / "study.zip"
        archive.write_bytes(b"PK")
        assert answer_key_path(archive) == tmp_path / ANSWER_KEY_NAME
        assert answer_key_path(tmp_path) == tmp_path / ANSWER_KEY_NAME


class TestStudyFolder:
    def test_one_path_is_the_folder(self, tmp_path):
        """A single folder, archive or DICOMDIR path is the study's folder as given."""
        assert study_folder([str(tmp_path / "study.zip")]) == tmp_path / "study.zip"
        assert study_folder([]) is None

    def test_several_files_give_their_common_folder(self, tmp_path):
        """Files picked one by one give the folder they share."""
        paths = [tmp_path / "study" / "sag" / "IM1", tmp_path / "study" / "ax" / "IM1"]
        assert study_folder([str(p) for p in paths]) == (tmp_path / "study").resolve()


class TestPutAsideIfUnreadable:
    def test_unreadable_file_is_renamed(self, tmp_path):
        """A file that cannot be used is renamed with the reason, not left to be written over."""
        path = tmp_path / "copy.json"
        path.write_text('{"format": "spineviewer-annotations", "schema_version": 99}')
        result = put_aside_if_unreadable(path)
        assert not path.exists() and result.moved_to.read_text().endswith("99}")
        assert result.moved_to.name in result.message and "next change" in result.message

    def test_usable_or_missing_file_is_left(self, tmp_path):
        """A readable file stays where it is; a missing one gives an empty result."""
        path = save_annotations(StudyAnnotations("1.2.3"), tmp_path / "copy.json")
        assert put_aside_if_unreadable(path).moved_to is None and path.is_file()
        assert put_aside_if_unreadable(tmp_path / "none.json").message == ""
