"""Lesion masks beside the annotation file: storage, hostile files, the document, the volume."""

import io
import json
import os
import zipfile

import numpy as np
import pytest

from spineviewer.core.annotation_file import read_annotations
from spineviewer.core.annotations import Component
from spineviewer.core.document import AnnotationDocument
from spineviewer.core.loader import load_study
from spineviewer.core.masks import (
    MaskError, mask_folder, mask_hash, mask_path, read_mask, segmentation, segmentation_stack,
    write_mask,
)
from spineviewer.core.metrics import patient_metrics
from spineviewer.core.proposals import accept_annotations, reject_annotations
from tests.conftest import write_series

STUDY_UID = "1.2.826.0.1.3680043.8.498.92"
SHAPE = (5, 8, 10)  # write_series: 5 slices 4 mm apart, 8 x 10 pixels of 0.8 mm


def _mask(slices=(1, 2, 3), rows=slice(2, 5), cols=slice(3, 7)) -> np.ndarray:
    mask = np.zeros(SHAPE, bool)
    for k in slices:
        mask[k, rows, cols] = True
    return mask


@pytest.fixture
def study_folder(tmp_path):
    write_series(tmp_path / "study", n=5, study_uid=STUDY_UID)
    return tmp_path / "study"


@pytest.fixture
def loaded(study_folder):
    result = load_study(study_folder)
    patient = result.patients[0]
    return patient, patient.studies[0], result.patients[0].studies[0].series[0].stacks[0]


def _document(folder, loaded) -> AnnotationDocument:
    patient, study, _ = loaded
    return AnnotationDocument.open(folder, study, patient)


class TestStorage:
    def test_round_trip_named_by_content(self, tmp_path):
        """A mask is stored once under the hash of its content and read back equal."""
        mask = _mask()
        sha = write_mask(tmp_path / "m", mask)
        assert sha == mask_hash(mask) and len(sha) == 64
        assert sorted(os.listdir(tmp_path / "m")) == [f"{sha}.npz"]
        assert np.array_equal(read_mask(tmp_path / "m", sha, SHAPE), mask)
        before = mask_path(tmp_path / "m", sha).stat().st_mtime_ns
        assert write_mask(tmp_path / "m", mask.copy()) == sha
        assert mask_path(tmp_path / "m", sha).stat().st_mtime_ns == before

    def test_hash_depends_on_shape_and_bits(self):
        """One voxel more, or the same bits in another shape, is another mask."""
        mask = _mask()
        other = mask.copy()
        other[0, 0, 0] = True
        assert len({mask_hash(mask), mask_hash(other), mask_hash(mask.reshape(5, 10, 8))}) == 3

    def test_folder_beside_annotation_file(self, tmp_path):
        """The masks of x.spineviewer.json are in x.spineviewer.masks beside it."""
        assert mask_folder(tmp_path / "x.spineviewer.json") == tmp_path / "x.spineviewer.masks"

    def test_empty_or_flat_mask_refused(self, tmp_path):
        with pytest.raises(MaskError, match="empty"):
            write_mask(tmp_path, np.zeros(SHAPE, bool))
        with pytest.raises(MaskError, match="dimensions"):
            write_mask(tmp_path, np.ones((4, 4), bool))


