# Edge-to-central fan-in on logical replication: two edges and a central on
# this machine.  Before the subscriptions exist, both edges register the
# same device name and the same nature (and the seeds exist everywhere), and
# both use one caller-supplied session id.  Then: the initial copy arrives
# exactly once (one nature row, one device row, every session with a device
# row of its name), the colliding id is recorded as a conflict and the
# stream goes on; lifecycle changes after the copy (transitions, children,
# finish, abandon, purge on an edge) replicate; while one edge streams, the
# central restarts, and the other edge stops (immediate) right after a large
# transaction and starts again; at the end the central holds, table by table
# and row by row, what each edge holds.  On the central, maintenance leaves
# the edges' sessions alone, local writes to them are refused, and the
# central's own sessions work as anywhere.
# Upgrade order (README: Fan-in): the central is installed at 1.1 and
# updated to 1.2 first; edge_b runs 1.1 with the publication made by hand (the
# README's statement) and is updated to 1.2, then publishes with
# orchestration_fanin_publish(), between the initial copy and the live
# stream.  Needs PostgreSQL 15 or later (pg_stat_subscription_stats); skipped
# before.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $probe = PostgreSQL::Test::Cluster->new('probe');
$probe->init;
$probe->start;
my $server_version = $probe->safe_psql('postgres', 'SHOW server_version_num');
$probe->stop;
plan skip_all => 'fan-in is tested on PostgreSQL 15 and later' if $server_version < 150000;

my %edge;
for my $name ('edge_a', 'edge_b')
{
    my $node = PostgreSQL::Test::Cluster->new($name);
    $node->init(allows_streaming => 'logical');
    $node->start;
    $node->safe_psql('postgres', 'CREATE EXTENSION orchestration_session'
          . ($name eq 'edge_b' ? " VERSION '1.1'" : ''));
    $edge{$name} = $node;
}
my $central = PostgreSQL::Test::Cluster->new('central');
$central->init;
$central->append_conf('postgresql.conf', "max_logical_replication_workers = 8\nmax_worker_processes = 16\n");
$central->start;
$central->safe_psql('postgres', "CREATE EXTENSION orchestration_session VERSION '1.1'");
$central->safe_psql('postgres', 'ALTER EXTENSION orchestration_session UPDATE');

# A full session on an edge: every child table, finished or left open.
sub session_sql
{
    my ($id, $finish) = @_;
    my $sql = qq{
        SELECT orchestration_device_ensure('worker-01') AS dev \\gset
        SELECT orchestration_nature_ensure('V&V', 'Verification and validation') \\gset
        SELECT orchestration_session_start(:'dev', 'V&V', '1.0', args_json => '{"run": "$id"}', session_id => '$id');
        SELECT orchestration_session_add_entry('$id', '$id.csv', entry_id => '$id-E');
        SELECT orchestration_session_transition('$id', 'surveilr_orchestration_init');
        SELECT orchestration_session_transition('$id', 'surveilr_orch_progress', session_entry_id => '$id-E');
        SELECT orchestration_session_record_exec('$id', 'SQL', 'SELECT 1', 0, exec_id => '$id-X', output_text => '1');
        SELECT orchestration_session_append_log('$id-X', 'log of $id');
        SELECT orchestration_session_raise_issue('$id', 'Schema Validation', 'issue of $id', issue_id => '$id-I');
        INSERT INTO orchestration_session_issue_relation (orchestration_session_issue_relation_id, issue_id_prime, issue_id_rel, relationship_nature)
            VALUES ('$id-R', '$id-I', '$id-I', 'self');
    };
    $sql .= qq{SELECT orchestration_session_finish('$id', '{"status": "completed"}');} if $finish;
    return $sql;
}

sub psql_script
{
    my ($node, $sql) = @_;
    my ($ret, $out, $err) = $node->psql('postgres', $sql, on_error_stop => 1);
    is($ret, 0, "script ran on " . $node->name) or diag($err);
}

# Before any subscription: the same device name, nature and one session id on both.
for my $name ('edge_a', 'edge_b')
{
    my $tag = uc(substr($name, -1));
    psql_script($edge{$name}, session_sql("$tag-DONE-1", 1) . session_sql("$tag-OPEN-1", 0)
          . session_sql('S-SAME', 1));
}
is($edge{edge_a}->safe_psql('postgres', 'SELECT orchestration_fanin_publish(); SELECT orchestration_fanin_publish()'),
    "orchestration_session_fanin\norchestration_session_fanin", 'edge_a (1.2): publish, twice');
# An edge still on 1.1: the README's statement.
$edge{edge_b}->safe_psql('postgres', q{
    CREATE PUBLICATION orchestration_session_fanin FOR TABLE device, orchestration_nature,
        orchestration_session, orchestration_session_entry, orchestration_session_state,
        orchestration_session_exec, orchestration_session_issue,
        orchestration_session_issue_relation, orchestration_session_log
        WITH (publish = 'insert, update, delete')});
