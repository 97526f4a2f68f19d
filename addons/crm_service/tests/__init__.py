from . import test_service_access
