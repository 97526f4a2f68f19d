from . import test_kpi_access
