"""Unit tests of crm_lifecycle.lib.bgbb (no database)."""
import math
import random
import unittest

from odoo.addons.crm_lifecycle.lib import bgbb

PARAMS = (1.2, 0.75, 0.66, 2.8)   # the order of magnitude of the paper's estimates


def _comb(n, k):
    return math.factorial(n) // (math.factorial(k) * math.factorial(n - k))


def simulate(params, customers, seed=7):
    """{(x, t_x, n): count} of a population drawn from the model itself."""
    alpha, beta, gamma, delta = params
    rng = random.Random(seed)
    summaries = {}
    for _customer in range(customers):
        p, theta, n = rng.betavariate(alpha, beta), rng.betavariate(gamma, delta), \
            rng.randint(5, 52)
        alive, weeks = True, []
        for t in range(1, n + 1):
            alive = alive and rng.random() >= theta
            if alive and rng.random() < p:
                weeks.append(t)
        key = (len(weeks), weeks[-1] if weeks else 0, n)
        summaries[key] = summaries.get(key, 0) + 1
    return summaries


class TestLikelihood(unittest.TestCase):

    def test_histories_of_n_windows_add_up_to_one(self):
        # Each (x, t_x) stands for C(t_x - 1, x - 1) histories of equal probability.
        for n in range(7):
            total = sum((_comb(t_x - 1, x - 1) if x else 1)
                        * math.exp(bgbb.log_likelihood(PARAMS, {(x, t_x, n): 1}))
                        for t_x in range(n + 1) for x in range(t_x + 1) if x or not t_x)
            self.assertAlmostEqual(total, 1.0, places=9, msg=n)

    def test_counts_weight_the_summaries(self):
        one = bgbb.log_likelihood(PARAMS, {(2, 5, 8): 1})
        self.assertAlmostEqual(bgbb.log_likelihood(PARAMS, {(2, 5, 8): 3}), 3 * one)

    def test_summaries_sharing_a_history_add_up_as_alone(self):
        # One call over many summaries (running sums shared by (x, t_x)) equals
        # the calls summary by summary.
        summaries = {(0, 0, 4): 2, (2, 5, 5): 1, (2, 5, 9): 4, (2, 5, 30): 1, (1, 1, 9): 3,
                     (7, 12, 12): 1, (7, 12, 20): 2}
        alone = sum(count * bgbb.log_likelihood(PARAMS, {key: 1})
                    for key, count in summaries.items())
        self.assertAlmostEqual(bgbb.log_likelihood(PARAMS, summaries), alone, places=9)


class TestPAlive(unittest.TestCase):

    def test_many_at_once_as_one_by_one(self):
        summaries = [(0, 0, 0), (0, 0, 9), (3, 5, 5), (3, 5, 40), (20, 20, 40)]
        many = bgbb.p_alive_many(PARAMS, summaries)
        for key in summaries:
            self.assertAlmostEqual(many[key], bgbb.p_alive(PARAMS, *key), places=12)

    def test_regular_orderer_is_alive(self):
        # Ordered in each of the last 26 weeks.
        self.assertGreater(bgbb.p_alive(PARAMS, 26, 26, 26), 0.95)

    def test_lapsed_orderer_is_gone(self):
        # Weekly for 20 weeks, then nothing for 20.
        self.assertLess(bgbb.p_alive(PARAMS, 20, 20, 40), 0.01)

    def test_brand_new_customer_gets_the_prior(self):
        # Born this week: alive unless it drops out now, mean delta / (gamma + delta).
        alpha, beta, gamma, delta = PARAMS
        self.assertAlmostEqual(bgbb.p_alive(PARAMS, 0, 0, 0), delta / (gamma + delta))

    def test_silence_lowers_p_alive(self):
        values = [bgbb.p_alive(PARAMS, 5, 10, n) for n in range(10, 20)]
        self.assertEqual(values, sorted(values, reverse=True))
        self.assertAlmostEqual(bgbb.p_alive(PARAMS, 5, 10, 10), 1.0 - 0.0, delta=0.2)

    def test_order_in_the_last_window_means_alive_through_it(self):
        # Ordering in window n proves the customer was alive then.
        alpha, beta, gamma, delta = PARAMS
        n = 12
        survive = math.exp(bgbb._lbeta(gamma, delta + n + 1) - bgbb._lbeta(gamma, delta + n))
        self.assertAlmostEqual(bgbb.p_alive(PARAMS, 3, n, n), survive)


class TestFit(unittest.TestCase):

    def test_recovers_the_parameters_of_a_simulated_population(self):
        true = (2.0, 1.0, 0.5, 8.0)
        summaries = simulate(true, 2000)
        fitted = bgbb.fit(summaries)
        self.assertGreaterEqual(bgbb.log_likelihood(fitted, summaries),
                                bgbb.log_likelihood(true, summaries))
        # Mean ordering and dropout probabilities are well identified.
        self.assertAlmostEqual(fitted[0] / (fitted[0] + fitted[1]), 2 / 3, delta=0.05)
        self.assertAlmostEqual(fitted[2] / (fitted[2] + fitted[3]), 0.5 / 8.5, delta=0.03)

    def test_too_few_customers_use_the_default(self):
        self.assertEqual(bgbb.fit({(3, 4, 5): 2}), bgbb.DEFAULT_PARAMS)

    def test_invalid_summary_is_refused(self):
        with self.assertRaisesRegex(ValueError, 'Invalid BG/BB summary'):
            bgbb.fit({(3, 2, 5): 30})
        with self.assertRaisesRegex(ValueError, 'Invalid BG/BB summary'):
            bgbb.fit({(0, 2, 5): 30})

    def test_nelder_mead_finds_a_quadratic_minimum(self):
        point, value = bgbb.nelder_mead(
            lambda p: (p[0] - 1) ** 2 + 2 * (p[1] + 3) ** 2, (0.0, 0.0), tolerance=1e-12)
        self.assertAlmostEqual(point[0], 1, places=3)
        self.assertAlmostEqual(point[1], -3, places=3)
        self.assertAlmostEqual(value, 0, places=5)


class TestSummarise(unittest.TestCase):

    def test_weekly_orderer(self):
        # First order 10 weeks ago, then every week including this one.
        self.assertEqual(bgbb.summarise(range(11), 10, 52), (10, 10, 10))

    def test_lapsed_orderer(self):
        # Weekly from 30 to 20 weeks ago, silent since.
        self.assertEqual(bgbb.summarise(range(20, 31), 30, 52), (10, 10, 30))

    def test_born_this_week(self):
        self.assertEqual(bgbb.summarise([0], 0, 52), (0, 0, 0))

    def test_history_before_the_horizon_is_cut(self):
        # First order 100 weeks ago: taken as born 52 weeks ago; orders in
        # weeks 60 and 52 are before or at birth and do not count as repeats.
        self.assertEqual(bgbb.summarise([60, 52, 40, 2], 100, 52), (2, 50, 52))
