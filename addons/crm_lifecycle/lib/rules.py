"""Rule matching of the lifecycle engine (no Odoo import).

A customer is described by a dict of facts: its ``stage_id``, ``days_in_stage``
and its metrics (``last_order_days``, ``gap_ratio``, ``order_count``,
``revenue_trend``, ``churn_risk``), None where unknown. A rule is a dict with
its ``id``, ``from_stage_ids`` (a set; empty means any stage), ``to_stage_id``,
``min_days_in_stage`` and its thresholds (see THRESHOLDS). A threshold of 0 (or
None) is off; a set threshold fails on an unknown metric.
"""

# threshold name: (metric, test(value, threshold))
THRESHOLDS = {
    'min_last_order_days': ('last_order_days', lambda value, limit: value >= limit),
    'min_gap_ratio': ('gap_ratio', lambda value, limit: value >= limit),
    'max_gap_ratio': ('gap_ratio', lambda value, limit: value <= limit),
    'min_order_count': ('order_count', lambda value, limit: value >= limit),
    'min_revenue_drop': ('revenue_trend', lambda value, limit: value <= -limit),
    'min_churn_risk': ('churn_risk', lambda value, limit: value >= limit),
}


def thresholds_match(facts, rule):
    """True when ``facts`` pass every threshold that ``rule`` sets."""
    for name, (metric, test) in THRESHOLDS.items():
        limit = rule.get(name)
        if not limit:
            continue
        value = facts.get(metric)
        if value is None or not test(value, limit):
            return False
    if rule.get('ordered_in_stage'):
        # An order after the customer entered its stage.
        last = facts.get('last_order_days')
        if last is None or last >= facts.get('days_in_stage', 0):
            return False
    return True


def candidates(customers, rule, taken):
    """Ids of ``customers`` ({id: facts}) not in ``taken`` that ``rule`` may move:
    in one of its from-stages, long enough in it, not already in its target, and
    passing its thresholds. The rule's domain is checked by the caller, once for
    all of them."""
    from_stages = rule.get('from_stage_ids') or set()
    result = []
    for pid, facts in customers.items():
        if pid in taken or facts['stage_id'] == rule['to_stage_id']:
            continue
        if from_stages and facts['stage_id'] not in from_stages:
            continue
        if facts.get('days_in_stage', 0) < (rule.get('min_days_in_stage') or 0):
            continue
        if thresholds_match(facts, rule):
            result.append(pid)
    return sorted(result)


def first_matches(customers, rules, domain_filter):
    """{customer id: rule id} of the first rule (``rules`` in priority order) that
    matches each customer. ``domain_filter(rule, ids)`` returns the ids among
    ``ids`` that satisfy the rule's domain (all of them without a domain)."""
    chosen = {}
    for rule in rules:
        ids = candidates(customers, rule, chosen)
        if ids:
            for pid in domain_filter(rule, ids):
                chosen[pid] = rule['id']
    return chosen
