from . import test_kpi_access
from . import test_kpi_visits
from . import test_kpi_delivery
