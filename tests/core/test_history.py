"""Undo and redo of study annotations, and the observer."""

import gc

import pytest

from spineviewer.core import edits
from spineviewer.core.annotations import LesionFindings, StudyAnnotations
from spineviewer.core.history import History, Signal


def _history(**kwargs):
    return History(StudyAnnotations("1.2.3"), **kwargs)


class TestSignal:
    def test_callbacks_in_order(self):
        """Callbacks get the emitted arguments, in connection order."""
        signal, calls = Signal(), []
        signal.connect(lambda v: calls.append(("a", v)))
        signal.connect(lambda v: calls.append(("b", v)))
        signal.emit(1)
        assert calls == [("a", 1), ("b", 1)]

    def test_disconnect(self):
        """A disconnected callback is not called; disconnecting twice is harmless."""
        signal, calls = Signal(), []
        signal.connect(calls.append)
        signal.disconnect(calls.append)
        signal.disconnect(calls.append)
        signal.emit(1)
        assert calls == []

    def test_dead_view_is_dropped(self):
        """A bound method is held weakly: a deleted view is not called or kept alive."""
        class View:
            calls = []

            def update(self, value):
                View.calls.append(value)

        signal, view = Signal(), View()
        signal.connect(view.update)
        signal.emit(1)
        del view
        gc.collect()
        signal.emit(2)
        assert View.calls == [1]


class TestHistory:
    def test_undo_redo_sequence(self):
        """add, add, undo, undo, redo gives one lesion; labels follow."""
        h = _history()
        h.push(edits.add_lesion(h.state), "add lesion 1")
        h.push(edits.add_lesion(h.state), "add lesion 2")
        assert h.undo_label == "add lesion 2" and not h.can_redo
        h.undo()
        h.undo()
        assert h.state.lesions == () and not h.can_undo and h.redo_label == "add lesion 1"
        assert len(h.redo().lesions) == 1
        assert h.undo_label == "add lesion 1" and h.redo_label == "add lesion 2"

    def test_push_after_undo_drops_redo(self):
        """A new edit after undo discards the undone branch."""
        h = _history()
        h.push(edits.add_lesion(h.state), "add lesion")
        h.undo()
        h.push(StudyAnnotations("1.2.3", reader="me"), "set reader")
        assert not h.can_redo and h.labels == ["set reader"]

    def test_nothing_to_undo(self):
        """Undo and redo at the ends return the current value and do not emit."""
        h, seen = _history(), []
        h.changed.connect(seen.append)
        assert h.undo() is h.state and h.redo() is h.state and seen == []

    def test_equal_push_ignored(self):
        """Pushing an unchanged value adds no step."""
        h = _history()
        h.push(StudyAnnotations("1.2.3"), "nothing")
        assert not h.can_undo

    def test_limit(self):
        """Beyond the limit, the oldest steps are forgotten."""
        h = _history(limit=3)
        for k in range(5):
            h.push(edits.add_lesion(h.state), f"add {k + 1}")
        assert h.labels == ["add 3", "add 4", "add 5"]
        while h.can_undo:
            h.undo()
        assert len(h.state.lesions) == 2

    def test_merge_key_joins_steps(self):
        """Typing into one notes field is one undo step."""
        h = _history()
        h.push(edits.add_lesion(h.state), "add lesion")
        for text in ("f", "fl", "flame"):
            h.push(edits.set_lesion_findings(h.state, 1, LesionFindings(notes=text)), "edit notes",
                   merge_key=("notes", 1))
        assert h.labels == ["add lesion", "edit notes"]
        assert h.undo().lesion(1).findings.notes == ""

    def test_merge_stops_after_undo(self):
        """After an undo, the same merge key starts a new step."""
        h = _history()
        h.push(StudyAnnotations("1.2.3", reader="a"), "reader", merge_key="r")
        h.undo()
        h.push(StudyAnnotations("1.2.3", reader="b"), "reader", merge_key="r")
        assert h.labels == ["reader"] and h.undo().reader == ""

    def test_changed_emitted_with_the_state(self):
        """Observers get the current value after push, undo, redo and reset."""
        h, seen = _history(), []
        h.changed.connect(seen.append)
        h.push(edits.add_lesion(h.state), "add")
        h.undo()
        h.redo()
        h.reset(StudyAnnotations("9.9"))
        assert [len(s.lesions) for s in seen[:3]] == [1, 0, 1]
        assert seen[3].study_instance_uid == "9.9" and not h.can_undo

    def test_limit_must_be_positive(self):
        """A history keeps at least one step."""
        with pytest.raises(ValueError):
            _history(limit=0)
