/* The milter's transport: which sockets are Unix-domain, and TCP_NODELAY on libmilter's
 * listening TCP socket. Over TCP, Nagle and delayed ACKs cost about 40 ms per stall; what
 * avoids them is measured in docs/performance.md. */
#ifndef MXG_MILTER_TRANSPORT_H
#define MXG_MILTER_TRANSPORT_H

/* The path of a "unix:PATH" / "local:PATH" / "/PATH" socket spec, or NULL for inet sockets. */
const char *milter_transport_unix_path(const char *spec);

/* Sets TCP_NODELAY on every listening TCP socket among our descriptors (libmilter keeps its
 * own to itself; Linux copies the option to the connections accept() returns), so that a reply
 * in two writes (a header change, then the verdict) does not wait for the MTA's delayed ACK.
 * Call after smfi_opensocket. Returns how many sockets it set, or -1 if a setsockopt failed. */
int milter_transport_nodelay(void);

#endif
