"""Wall-clock phases and peak memory of the current process."""
import contextlib
import resource
import time


class Timer(object):
    """``with timer('phase'):`` adds the phase's seconds to ``phases``."""

    def __init__(self):
        self.phases = []

    @contextlib.contextmanager
    def __call__(self, name):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.phases.append((name, time.perf_counter() - start))

    def total(self):
        return sum(seconds for _name, seconds in self.phases)


def peak_rss_mb():
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
