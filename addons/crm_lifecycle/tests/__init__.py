from . import test_lib_bgbb
from . import test_lib_risk
from . import test_lifecycle_access
from . import test_lifecycle_metrics
from . import test_lifecycle_stages
from . import test_lib_rules
from . import test_lifecycle_rules
