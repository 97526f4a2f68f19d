"""The beta-geometric/beta-Bernoulli (BG/BB) model of Fader, Hardie and Shang,
"Customer-Base Analysis in a Discrete-Time Noncontractual Setting", Marketing
Science 29(6), 2010.

Time is cut into transaction opportunities; here one opportunity is one weekly
ordering window. Each customer

* is born in the window of its first order (opportunity 0, not counted);
* while alive, orders in a window with probability ``p``, p ~ Beta(alpha, beta)
  across customers;
* at the start of every later window, dies for good with probability ``theta``,
  theta ~ Beta(gamma, delta) across customers.

A customer is summarised by ``(x, t_x, n)``: ``n`` windows since birth, ``x`` of
them with an order, the last of which is window ``t_x`` (0 when x is 0).

The four parameters are fitted by maximum likelihood over all customers of a
company with a Nelder-Mead search on their logarithms (so they stay positive).
Customers with the same ``(x, t_x, n)`` share one likelihood term, weighted by
their number, so the cost of one evaluation grows with the distinct summaries
(at most one per (x, t_x, n) with n bounded by the horizon), not with the
number of customers.

P(alive) is the probability that the customer is still alive in window n + 1,
the one that starts now (equation 11 of the paper).
"""
import math

# Used when there are too few customers to fit: a moderately loyal population
# (mean p = 0.5, mean weekly dropout = 1/11).
DEFAULT_PARAMS = (1.0, 1.0, 1.0, 10.0)
MIN_CUSTOMERS_TO_FIT = 20


def _lbeta(a, b):
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _log_terms(params, x, t_x, n):
    """(log of the 'alive through n' term, log of the full likelihood)."""
    alpha, beta, gamma, delta = params
    base_ab = _lbeta(alpha, beta)
    base_gd = _lbeta(gamma, delta)
    alive = (_lbeta(alpha + x, beta + n - x) - base_ab
             + _lbeta(gamma, delta + n) - base_gd)
    # Dead after window t_x + i, i = 0 .. n - t_x - 1. Consecutive terms differ
    # by a simple ratio, so only the first needs log-gamma.
    total = 0.0
    if n > t_x:
        first = (_lbeta(alpha + x, beta + t_x - x) - base_ab
                 + _lbeta(gamma + 1, delta + t_x) - base_gd)
        term = 1.0
        for i in range(n - t_x):
            if i:
                k = t_x + i - 1
                term *= ((beta + k - x) / (alpha + beta + k)
                         * (delta + k) / (gamma + delta + 1 + k))
            total += term
        dead = first + math.log(total)
        top = max(alive, dead)
        full = top + math.log(math.exp(alive - top) + math.exp(dead - top))
    else:
        full = alive
    return alive, full


def log_likelihood(params, summaries):
    """Sum of the log-likelihoods; ``summaries`` maps (x, t_x, n) to a count."""
    return sum(count * _log_terms(params, x, t_x, n)[1]
               for (x, t_x, n), count in summaries.items())


def p_alive(params, x, t_x, n):
    """Probability that a customer with summary (x, t_x, n) is alive in window n + 1."""
    alpha, beta, gamma, delta = params
    alive, full = _log_terms(params, x, t_x, n)
    # Alive in n + 1 = alive through n and survived one more dropout draw.
    survive = _lbeta(gamma, delta + n + 1) - _lbeta(gamma, delta + n)
    return min(1.0, max(0.0, math.exp(alive + survive - full)))


def nelder_mead(func, start, step=0.5, tolerance=1e-6, max_iterations=400):
    """Minimise ``func`` from ``start`` (a tuple); return (point, value).

    The textbook simplex search (reflection 1, expansion 2, contraction 0.5,
    shrink 0.5), enough for four smooth dimensions.
    """
    dims = len(start)
    simplex = [tuple(start)]
    for i in range(dims):
        point = list(start)
        point[i] += step
        simplex.append(tuple(point))
    values = [func(point) for point in simplex]
    for _iteration in range(max_iterations):
        order = sorted(range(dims + 1), key=lambda j: values[j])
        simplex = [simplex[j] for j in order]
        values = [values[j] for j in order]
        if abs(values[-1] - values[0]) <= tolerance * (1 + abs(values[0])):
            break
        centroid = [sum(p[i] for p in simplex[:-1]) / dims for i in range(dims)]
        worst = simplex[-1]

        def towards(factor):
            return tuple(c + factor * (w - c) for c, w in zip(centroid, worst))
        reflected = towards(-1.0)
        f_reflected = func(reflected)
        if f_reflected < values[0]:
            expanded = towards(-2.0)
            f_expanded = func(expanded)
            if f_expanded < f_reflected:
                simplex[-1], values[-1] = expanded, f_expanded
            else:
                simplex[-1], values[-1] = reflected, f_reflected
        elif f_reflected < values[-2]:
            simplex[-1], values[-1] = reflected, f_reflected
        else:
            contracted = towards(0.5 if f_reflected >= values[-1] else -0.5)
            f_contracted = func(contracted)
            if f_contracted < min(values[-1], f_reflected):
                simplex[-1], values[-1] = contracted, f_contracted
            else:
                best = simplex[0]
                simplex = [best] + [tuple(b + 0.5 * (p - b) for b, p in zip(best, point))
                                    for point in simplex[1:]]
                values = [values[0]] + [func(point) for point in simplex[1:]]
    best = min(range(dims + 1), key=lambda j: values[j])
    return simplex[best], values[best]


def fit(summaries, start=DEFAULT_PARAMS, max_iterations=400):
    """Maximum-likelihood (alpha, beta, gamma, delta) for ``summaries``
    ({(x, t_x, n): count}). Too few customers: DEFAULT_PARAMS."""
    if sum(summaries.values()) < MIN_CUSTOMERS_TO_FIT:
        return DEFAULT_PARAMS
    for x, t_x, n in summaries:
        if not (0 <= x <= t_x <= n and (x > 0 or t_x == 0)):
            raise ValueError("Invalid BG/BB summary (x=%s, t_x=%s, n=%s)." % (x, t_x, n))

    def objective(logs):
        # Parameters beyond e^±10 are degenerate: keep the search away from them.
        if any(abs(value) > 10 for value in logs):
            return float('inf')
        return -log_likelihood(tuple(math.exp(v) for v in logs), summaries)
    logs, _value = nelder_mead(objective, tuple(math.log(v) for v in start),
                               max_iterations=max_iterations)
    return tuple(math.exp(v) for v in logs)


def summarise(order_weeks, birth_week, horizon):
    """(x, t_x, n) of one customer from the weekly windows it ordered in.

    Windows are counted back from now: 0 is the last seven days, 1 the seven
    before, and so on. ``order_weeks`` holds the windows with an order (any
    order), ``birth_week`` the window of the first order ever. History older
    than ``horizon`` windows is cut: a customer born earlier is taken as born in
    window ``horizon`` (left truncation, so every customer is judged on the same
    recent span).
    """
    birth = min(birth_week, horizon)
    repeat = sorted({birth - week for week in order_weeks if 0 <= week < birth})
    x = len(repeat)
    return x, (repeat[-1] if repeat else 0), birth
