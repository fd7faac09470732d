/*
 * testutil: see testutil.h.
 */
#include "lib/testutil.h"

#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

const char *tu_path(const char *rel)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", env_or("RESIDENCY_TOP", "."), rel);
	return buf;
}

const char *tu_bin(void)
{
	return env_or("RESIDENCY_BIN", "build/residency");
}

char *tu_tmpdir(void)
{
	char tmpl[4096];

	snprintf(tmpl, sizeof(tmpl), "%s/t.XXXXXX", env_or("RESIDENCY_RUN", "/tmp"));
	char *d = mkdtemp(tmpl);
	return d ? strdup(d) : NULL;
}

char *tu_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 4096, n = 0, r;
	char *data = malloc(cap);
	while (data && (r = fread(data + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			char *p = realloc(data, cap * 2);
			if (p == NULL) {
				free(data);
				data = NULL;
				break;
			}
			data = p;
			cap *= 2;
		}
	}
	fclose(f);
	if (data) {
		data[n] = '\0';
		if (len)
			*len = n;
	}
	return data;
}

int tu_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	size_t w = fwrite(data, 1, len, f);
	return fclose(f) == 0 && w == len ? 0 : -1;
}

int tu_run(const char *cmd, char **out, char **err)
{
	char *dir = tu_tmpdir();
	char ofile[4200], efile[4200];
	size_t need;

	if (dir == NULL)
		return -1;
	snprintf(ofile, sizeof(ofile), "%s/stdout", dir);
	snprintf(efile, sizeof(efile), "%s/stderr", dir);
	need = strlen(cmd) + strlen(ofile) + strlen(efile) + 32;
	char *full = malloc(need);
	if (full == NULL) {
		free(dir);
		return -1;
	}
	snprintf(full, need, "(%s) >'%s' 2>'%s'", cmd, ofile, efile);
	int status = system(full);
	free(full);
	if (out)
		*out = tu_slurp(ofile, NULL);
	if (err)
		*err = tu_slurp(efile, NULL);
	unlink(ofile);
	unlink(efile);
	rmdir(dir);
	free(dir);
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

char *tu_createdb(void)
{
	static int seq;
	char name[64], sql[128];

	snprintf(name, sizeof(name), "t_%ld_%d", (long)getpid(), ++seq);
	PGconn *c = PQconnectdb("dbname=postgres");
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "tu_createdb: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "tu_createdb: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	if (!ok)
		return NULL;
	char *conninfo = malloc(96);
	if (conninfo)
		snprintf(conninfo, 96, "dbname=%s", name);
	return conninfo;
}

int tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

char *tu_migrated_db(void)
{
	char cmd[4096];
	char *db = tu_createdb();

	if (db == NULL)
		return NULL;
	snprintf(cmd, sizeof(cmd), "'%s' db migrate --db '%s'", tu_bin(), db);
	if (tu_run(cmd, NULL, NULL) != 0) {
		free(db);
		return NULL;
	}
	return db;
}

int tu_cli(const char *args, char **out, char **err)
{
	char top[4096];
	snprintf(top, sizeof(top), "%s", tu_path(""));
	size_t n = strlen(top) + strlen(tu_bin()) + strlen(args) + 32;
	char *cmd = malloc(n);
	if (cmd == NULL)
		return -1;
	snprintf(cmd, n, "cd '%s' && '%s' %s", top, tu_bin(), args);
	int rc = tu_run(cmd, out, err);
	free(cmd);
	return rc;
}

char *tu_sql(const char *db, const char *sql)
{
	size_t n = strlen(db) + strlen(sql) + 64;
	char *cmd = malloc(n), *out = NULL;
	if (cmd == NULL)
		return NULL;
	snprintf(cmd, n, "psql -X -At -d '%s' -c \"%s\"", db, sql);
	int rc = tu_run(cmd, &out, NULL);
	free(cmd);
	if (rc != 0) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	return out;
}
