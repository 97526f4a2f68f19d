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


class _LogGamma(object):
    """The log-gamma values one parameter set needs, at integer offsets 0..size:
    a summary's terms then cost a few lookups, not a dozen log-gammas."""

    def __init__(self, params, size):
        alpha, beta, gamma, delta = self.params = params
        offsets = range(size + 2)
        self.a = [math.lgamma(alpha + k) for k in offsets]
        self.b = [math.lgamma(beta + k) for k in offsets]
        self.ab = [math.lgamma(alpha + beta + k) for k in offsets]
        self.d = [math.lgamma(delta + k) for k in offsets]
        self.gd = [math.lgamma(gamma + delta + k) for k in offsets]
        self.g, self.g1 = math.lgamma(gamma), math.lgamma(gamma + 1)
        self.base = _lbeta(alpha, beta) + _lbeta(gamma, delta)

    def alive(self, x, n):
        """log of 'alive through window n' with x orders."""
        return (self.a[x] + self.b[n - x] - self.ab[n]
                + self.g + self.d[n] - self.gd[n] - self.base)

    def first_dead(self, x, t_x):
        """log of 'dead right after window t_x'."""
        return (self.a[x] + self.b[t_x - x] - self.ab[t_x]
                + self.g1 + self.d[t_x] - self.gd[t_x + 1] - self.base)

    def full(self, x, t_x, n, dead_sum):
        """log of the likelihood: alive through n, or dead after t_x + i for some
        i < n - t_x (``dead_sum`` adds those terms relative to the first)."""
        alive = self.alive(x, n)
        if not dead_sum:
            return alive
        dead = self.first_dead(x, t_x) + math.log(dead_sum)
        top = max(alive, dead)
        return top + math.log(math.exp(alive - top) + math.exp(dead - top))

    def dead_sums(self, x, t_x, lengths):
        """For each number of terms in ``lengths`` (ascending), the sum of the first
        ones. Consecutive terms differ by a simple ratio: no log-gamma needed."""
        alpha, beta, gamma, delta = self.params
        total, term, k, summed = 0.0, 1.0, t_x, 0
        for length in lengths:
            while summed < length:
                total += term
                term *= ((beta + k - x) / (alpha + beta + k)
                         * (delta + k) / (gamma + delta + 1 + k))
                k += 1
                summed += 1
            yield total


def log_likelihood(params, summaries):
    """Sum of the log-likelihoods; ``summaries`` maps (x, t_x, n) to a count.

    The fit evaluates this a few hundred times over up to a few thousand
    summaries: the log-gammas come from one table, and summaries with the same
    (x, t_x) share one running sum of their 'dead after' terms."""
    by_history = {}
    for (x, t_x, n), count in summaries.items():
        by_history.setdefault((x, t_x), []).append((n, count))
    table = _LogGamma(params, max((n for _x, _t, n in summaries), default=0))
    total = 0.0
    for (x, t_x), counts in by_history.items():
        counts.sort()
        sums = table.dead_sums(x, t_x, [n - t_x for n, _count in counts])
        for (n, count), dead_sum in zip(counts, sums):
            total += count * table.full(x, t_x, n, dead_sum)
    return total


def p_alive(params, x, t_x, n):
    """Probability that a customer with summary (x, t_x, n) is alive in window n + 1."""
    return p_alive_many(params, [(x, t_x, n)])[(x, t_x, n)]


def p_alive_many(params, summaries):
    """{summary: P(alive in window n + 1)} for the summaries (x, t_x, n), with one table."""
    table = _LogGamma(params, max((n for _x, _t, n in summaries), default=0))
    result = {}
    for x, t_x, n in summaries:
        dead_sum = next(table.dead_sums(x, t_x, [n - t_x]))
        # Alive in n + 1 = alive through n and survived one more dropout draw:
        # B(gamma, delta + n + 1) / B(gamma, delta + n).
        survive = table.d[n + 1] - table.gd[n + 1] - table.d[n] + table.gd[n]
        log_p = table.alive(x, n) + survive - table.full(x, t_x, n, dead_sum)
        result[(x, t_x, n)] = min(1.0, max(0.0, math.exp(log_p)))
    return result


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
