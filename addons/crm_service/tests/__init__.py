from . import test_service_access
from . import test_lib_tour
from . import test_visit_route
from . import test_lib_batching
from . import test_delivery_batch
