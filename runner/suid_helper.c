/* cagetest-suid: planted by the runner (only when it runs as root) in
 * run/priv/, a root-owned 0555 dir, twice: setuid-root (priv.setuid_exec)
 * and with the file capability cap_dac_override+ep (priv.file_caps). Whatever
 * its ids, it tries once to create DIR/proof-TOKEN, DIR being the directory
 * it lives in, and does nothing else. Only a process holding CAP_DAC_OVERRIDE
 * can create a file in that dir, so the proof means the exec granted
 * privilege; whoever can run it can only drop empty files into that one dir. */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int token_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 32)
		return 0;
	for (; *t; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9')))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	char exe[PATH_MAX], proof[PATH_MAX];
	struct stat st;
	ssize_t k;
	int fd;

	if (argc != 2 || !token_ok(argv[1]))
		return 2;
	k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (k <= 0)
		return 3;
	exe[k] = 0;
	/* only from a root-owned dir nobody else can write to */
	if (stat(dirname(exe), &st) < 0 || st.st_uid != 0 || (st.st_mode & 022))
		return 3;
	if (snprintf(proof, sizeof(proof), "%s/proof-%s", exe, argv[1]) >= (int)sizeof(proof))
		return 3;
	fd = open(proof, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return 4;
	close(fd);
	return 0;
}
