-- A whole session in one transaction, with generated ids (stress_lifecycle(), setup.sql).
SELECT stress_lifecycle();