is( $edge{edge_a}->safe_psql('postgres', q{
        SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables
         WHERE pubname = 'orchestration_session_fanin'}),
    'device,orchestration_nature,orchestration_session,orchestration_session_entry,orchestration_session_exec,'
      . 'orchestration_session_issue,orchestration_session_issue_relation,orchestration_session_log,orchestration_session_state',
    'the publication has every table the central needs, not the backend table');
is($edge{edge_a}->safe_psql('postgres', q{
        SELECT pubinsert AND pubupdate AND pubdelete AND NOT pubtruncate FROM pg_publication
         WHERE pubname = 'orchestration_session_fanin'}), 't', 'inserts, updates and deletes; no truncate');

$central->safe_psql('postgres', 'SELECT orchestration_fanin_prepare_central(); SELECT orchestration_fanin_prepare_central()');
# edge_a first, so that the collisions are edge_b's (deterministic expectations)
for my $name ('edge_a', 'edge_b')
{
    my $conn = $edge{$name}->connstr . ' dbname=postgres';
    $central->safe_psql('postgres',
        "CREATE SUBSCRIPTION $name CONNECTION '$conn' PUBLICATION orchestration_session_fanin");
    wait_synced($name);
}

sub wait_synced
{
    my ($name) = @_;
    $central->poll_query_until('postgres', qq{
        SELECT tables_total = 9 AND tables_ready = 9 FROM orchestration_fanin_status WHERE edge = '$name'})
      or die "initial copy of $name did not finish";
    $edge{$name}->wait_for_catchup($name);
}

sub catch_up
{
    $edge{$_}->wait_for_catchup($_) for ('edge_a', 'edge_b');
}

is( $central->safe_psql('postgres', q{
        SELECT count(*) FILTER (WHERE orchestration_nature_id = 'V&V') || '/' || count(*)
          FROM orchestration_nature}),
    '1/4', 'shared nature and the seeds arrive once');
is($central->safe_psql('postgres', q{SELECT count(*) FROM device WHERE name = 'worker-01'}),
    '1', 'the same-named device of two edges is one device row');
is( $central->safe_psql('postgres', q{
        SELECT edge || ':' || (central_device_id = (SELECT device_id FROM device WHERE name = 'worker-01'))
          FROM orchestration_fanin_device_alias}),
    'edge_b:true', "edge_b's device id is an alias of the central's row");
is( $central->safe_psql('postgres', q{
        SELECT count(*) FILTER (WHERE d.name = 'worker-01') || '/' || count(*)
          FROM orchestration_session s LEFT JOIN device d USING (device_id)}),
    '5/5', 'every session has a device row with its device name');
is( $central->safe_psql('postgres', q{
        SELECT string_agg(table_name || ':' || n, ',' ORDER BY table_name)
          FROM (SELECT table_name, count(*) AS n FROM orchestration_fanin_conflict
                 WHERE edge = 'edge_b' AND owner_edge = 'edge_a' AND operation = 'INSERT'
                 GROUP BY table_name) c}),
    'orchestration_session:1,orchestration_session_entry:1,orchestration_session_exec:1,'
      . 'orchestration_session_issue:1,orchestration_session_issue_relation:1,orchestration_session_log:1,'
      . 'orchestration_session_state:2',
    "edge_b's colliding session and all its history are recorded as conflicts, not applied");
is( $central->safe_psql('postgres', q{
        SELECT count(*) FROM orchestration_session_log l
          JOIN orchestration_session_exec x ON x.orchestration_session_exec_id = l.parent_exec_id
         WHERE x.session_id = 'S-SAME'}),
    '1', "S-SAME keeps edge_a's one log line only");
is( $central->safe_psql('postgres', q{
        SELECT edge || ':' || enabled || ':' || (apply_pid IS NOT NULL) || ':' || conflicts
          || ':' || coalesce((last_error LIKE '%already here%' OR last_error LIKE '%belongs to%')::text, '')
          FROM orchestration_fanin_status ORDER BY edge}),
    "edge_a:true:true:0:\nedge_b:true:true:8:true",
    'status: both edges streaming, the conflicts counted and shown');

# Lifecycle after the copy, on both edges.
$edge{edge_a}->safe_psql('postgres', q{
    SELECT orchestration_session_transition('A-OPEN-1', 'surveilr_orch_completed');
    SELECT orchestration_session_add_entry('A-OPEN-1', 'late.csv', entry_id => 'A-OPEN-1-E2');
    SELECT orchestration_session_finish('A-OPEN-1', '{"status": "completed"}');
});
$edge{edge_b}->safe_psql('postgres', q{SELECT orchestration_session_abandon(interval '0')});
catch_up();
compare_edges('after the initial copy and lifecycle changes');

