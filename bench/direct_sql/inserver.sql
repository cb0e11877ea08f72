-- The two workloads of direct.sql and functions.sql inside the server, one
-- transaction per iteration (COMMIT in a procedure), for the client's own
-- session BD-0: no round trips, so what remains is the server's work.
CREATE PROCEDURE bench_direct_loop(n int) LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. n LOOP
        INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('BD-0', '/inbox/a.csv');
        FOR l IN 1 .. 10 LOOP
            INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order) VALUES ('BDX-0', 'line', l);
        END LOOP;
        FOR t IN 1 .. 5 LOOP
            INSERT INTO orchestration_session_state (session_id, from_state, to_state) VALUES ('BD-0', 'a', 'b');
        END LOOP;
        COMMIT;
    END LOOP;
END $$;
CREATE PROCEDURE bench_functions_loop(n int) LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. n LOOP
        PERFORM orchestration_session_add_entry('BD-0', '/inbox/a.csv');
        FOR l IN 1 .. 10 LOOP
            PERFORM orchestration_session_append_log('BDX-0', 'line', sibling_order => l);
        END LOOP;
        FOR t IN 1 .. 5 LOOP
            PERFORM orchestration_session_transition('BD-0', 'b');
        END LOOP;
        COMMIT;
    END LOOP;
END $$;
CREATE PROCEDURE bench_bulk_loop(n int) LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. n LOOP
        INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order)
        SELECT 'BDX-0', 'line', l FROM generate_series(1, 1000) l;
        COMMIT;
    END LOOP;
END $$;
