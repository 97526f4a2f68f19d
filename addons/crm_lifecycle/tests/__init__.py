from . import test_lifecycle_access
