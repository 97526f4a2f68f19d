from . import test_tiering_access
from . import test_lib_scoring
from . import test_lib_cuts
from . import test_value_metrics
from . import test_lib_grading
from . import test_tier_schemes
from . import test_lib_periods
from . import test_order_enforcement
