/* Credentials for the Milvus tools. Secrets never come on the command line (anyone can read it in
 * ps): a password comes from the environment variable MILVUS_PASSWORD or a --password-file, a token
 * from MILVUS_TOKEN or a --token-file. A file wins over the environment; one trailing newline is
 * stripped; a file that others may read draws a warning. */
#ifndef MVS_SECRET_H
#define MVS_SECRET_H

#include <stddef.h>

enum mvs_secret_kind {
	MVS_SECRET_PASSWORD,	/* MILVUS_PASSWORD, --password-file */
	MVS_SECRET_TOKEN,	/* MILVUS_TOKEN, --token-file */
	MVS_SECRET_REST_TOKEN,	/* MVS_REST_TOKEN, mvs-migrate server's --token-file */
};

/* Looks the secret up: from file when it is given, else from the environment. Returns 1 with a
 * malloc'ed string in *out, 0 when neither is set (*out NULL), or -1 with the reason in why (e.g.
 * "cannot read password file F: No such file or directory"). Prints the warning "password file F is
 * readable by others" (mvs_warn) when the file's mode has any group/other bits. */
int mvs_secret_get(enum mvs_secret_kind kind, const char *file, char **out, char *why, size_t why_size);

/* The credentials a tool needs, from its --user, --password-file and --token-file options (each may
 * be NULL). With a user: the password (required; a clear error when missing). Without: a token when
 * one is given, else nothing (*password and *token NULL: no authentication). Returns 0 or -1 with the
 * reason in why. Free the results with mvs_secret_free. */
int mvs_secret_credentials(const char *user, const char *password_file, const char *token_file,
			   char **password, char **token, char *why, size_t why_size);

/* Overwrites the secret with zeros and frees it. NULL is fine. */
void mvs_secret_free(char *secret);

#endif
