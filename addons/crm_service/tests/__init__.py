from . import test_service_access
from . import test_lib_tour
from . import test_lib_sla
from . import test_visit_route
from . import test_lib_planning
from . import test_visit
from . import test_visit_order
from . import test_service_request