# edge_b is updated to 1.2 while subscribed, and publishes with the function
# (the same tables: nothing changes for the central).
$edge{edge_b}->safe_psql('postgres', q{
    ALTER EXTENSION orchestration_session UPDATE;
    SELECT orchestration_fanin_publish();
});
is($edge{edge_b}->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'orchestration_session'}),
    '1.2', 'edge_b updated to 1.2 while subscribed');

# Live: edge_b streams sessions while the central restarts; edge_a commits a
# large transaction and stops at once (immediate), then starts again.
$edge{edge_b}->safe_psql('postgres', q{
    CREATE PROCEDURE tap_stream(n integer, tag text) LANGUAGE plpgsql AS $$
    DECLARE dev text := orchestration_device_ensure('worker-01');
    BEGIN
        FOR i IN 1..n LOOP
            PERFORM orchestration_session_start(dev, 'V&V', '1.0', session_id => tag || i);
            PERFORM orchestration_session_transition(tag || i, 'surveilr_orch_progress');
            PERFORM orchestration_session_append_log(
                orchestration_session_record_exec(tag || i, 'SQL', 'SELECT ' || i, 0), 'line ' || i);
            PERFORM orchestration_session_finish(tag || i, '{"status": "completed"}');
            COMMIT;
            PERFORM pg_sleep(0.005);
        END LOOP;
    END $$;
});
my $stream = $edge{edge_b}->background_psql('postgres');
$stream->query_until(qr/started/, "\\echo started\nCALL tap_stream(400, 'B-LIVE-');\n");
sleep 1;
$central->restart;
$edge{edge_a}->safe_psql('postgres', q{
    DO $$
    DECLARE dev text := orchestration_device_ensure('worker-01');
    BEGIN
        FOR i IN 1..300 LOOP
            PERFORM orchestration_session_start(dev, 'V&V', '1.0', session_id => 'A-BULK-' || i);
            PERFORM orchestration_session_append_log(
                orchestration_session_record_exec('A-BULK-' || i, 'SQL', repeat('x', 2000), 0), 'bulk ' || i);
            IF i % 2 = 0 THEN
                PERFORM orchestration_session_finish('A-BULK-' || i);
            END IF;
        END LOOP;
    END $$;
});
$edge{edge_a}->stop('immediate');
$edge{edge_a}->start;
$stream->query_safe('SELECT 1');
$stream->quit;
catch_up();
is($central->safe_psql('postgres', q{
        SELECT count(*) FROM orchestration_fanin_session_edge WHERE session_id LIKE 'B-LIVE-%' OR session_id LIKE 'A-BULK-%'}),
    '700', 'every session written during the restarts arrived');
compare_edges('after a central restart and an edge crash mid-stream');

# Purge on an edge replicates; the guards of the central do not stop it.
$edge{edge_a}->safe_psql('postgres', q{SELECT orchestration_session_purge(interval '0', 1000)});
catch_up();
is($central->safe_psql('postgres', q{
        SELECT count(*) FROM orchestration_session s JOIN orchestration_fanin_session_edge f
            ON f.session_id = s.orchestration_session_id
         WHERE f.edge = 'edge_a' AND s.orch_finished_at IS NOT NULL}),
    '0', "edge_a's purge removed its finished sessions from the central");
compare_edges('after a purge on edge_a');

# The central's maintenance leaves the edges' sessions alone; its own sessions work.
my $open_before = $central->safe_psql('postgres', q{SELECT count(*) FROM orchestration_session WHERE orch_finished_at IS NULL});
cmp_ok($open_before, '>', 0, 'the central has open sessions of the edges');
$central->safe_psql('postgres', q{
    SELECT orchestration_device_ensure('central-host', device_id => 'DEV-C');
    SELECT orchestration_session_start('DEV-C', 'V&V', '1.0', session_id => 'C-OWN-1');
});
is($central->safe_psql('postgres', q{SELECT orchestration_session_abandon(interval '0', only_dead_backends => true)}),
    '1', "abandon on the central closes only the central's own dead session");
is($central->safe_psql('postgres', q{SELECT count(*) FROM orchestration_session WHERE orch_finished_at IS NULL}),
    $open_before, "the edges' open sessions are still open on the central");
is($central->safe_psql('postgres', q{SELECT orchestration_session_purge(interval '0', 1000)}),
    '1', "purge on the central deletes only the central's own finished session");

