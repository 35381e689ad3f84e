"""Scanning a selection that may hold many studies, reporting each study as soon as it is whole.

A case series arrives as a parent folder with one folder (or zip archive) per study, or as a
list of such folders. :func:`scan_studies` reads the headers *unit by unit* (each subfolder,
each zip archive, the loose files of the folder; each path given), and after every unit calls
``on_studies`` with the studies that unit contained, each already grouped into its own
:class:`~spineviewer.core.model.LoadResult`. A reader can so open the first study while the
rest of the folder is still being scanned. A study whose files are spread over several units
(the series folders of one study) is reported again, complete so far, after each of them.

A study's folder, where its annotation file lives, is the unit it was found in (the common
folder of several units): the same folder the workstation uses when the study is opened alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from spineviewer.core.annotation_file import study_folder
from spineviewer.core.frames import Frame
from spineviewer.core.loader import ProgressCallback, assemble, scan_headers
from spineviewer.core.model import LoadResult
from spineviewer.core.problems import Problem
from spineviewer.core.sources import find_files, is_hidden, is_own_file


@dataclass(eq=False)
class FoundStudy:
    """One study of a scanned selection.

    Attributes
    ----------
    uid : str
        StudyInstanceUID ('' for files that carry none).
    paths : list of str
        The units it was found in; :attr:`folder` is where its annotation file lives.
    result : LoadResult
        Its patient, the study and its series alone, with the problems of its units.
    """

    uid: str
    paths: list[str]
    result: LoadResult = field(default_factory=LoadResult)

    @property
    def folder(self) -> Path:
        return study_folder(self.paths)

    @property
    def study(self):
        """The :class:`~spineviewer.core.model.Study` (None when the scan found no image)."""
        patients = self.result.patients
        return patients[0].studies[0] if patients and patients[0].studies else None


def reading_units(paths) -> list[list[str]]:
    """The selection cut into units scanned one after another.

    A folder without a DICOMDIR gives its loose files (one unit), then each subfolder and each
    ``.zip`` archive in name order; any other path (a file, an archive, a DICOMDIR, a folder
    with a DICOMDIR) is one unit. Hidden entries and spineviewer's own companion files are left
    out, as the folder walk leaves them out (they are not images, and not problems either).
    """
    units: list[list[str]] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir() or (path / "DICOMDIR").is_file():
            units.append([str(path)])
            continue
        try:
            children = sorted(c for c in path.iterdir()
                              if not is_hidden(c.name) and not is_own_file(c.name))
        except OSError:
            units.append([str(path)])  # find_files names the reason
            continue
        nested = [c for c in children if c.is_dir() or c.suffix.lower() == ".zip"]
        loose = [str(c) for c in children if c.is_file() and c not in nested]
        if loose:
            units.append(loose)
        units += [[str(c)] for c in nested]
    return units


def scan_studies(paths, *, progress: ProgressCallback | None = None,
                 cancel: threading.Event | None = None,
                 on_first_image: Callable[[Frame], None] | None = None,
                 on_studies: Callable[[list[FoundStudy]], None] | None = None,
                 ) -> tuple[LoadResult, list[FoundStudy]]:
    """Scan a selection like :func:`~spineviewer.core.loader.load_study`, study by study.

    Parameters
    ----------
    paths : iterable of path-like
    progress, cancel, on_first_image
        As for :func:`~spineviewer.core.loader.load_study`; progress counts every file of
        the selection.
    on_studies : callable, optional
        Called after each unit with the studies it held (each with everything found of it
        so far), once the selection has shown two studies or more: a selection of one study
        is opened as it always was, and is not grouped twice.

    Returns
    -------
    whole : LoadResult
        Everything, as :func:`~spineviewer.core.loader.load_study` gives it.
    studies : list of FoundStudy
        Each study once, in the order the scan met them.
    """
    units = reading_units([str(p) for p in paths])
    listed = [find_files(unit) for unit in units]
    total = sum(len(sources) for sources, _ in listed)
    frames: list[Frame] = []
    problems: list[Problem] = []
    by_study: dict[str, list[Frame]] = {}
    units_of: dict[str, list[int]] = {}
    problems_of: list[list[Problem]] = []
    done = 0
    reported = False
    for index, (sources, unit_problems) in enumerate(listed):
        problems_of.append(list(unit_problems))
        met: list[str] = []
        for _, found, problem in scan_headers(sources, cancel=cancel):
            done += 1
            if found and not frames and on_first_image is not None:
                on_first_image(found[len(found) // 2])
            frames.extend(found)
            for frame in found:
                uid = frame.file.study_uid
                by_study.setdefault(uid, []).append(frame)
                if uid not in met:
                    met.append(uid)
                    units_of.setdefault(uid, [])
                    if index not in units_of[uid]:
                        units_of[uid].append(index)
            if problem is not None:
                problems_of[index].append(problem)
            if progress is not None:
                progress(done, total)
        problems += problems_of[index]
        if on_studies is not None and met and len(by_study) > 1:
            # The first report of a series also names the study met before the second one.
            report = met if reported else list(by_study)
            reported = True
            on_studies([_found(uid, units, units_of, by_study, problems_of) for uid in report])
        if cancel is not None and cancel.is_set():
            break
    studies = [_found(uid, units, units_of, by_study, problems_of) for uid in by_study]
    return assemble(frames, problems), studies


def _found(uid: str, units, units_of, by_study, problems_of) -> FoundStudy:
    indices = units_of[uid]
    unit_paths = [path for k in indices for path in units[k]]
    problems = [problem for k in indices for problem in problems_of[k]]
    # Loose files of a folder are one unit: their study's folder is that folder.
    if len(indices) == 1 and len(units[indices[0]]) > 1:
        unit_paths = [str(Path(units[indices[0]][0]).parent)]
    return FoundStudy(uid, unit_paths, assemble(by_study[uid], problems))