class TestHostileFiles:
    @pytest.fixture
    def stored(self, tmp_path):
        mask = _mask()
        return tmp_path, write_mask(tmp_path, mask), mask

    def _replace(self, path, array, name="mask.npy"):
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=True)
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(name, buffer.getvalue())

    def test_missing(self, tmp_path):
        with pytest.raises(MaskError, match="missing"):
            read_mask(tmp_path, "0" * 64, SHAPE)

    def test_wrong_shape_declared(self, stored):
        """A file read for another shape is refused before its data is read."""
        folder, sha, _ = stored
        with pytest.raises(MaskError, match="shape"):
            read_mask(folder, sha, (5, 8, 11))

    def test_changed_content(self, stored):
        """A file whose content no longer matches its name is refused."""
        folder, sha, mask = stored
        self._replace(mask_path(folder, sha), ~mask)
        with pytest.raises(MaskError, match="does not match its name"):
            read_mask(folder, sha, SHAPE)

    def test_other_dtype_and_pickles(self, stored):
        """An array of another type, or of Python objects, is never loaded."""
        folder, sha, mask = stored
        self._replace(mask_path(folder, sha), mask.astype(np.uint8))
        with pytest.raises(MaskError, match="uint8"):
            read_mask(folder, sha, SHAPE)
        self._replace(mask_path(folder, sha), np.empty(SHAPE, dtype=object))
        with pytest.raises(MaskError):
            read_mask(folder, sha, SHAPE)

    def test_bomb_declaring_a_huge_array(self, stored):
        """A header declaring far more data than the mask holds is refused unread."""
        folder, sha, _ = stored
        self._replace(mask_path(folder, sha), np.zeros((200, 200, 200), bool))
        with pytest.raises(MaskError, match="larger"):
            read_mask(folder, sha, SHAPE)

    def test_extra_members_and_garbage(self, stored):
        folder, sha, mask = stored
        path = mask_path(folder, sha)
        self._replace(path, mask)
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr("other.npy", b"x")
        with pytest.raises(MaskError, match="members"):
            read_mask(folder, sha, SHAPE)
        path.write_bytes(b"not a zip file")
        with pytest.raises(MaskError, match="not a readable mask file"):
            read_mask(folder, sha, SHAPE)

    def test_not_a_regular_file(self, stored, tmp_path):
        """A folder or a symbolic link at the mask's name is not read."""
        folder, sha, _ = stored
        path = mask_path(folder, sha)
        target = tmp_path / "elsewhere.npz"
        os.replace(path, target)
        path.symlink_to(target)
        with pytest.raises(MaskError, match="not a regular file"):
            read_mask(folder, sha, SHAPE)
        path.unlink()
        path.mkdir()
        with pytest.raises(MaskError, match="not a regular file"):
            read_mask(folder, sha, SHAPE)


class TestSegmentation:
    def test_volume_centre_and_stack(self, loaded):
        """36 voxels of 0.8 x 0.8 mm on slices 4 mm apart are 92.16 mm3, centred in the block."""
        _, _, stack = loaded
        mask = _mask()
        drawing = segmentation(stack, mask, mask_hash(mask))
        assert drawing.voxels == 36 and drawing.volume == pytest.approx(36 * 0.8 * 0.8 * 4.0)
        assert drawing.shape == SHAPE and drawing.unit.value == "mm"
        assert drawing.sop_instance_uid == stack.frames[0].file.sop_instance_uid
        # Block rows 2-4, columns 3-6, slices 1-3: centre (row 3, column 4.5, slice 2).
        assert drawing.centre == pytest.approx((4.5 * 0.8, 3 * 0.8, 8.0))
        assert segmentation_stack([stack], drawing) is stack

    def test_uneven_gaps(self, tmp_path):
        """Each slice stands for half the gap to each neighbour (end slices: their one gap)."""
        folder = tmp_path / "uneven"
        for k, z in enumerate((0.0, 2.0, 6.0)):
            write_series(folder, n=1, start=(0.0, 0.0, z), series_uid="1.2.3.9", study_uid=STUDY_UID,
                         prefix=f"S{k}")
        stack = load_study(folder).patients[0].studies[0].series[0].stacks[0]
        mask = np.zeros((3, 8, 10), bool)
        mask[:, 0, 0] = True
        area = 0.8 * 0.8
        assert segmentation(stack, mask, mask_hash(mask)).volume == pytest.approx(area * (2 + 3 + 4))

    def test_mask_of_another_grid_refused(self, loaded):
        _, _, stack = loaded
        with pytest.raises(MaskError, match="does not fit"):
            segmentation(stack, np.ones((5, 8, 9), bool), "0" * 64)


