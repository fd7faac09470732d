/*
 * scheduler: the serve loop (see scheduler.h).
 *
 * Our three signals are blocked except at the points where a signal may end
 * what is going on: pselect() while waiting, the run (resolution checks the
 * stop flags), range refreshes and webhook requests. Storing a job runs with
 * them blocked, so a SIGTERM that arrives then takes effect once it is
 * committed: the job in hand finishes and nothing committed is lost.
 */
#include "scan/scheduler.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/digest.h"
#include "core/log.h"
#include "core/schedule.h"
#include "ranges/snapshot.h"
#include "report/webhook.h"
#include "scan/drift.h"
#include "scan/run.h"
#include "scan/setup.h"
#include "scan/work.h"
#include "store/scan_write.h"
#include "store/scans.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

/* --once gives the database this many tries (1 s, 2 s apart) before exit 3. */
#define ONCE_CONNECT_TRIES 3
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 60000

/* stop_sig: the first SIGTERM/SIGINT (the job in hand is finished and stored);
 * abandon_sig: a second one, or WORK_STOP_GRACE seconds later (SIGALRM): it is
 * rolled back at once. */
static volatile sig_atomic_t stop_sig, abandon_sig, reload_sig;
static unsigned stop_grace;

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		reload_sig = 1;
		return;
	}
	if (sig == SIGALRM) { /* the job in hand had its grace: abandon it */
		abandon_sig = stop_sig ? stop_sig : SIGTERM;
		return;
	}
	if (stop_sig)
		abandon_sig = sig;
	else if (stop_grace)
		alarm(stop_grace);
	else
		abandon_sig = sig;
	stop_sig = sig;
}

struct sched {
	const struct scheduler_opts *o;
	struct scheduler_result *res;
	struct config *cfg;
	struct schedule scan, refresh;
	bool has_scan, has_refresh;
	struct store *st;
	bool locked;	     /* this session holds the scan lock */
	sigset_t open, shut; /* the process mask with our signals open or blocked */
	time_t planned_last; /* start of the last complete scan when the turn was planned */
	time_t last_attempt; /* start of this process's last turn */
	time_t due, next_refresh;
	double rnd;   /* this turn's jitter */
	bool in_scan; /* a reload waits until the scan in hand is stored */
};

static const char *signame(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal";
}

static double random01(void)
{
	return (double)rand() / ((double)RAND_MAX + 1.0);
}

static void signals_open(struct sched *s)
{
	sigprocmask(SIG_SETMASK, &s->open, NULL);
}

static void signals_shut(struct sched *s)
{
	sigprocmask(SIG_SETMASK, &s->shut, NULL);
}

/* Sleeps ms with our signals open; returns early when one arrives. */
static void nap(struct sched *s, long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	if (stop_sig || (reload_sig && !s->in_scan))
		return;
	pselect(0, NULL, NULL, NULL, &ts, &s->open);
}

/* Waits until the wall clock reaches t, or a signal arrives. The clock is read
 * again every minute, so a suspended machine or a clock step is caught up. */
static void wait_until(struct sched *s, time_t t)
{
	time_t now;

	while (!stop_sig && !reload_sig && (now = time(NULL)) < t)
		nap(s, (t - now > 60 ? 60 : (long)(t - now)) * 1000L);
}

static void reload(struct sched *s);

static const char *conninfo(const struct sched *s)
{
	return s->o->db ? s->o->db : s->cfg->database;
}

/*
 * A working connection: the one held if it answers, else a new one, tried
 * with exponential backoff (logged) until it comes, a signal stops it
 * (R_ESTOPPED), or --once has tried enough (R_EDB).
 */
static enum rstatus connect_db(struct sched *s, struct rerr *err)
{
	long wait = BACKOFF_FIRST_MS;
	char msg[2048];

	if (s->st && store_ping(s->st, err) == R_OK)
		return R_OK;
	if (s->st) {
		log_warnx("%s; reconnecting", rerr_format(err, msg, sizeof(msg)));
		store_close(s->st);
		s->st = NULL;
		s->locked = false; /* the lock went with the session */
	}
	for (int attempt = 1;; attempt++) {
		if (stop_sig)
			return rerr_set(err, R_ESTOPPED, "postgresql", 0,
					"stopped while connecting");
		if (reload_sig && !s->in_scan)
			reload(s); /* it may name another database */
		rerr_clear(err);
		if (store_open(conninfo(s), &s->st, err) == R_OK) {
			if (attempt > 1)
				log_info("postgresql: connected (try %d)", attempt);
			return R_OK;
		}
		if (s->o->once && attempt >= ONCE_CONNECT_TRIES)
			return R_EDB;
		log_warnx("%s; trying again in %ld s", rerr_format(err, msg, sizeof(msg)),
			  wait / 1000);
		nap(s, wait);
		wait = wait * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait * 2;
	}
}

