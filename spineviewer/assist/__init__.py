"""Assisted measurement: the software proposes, the reader accepts, corrects or rejects.

Qt-free and independent of the GUI: every proposal is a pure function of the loaded stacks (and
of the reader's seed click), returns values in patient LPS mm, and refuses with
:class:`AssistRefusal` and a sentence for the reader instead of proposing something it cannot
stand behind. The GUI (``gui/annotation``) shows proposals in their own style until accepted;
``spineviewer assist`` writes them to an annotation file marked as proposed.
"""

from spineviewer.assist.refusal import AssistCancelled, AssistRefusal, check_cancel

__all__ = ["AssistCancelled", "AssistRefusal", "check_cancel"]
