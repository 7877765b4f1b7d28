/* Reads passwords and tokens from the environment or from files (see mvs_secret.h). */
#include "mvs_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvs_cli.h"

#define SECRET_MAX (64 * 1024)	/* tokens are short; a huge "secret file" is a mistake */

struct kind_info {
	const char *what;	/* "password" */
	const char *env;	/* "MILVUS_PASSWORD" */
};

static const struct kind_info kinds[] = {
	[MVS_SECRET_PASSWORD] = { "password", "MILVUS_PASSWORD" },
	[MVS_SECRET_TOKEN] = { "token", "MILVUS_TOKEN" },
	[MVS_SECRET_REST_TOKEN] = { "token", "MVS_REST_TOKEN" },
};

void mvs_secret_free(char *secret)
{
	if (!secret)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}

/* Drops one trailing "\n" (or "\r\n"): files written by echo or an editor end with one. */
static void strip_newline(char *s, size_t *len)
{
	if (*len > 0 && s[*len - 1] == '\n') {
		s[--*len] = '\0';
		if (*len > 0 && s[*len - 1] == '\r')
			s[--*len] = '\0';
	}
}

static int read_secret_file(const struct kind_info *k, const char *file, char **out, char *why,
			    size_t why_size)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, why_size, "cannot read %s file %s: %s", k->what, file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, why_size, "%s file %s is not a regular file", k->what, file);
		close(fd);
		return -1;
	}
	if (st.st_mode & 077)
		mvs_warn("%s file %s is readable by others", k->what, file);
	buf = malloc(SECRET_MAX + 1);
	if (!buf) {
		snprintf(why, why_size, "out of memory");
		close(fd);
		return -1;
	}
	while (len < SECRET_MAX && (n = read(fd, buf + len, SECRET_MAX - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(why, why_size, "cannot read %s file %s: %s", k->what, file, strerror(errno));
			goto fail;
		}
		len += n;
	}
	if (len == SECRET_MAX) {
		snprintf(why, why_size, "%s file %s is too large (over %d bytes)", k->what, file, SECRET_MAX);
		goto fail;
	}
	close(fd);
	buf[len] = '\0';
	strip_newline(buf, &len);
	if (len == 0 || memchr(buf, '\0', len)) {
		snprintf(why, why_size, len ? "%s file %s holds a NUL byte" : "%s file %s is empty", k->what,
			 file);
		explicit_bzero(buf, len);
		free(buf);
		return -1;
	}
	*out = buf;
	return 1;
fail:
	explicit_bzero(buf, len);
	free(buf);
	close(fd);
	return -1;
}

int mvs_secret_get(enum mvs_secret_kind kind, const char *file, char **out, char *why, size_t why_size)
{
	const struct kind_info *k = &kinds[kind];
	const char *value;

	*out = NULL;
	if (file)
		return read_secret_file(k, file, out, why, why_size);
	value = getenv(k->env);
	if (!value)
		return 0;
	if (!*value) {
		snprintf(why, why_size, "%s is set but empty", k->env);
		return -1;
	}
	*out = strdup(value);
	if (!*out) {
		snprintf(why, why_size, "out of memory");
		return -1;
	}
	return 1;
}

int mvs_secret_credentials(const char *user, const char *password_file, const char *token_file,
			   char **password, char **token, char *why, size_t why_size)
{
	int rc;

	*password = NULL;
	*token = NULL;
	if (user && *user) {
		if (token_file) {
			snprintf(why, why_size, "give --user (with a password) or --token-file, not both");
			return -1;
		}
		rc = mvs_secret_get(MVS_SECRET_PASSWORD, password_file, password, why, why_size);
		if (rc == 0)
			snprintf(why, why_size, "no password for user \"%s\": set MILVUS_PASSWORD or pass "
				 "--password-file FILE", user);
		return rc > 0 ? 0 : -1;
	}
	if (password_file) {
		snprintf(why, why_size, "--password-file needs --user");
		return -1;
	}
	return mvs_secret_get(MVS_SECRET_TOKEN, token_file, token, why, why_size) < 0 ? -1 : 0;
}
