/*
 * migrations: the schema/ files, embedded into the binary at build time by
 * scripts/embed-sql.sh, in ascending version order, ended by a zero version.
 */
#ifndef RESIDENCY_MIGRATIONS_H
#define RESIDENCY_MIGRATIONS_H

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration store_migrations[];

#endif
