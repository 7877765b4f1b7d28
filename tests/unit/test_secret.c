/* Unit tests of mvs_secret: passwords and tokens from the environment and from files, the trailing
 * newline, the "readable by others" warning, and the errors for what is missing or contradictory. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvs_cli.h"
#include "mvs_secret.h"
#include "check.h"

static char dir[256];
static char stderr_path[512];

static char *write_file(const char *name, const char *content, size_t len, mode_t mode)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];
	int fd;

	snprintf(p, sizeof path[0], "%s/%s", dir, name);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, content, len) != (ssize_t)len || fchmod(fd, mode) < 0 || close(fd) < 0) {
		perror(p);
		exit(1);
	}
	return p;
}

/* Runs with stderr captured; returns what was printed (static buffer). */
static const char *captured;
static int saved_stderr = -1;

static void capture_begin(void)
{
	int fd = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static void capture_end(void)
{
	static char buf[4096];
	FILE *f;
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	f = fopen(stderr_path, "r");
	n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	captured = buf;
}

static void test_env(void)
{
	char *s = NULL, why[512];

	unsetenv("MILVUS_PASSWORD");
	unsetenv("MILVUS_TOKEN");
	CHECK(mvs_secret_get(MVS_SECRET_PASSWORD, NULL, &s, why, sizeof why) == 0 && s == NULL);
	setenv("MILVUS_PASSWORD", "pw from env\n", 1);	/* the environment is taken as it is */
	CHECK(mvs_secret_get(MVS_SECRET_PASSWORD, NULL, &s, why, sizeof why) == 1);
	CHECK(s && !strcmp(s, "pw from env\n"));
	mvs_secret_free(s);
	setenv("MILVUS_TOKEN", "", 1);
	CHECK(mvs_secret_get(MVS_SECRET_TOKEN, NULL, &s, why, sizeof why) == -1);
	CHECK(strstr(why, "MILVUS_TOKEN is set but empty"));
	setenv("MILVUS_TOKEN", "root:Milvus", 1);
	CHECK(mvs_secret_get(MVS_SECRET_TOKEN, NULL, &s, why, sizeof why) == 1);
	CHECK(s && !strcmp(s, "root:Milvus"));
	mvs_secret_free(s);
	unsetenv("MILVUS_PASSWORD");
	unsetenv("MILVUS_TOKEN");
}

static void test_files(void)
{
	char *s = NULL, why[512];
	const char *f;

	/* A file wins over the environment; one trailing newline goes. */
	setenv("MILVUS_PASSWORD", "env", 1);
	f = write_file("pw", "secret\n", 7, 0600);
	capture_begin();
	CHECK(mvs_secret_get(MVS_SECRET_PASSWORD, f, &s, why, sizeof why) == 1);
	capture_end();
	CHECK(s && !strcmp(s, "secret"));
	CHECK(captured[0] == '\0');	/* mode 0600: no warning */
	mvs_secret_free(s);
	unsetenv("MILVUS_PASSWORD");

	f = write_file("pw2", "two\n\n", 5, 0600);
	CHECK(mvs_secret_get(MVS_SECRET_PASSWORD, f, &s, why, sizeof why) == 1);
	CHECK(s && !strcmp(s, "two\n"));
	mvs_secret_free(s);

	f = write_file("crlf", "dos\r\n", 5, 0600);
	CHECK(mvs_secret_get(MVS_SECRET_PASSWORD, f, &s, why, sizeof why) == 1);
	CHECK(s && !strcmp(s, "dos"));
	mvs_secret_free(s);

	f = write_file("nonl", " spaces kept ", 13, 0400);
	CHECK(mvs_secret_get(MVS_SECRET_TOKEN, f, &s, why, sizeof why) == 1);
	CHECK(s && !strcmp(s, " spaces kept "));
	mvs_secret_free(s);

	/* Readable by others: a warning naming the file, and the secret is still used. */
	f = write_file("open", "pw\n", 3, 0644);
	capture_begin();
	CHECK(mvs_secret_get(MVS_SECRET_PASSWORD, f, &s, why, sizeof why) == 1);
	capture_end();
	CHECK(s && !strcmp(s, "pw"));
	CHECK(strstr(captured, "warning: password file ") && strstr(captured, "open is readable by others"));
	mvs_secret_free(s);
	f = write_file("tok", "t\n", 2, 0640);
	capture_begin();
	CHECK(mvs_secret_get(MVS_SECRET_TOKEN, f, &s, why, sizeof why) == 1);
	capture_end();
	CHECK(strstr(captured, "token file ") && strstr(captured, "readable by others"));
	mvs_secret_free(s);

	/* Missing, empty, not a file. */
	CHECK(mvs_secret_get(MVS_SECRET_PASSWORD, "/nonexistent/pw", &s, why, sizeof why) == -1 && !s);
	CHECK(!strcmp(why, "cannot read password file /nonexistent/pw: No such file or directory"));
	f = write_file("empty", "\n", 1, 0600);
	CHECK(mvs_secret_get(MVS_SECRET_PASSWORD, f, &s, why, sizeof why) == -1);
	CHECK(strstr(why, "is empty"));
	CHECK(mvs_secret_get(MVS_SECRET_TOKEN, dir, &s, why, sizeof why) == -1);
	CHECK(strstr(why, "not a regular file"));
}

static void test_credentials(void)
{
	char *pw, *tok, why[512];
	const char *f = write_file("cred", "hunter2\n", 8, 0600);

	unsetenv("MILVUS_PASSWORD");
	unsetenv("MILVUS_TOKEN");
	/* Nothing given: no authentication. */
	CHECK(mvs_secret_credentials(NULL, NULL, NULL, &pw, &tok, why, sizeof why) == 0 && !pw && !tok);
	/* A user needs a password. */
	CHECK(mvs_secret_credentials("alice", NULL, NULL, &pw, &tok, why, sizeof why) == -1);
	CHECK(!strcmp(why, "no password for user \"alice\": set MILVUS_PASSWORD or pass --password-file FILE"));
	CHECK(mvs_secret_credentials("alice", f, NULL, &pw, &tok, why, sizeof why) == 0);
	CHECK(pw && !strcmp(pw, "hunter2") && !tok);
	mvs_secret_free(pw);
	setenv("MILVUS_PASSWORD", "envpw", 1);
	setenv("MILVUS_TOKEN", "ignored with a user", 1);
	CHECK(mvs_secret_credentials("alice", NULL, NULL, &pw, &tok, why, sizeof why) == 0);
	CHECK(pw && !strcmp(pw, "envpw") && !tok);
	mvs_secret_free(pw);
	/* Without a user: the token. */
	CHECK(mvs_secret_credentials(NULL, NULL, NULL, &pw, &tok, why, sizeof why) == 0);
	CHECK(!pw && tok && !strcmp(tok, "ignored with a user"));
	mvs_secret_free(tok);
	CHECK(mvs_secret_credentials(NULL, NULL, f, &pw, &tok, why, sizeof why) == 0);
	CHECK(!pw && tok && !strcmp(tok, "hunter2"));
	mvs_secret_free(tok);
	/* Contradictions. */
	CHECK(mvs_secret_credentials(NULL, f, NULL, &pw, &tok, why, sizeof why) == -1);
	CHECK(strstr(why, "--password-file needs --user"));
	CHECK(mvs_secret_credentials("alice", NULL, f, &pw, &tok, why, sizeof why) == -1);
	CHECK(strstr(why, "not both"));
	CHECK(mvs_secret_credentials(NULL, NULL, "/nonexistent/t", &pw, &tok, why, sizeof why) == -1);
	CHECK(strstr(why, "cannot read token file /nonexistent/t"));
	unsetenv("MILVUS_PASSWORD");
	unsetenv("MILVUS_TOKEN");
	mvs_secret_free(NULL);
}

int main(void)
{
	char cmd[400];

	mvs_cli_init("test_secret");
	snprintf(dir, sizeof dir, "%s/mvs-test-secret.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(stderr_path, sizeof stderr_path, "%s/stderr", dir);
	test_env();
	test_files();
	test_credentials();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	return 0;
}
