# Streaming replication and failover: the sessions replicate to a hot
# standby, where the reporting views read them and every writing function is
# refused (25006, by name, nothing written); after the primary is lost and
# the standby promoted, orchestration_session_abandon(..., only_dead_backends
# => true) on the new primary finishes exactly the sessions that were open on
# the old one (their backends lived on another server), even if a backend of
# the new primary happens to have the same pid, and the promoted node takes
# new sessions.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', q{
    CREATE EXTENSION orchestration_session;
    SELECT orchestration_device_ensure('tap-host', device_id => 'DEV-F');
});
$primary->backup('base');

my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

sub start_sql
{
    my ($id) = @_;
    return "SELECT orchestration_session_start('DEV-F', 'surveilr-transform-csv', '1.0', session_id => '$id')";
}

# On the primary: one finished session, two open ones (one of them with
# children), one open session whose client stays connected until the end.
$primary->safe_psql('postgres', start_sql('S-DONE') . ';'
      . q{SELECT orchestration_session_transition('S-DONE', 'done');
          SELECT orchestration_session_finish('S-DONE', '{"status":"ok"}');});
$primary->safe_psql('postgres', start_sql('S-OPEN-1'));
$primary->safe_psql('postgres', start_sql('S-OPEN-2') . ';'
      . q{SELECT orchestration_session_transition('S-OPEN-2', 'running');
          SELECT orchestration_session_add_entry('S-OPEN-2', 'a.csv', entry_id => 'E-2');});
my $held = $primary->background_psql('postgres');
$held->query_safe(start_sql('S-OPEN-HELD'));
$primary->wait_for_catchup($standby);

is( $standby->safe_psql('postgres', q{
        SELECT string_agg(orchestration_session_id || ':' || status, ',' ORDER BY orchestration_session_id)
          FROM orchestration_session_overview}),
    'S-DONE:completed,S-OPEN-1:running,S-OPEN-2:running,S-OPEN-HELD:running',
    'the standby reads the sessions through the summary view');

# Every writing function is refused on the standby, by name, with 25006.
for my $call (
    q{orchestration_session_start('DEV-F', 'surveilr-transform-csv', '1.0')},
    q{orchestration_session_add_entry('S-OPEN-1', 'b.csv')},
    q{orchestration_session_transition('S-OPEN-1', 'running')},
    q{orchestration_session_record_exec('S-OPEN-1', 'SQL', 'SELECT 1', 0)},
    q{orchestration_session_raise_issue('S-OPEN-1', 'type', 'message')},
    q{orchestration_session_finish('S-OPEN-1')},
    q{orchestration_session_abandon(interval '0')})
{
    my ($name) = $call =~ /^(\w+)/;
    my ($ret, $out, $err) = $standby->psql('postgres',
        "\\set VERBOSITY verbose\nSELECT $call");
    isnt($ret, 0, "$name fails on the standby");
    like($err, qr/ERROR:  25006: cannot execute \Q$name\E\(\) in a read-only transaction/,
        "$name: 25006, named");
}

# Failover: the primary is lost (immediate stop, its client with it), the
# standby is promoted.
$primary->stop('immediate');
eval { $held->quit; };
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
  or die 'standby was not promoted';

# A live backend on the new primary whose pid is one of the old primary's
# session backends would count as alive if only the pid were compared; the
# backend start time tells them apart.  Record what the test saw, so a
# coincidence (rare) is reported rather than silently untested.
my $live = $standby->background_psql('postgres');
my $live_pid = $live->query_safe('SELECT pg_backend_pid()');
my $pid_clash = $standby->safe_psql('postgres',
    "SELECT count(*) FROM orchestration_session_backend WHERE pid = $live_pid");
note("a backend of the new primary shares a pid with an old session: $pid_clash");

is( $standby->safe_psql('postgres', q{
        SELECT string_agg(orchestration_session_id, ',' ORDER BY orchestration_session_id)
          FROM orchestration_session WHERE orch_finished_at IS NULL}),
    'S-OPEN-1,S-OPEN-2,S-OPEN-HELD',
    'after promotion the open sessions of the old primary are still open');

is( $standby->safe_psql('postgres',
        q{SELECT orchestration_session_abandon(interval '0', 'failover', only_dead_backends => true)}),
    '3',
    'abandon on the new primary finishes the three sessions of the old one');

is( $standby->safe_psql('postgres', q{
        SELECT string_agg(v.orchestration_session_id || ':' || v.status || ':' || v.latest_state
                          || ':' || (s.diagnostics_json::jsonb ->> 'reason'),
                          ',' ORDER BY v.orchestration_session_id)
          FROM orchestration_session_overview v
          JOIN orchestration_session s USING (orchestration_session_id)
         WHERE v.orchestration_session_id <> 'S-DONE'}),
    'S-OPEN-1:abandoned:abandoned:failover,'
      . 'S-OPEN-2:abandoned:abandoned:failover,'
      . 'S-OPEN-HELD:abandoned:abandoned:failover',
    'each is "abandoned" in the summary view, with a final transition and the reason');

is( $standby->safe_psql('postgres', q{
        SELECT diagnostics_json FROM orchestration_session WHERE orchestration_session_id = 'S-DONE'}),
    '{"status":"ok"}',
    'the session finished before the failover is unchanged');

# The new primary records new work, and the live connection's session is
# alive for abandon.
$live->query_safe(start_sql('S-NEW'));
$live->query_safe(q{SELECT orchestration_session_transition('S-NEW', 'running')});
is( $standby->safe_psql('postgres',
        q{SELECT orchestration_session_abandon(interval '0', 'failover', only_dead_backends => true)}),
    '0',
    'a session of a live backend of the new primary is not abandoned');
is( $live->query_safe(q{SELECT orchestration_session_finish('S-NEW', '{"status":"completed"}') IS NOT NULL}),
    't',
    'and finishes normally');
$live->quit;

$standby->stop;
done_testing();