/* The schedules of a configuration, and what serve needs beyond `config check`. */
static enum rstatus compile(const struct config *c, bool once, struct sched *s, struct rerr *err)
{
	enum rstatus rc;

	s->has_scan = s->has_refresh = false;
	if (c->scan_cron) {
		if ((rc = schedule_cron(&s->scan, c->scan_cron, c->file, err)) != R_OK)
			return rc;
		if (schedule_next(&s->scan, time(NULL), 0) == (time_t)-1)
			return rerr_set(err, R_EINPUT, c->file, 0,
					"cron expression \"%s\" never fires", c->scan_cron);
		s->has_scan = true;
	} else if (c->scan_every) {
		if ((rc = schedule_interval(&s->scan, c->scan_every, c->scan_jitter, c->file,
					    err)) != R_OK)
			return rc;
		s->has_scan = true;
	} else if (!once) {
		return rerr_set(err, R_EINPUT, c->file, 0,
				"residency serve needs a \"schedule\": {\"every\": \"6h\", "
				"\"jitter\": \"10m\"} or {\"cron\": \"0 3 * * *\"}");
	}
	if (c->ranges_every) {
		if ((rc = schedule_interval(&s->refresh, c->ranges_every, NULL, c->file, err)) !=
		    R_OK)
			return rc;
		for (size_t i = 0; i < c->nranges; i++)
			s->has_refresh |= strncmp(c->range_urls[i], "http://", 7) == 0 ||
					  strncmp(c->range_urls[i], "https://", 8) == 0;
	}
	return R_OK;
}

static void describe(const struct sched *s, char *out, size_t len)
{
	const struct config *c = s->cfg;
	if (c->scan_cron)
		snprintf(out, len, "scans on cron \"%s\" (UTC)", c->scan_cron);
	else if (c->scan_every)
		snprintf(out, len, "scans every %s%s%s", c->scan_every,
			 c->scan_jitter ? " + up to " : "", c->scan_jitter ? c->scan_jitter : "");
	else
		snprintf(out, len, "no schedule");
	if (s->has_refresh) {
		size_t n = strlen(out);
		snprintf(out + n, len - n, ", remote ranges refreshed every %s", c->ranges_every);
	}
}

static void reload(struct sched *s)
{
	struct config *nc = NULL;
	struct setup_summary sum;
	struct sched probe = *s;
	struct rerr err;
	char msg[2048];

	reload_sig = 0;
	rerr_clear(&err);
	if (setup_config_check(s->o->config, &nc, &sum, &err) != R_OK ||
	    compile(nc, s->o->once, &probe, &err) != R_OK) {
		log_warnx("SIGHUP: %s: refused; the configuration loaded before stays in use",
			  rerr_format(&err, msg, sizeof(msg)));
		config_free(nc);
		return;
	}
	bool db_changed = !s->o->db && ((s->cfg->database == NULL) != (nc->database == NULL) ||
					(nc->database && strcmp(nc->database, s->cfg->database)));
	config_free(s->cfg);
	s->cfg = nc;
	s->scan = probe.scan;
	s->refresh = probe.refresh;
	s->has_scan = probe.has_scan;
	s->has_refresh = probe.has_refresh;
	s->next_refresh = s->has_refresh ? time(NULL) + (time_t)s->refresh.interval : 0;
	if (db_changed && s->st) {
		store_close(s->st);
		s->st = NULL;
		s->locked = false;
	}
	describe(s, msg, sizeof(msg));
	log_info("SIGHUP: %s reloaded: %zu services, %zu policies, %zu zone files; %s",
		 s->o->config, sum.services, sum.policies, sum.zones, msg);
}

/* When the next turn is due. Interval schedules count from the last complete
 * scan in the database (so a restart neither skips nor repeats a turn) and
 * from this process's last turn (so a failing scan is not retried at once). */
static enum rstatus plan(struct sched *s, struct rerr *err)
{
	long long id;
	time_t last, now = time(NULL);
	enum rstatus rc;

