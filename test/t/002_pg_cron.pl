# Scheduling orchestration_session_abandon with pg_cron: a job every minute
# finishes a session that has been open for 7 hours and leaves a fresh one
# open.  Skipped when pg_cron (Debian postgresql-N-cron) is not installed.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cron');

# pg_config of the cluster's major (first on PATH under prove_installcheck);
# config_data() is not in 13's PostgresNode, behind its compatibility shim.
chomp(my $sharedir = `pg_config --sharedir`);
chomp(my $major = `pg_config --version`);
$major =~ s/^PostgreSQL (\d+).*/$1/;
plan skip_all => "pg_cron is not installed ($sharedir/extension/pg_cron.control missing; Debian package postgresql-$major-cron)"
  unless -f "$sharedir/extension/pg_cron.control";

$node->init;
# Background workers instead of libpq connections to cron.host: the test
# cluster listens on a Unix socket in a temporary directory only.
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 16
});
$node->start;

$node->safe_psql('postgres', q{
    CREATE EXTENSION pg_cron;
    CREATE EXTENSION orchestration_session;
    SELECT orchestration_device_ensure('cron-host', device_id => 'DEV-C');
    SELECT orchestration_session_start('DEV-C', 'surveilr-transform-csv', '1.0', session_id => 'S-STALE');
    UPDATE orchestration_session SET orch_started_at = now() - interval '7 hours'
     WHERE orchestration_session_id = 'S-STALE';
    SELECT orchestration_session_start('DEV-C', 'surveilr-transform-csv', '1.0', session_id => 'S-FRESH');
});

# pg_cron 1.4 has minute granularity ('N seconds' needs 1.5): the first run
# is at the next minute boundary, so this waits up to about 60 s.
my $jobid = $node->safe_psql('postgres', q{
    SELECT cron.schedule('orchestration-abandon', '* * * * *',
                         $$SELECT orchestration_session_abandon(interval '6 hours')$$)});
like($jobid, qr/^\d+$/, 'job scheduled');

ok( $node->poll_query_until('postgres', q{
        SELECT orch_finished_at IS NOT NULL FROM orchestration_session
         WHERE orchestration_session_id = 'S-STALE'}),
    'the cron job finished the session open for 7 hours');

# The run's details are written when the job ends, just after its commit.
ok( $node->poll_query_until('postgres', qq{
        SELECT count(*) > 0 FROM cron.job_run_details
         WHERE jobid = $jobid AND status = 'succeeded'}),
    'cron.job_run_details shows a succeeded run');
is( $node->safe_psql('postgres', qq{
        SELECT count(*) FROM cron.job_run_details WHERE jobid = $jobid AND status <> 'succeeded'}),
    '0',
    'no failed run');

is( $node->safe_psql('postgres', q{
        SELECT diagnostics_json::jsonb ->> 'status',
               (SELECT to_state FROM orchestration_session_state
                 WHERE session_id = 'S-STALE' ORDER BY transitioned_at DESC LIMIT 1)
          FROM orchestration_session WHERE orchestration_session_id = 'S-STALE'}),
    'abandoned|abandoned',
    'the stale session is abandoned: diagnostics and final transition');

is( $node->safe_psql('postgres', q{
        SELECT orch_finished_at IS NULL FROM orchestration_session
         WHERE orchestration_session_id = 'S-FRESH'}),
    't',
    'the fresh open session is not abandoned');

$node->stop;
done_testing();
