/*
 * diff: two scans' facts merged into the lines of `residency diff`. See
 * diff.h. A group's heading ("  country: CN -> SG, US") names every value of
 * the group on each side, so the group's change lines wait until both sides
 * are known, or full (2047 bytes). Those lines are held in memory up to half
 * a MiB, then in a temporary file: a group of any size is written whole.
 */
#include "report/diff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Change lines held in memory for one group; past this they go on to a
 * temporary file. A group waits for both sides' values, and one side may have
 * none at all: a service new in the second scan with a million addresses is a
 * million "+" lines held until the group ends. A bound here was an error. */
#define PENDING_LIMIT ((size_t)1 << 20)

void diff_begin(struct diff_writer *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	buf_init(&w->pending, PENDING_LIMIT);
}

void diff_free(struct diff_writer *w)
{
	free(w->group_service);
	free(w->group_what);
	w->group_service = w->group_what = NULL;
	buf_free(&w->pending);
	if (w->spill)
		fclose(w->spill);
	w->spill = NULL;
}

/* As the values were always joined: a value that does not fit is cut where the
 * buffer ends, and nothing is added after it. */
static void add_value(struct diff_values *v, const char *value)
{
	if (v->full)
		return;
	int w = snprintf(v->s + v->n, sizeof(v->s) - v->n, "%s%s", v->n ? ", " : "", value);
	if (w < 0 || (size_t)w >= sizeof(v->s) - v->n)
		v->full = true;
	else
		v->n += (size_t)w;
}

static const char *shown(const struct diff_values *v)
{
	return v->n == 0 ? "(none)" : v->s;
}

/* The heading of the group (and of its service when it is a new one), then
 * its held change lines. */
static void write_header(struct diff_writer *w)
{
	if (strcmp(w->group_service, w->service) != 0) {
		fprintf(w->f, "%s:\n", w->group_service);
		snprintf(w->service, sizeof(w->service), "%s", w->group_service);
	}
	fprintf(w->f, "  %s: %s -> %s\n", w->group_what, shown(&w->from), shown(&w->to));
	if (w->spill) { /* the first lines, in order */
		char chunk[65536];
		size_t n;
		rewind(w->spill);
		while ((n = fread(chunk, 1, sizeof(chunk), w->spill)) > 0)
			fwrite(chunk, 1, n, w->f);
		if (ferror(w->spill))
			w->spill_failed = true;
		fclose(w->spill);
		w->spill = NULL;
	}
	if (w->pending.len)
		fwrite(w->pending.data, 1, w->pending.len, w->f);
	buf_reset(&w->pending);
	w->header_written = true;
}

static void close_group(struct diff_writer *w)
{
	if (w->group_open && !w->header_written && (w->pending.len || w->spill))
		write_header(w);
	buf_reset(&w->pending);
	w->group_open = false;
}

enum rstatus diff_add(struct diff_writer *w, const struct diff_fact *x, struct rerr *err)
{
	const char *svc = x->service ? x->service : "", *what = x->what ? x->what : "",
		   *value = x->value ? x->value : "";

	if (!w->group_open || strcmp(svc, w->group_service) != 0 ||
	    strcmp(what, w->group_what) != 0) {
		close_group(w);
		free(w->group_service);
		free(w->group_what);
		w->group_service = strdup(svc);
		w->group_what = strdup(what);
		if (w->group_service == NULL || w->group_what == NULL)
			return rerr_set(err, R_ENOMEM, NULL, 0, "out of memory");
		memset(&w->from, 0, sizeof(w->from));
		memset(&w->to, 0, sizeof(w->to));
		w->group_open = true;
		w->header_written = false;
	}
	if (x->in_from)
		add_value(&w->from, value);
	if (x->in_to)
		add_value(&w->to, value);
	if (x->in_from != x->in_to) {
		w->changes++;
		if (w->header_written)
			fprintf(w->f, "    %c %s\n", x->in_from ? '-' : '+', value);
		else if (buf_printf(&w->pending, "    %c %s\n", x->in_from ? '-' : '+', value) !=
			 R_OK)
			return rerr_set(err, buf_error(&w->pending), NULL, 0,
					"diff: out of memory holding the changes of %s %s", svc,
					what);
		if (w->pending.len >= PENDING_LIMIT / 2) {
			/* Half the room used: the lines go on to the file. */
			if (w->spill == NULL && (w->spill = tmpfile()) == NULL)
				return rerr_set(
				    err, R_EIO, NULL, 0,
				    "diff: cannot make a temporary file for the changes "
				    "of %s %s: %s",
				    svc, what, strerror(errno));
			if (fwrite(w->pending.data, 1, w->pending.len, w->spill) != w->pending.len)
				return rerr_set(err, R_EIO, NULL, 0,
						"diff: cannot write the changes of %s %s to a "
						"temporary file: %s",
						svc, what, strerror(errno));
			buf_reset(&w->pending);
		}
	}
	/* Both sides' values known as far as they are shown: write as they come. */
	if (!w->header_written && (w->pending.len || w->spill) && w->from.full && w->to.full)
		write_header(w);
	return R_OK;
}

enum rstatus diff_end(struct diff_writer *w, struct rerr *err)
{
	close_group(w);
	if (w->changes == 0)
		fprintf(w->f, "no change\n");
	bool spill_failed = w->spill_failed;
	diff_free(w);
	if (spill_failed)
		return rerr_set(err, R_EIO, NULL, 0, "diff: reading back a temporary file failed");
	if (ferror(w->f))
		return rerr_set(err, R_EIO, NULL, 0, "writing the diff failed");
	return R_OK;
}