	if ((rc = store_last_complete(s->st, 0, &id, &last, err)) != R_OK)
		return rc;
	s->planned_last = last;
	if (s->o->once) {
		s->due = now;
	} else if (s->scan.is_cron) {
		s->due = schedule_next(&s->scan, now > s->last_attempt ? now : s->last_attempt, 0);
	} else {
		time_t base = last > s->last_attempt ? last : s->last_attempt;
		s->due = base ? schedule_next(&s->scan, base, s->rnd) : now;
		if (s->due < now)
			s->due = now;
	}
	return R_OK;
}

static void refresh_ranges(struct sched *s)
{
	char cache[4096], msg[2048];
	struct fetch_opts fo = {0, 0, 0, -1, 0};

	snapshot_cache_dir(cache, sizeof(cache)); /* the cache the scan reads */
	signals_open(s);
	for (size_t i = 0; i < s->cfg->nranges && !stop_sig; i++) {
		const char *p = s->cfg->range_providers[i], *u = s->cfg->range_urls[i];
		const char *urls[SNAPSHOT_MAX_FILES];
		size_t nurls = 0;
		bool first = true;
		struct refresh_result rr = {0};
		struct rerr err;
		if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
			continue;
		/* A provider's files are one snapshot: refreshed together, once. */
		for (size_t k = 0; k < s->cfg->nranges; k++)
			if (strcmp(s->cfg->range_providers[k], p) == 0) {
				first &= k >= i;
				if (nurls < SNAPSHOT_MAX_FILES)
					urls[nurls] = s->cfg->range_urls[k];
				nurls++;
			}
		if (!first)
			continue;
		rerr_clear(&err);
		if (nurls > SNAPSHOT_MAX_FILES)
			rerr_set(&err, R_EUSAGE, p, 0, "more than %d files", SNAPSHOT_MAX_FILES);
		if (nurls > SNAPSHOT_MAX_FILES ||
		    snapshot_refresh(cache, p, urls, nurls, &fo, false, &rr, &err) != R_OK)
			log_warnx("ranges %s: %s%s", p, rerr_format(&err, msg, sizeof(msg)),
				  rr.kept_last_good ? "; the last good snapshot stays in use" : "");
		else if (rr.changed)
			log_info("ranges %s: new snapshot, %zu prefixes, sha256 %s", p,
				 rr.meta.count, rr.meta.sha256);
		else
			log_info("ranges %s: unchanged", p);
	}
	signals_shut(s);
}

static void today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A scan that ended before anything of it was stored gets a row saying so. */
static long long record_unfinished(struct sched *s, const char *status, time_t started,
				   const char *why)
{
	char sha[DIGEST_HEXLEN] = "", msg[2048];
	struct buf b;
	struct rerr err;
	long long id = 0;

	buf_init(&b, 16u << 20);
	rerr_clear(&err);
	if (buf_read_file(&b, s->cfg->file, &err) == R_OK)
		digest_sha256_hex(b.data, b.len, sha);
	buf_free(&b);
	struct scan_stub stub = {
	    status,	    s->cfg->estate,	 s->cfg->file, (const char *const *)s->cfg->zones,
	    s->cfg->nzones, sha[0] ? sha : NULL, started,      why};
	rerr_clear(&err);
	if (connect_db(s, &err) != R_OK || store_scan_stub(s->st, &stub, &id, &err) != R_OK)
		log_warnx("the %s scan could not be recorded: %s", status,
			  rerr_format(&err, msg, sizeof(msg)));
	return id;
}

