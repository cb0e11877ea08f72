-- Recovery and retention running beside the writers.
SELECT stress_call('SELECT orchestration_session_abandon(interval ''2 s'', ''stress'')');
SELECT stress_call('SELECT orchestration_session_purge(interval ''1 s'', 20)');
\sleep 200 ms
