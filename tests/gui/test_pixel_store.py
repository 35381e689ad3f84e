"""The pixel store and a volume being decoded: the slice on screen leads the load."""

import threading

from spineviewer.core.loader import load_study
from spineviewer.gui.reading.pixel_store import PixelStore
from spineviewer.gui.shell.background import BackgroundWork
from tests.conftest import write_series


def test_slice_on_screen_is_the_focus_and_comes_from_the_volume_being_decoded(qtbot, tmp_path):
    """Asking for a slice makes it the stack's focus; once the volume being decoded has it,
    the store answers at once, without decoding it again."""
    write_series(tmp_path, n=5)
    stack = next(load_study(tmp_path).iter_stacks())
    work = BackgroundWork()
    store = PixelStore(work)
    assert store.slice(stack, 3) is None and stack.focus == 3
    qtbot.waitUntil(lambda: not work.running(), timeout=5000)

    first_done, resume = threading.Event(), threading.Event()

    def held(done, total):  # the load's own thread waits here: the volume is not finished
        first_done.set()
        resume.wait(10)

    loading = threading.Thread(target=lambda: stack.volume(progress=held))
    loading.start()
    try:
        assert first_done.wait(10)
        qtbot.waitUntil(lambda: stack.decoded_slice(3) is not None, timeout=5000)
        pixels = store.slice(stack, 3)
        assert pixels is not None and pixels[1, 1] == 400 and not work.running()
    finally:
        resume.set()
        loading.join(10)
    assert stack.is_loaded
