/* The milter's transport: Unix socket specs, and TCP_NODELAY on libmilter's listening socket,
 * found among our descriptors as the TCP socket that listens (SO_ACCEPTCONN). */
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "milter_transport.h"

/* The highest descriptor number looked at: the listener is opened at start, among the first. */
#define NODELAY_MAX_FD 1024

const char *milter_transport_unix_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	if (spec[0] == '/')
		return spec;
	return NULL;
}

static int is_tcp_listener(int fd)
{
	int on = 0, proto = 0;
	socklen_t len = sizeof(on);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) != 0 || !on)
		return 0;
	len = sizeof(proto);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == IPPROTO_TCP;
}

int milter_transport_nodelay(void)
{
	int set = 0, one = 1;

	for (int fd = 0; fd < NODELAY_MAX_FD; fd++) {
		if (!is_tcp_listener(fd))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
			return -1;
		set++;
	}
	return set;
}
