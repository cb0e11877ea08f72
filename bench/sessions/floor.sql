-- The floor under every variant: 12 statements, each its own autocommit
-- transaction, each inserting one 16-byte row into a table without indexes,
-- constraints or triggers (benchgen.floor_log).  It pays what any
-- implementation of "record 12 steps durably, one transaction each" pays:
-- 12 round trips, 12 bind/execute, 12 commits waiting for a WAL flush, and
-- none of the work itself.  No implementation of the lifecycle can run more
-- sessions/s than this, so floor / PL/pgSQL bounds the C/PL/pgSQL ratio any
-- C code could reach on this workload.
\set r random(1, 1000000000000)
INSERT INTO benchgen.floor_log VALUES (:r, 1);
INSERT INTO benchgen.floor_log VALUES (:r, 2);
INSERT INTO benchgen.floor_log VALUES (:r, 3);
INSERT INTO benchgen.floor_log VALUES (:r, 4);
INSERT INTO benchgen.floor_log VALUES (:r, 5);
INSERT INTO benchgen.floor_log VALUES (:r, 6);
INSERT INTO benchgen.floor_log VALUES (:r, 7);
INSERT INTO benchgen.floor_log VALUES (:r, 8);
INSERT INTO benchgen.floor_log VALUES (:r, 9);
INSERT INTO benchgen.floor_log VALUES (:r, 10);
INSERT INTO benchgen.floor_log VALUES (:r, 11);
INSERT INTO benchgen.floor_log VALUES (:r, 12);
