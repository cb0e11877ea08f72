# Recovery after a crash: orchestration_session_abandon(..., only_dead_backends
# => true) finishes exactly the sessions that were open when the server
# crashed (their backends are all gone), and leaves alone a session that was
# finished before the crash and one a live connection started after restart.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
    CREATE EXTENSION orchestration_session;
    SELECT orchestration_device_ensure('tap-host', device_id => 'DEV-T');
});

sub start_sql
{
    my ($id) = @_;
    return "SELECT orchestration_session_start('DEV-T', 'surveilr-transform-csv', '1.0', session_id => '$id')";
}

# Finished before the crash.
$node->safe_psql('postgres', start_sql('S-DONE') . ';'
      . q{SELECT orchestration_session_transition('S-DONE', 'done', 'all good');
          SELECT orchestration_session_finish('S-DONE', '{"status":"ok"}', 'fine');});
my $done_before = $node->safe_psql('postgres', q{
    SELECT orch_finished_at, diagnostics_json, diagnostics_md,
           (SELECT string_agg(from_state || '>' || to_state, ',' ORDER BY transitioned_at)
              FROM orchestration_session_state WHERE session_id = 'S-DONE')
      FROM orchestration_session WHERE orchestration_session_id = 'S-DONE'});
like($done_before, qr/^[^|]+\|\{"status":"ok"\}\|fine\|INITIAL>done$/,
    'a session finished before the crash');

# Open sessions committed by connections that stay open until the crash.
my $b1 = $node->background_psql('postgres');
my $b2 = $node->background_psql('postgres');
my $b3 = $node->background_psql('postgres');
$b1->query_safe(start_sql('S-OPEN-1'));
$b2->query_safe(start_sql('S-OPEN-2'));
$b2->query_safe(q{SELECT orchestration_session_transition('S-OPEN-2', 'running', 'working')});
$b2->query_safe(q{SELECT orchestration_session_add_entry('S-OPEN-2', 'file.csv')});
# A session whose starting transaction is still open at the crash: it never
# existed as far as recovery is concerned.
$b3->query_safe('BEGIN');
$b3->query_safe(start_sql('S-UNCOMMITTED'));
# And one whose backend exited before the crash (safe_psql disconnects).
$node->safe_psql('postgres', start_sql('S-OPEN-3'));

is( $node->safe_psql('postgres', q{
        SELECT count(*) FROM orchestration_session s
          JOIN orchestration_session_backend b ON b.session_id = s.orchestration_session_id
          JOIN pg_stat_activity a ON a.pid = b.pid AND a.backend_start = b.backend_start
         WHERE s.orch_finished_at IS NULL}),
    '2',
    'before the crash: two open sessions have a live backend');

# Crash.
$node->stop('immediate');
for my $b ($b1, $b2, $b3)
{
    eval { $b->quit; };    # psql lost its server; any exit status will do
}
$node->start;

is( $node->safe_psql('postgres', q{
        SELECT string_agg(orchestration_session_id, ',' ORDER BY orchestration_session_id)
          FROM orchestration_session WHERE orch_finished_at IS NULL}),
    'S-OPEN-1,S-OPEN-2,S-OPEN-3',
    'after restart: the committed open sessions are still open, the uncommitted one is gone');

# A live connection starts a session after the restart and keeps it open.
my $live = $node->background_psql('postgres');
$live->query_safe(start_sql('S-AFTER'));
my $live_pid = $live->query_safe('SELECT pg_backend_pid()');

is( $node->safe_psql('postgres',
        q{SELECT orchestration_session_abandon(interval '0', 'server crashed', only_dead_backends => true)}),
    '3',
    'abandon finishes exactly the three sessions open at the crash');

is( $node->safe_psql('postgres', q{
        SELECT string_agg(s.orchestration_session_id || ':' || (s.diagnostics_json::jsonb ->> 'status')
                          || ':' || (s.diagnostics_json::jsonb ->> 'reason')
                          || ':' || st.from_state || '>' || st.to_state || ':' || st.transition_reason
                          || ':' || (st.transitioned_at = s.orch_finished_at),
                          ',' ORDER BY s.orchestration_session_id)
          FROM orchestration_session s
          JOIN LATERAL (SELECT * FROM orchestration_session_state t
                         WHERE t.session_id = s.orchestration_session_id
                         ORDER BY t.transitioned_at DESC, t.orchestration_session_state_id DESC
                         LIMIT 1) st ON true
         WHERE s.orch_finished_at IS NOT NULL AND s.orchestration_session_id <> 'S-DONE'}),
    'S-OPEN-1:abandoned:server crashed:INITIAL>abandoned:server crashed:true,'
      . 'S-OPEN-2:abandoned:server crashed:running>abandoned:server crashed:true,'
      . 'S-OPEN-3:abandoned:server crashed:INITIAL>abandoned:server crashed:true',
    'each abandoned session: diagnostics status "abandoned", final transition to abandoned at the finish time');

is( $node->safe_psql('postgres', q{
        SELECT orch_finished_at, diagnostics_json, diagnostics_md,
               (SELECT string_agg(from_state || '>' || to_state, ',' ORDER BY transitioned_at)
                  FROM orchestration_session_state WHERE session_id = 'S-DONE')
          FROM orchestration_session WHERE orchestration_session_id = 'S-DONE'}),
    $done_before,
    'the session finished before the crash is unchanged');

is( $node->safe_psql('postgres', q{
        SELECT orch_finished_at IS NULL,
               (SELECT count(*) FROM orchestration_session_state WHERE session_id = 'S-AFTER')
          FROM orchestration_session WHERE orchestration_session_id = 'S-AFTER'}),
    't|0',
    'the session of the live connection started after restart stays open');

is( $node->safe_psql('postgres',
        q{SELECT orchestration_session_abandon(interval '0', 'server crashed', only_dead_backends => true)}),
    '0',
    'a second call finishes nothing');

# Once that connection is gone, its session is dead too.
$live->quit;
$node->poll_query_until('postgres',
    "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $live_pid")
  or die "backend $live_pid did not exit";
is( $node->safe_psql('postgres',
        q{SELECT orchestration_session_abandon(interval '0', 'client gone', only_dead_backends => true)}),
    '1',
    'after its client disconnects, the session started after restart is abandoned');
is( $node->safe_psql('postgres', q{
        SELECT diagnostics_json::jsonb ->> 'reason' FROM orchestration_session
         WHERE orchestration_session_id = 'S-AFTER'}),
    'client gone',
    'with its own reason');

$node->stop;
done_testing();