/* Logs the drift since the previous complete scan and POSTs it to the webhook. */
static void alert(struct sched *s, long long id)
{
	char msg[2048];
	struct rerr err;
	long long prev;
	time_t when;
	json_t *doc = NULL;
	size_t nchanged;

	rerr_clear(&err);
	if (store_last_complete(s->st, id, &prev, &when, &err) != R_OK ||
	    (prev > 0 && drift_between(s->st, prev, id, &doc, &nchanged, &err) != R_OK)) {
		log_warnx("drift of scan %lld: %s", id, rerr_format(&err, msg, sizeof(msg)));
		return;
	}
	if (prev == 0) {
		log_info("scan %lld: the first complete scan, no drift to compare", id);
		return;
	}
	if (nchanged == 0) {
		log_info("scan %lld: no drift since scan %lld", id, prev);
		json_decref(doc);
		return;
	}
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "changed"), i, c)
	{
		log_info("drift since scan %lld: %s", prev,
			 json_string_value(json_object_get(c, "story")));
	}
	if (s->cfg->webhook == NULL) {
		json_decref(doc);
		return;
	}
	char *body = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (body == NULL) {
		log_warnx("drift of scan %lld: out of memory", id);
		return;
	}
	struct webhook_opts wo;
	struct webhook_result wr;
	memset(&wo, 0, sizeof(wo));
	wo.stop = &stop_sig;
	signals_open(s);
	enum rstatus rc = webhook_post(s->cfg->webhook, body, &wo, &wr, &err);
	signals_shut(s);
	free(body);
	if (rc == R_OK)
		log_info("webhook: drift of %zu service%s since scan %lld delivered (HTTP %ld, "
			 "%d tr%s)",
			 nchanged, nchanged == 1 ? "" : "s", prev, wr.http_status, wr.tries,
			 wr.tries == 1 ? "y" : "ies");
	else
		log_warnx("webhook: the drift alert of scan %lld was not delivered: %s (the scan "
			  "is stored all the same)",
			  id, rerr_format(&err, msg, sizeof(msg)));
}

