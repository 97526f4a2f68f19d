from . import test_kpi_access
from . import test_kpi_service
from . import test_kpi_lifecycle
