/*
 * jsonpos: the line of every value of a JSON text, by JSON-pointer path
 * ("/services/3/policy"), so that errors found after parsing (an unknown key, a
 * bad country code) can still name file:line. jansson parses; this only counts.
 */
#ifndef RESIDENCY_JSONPOS_H
#define RESIDENCY_JSONPOS_H

#include "core/rerr.h"

#include <jansson.h>
#include <stddef.h>

#define JSONPOS_MAX_BYTES (16u * 1024 * 1024)
#define JSONPOS_MAX_DEPTH 64

struct jsonpos;

/*
 * Reads a JSON file (bounded), parses it with jansson (duplicate keys
 * rejected) and indexes the lines of its values. *root is the parsed document
 * (caller json_decref()s it); *pos is freed with jsonpos_free(). Errors name
 * file:line.
 */
enum rstatus jsonpos_load(const char *path, json_t **root, struct jsonpos **pos, struct rerr *err);
/* The same, and the text that was parsed (malloc'd) in *text. */
enum rstatus jsonpos_load_text(const char *path, json_t **root, struct jsonpos **pos, char **text,
			       struct rerr *err);
/* Same for a buffer; name is used in errors. */
enum rstatus jsonpos_loadb(const char *data, size_t len, const char *name, json_t **root,
			   struct jsonpos **pos, struct rerr *err);
/*
 * The same with the caller's size bound, and lines counted from first_line: a
 * piece of a larger text (one service of an estate) names the lines of the
 * whole file, in its index as in its errors.
 */
enum rstatus jsonpos_loadb_at(const char *data, size_t len, const char *name, size_t limit,
			      long first_line, json_t **root, struct jsonpos **pos,
			      struct rerr *err);
/* Safe to call with NULL. */
void jsonpos_free(struct jsonpos *p);
/* The line of the value at path (keys as written, no escaping), or 0 when unknown. */
long jsonpos_line(const struct jsonpos *p, const char *path);

#endif