class TestDocument:
    def test_add_undo_redo_and_reopen(self, study_folder, loaded):
        """A stored mask is in both mask folders, its drawing is undoable, and reopening the
        study reads it back."""
        _, _, stack = loaded
        document = _document(study_folder, loaded)
        drawing = document.add_segmentation(stack, _mask(), proposed=True)
        assert drawing is not None and drawing.proposed
        for folder in document.mask_folders:
            assert mask_path(folder, drawing.mask_sha256).is_file()
        assert read_annotations(document.path)[0].lesion(1).annotations == (drawing,)
        document.undo()
        assert document.study.lesions == ()
        document.redo()
        reopened = _document(study_folder, loaded)
        found = reopened.study.lesion(1).annotations[0]
        assert np.array_equal(reopened.load_mask(found), _mask())

    def test_edited_mask_and_undo(self, study_folder, loaded):
        """A brush stroke stores a new mask; undo names the old one, which is still there."""
        _, _, stack = loaded
        document = _document(study_folder, loaded)
        first = document.add_segmentation(stack, _mask())
        painted = _mask(slices=(1, 2, 3, 4))
        assert document.replace_mask(first.id, stack, painted)
        edited = document.study.lesion(1).annotations[0]
        assert edited.id == first.id and edited.voxels == 48 and edited.mask_sha256 != first.mask_sha256
        document.undo()
        assert document.study.lesion(1).annotations[0] == first
        assert np.array_equal(document.load_mask(first), _mask())

    def test_keyed_copy_finds_its_masks(self, study_folder, loaded, tmp_path):
        """Opened from another copy of the study folder, the annotations come from the keyed copy
        and so do the masks; the next save copies them beside the new annotation file."""
        _, _, stack = loaded
        document = _document(study_folder, loaded)
        drawing = document.add_segmentation(stack, _mask(), proposed=True)
        copy = tmp_path / "copy"
        copy.mkdir()
        for name in os.listdir(study_folder):
            if not name.startswith("spineviewer-"):
                (copy / name).write_bytes((study_folder / name).read_bytes())
        other = _document(copy, loaded)
        assert other.path.parent == copy and other.study.lesion(1).annotations == (drawing,)
        assert np.array_equal(other.load_mask(drawing), _mask())
        other.apply(accept_annotations, [drawing.id], label="accept")
        assert mask_path(mask_folder(other.path), drawing.mask_sha256).is_file()

    def test_unreadable_mask_is_a_message_not_a_crash(self, study_folder, loaded):
        _, _, stack = loaded
        document = _document(study_folder, loaded)
        drawing = document.add_segmentation(stack, _mask())
        for folder in document.mask_folders:
            mask_path(folder, drawing.mask_sha256).write_bytes(b"garbage")
        fresh = _document(study_folder, loaded)
        with pytest.raises(MaskError, match="not a readable mask file"):
            fresh.load_mask(drawing)


class TestVolumeMetric:
    def test_accepted_mask_gives_the_volume(self, study_folder, loaded):
        """volume_mm3 comes from the accepted mask, with the mask as its source; a proposed mask
        gives none, and a rejected one is gone."""
        _, _, stack = loaded
        document = _document(study_folder, loaded)
        drawing = document.add_segmentation(stack, _mask(), proposed=True, role=Component.ENHANCEMENT)
        assert patient_metrics(document.study).lesions[0].volume is None
        document.apply(accept_annotations, [drawing.id], label="accept")
        volume = patient_metrics(document.study).lesions[0].volume
        assert volume.value == pytest.approx(92.16) and volume.sources == (drawing.id,)
        assert volume.key == "volume_mm3"
        document.undo()
        document.apply(reject_annotations, [drawing.id], label="reject")
        assert document.study.lesion(1).annotations == ()

    def test_t2_mask_is_not_the_volume(self, study_folder, loaded):
        _, _, stack = loaded
        document = _document(study_folder, loaded)
        document.add_segmentation(stack, _mask(), role=Component.T2)
        assert patient_metrics(document.study).lesions[0].volume is None


