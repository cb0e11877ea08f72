/*
 * ids.h: ULID generation (26 characters of Crockford base32: 48 bits of
 * milliseconds since the Unix epoch, then 80 random bits).
 */
#ifndef ORCHESTRATION_IDS_H
#define ORCHESTRATION_IDS_H

#include "postgres.h"

#define ULID_LEN 26

/* A new ULID as a text datum; strictly greater than the previous one made by this backend. */
extern text *NewUlidText(void);

#endif
