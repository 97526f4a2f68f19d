from . import test_kpi_access
from . import test_lib_relationship
from . import test_kpi_customers
