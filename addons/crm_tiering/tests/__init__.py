from . import test_tiering_access
