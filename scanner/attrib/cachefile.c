/*
 * cachefile: mapped, atomically written cache files (see cachefile.h).
 */
#include "attrib/cachefile.h"
#include "core/digest.h"
#include "core/paths.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

bool cachefile_map(const char *path, size_t max, const void **data, size_t *len)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return false;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
	    (unsigned long long)sb.st_size > max) {
		close(fd);
		return false;
	}
	/* MAP_POPULATE: the whole table is read anyway; one fault instead of thousands. */
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return false;
	*data = p;
	*len = (size_t)sb.st_size;
	return true;
}

void cachefile_unmap(const void *data, size_t len)
{
	if (data)
		munmap((void *)(uintptr_t)data, len);
}

bool cachefile_write(const char *path, const struct cachefile_part *parts, size_t n)
{
	char tmp[4200];
	bool ok = true;

	paths_mkdirs_for(path);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= sizeof(tmp))
		return false;
	FILE *f = fopen(tmp, "wb");
	if (f == NULL)
		return false; /* no cache: fine, the next run builds again */
	for (size_t i = 0; i < n && ok; i++)
		ok = parts[i].len == 0 || fwrite(parts[i].data, 1, parts[i].len, f) == parts[i].len;
	if (fclose(f) == 0 && ok && rename(tmp, path) == 0)
		return true;
	remove(tmp);
	return false;
}

bool cachefile_stamp(const char *path, char *buf, size_t len)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return false;
	snprintf(buf, len, "%lld %lld.%09ld", (long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
		 (long)sb.st_mtim.tv_nsec);
	return true;
}

const char *cachefile_self(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

void cachefile_tag(const char *s, char out[17])
{
	char hex[DIGEST_HEXLEN];

	digest_sha256_hex(s, strlen(s), hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}
