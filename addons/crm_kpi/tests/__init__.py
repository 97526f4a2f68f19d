from . import test_kpi_access
from . import test_kpi_sales
from . import test_kpi_workbook
from . import test_lib_workbook
from . import test_lib_relationship
from . import test_kpi_customers
from . import test_kpi_service
from . import test_kpi_lifecycle
