/* Milvus endpoints and the credential encoding: parses the URIs the tools accept into a gRPC target
 * (host:port, http://, https:// for TLS, unix:/path) and base64-encodes the `authorization` value. */
#include "mvs_milvus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *why, size_t why_size, const char *uri, const char *problem)
{
	snprintf(why, why_size, "bad Milvus URI \"%s\": %s", uri, problem);
	return -1;
}

int mvs_milvus_parse_uri(const char *uri, struct mvs_milvus_uri *out, char *why, size_t why_size)
{
	const char *rest, *host, *host_end, *port_text = NULL;
	size_t host_len, rest_len;
	long port;
	char *end;

	memset(out, 0, sizeof *out);
	if (!uri || !*uri)
		uri = "localhost";
	if (!strncmp(uri, "unix:", 5)) {
		const char *path = uri + 5;

		while (path[0] == '/' && path[1] == '/')	/* unix:///path */
			path++;
		if (*path != '/')
			return fail(why, why_size, uri, "a unix socket needs an absolute path (unix:/path)");
		if (snprintf(out->target, sizeof out->target, "unix:%s", path) >= (int)sizeof out->target)
			return fail(why, why_size, uri, "too long");
		memcpy(out->endpoint, out->target, sizeof out->endpoint);
		return 0;
	}
	rest = uri;
	if (!strncmp(uri, "https://", 8)) {
		out->tls = true;
		rest = uri + 8;
	} else if (!strncmp(uri, "http://", 7)) {
		out->plain = true;
		rest = uri + 7;
	} else if (!strncmp(uri, "tcp://", 6)) {
		rest = uri + 6;
	} else if (strstr(uri, "://")) {
		return fail(why, why_size, uri, "the scheme must be http://, https:// or unix:");
	}
	rest_len = strcspn(rest, "/");
	for (const char *p = rest + rest_len; *p; p++)
		if (*p != '/')
			return fail(why, why_size, uri, "a path after host:port is not supported");
	const char *at = memchr(rest, '@', rest_len);
	if (at) {
		char shown[300];	/* the URI without what it must not carry, not even in a message */

		snprintf(shown, sizeof shown, "%.*s***%s", (int)(rest - uri), uri, at);
		return fail(why, why_size, shown,
			    "credentials do not go in the URI (use --user with MILVUS_PASSWORD, or MILVUS_TOKEN)");
	}

	host = rest;
	if (*host == '[') {		/* [v6addr]:port */
		host_end = memchr(host, ']', rest_len);
		if (!host_end)
			return fail(why, why_size, uri, "missing ']' after an IPv6 address");
		host_end++;
		if (host_end < rest + rest_len) {
			if (*host_end != ':')
				return fail(why, why_size, uri, "expected ':' and a port after ']'");
			port_text = host_end + 1;
		}
	} else {
		const char *colon = memchr(host, ':', rest_len);

		host_end = colon ? colon : rest + rest_len;
		if (colon) {
			if (memchr(colon + 1, ':', rest + rest_len - colon - 1))
				return fail(why, why_size, uri, "write an IPv6 address in brackets: [addr]:port");
			port_text = colon + 1;
		}
	}
	host_len = host_end - host;
	if (host_len == 0 || (*host == '[' && host_len == 2))
		return fail(why, why_size, uri, "no host");
	if (port_text) {
		size_t digits = rest + rest_len - port_text;

		if (digits == 0 || digits > 5 || strspn(port_text, "0123456789") < digits)
			return fail(why, why_size, uri, "the port must be a number");
		port = strtol(port_text, &end, 10);
		if (port < 1 || port > 65535)
			return fail(why, why_size, uri, "the port must be 1..65535");
	} else {
		port = out->tls ? 443 : MVS_MILVUS_DEFAULT_PORT;
	}
	if (snprintf(out->target, sizeof out->target, "%.*s:%ld", (int)host_len, host, port) >=
	    (int)sizeof out->target)
		return fail(why, why_size, uri, "too long");
	memcpy(out->endpoint, out->target, sizeof out->endpoint);
	return 0;
}

int mvs_milvus_base64(const void *in, size_t len, char *out, size_t out_size)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = in;
	size_t need = (len + 2) / 3 * 4, o = 0;

	if (need + 1 > out_size)
		return -1;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = p[i] << 16;

		if (i + 1 < len)
			v |= p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return (int)o;
}