def test_volume_of_the_phantoms_true_mask(tmp_path):
    """The true mask of sample case 1's lesion, stored through the document and accepted, gives
    a volume_mm3 within 3% of the true lesion's (the ellipsoid; the mask is voxelised on
    3.3 mm sagittal slices), with the mask as its source; proposed, it gives none."""
    from spineviewer.phantom.lesion_truth import lesion_mask, lesion_volume_mm3
    from tests.conftest import SAMPLES

    result = load_study(SAMPLES / "case1-breast-t12")
    patient = result.patients[0]
    study = patient.studies[0]
    stack = next(s.stacks[0] for s in study.series if s.description == "SAG T1 TSE +C")
    # A folder that does not exist: the annotations and the mask go to the per-user folder,
    # never beside the committed sample.
    document = AnnotationDocument.open(tmp_path / "elsewhere", study, patient,
                                       user_folder=tmp_path / "user")
    drawing = document.add_segmentation(stack, lesion_mask(1, 1, stack), proposed=True)
    assert patient_metrics(document.study).lesions[0].volume is None
    document.apply(accept_annotations, [drawing.id], label="accept")
    volume = patient_metrics(document.study).lesions[0].volume
    assert volume.value == pytest.approx(lesion_volume_mm3(1, 1), rel=0.03)
    assert volume.sources == (drawing.id,) and volume.key == "volume_mm3"


class TestSegmentationInFiles:
    def _file(self, tmp_path, **changes):
        from dataclasses import replace as copy

        from spineviewer.core.annotation_codec import to_json
        from spineviewer.core.annotations import Lesion, Segmentation, StudyAnnotations

        drawing = Segmentation(series_instance_uid="1.2", sop_instance_uid="1.2.1",
                               mask_sha256="a" * 64, shape=SHAPE, voxels=36, volume=92.16,
                               centre=(1.0, 2.0, 3.0), proposed=True)
        study = StudyAnnotations.new("1.2.3", lesions=(Lesion(1, (drawing,)),))
        value = to_json(study)
        value["lesions"][0]["annotations"][0].update(changes)
        path = tmp_path / "a.json"
        path.write_text(json.dumps(value))
        return path, copy(drawing)

    def test_round_trip(self, tmp_path):
        path, drawing = self._file(tmp_path)
        assert read_annotations(path)[0].lesion(1).annotations == (drawing,)

    @pytest.mark.parametrize("changes", [
        {"shape": [100000, 512, 512]},        # beyond any stack
        {"shape": [1024, 1024, 1024]},        # each axis allowed, the whole too large
        {"voxels": 10 ** 6},                  # more voxels than the mask has
        {"mask_sha256": "../../etc/passwd"},  # a hash is a file name inside the mask folder
        {"volume": -1},
        {"centre_lps": [0, 0, 1e300]},
    ])
    def test_hostile_values_refused(self, tmp_path, changes):
        """A segmentation that cannot be a mask of a stack is refused when the file is read."""
        from spineviewer.core.annotation_file import AnnotationFileError

        path, _ = self._file(tmp_path, **changes)
        with pytest.raises(AnnotationFileError, match="lesions\\[0\\]"):
            read_annotations(path)


def test_anonymized_copy_carries_the_masks(study_folder, loaded, tmp_path, capsys):
    """``spineviewer anonymize`` writes the segmentation's mask beside the copy's annotation
    file, equal to the original; the drawing names the copy's remapped images."""
    from spineviewer.cli import main

    _, _, stack = loaded
    document = _document(study_folder, loaded)
    drawing = document.add_segmentation(stack, _mask())
    out = tmp_path / "anonymous"
    assert main(["anonymize", str(study_folder), str(out), "--pseudonym", "ANON01"]) == 0
    (copy,) = out.glob("*.spineviewer.json")
    carried = read_annotations(copy)[0].lesion(1).annotations[0]
    assert carried.mask_sha256 == drawing.mask_sha256
    assert carried.sop_instance_uid != drawing.sop_instance_uid
    assert np.array_equal(read_mask(mask_folder(copy), carried.mask_sha256, SHAPE), _mask())
    assert "not carried" not in capsys.readouterr().out
