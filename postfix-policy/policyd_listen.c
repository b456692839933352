/* Listening sockets from "inet:HOST:PORT" (numeric host, [v6] allowed) and "unix:PATH";
 * opened before privileges are dropped, non-blocking and close-on-exec. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mxguard/str.h"
#include "policyd_server.h"

static int open_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (mxg_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >= sizeof(sun.sun_path))
		return mxg_fail(err, errlen, "unix:%s: path too long", path);
	/* Only a stale socket is removed, never a regular file someone named by mistake. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(path, 0666) < 0 ||
	    listen(fd, 256) < 0) {
		snprintf(err, errlen, "unix:%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int split_inet(const char *spec, char *host, size_t hostsize, const char **port)
{
	const char *colon;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (close == NULL || close[1] != ':' || (size_t)(close - spec) > hostsize)
			return -1;
		memcpy(host, spec + 1, (size_t)(close - spec - 1));
		host[close - spec - 1] = '\0';
		*port = close + 2;
		return 0;
	}
	colon = strrchr(spec, ':');
	if (colon == NULL || (size_t)(colon - spec) >= hostsize)
		return -1;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	*port = colon + 1;
	return 0;
}

static int open_inet(const char *spec, char *err, size_t errlen)
{
	char host[128];
	const char *port;
	struct addrinfo hints, *ai = NULL;
	int one = 1;

	if (split_inet(spec, host, sizeof(host), &port) < 0 || *port == '\0')
		return mxg_fail(err, errlen, "inet:%s: expected inet:HOST:PORT", spec);
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0)
		return mxg_fail(err, errlen, "inet:%s: %s", spec, gai_strerror(rc));
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* Accepted sockets inherit it: a reply never waits on Nagle for the peer's
		 * delayed ACK of an earlier one (up to 40 ms on Linux). */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 256) < 0) {
		snprintf(err, errlen, "inet:%s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int policyd_listen_open(const char *spec, char *err, size_t errlen)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return open_unix(spec + 5, err, errlen);
	if (strncmp(spec, "inet:", 5) == 0)
		return open_inet(spec + 5, err, errlen);
	return mxg_fail(err, errlen, "%s: listeners are inet:HOST:PORT or unix:PATH", spec);
}

void policyd_listen_remove(const char *spec)
{
	struct stat st;

	if (strncmp(spec, "unix:", 5) == 0 && lstat(spec + 5, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(spec + 5);
}
