from . import test_kpi_access
from . import test_kpi_inventory
from . import test_kpi_accounting