# Local writes to an edge's session are refused on the central.
for my $write (
    q{SELECT orchestration_session_transition('A-BULK-3', 'x')},
    q{SELECT orchestration_session_finish('A-BULK-3')},
    q{SELECT orchestration_session_add_entry('A-BULK-1', 'central.csv')},
    q{UPDATE orchestration_session SET diagnostics_md = 'edited' WHERE orchestration_session_id = 'A-BULK-1'},
    q{INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('A-BULK-1', 'central.csv')},
    q{DELETE FROM orchestration_session_log WHERE parent_exec_id IN
        (SELECT orchestration_session_exec_id FROM orchestration_session_exec WHERE session_id = 'A-BULK-1')})
{
    my ($ret, $out, $err) = $central->psql('postgres', "\\set VERBOSITY verbose\n$write");
    like($err, qr/55000.*belongs to edge "edge_(a|b)"/s, "refused on the central: $write");
}
compare_edges('after the central refused local writes');

# A subscription re-created with its name and copy_data: the edge's rows
# replace the central's copies (one was finished meanwhile), no conflict.
$central->safe_psql('postgres', 'DROP SUBSCRIPTION edge_a');
$edge{edge_a}->safe_psql('postgres', q{
    SELECT orchestration_session_finish('A-BULK-1', '{"status": "completed"}');
    SELECT orchestration_session_start(orchestration_device_ensure('worker-01'), 'V&V', '1.0', session_id => 'A-AFTER');
});
$central->safe_psql('postgres', "CREATE SUBSCRIPTION edge_a CONNECTION '"
      . $edge{edge_a}->connstr . " dbname=postgres' PUBLICATION orchestration_session_fanin");
wait_synced('edge_a');
is($central->safe_psql('postgres', q{
        SELECT (SELECT orch_finished_at IS NOT NULL FROM orchestration_session WHERE orchestration_session_id = 'A-BULK-1')
          || ':' || (SELECT count(*) FROM orchestration_fanin_conflict WHERE edge = 'edge_a')}),
    'true:0', 'a re-copy replaces the older copies, without conflicts');
compare_edges('after edge_a was subscribed again with copy_data');

done_testing();

# Every replicated table, row for row, of each edge vs the central's rows of
# that edge (S-SAME: edge_a's).  Sessions carry the device name (edge_b's
# device id is an alias on the central); every other column is compared.
sub compare_edges
{
    my ($when) = @_;
    for my $name ('edge_a', 'edge_b')
    {
        my $edge_sessions = $name eq 'edge_a'
          ? q{SELECT orchestration_session_id AS id FROM orchestration_session}
          : q{SELECT orchestration_session_id AS id FROM orchestration_session WHERE orchestration_session_id <> 'S-SAME'};
        my $central_sessions = qq{SELECT session_id AS id FROM orchestration_fanin_session_edge WHERE edge = '$name'};
        my $e = $edge{$name}->safe_psql('postgres', snapshot_sql($edge_sessions));
        my $c = $central->safe_psql('postgres', snapshot_sql($central_sessions));
        is($c, $e, "$when: the central holds exactly $name\'s rows");
    }
}

sub snapshot_sql
{
    my ($sessions) = @_;
    # the children that carry session_id themselves
    my $direct_children = join('', map {
        qq{UNION ALL
        SELECT '$_', count(*), md5(string_agg(t::text, '|' ORDER BY t.orchestration_session_${_}_id))
          FROM orchestration_session_$_ t WHERE t.session_id IN (SELECT id FROM s)
        }
    } ('entry', 'state', 'exec', 'issue'));
    return qq{
        WITH s AS ($sessions)
        SELECT 'session', count(*), md5(string_agg(row(t.orchestration_session_id, d.name, t.orchestration_nature_id,
                 t.version, t.orch_started_at, t.orch_finished_at, t.elaboration, t.args_json, t.diagnostics_json,
                 t.diagnostics_md)::text, '|' ORDER BY t.orchestration_session_id))
          FROM orchestration_session t JOIN device d USING (device_id) WHERE t.orchestration_session_id IN (SELECT id FROM s)
        $direct_children
        UNION ALL
        SELECT 'relation', count(*), md5(string_agg(t::text, '|' ORDER BY t.orchestration_session_issue_relation_id))
          FROM orchestration_session_issue_relation t JOIN orchestration_session_issue i
            ON i.orchestration_session_issue_id = t.issue_id_prime WHERE i.session_id IN (SELECT id FROM s)
        UNION ALL
        SELECT 'log', count(*), md5(string_agg(t::text, '|' ORDER BY t.orchestration_session_log_id))
          FROM orchestration_session_log t JOIN orchestration_session_exec x
            ON x.orchestration_session_exec_id = t.parent_exec_id WHERE x.session_id IN (SELECT id FROM s)
        UNION ALL
        SELECT 'nature', count(*), md5(string_agg(row(t.orchestration_nature_id, t.nature, t.elaboration)::text,
                                                  '|' ORDER BY t.orchestration_nature_id))
          FROM orchestration_nature t WHERE t.orchestration_nature_id IN
            (SELECT orchestration_nature_id FROM orchestration_session WHERE orchestration_session_id IN (SELECT id FROM s))
    };
}