/* One scan: run and store job by job, log. *id is the complete scan (0 when none). */
static void scan_once(struct sched *s, long long *id)
{
	struct run_input in;
	struct attrib_source src[CONFIG_MAX_LIST];
	struct run *r = NULL;
	struct timespec t0;
	struct rerr err;
	char msg[2048];
	enum rstatus rc;
	time_t started = time(NULL);

	*id = 0;
	memset(&in, 0, sizeof(in));
	setup_input(s->cfg, &in, src);
	today(in.today);
	in.stop = &abandon_sig;
	rerr_clear(&err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_info("scan starting: %s", s->cfg->file);
	struct scan_work w = {
	    .cfg = s->cfg,
	    .conninfo = conninfo(s),
	    .in = &in,
	    .stop = &stop_sig,
	    .patience = UINT_MAX, /* serve waits for its database as long as it runs */
	    .locked = &s->locked,
	};
	signals_open(s);
	if ((rc = run_open(&in, &r, &err)) == R_OK)
		rc = scan_work(&w, r, &s->st, &err);
	signals_shut(s);
	run_free(r);
	rerr_format(&err, msg, sizeof(msg));
	if (rc == R_ESTOPPED) {
		if (!w.begun) {
			char why[128];
			snprintf(why, sizeof(why), "interrupted by %s before the scan began",
				 signame(stop_sig));
			w.id = record_unfinished(s, "interrupted", started, why);
		}
		log_warnx("scan %lld interrupted after %.1f s (%s): %s", w.id, seconds_since(&t0),
			  signame(stop_sig), msg);
		s->res->interrupted = true;
		s->res->last = R_OK;
		return;
	}
	if (rc != R_OK) {
		if (!w.begun)
			w.id = record_unfinished(s, "failed", started, msg);
		log_warnx("scan %lld failed after %.1f s: %s", w.id, seconds_since(&t0), msg);
		s->res->last = rc;
		return;
	}
	const struct scan_counts *n = &w.counts;
	log_info("scan %lld complete: %s, %zu finding%s (+%zu waived) in %zu services, %zu "
		 "paths; stored %zu path elements, %zu attributions, %zu DNS answers; %.1f s",
		 w.id, n->findings ? "violation" : "compliant", n->findings,
		 n->findings == 1 ? "" : "s", n->waived, n->services, n->paths, n->elements,
		 n->attributions, n->answers, seconds_since(&t0));
	*id = w.id;
	s->res->scans++;
	s->res->violations = n->findings > 0;
	s->res->last = R_OK;
}

/* One turn: the lock, the scan, the alert. */
static void turn(struct sched *s)
{
	struct rerr err;
	char msg[2048];
	bool got = false;
	long long id = 0, last_id;
	time_t last;

	rerr_clear(&err);
	/* The database may have gone away while this turn was waited for. */
	if (connect_db(s, &err) != R_OK) {
		if (err.code != R_ESTOPPED) {
			rerr_log(&err);
			s->res->last = err.code;
		}
		return;
	}
	s->last_attempt = time(NULL);
	if (store_scan_lock(s->st, &got, &err) != R_OK ||
	    store_last_complete(s->st, 0, &last_id, &last, &err) != R_OK) {
		log_warnx("%s; this turn is skipped", rerr_format(&err, msg, sizeof(msg)));
		s->res->last = err.code;
		if (got)
			store_scan_unlock(s->st);
		return;
	}
	if (!got) {
		log_info("another residency serve is scanning this database: skipping this turn");
		s->res->skipped++;
		return;
	}
	s->locked = true;
	/* Someone (another serve) completed a scan of this turn after it was planned. */
	if (last > s->planned_last && (!s->scan.is_cron || last >= s->due - 60)) {
		log_info("scan %lld already ran this turn (started after it was planned): "
			 "skipping it",
			 last_id);
		s->res->skipped++;
	} else {
		s->in_scan = true;
		scan_once(s, &id);
		s->in_scan = false;
	}
	if (s->locked && s->st)
		store_scan_unlock(s->st);
	s->locked = false;
	if (!s->res->interrupted && id > 0 && s->st)
		alert(s, id);
}

static void when_text(time_t t, char *out, size_t len)
{
	struct tm tm;
	long long in = (long long)(t - time(NULL));

	gmtime_r(&t, &tm);
	size_t n = strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (in < 0)
		in = 0;
	snprintf(out + n, len - n, " (in %lldh %02lldm %02llds)", in / 3600, in / 60 % 60, in % 60);
}

enum rstatus scheduler_run(const struct scheduler_opts *o, struct scheduler_result *res,
			   struct rerr *err)
{
	struct sched s;
	struct setup_summary sum;
	struct sigaction sa, old[4];
	static const int sigs[4] = {SIGTERM, SIGINT, SIGHUP, SIGALRM};
	enum rstatus rc;
	char msg[2048];
	time_t logged_due = 0;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	s.o = o;
	s.res = res;
	if ((rc = setup_config_check(o->config, &s.cfg, &sum, err)) != R_OK ||
	    (rc = compile(s.cfg, o->once, &s, err)) != R_OK) {
		config_free(s.cfg);
		return rc;
	}
	stop_sig = abandon_sig = reload_sig = 0;
	stop_grace = work_stop_grace();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: waits end when a signal comes */
	sigemptyset(&sa.sa_mask);
	sigprocmask(SIG_SETMASK, NULL, &s.open);
	s.shut = s.open;
	for (int i = 0; i < 4; i++) {
		sigaction(sigs[i], &sa, &old[i]);
		sigdelset(&s.open, sigs[i]);
		sigaddset(&s.shut, sigs[i]);
	}
	sigset_t before;
	sigprocmask(SIG_SETMASK, &s.shut, &before);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	s.rnd = random01();
	s.next_refresh = s.has_refresh ? time(NULL) + (time_t)s.refresh.interval : 0;
	describe(&s, msg, sizeof(msg));
	log_info("serve: %s: %zu services, %zu policies, %zu zone files; %s%s", o->config,
		 sum.services, sum.policies, sum.zones, msg, o->once ? "; one turn (--once)" : "");

	while (!stop_sig) {
		if (reload_sig) {
			reload(&s);
			continue;
		}
		rerr_clear(err);
		if ((rc = connect_db(&s, err)) != R_OK || (rc = plan(&s, err)) != R_OK) {
			if (rc == R_ESTOPPED)
				break;
			if (o->once) {
				rerr_log(err);
				res->last = rc;
				break;
			}
			log_warnx("%s", rerr_format(err, msg, sizeof(msg)));
			nap(&s, BACKOFF_FIRST_MS * 5);
			continue;
		}
		if (!o->once && s.due != logged_due) {
			when_text(s.due, msg, sizeof(msg));
			log_info("next scan at %s", msg);
			logged_due = s.due;
		}
		time_t until = s.next_refresh && s.next_refresh < s.due ? s.next_refresh : s.due;
		wait_until(&s, until);
		if (stop_sig || reload_sig)
			continue;
		time_t now = time(NULL);
		if (s.next_refresh && now >= s.next_refresh) {
			refresh_ranges(&s);
			s.next_refresh = now + (time_t)s.refresh.interval;
			continue;
		}
		if (now < s.due)
			continue;
		turn(&s);
		s.rnd = random01();
		if (o->once)
			break;
	}
	if (stop_sig) {
		res->signal = stop_sig;
		log_info("%s: stopped", signame(stop_sig));
	}
	store_close(s.st);
	config_free(s.cfg);
	alarm(0);
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	sigprocmask(SIG_SETMASK, &before, NULL);
	return R_OK;
}
