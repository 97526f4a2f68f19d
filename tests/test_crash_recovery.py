"""A nightly job killed with kill -9, then run again, ends where one clean run ends.

Two copies of the demo database get the same work to do. On the first, a prefork
server (2 workers and a cron worker, as in production) runs the job once, as its
"Run Manually" button does. On the second, the server is killed with SIGKILL, all
its processes, as soon as the job has committed part of its work; it is started
again and runs the job again. Then the customers' tiers and stages and the whole
history (tier history, members, lifecycle events, and the activities, notes,
visits and mails the rules made) must be the same on both: nothing duplicated,
nothing missing.
"""
import threading
import time
import xmlrpc.client

import pytest

import crmdb
from conftest import PREFORK, OdooServer, hold_crons

# Each job: its cron, the SQL that gives it work to do, and the query that
# tells when it has committed part (not all) of that work.
JOBS = {
    'tier_recompute': (
        'crm_tiering.ir_cron_recompute_tiers',
        """DELETE FROM crm_tier_member;
           UPDATE res_partner SET tier_id = NULL;
           UPDATE crm_tier_scheme SET last_run_date = NULL""",
        """SELECT count(*) FILTER (WHERE last_run_date IS NOT NULL) BETWEEN 1 AND count(*) - 1
             FROM crm_tier_scheme WHERE active""",
    ),
    # Every customer staged again, so that the rules move many and act: the
    # kill lands after a batch's moves are committed and before their actions.
    'lifecycle_evaluation': (
        'crm_lifecycle.ir_cron_compute_lifecycle',
        """DELETE FROM crm_lifecycle_event;
           UPDATE res_partner SET lifecycle_stage_id = NULL, lifecycle_stage_date = NULL""",
        """SELECT EXISTS (SELECT 1 FROM crm_lifecycle_event
                          WHERE origin = 'rule' AND NOT actions_done)""",
    ),
}

# What the jobs write, without ids and timestamps of new rows (a crashed run
# spends sequence numbers on work it rolls back).
STATE = {
    'customers': """SELECT id, tier_id, lifecycle_stage_id, lifecycle_stage_date::date, churn_risk
                      FROM res_partner WHERE customer ORDER BY id""",
    'tier members': """SELECT partner_id, scheme_id, tier_id, computed_tier_id, value,
                              blended_value, position, bound, below_count, evaluated_on,
                              start_tier_id, start_below_count, override_id
                         FROM crm_tier_member""",
    'tier history': """SELECT partner_id, kind, scheme_id, previous_tier_id, tier_id, date::date,
                              source, metrics_snapshot, reason, approval_state
                         FROM crm_tier_assignment""",
    'lifecycle events': """SELECT partner_id, from_stage_id, to_stage_id, origin, reason,
                                  date::date, metrics_snapshot, rule_id, actions_done,
                                  actions_error, duration_days
                             FROM crm_lifecycle_event""",
    'activities': """SELECT res_model, res_id, activity_type_id, user_id, summary, note,
                            date_deadline FROM mail_activity""",
    'notes and messages': """SELECT model, res_id, message_type, subtype_id, body
                               FROM mail_message WHERE model IS NOT NULL""",
    'visits': "SELECT partner_id, route_id, user_id, date, state FROM crm_visit",
    'queued mails': """SELECT m.model, m.res_id, m.subject, mm.email_to
                         FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id""",
}


def _state(dbname):
    return {name: sorted(crmdb.sql(query, dbname=dbname), key=repr)
            for name, query in STATE.items()}


def _prepare(name, template, work):
    crmdb.create_db(name, template=template)
    for statement in work.split(';'):
        crmdb.sql(statement, dbname=name)
    hold_crons(name)


def _run_job(server, cron_xmlid):
    admin = server.rpc('admin', 'admin')
    cron = admin('ir.model.data', 'xmlid_to_res_id', [cron_xmlid])
    admin('ir.cron', 'method_direct_trigger', [[cron]])


def _run_job_until_killed(server, cron_xmlid, partly_done):
    """Start the job, kill -9 the server once ``partly_done`` holds; return whether
    the job had committed part of its work (and not all of it) at that moment."""
    caller = threading.Thread(target=_call_ignoring_the_crash,
                              args=(_run_job, server, cron_xmlid), daemon=True)
    caller.start()
    deadline = time.time() + 300
    while caller.is_alive() and time.time() < deadline:
        if crmdb.sql(partly_done, dbname=server.dbname)[0][0]:
            server.kill()
            caller.join(30)
            return True
        time.sleep(0.02)
    return False


def _call_ignoring_the_crash(function, *args):
    try:
        function(*args)
    except (ConnectionError, xmlrpc.client.ProtocolError, xmlrpc.client.Fault):
        pass  # the server died under the call


@pytest.mark.parametrize('job', sorted(JOBS))
def test_a_killed_job_run_again_ends_as_an_uninterrupted_run(job, demo_template, capsys):
    cron, work, partly_done = JOBS[job]
    clean, crashed = crmdb.test_db('crm_test_crash_clean'), crmdb.test_db('crm_test_crash_killed')
    try:
        _prepare(clean, demo_template, work)
        _prepare(crashed, demo_template, work)
        with OdooServer(clean, 'crash-%s-clean' % job, PREFORK) as server:
            _run_job(server, cron)
        with OdooServer(crashed, 'crash-%s-killed' % job, PREFORK) as server:
            assert _run_job_until_killed(server, cron, partly_done), \
                'the job finished before it could be killed half-way'
        with OdooServer(crashed, 'crash-%s-restarted' % job, PREFORK) as server:
            _run_job(server, cron)
            assert not server.bad_log_lines()
        expected, state = _state(clean), _state(crashed)
        for name in STATE:
            assert state[name] == expected[name], '%s differ after the crash' % name
        with capsys.disabled():
            print('\ncrash during %s: kill -9 half-way, restart, run again; the same %s' % (
                job, ', '.join('%d %s' % (len(rows), name) for name, rows in state.items())))
    finally:
        crmdb.drop_db(clean)
        crmdb.drop_db(crashed)
